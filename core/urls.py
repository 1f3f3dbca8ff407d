from django.urls import path

from core import views

urlpatterns = [
    path("sante/", views.health, name="health"),
    path("inviter/", views.invite, name="invite"),
    path("compte/", views.profile, name="profile"),
    path("invitation/<str:uidb36>/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
