from django.urls import path

from livret.views import sheets as views

app_name = "livret"

urlpatterns = [
    path("apprentis/<int:apprentice_pk>/", views.booklet, name="booklet"),
    path("fiches/", views.sheet_list, name="sheet_list"),
    path("fiches/<int:pk>/", views.sheet_detail, name="sheet_detail"),
    path("fiches/<int:pk>/enregistrer/", views.sheet_save, name="sheet_save"),
    path("fiches/<int:pk>/contresigner/", views.sheet_countersign, name="sheet_countersign"),
    path("fiches/<int:pk>/renvoyer/", views.sheet_return, name="sheet_return"),
    path("fiches/<int:pk>/lire/", views.sheet_review, name="sheet_review"),
    path("fiches/<int:pk>/corriger/", views.sheet_correct, name="sheet_correct"),
    path("fiches/<int:pk>/lien/<str:token>/", views.sheet_link, name="sheet_link"),
    path("fiches/<int:pk>/lien/<str:token>/renvoyer/", views.sheet_link_resend, name="sheet_link_resend"),
]
