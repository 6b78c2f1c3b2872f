"""Werkbriefjes are made ahead of time by a Celery task, per agency, inside its scope."""

import pytest
from django.db.models import F

from flexportal.celery import app
from flexportal.tenancy import scopes_disabled
from timesheets import tasks
from timesheets.models import Werkbrief

pytestmark = pytest.mark.django_db


def test_the_task_makes_each_agencys_werkbriefjes_in_its_own_scope(tenant_a, tenant_b):
    eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    try:
        tasks.generate_werkbrieven()
    finally:
        app.conf.task_always_eager = eager
    with scopes_disabled():
        for tenant in (tenant_a, tenant_b):
            assert Werkbrief.objects.filter(agency=tenant.agency).count() >= 5
        assert not Werkbrief.objects.exclude(agency_id=F("placement__agency_id")).exists()
