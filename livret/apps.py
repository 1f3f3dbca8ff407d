from django.apps import AppConfig


class LivretConfig(AppConfig):
    name = "livret"

    def ready(self):
        # Django's documented place to connect signal receivers: once every app's models are loaded.
        from livret import receivers  # noqa: F401
