from django.urls import path

from jobs import views

app_name = "jobs"

urlpatterns = [
    path("", views.offer_list, name="offer_list"),
    path("nouvelle/", views.offer_create, name="offer_create"),
    path("<int:pk>/", views.offer_detail, name="offer_detail"),
    path("<int:pk>/modifier/", views.offer_edit, name="offer_edit"),
    path("<int:pk>/retirer/", views.offer_withdraw, name="offer_withdraw"),
    path("ex-employeurs/", views.former_employers, name="former_employers"),
    path("mes-offres/", views.my_offers, name="my_offers"),
    path("anciens/<int:pk>/<str:token>/", views.alumni_offers, name="alumni_offers"),
]
