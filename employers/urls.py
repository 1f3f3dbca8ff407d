from django.urls import path

from employers import views

app_name = "employers"

urlpatterns = [
    path("", views.employer_list, name="employer_list"),
    path("export.csv", views.employer_export, name="employer_export"),
    path("nouveau/", views.employer_create, name="employer_create"),
    path("<int:pk>/", views.employer_detail, name="employer_detail"),
    path("<int:pk>/modifier/", views.employer_update, name="employer_update"),
]
