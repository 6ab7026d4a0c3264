"""The Celery application: configured from Django settings under the CELERY_ prefix."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "conduct_portal.settings")

app = Celery("conduct_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
