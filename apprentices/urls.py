from django.urls import path

from apprentices import views

app_name = "apprentices"

urlpatterns = [
    path("apprentis/", views.apprentice_list, name="apprentice_list"),
    path("apprentis/export.csv", views.apprentice_export, name="apprentice_export"),
    path("apprentis/nouveau/", views.apprentice_create, name="apprentice_create"),
    path("apprentis/<int:pk>/", views.apprentice_detail, name="apprentice_detail"),
    path("apprentis/<int:pk>/modifier/", views.apprentice_update, name="apprentice_update"),
    path("contrats/", views.contract_list, name="contract_list"),
    path("contrats/export.csv", views.contract_export, name="contract_export"),
    path("contrats/nouveau/", views.contract_create, name="contract_create"),
    path("contrats/<int:pk>/", views.contract_detail, name="contract_detail"),
    path("contrats/<int:pk>/modifier/", views.contract_update, name="contract_update"),
    path("formations/", views.diploma_list, name="diploma_list"),
    path("formations/<int:pk>/", views.diploma_detail, name="diploma_detail"),
]
