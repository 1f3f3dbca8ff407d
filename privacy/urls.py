from django.urls import path

from privacy import views

app_name = "privacy"

urlpatterns = [
    path("mon-compte/donnees-personnelles/", views.my_data, name="my_data"),
    path("apprentis/<int:pk>/donnees-personnelles.json", views.archive_download, name="archive_json"),
    path("apprentis/<int:pk>/donnees-personnelles.pdf", views.pdf_download, name="archive_pdf"),
    path("donnees-personnelles/effacement/", views.erasure, name="erasure"),
]
