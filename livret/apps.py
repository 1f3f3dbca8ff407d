from django.apps import AppConfig


class LivretConfig(AppConfig):
    name = "livret"
