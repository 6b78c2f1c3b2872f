"""`manage.py check --deploy` warns when production would run on the development broker."""

from notifications.checks import broker_for_production


def test_the_filesystem_broker_is_a_deployment_warning(settings):
    settings.CELERY_BROKER_URL = "filesystem://"
    (warning,) = broker_for_production()
    assert warning.id == "flexportal.W001"


def test_redis_as_broker_passes(settings):
    settings.CELERY_BROKER_URL = "redis://redis:6379/0"
    assert broker_for_production() == []
