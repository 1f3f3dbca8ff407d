from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    """Données personnelles (RGPD): an apprentice's data on request, and their erasure once kept long
    enough."""

    name = "privacy"
    verbose_name = "Données personnelles"

    def ready(self):
        # Django's documented place to connect signal receivers: once every app's models are loaded.
        from privacy import receivers  # noqa: F401
