from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Plateforme"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's exports.py registers its lists' CSV exports in core.csvexport.EXPORTS.
        autodiscover_modules("exports")
