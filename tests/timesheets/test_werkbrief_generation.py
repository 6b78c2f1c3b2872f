"""Werkbriefjes are made ahead of time by a Celery task, per agency, inside its scope."""

import pytest
from django.db.models import F

from flexportal.tenancy import scopes_disabled
from timesheets import tasks
from timesheets.models import Werkbrief

pytestmark = pytest.mark.django_db


def test_the_beat_task_enqueues_one_task_per_active_agency(tenant_a, tenant_b, monkeypatch):
    sent = []
    monkeypatch.setattr(tasks.generate_werkbrieven_for_agency, "delay", sent.append)
    tasks.generate_werkbrieven()
    assert sorted(sent) == sorted(str(t.agency.pk) for t in (tenant_a, tenant_b))


def test_the_agency_task_makes_its_werkbriefjes_in_its_own_scope(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        tasks.generate_werkbrieven_for_agency(str(tenant.agency.pk))
    with scopes_disabled():
        for tenant in (tenant_a, tenant_b):
            assert Werkbrief.objects.filter(agency=tenant.agency).count() >= 5
        assert not Werkbrief.objects.exclude(agency_id=F("placement__agency_id")).exists()
