"""The Celery application. Tasks are JSON only, time-limited, and queued on commit by callers."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("livret")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
