from django.urls import path

from core import offline, views

urlpatterns = [
    path("manifest.webmanifest", offline.manifest, name="manifest"),
    path("sw.js", offline.service_worker, name="service_worker"),
    path("hors-ligne/", offline.offline, name="offline"),
    path("sante/", views.health, name="health"),
    path("inviter/", views.invite, name="invite"),
    path("compte/", views.profile, name="profile"),
    path("filtres/noms/<slug:key>/", views.name_suggestions, name="name_suggestions"),
    path("invitation/<str:uidb36>/<str:token>/", views.accept_invitation, name="accept_invitation"),
]
