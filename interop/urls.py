from django.urls import path

from interop import views

app_name = "interop"

urlpatterns = [
    path("", views.import_home, name="import_home"),
    path("export/", views.export_home, name="export_home"),
    path("export.csv", views.export, name="export"),
    path("export.xlsx", views.export_workbook, name="export_xlsx"),
    path("modele.xlsx", views.template, name="template"),
    path("<int:pk>/", views.report_detail, name="report_detail"),
    path("<int:pk>/confirmer/", views.report_confirm, name="report_confirm"),
    path("<int:pk>/statut/", views.report_status, name="report_status"),
    path("<int:pk>/rejets.csv", views.report_rejected, name="report_rejected"),
]
