from django.urls import path

from tutors import views

app_name = "tutors"

urlpatterns = [
    path("", views.tutor_list, name="tutor_list"),
    path("export.csv", views.tutor_export, name="tutor_export"),
]
