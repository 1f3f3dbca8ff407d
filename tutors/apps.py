from django.apps import AppConfig


class TutorsConfig(AppConfig):
    name = "tutors"

    def ready(self):
        # Django's documented place to connect signal receivers: once every app's models are loaded.
        from tutors import receivers  # noqa: F401
