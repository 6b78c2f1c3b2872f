"""Deployment checks of the notifications: `manage.py check --deploy` warns when production runs
on the development broker (kombu's filesystem transport serves one machine only, so workers on
another machine would never see the tasks)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.compatibility, deploy=True)
def broker_for_production(app_configs=None, **kwargs):
    if settings.CELERY_BROKER_URL.startswith("filesystem://"):
        return [
            checks.Warning(
                "Celery uses the filesystem broker of development.",
                hint="Set REDIS_URL so that web processes and workers on any machine share "
                "one broker and one cache.",
                id="flexportal.W001",
            )
        ]
    return []
