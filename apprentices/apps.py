from django.apps import AppConfig


class ApprenticesConfig(AppConfig):
    name = "apprentices"

    def ready(self):
        # Django's documented place to connect signal receivers: once every app's models are loaded.
        from apprentices import receivers  # noqa: F401
