from django.apps import AppConfig


class PortalConfig(AppConfig):
    """The layer that composes the others: each person's home page and the navigation."""

    name = "portal"
