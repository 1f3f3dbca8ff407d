from django.apps import AppConfig


class ApprenticesConfig(AppConfig):
    name = "apprentices"
