import datetime as dt

import pytest

from tests.cao_examples import EXAMPLES
from timesheets import services
from timesheets.deadlines import week_start_of
from timesheets.models import CaoScheme, CaoSchemeVersion


@pytest.fixture
def last_week():
    return week_start_of(dt.date.today()) - dt.timedelta(days=7)


@pytest.fixture
def werkbrief(tenant_a, last_week):
    with tenant_a.scope():
        return services.werkbrief_ensure(placement=tenant_a.placement, week_start=last_week)


@pytest.fixture
def scheme_a(tenant_a):
    """The construction example scheme (A) on tenant A's placement."""
    with tenant_a.scope():
        scheme = CaoScheme.objects.create(agency=tenant_a.agency, name="Bouw (voorbeeld)")
        CaoSchemeVersion.objects.create(
            agency=tenant_a.agency,
            scheme=scheme,
            valid_from=dt.date(2020, 1, 1),
            document=EXAMPLES["schemes"]["A"],
        )
        tenant_a.placement.cao_scheme = scheme
        tenant_a.placement.save()
    return scheme


def shown(form) -> dict:
    """What an hours form shows, by field name: what the browser posts back when nothing is
    typed (the form's own fields and every day's)."""
    return {
        field.html_name: field.value() or ""
        for part in [form, *getattr(form, "days", [])]
        for field in part
    }
