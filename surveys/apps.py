from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SurveysConfig(AppConfig):
    name = "surveys"
    verbose_name = _("Enquêtes")

    def ready(self):
        # Django's documented place to connect signal receivers: once every app's models are loaded.
        from surveys import receivers  # noqa: F401
