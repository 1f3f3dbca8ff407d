from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Plateforme"

    def ready(self):
        from allauth.mfa.signals import authenticator_added
        from django.utils.module_loading import autodiscover_modules

        from core import checks  # noqa: F401  registers the system checks; models are not loaded before
        from core.mfa import record_enrolment  # models are not loaded when this module is

        # Each app's exports.py registers its lists' CSV exports in core.csvexport.EXPORTS.
        autodiscover_modules("exports")
        authenticator_added.connect(record_enrolment, dispatch_uid="core.mfa.record_enrolment")
