from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Données de démonstration : ``manage.py seed_demo``."""

    name = "demo"
    verbose_name = "Données de démonstration"
