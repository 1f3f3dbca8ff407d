from django.dispatch import receiver  # noqa: F401
