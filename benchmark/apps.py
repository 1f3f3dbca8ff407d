from django.apps import AppConfig


class BenchmarkConfig(AppConfig):
    """Mesure des performances : ``manage.py benchmark``."""

    name = "benchmark"
    verbose_name = "Mesure des performances"
