from django.urls import path

from reports import views

app_name = "reports"

urlpatterns = [
    path("tableau-de-bord/", views.dashboard, name="dashboard"),
    path("tableau-de-bord/alertes/<str:kind>/", views.alert_list, name="alert_list"),
    path("exports/", views.export_list, name="export_list"),
    path("exports/conformite/", views.compliance_export, name="compliance_export"),
    path("exports/csv/", views.csv_export, name="csv_export"),
    path("exports/effectifs/", views.effectifs_export, name="effectifs_export"),
    path("exports/<int:pk>/", views.export_detail, name="export_detail"),
    path("exports/<int:pk>/etat/", views.export_status, name="export_status"),
    path("exports/<int:pk>/telecharger/", views.export_download, name="export_download"),
    path("exports/<int:pk>/relancer/", views.export_retry, name="export_retry"),
]
