from django.apps import AppConfig


class ReportsConfig(AppConfig):
    """Tableaux de bord du CFA, alertes et exports de fond (CSV volumineux, PDF de l'établissement)."""

    name = "reports"
    verbose_name = "Tableaux de bord et exports"

    def ready(self):
        # Django's documented place to connect signal receivers: once every app's models are loaded.
        from reports import receivers  # noqa: F401
