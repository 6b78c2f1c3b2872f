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


def werkbrief_filled(tenant, werkbrief, count: int):
    """``werkbrief`` with hours on ``count`` days (saved by the worker, an hour of the clock's
    supplement each), and as many expenses, comments and recorded changes (of a time and of the
    supplement): what the werkbrief page reads, in numbers that may grow."""
    from timesheets.models import (
        Expense,
        ExpenseType,
        HourType,
        WerkbriefChange,
        WerkbriefComment,
    )
    from timesheets.services import DayInput

    with tenant.scope():
        supplement, _created = HourType.objects.get_or_create(
            agency=tenant.agency,
            code="avond",
            defaults={"name": "Avond", "kind": HourType.Kind.SUPPLEMENT, "percentage": 25},
        )
        wb = services.werkbrief_save_hours(
            werkbrief=werkbrief,
            membership=tenant.worker.membership,
            version=werkbrief.version,
            days=[
                DayInput(
                    werkbrief.week_start + dt.timedelta(days=i),
                    7 * 60,
                    15 * 60 + 30,
                    30,
                    manual={supplement.pk: 60},
                )
                for i in range(count)
            ],
        )
        expense_type, _created = ExpenseType.objects.get_or_create(
            agency=tenant.agency, name="Parkeren"
        )
        for i in range(count):
            day = wb.week_start + dt.timedelta(days=i)
            Expense.objects.create(
                agency=tenant.agency,
                werkbrief=wb,
                expense_type=expense_type,
                date=day,
                amount=i + 1,
            )
            WerkbriefComment.objects.create(
                agency=tenant.agency,
                werkbrief=wb,
                author=tenant.worker.membership.user,
                text=f"{i}",
            )
            for field, before, after in [
                ("end", "15:00", "15:30"),
                (f"manual:{supplement.pk}", "", "1:00"),
            ]:
                WerkbriefChange.objects.create(
                    agency=tenant.agency,
                    werkbrief=wb,
                    date=day,
                    field=field,
                    before=before,
                    after=after,
                    actor=tenant.contact.membership.user,
                )
        return wb
