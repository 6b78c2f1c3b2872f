"""The Celery app. Broker: Redis when REDIS_URL is set, else kombu's filesystem transport."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flexportal.settings")

app = Celery("flexportal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
