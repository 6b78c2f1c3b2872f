"""The werkbrief's history: every change after submission is saved and recorded with before and
after, the hand-entered buckets of the "clock" too, and so is the removal of an expense (asked
for confirmation first), shown where the history is shown."""

import re
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import uploads as test_files
from timesheets import services
from timesheets.models import Expense, ExpenseType, HourType, Werkbrief, WerkbriefChange
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db

PDF = test_files.pdf()


@pytest.fixture(autouse=True)
def _portal(tenant_a):
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        membership.user.preferred_language = "en"
        membership.user.save()
    with tenant_a.scope():
        yield


@pytest.fixture
def overtime(tenant_a):
    return HourType.objects.create(
        agency=tenant_a.agency, code="ot125", name="Overuren", kind="hours", percentage=125
    )


@pytest.fixture
def night(tenant_a):
    return HourType.objects.create(
        agency=tenant_a.agency,
        code="ort50",
        name="Onregelmatige uren",
        kind="supplement",
        percentage=50,
    )


@pytest.fixture
def submitted(tenant_a, werkbrief, overtime):
    wb = services.werkbrief_save_hours(
        werkbrief=werkbrief,
        membership=tenant_a.worker.membership,
        version=werkbrief.version,
        days=[DayInput(werkbrief.week_start, 7 * 60, 17 * 60 + 30, 30, manual={overtime.pk: 60})],
    )
    return services.werkbrief_submit(
        werkbrief=wb, membership=tenant_a.worker.membership, version=wb.version
    )


def _day(date, **values):
    return {f"d{date:%Y%m%d}-{name}": value for name, value in values.items()}


def _reload(wb):
    return Werkbrief.objects.get(pk=wb.pk)


def test_the_client_changes_a_bucket_of_the_clock_and_it_is_saved_and_recorded(
    tenant_a, submitted, overtime, night
):
    contact = tenant_a.http(tenant_a.contact.membership)
    monday = submitted.week_start
    response = contact.post(
        f"/client/werkbrief/{submitted.pk}/",
        {
            "version": submitted.version,
            "action": "save",
            **_day(
                monday,
                start="07:00",
                end="17:30",
                break_minutes="30",
                **{f"manual_{overtime.pk.hex}": "2:00", f"manual_{night.pk.hex}": "1:00"},
            ),
        },
    )
    assert response.status_code == 302
    assert _reload(submitted).buckets == {"normal": 480, "ot125": 120, "ort50": 60}
    changes = {
        c.field: (c.before, c.after) for c in WerkbriefChange.objects.filter(werkbrief=submitted)
    }
    assert changes[f"manual:{overtime.pk}"] == ("1:00", "2:00")
    assert changes[f"manual:{night.pk}"] == ("", "1:00")
    page = contact.get(response["Location"]).content.decode()
    history = page.split('class="card history"')[1]
    assert "Overuren" in history and "Onregelmatige uren" in history


def test_the_worker_clears_a_bucket_on_a_rejected_werkbrief_and_it_is_recorded(
    tenant_a, submitted, overtime
):
    rejected = services.werkbrief_reject(
        werkbrief=submitted,
        membership=tenant_a.contact.membership,
        version=submitted.version,
        reason="Geen overuren",
    )
    worker = tenant_a.http(tenant_a.worker.membership)
    monday = rejected.week_start
    response = worker.post(
        f"/worker/werkbrief/{rejected.pk}/",
        {
            "version": rejected.version,
            "action": "save",
            **_day(monday, start="07:00", end="17:30", break_minutes="30"),
        },
    )
    assert response.status_code == 302
    assert _reload(rejected).buckets == {"normal": 600}
    change = WerkbriefChange.objects.get(werkbrief=rejected, field=f"manual:{overtime.pk}")
    assert (change.before, change.after) == ("1:00", "")


# Expenses -----------------------------------------------------------------------------------------


@pytest.fixture
def parking(tenant_a):
    return ExpenseType.objects.create(agency=tenant_a.agency, name="Parkeren")


def _add_expense(client, wb, expense_type, role="worker"):
    return client.post(
        f"/{role}/werkbrief/{wb.pk}/expenses/",
        {
            "version": wb.version,
            "expense_type": expense_type.pk,
            "date": wb.week_start.isoformat(),
            "amount": "7,50",
            "description": "Parkeergarage",
            "receipt": SimpleUploadedFile("bon.pdf", PDF),
        },
    )


def test_removing_an_expense_asks_for_confirmation_first(tenant_a, werkbrief, parking):
    worker = tenant_a.http(tenant_a.worker.membership)
    _add_expense(worker, werkbrief, parking)
    expense = Expense.objects.get()
    page = worker.get(f"/worker/werkbrief/{werkbrief.pk}/").content.decode()
    form = re.search(rf'<form[^>]*action="/worker/expenses/{expense.pk}/remove/"[^>]*>', page)
    assert 'data-confirm="Remove this expense (Parkeren, €7.50)?' in form[0]
    assert 'src="/static/js/werkbrief.js" defer' in page  # where data-confirm is asked


def test_removing_an_expense_is_recorded_in_the_history(
    tenant_a, werkbrief, parking, django_capture_on_commit_callbacks
):
    worker = tenant_a.http(tenant_a.worker.membership)
    _add_expense(worker, werkbrief, parking)
    expense = Expense.objects.get()
    receipt = expense.receipt.path
    with django_capture_on_commit_callbacks(execute=True):
        response = worker.post(f"/worker/expenses/{expense.pk}/remove/", {"version": 2})
    assert response.status_code == 302
    assert not Expense.objects.exists()
    assert not Path(receipt).exists()  # the receipt goes once the removal is committed
    change = WerkbriefChange.objects.get(werkbrief=werkbrief, field="expense")
    assert change.date == werkbrief.week_start
    assert "Parkeren" in change.before and "7.50" in change.before and change.after == ""
    assert change.actor == tenant_a.worker.membership.user
    page = worker.get(f"/worker/werkbrief/{werkbrief.pk}/").content.decode()
    history = page.split('class="card history"')[1]
    assert "expense" in history and "Parkeren" in history


def test_the_client_adding_an_expense_to_a_submitted_werkbrief_is_recorded(
    tenant_a, submitted, parking
):
    contact = tenant_a.http(tenant_a.contact.membership)
    assert _add_expense(contact, submitted, parking, role="client").status_code == 302
    change = WerkbriefChange.objects.get(werkbrief=submitted, field="expense")
    assert change.before == "" and "Parkeren" in change.after
    assert change.date == submitted.week_start
