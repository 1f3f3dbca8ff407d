from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Tableaux de bord du CFA, alertes et exports de fond (CSV volumineux, PDF de l'établissement)."""

    name = "reports"
    verbose_name = "Tableaux de bord et exports"
