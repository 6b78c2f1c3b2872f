"""The back office sees the expenses the workers declared, to check and pay them: on the
werkbrief and as a list with filters; receipts open only for the back office of the expense's
own agency (issue 10, item 4)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape

from flexportal import uploads
from tests import factories
from tests import uploads as test_files
from timesheets import services
from timesheets.models import ExpenseType, Status

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"
PDF = test_files.pdf()


def _url(name, *args):
    return reverse(name, args=args, urlconf=URLCONF)


def _expense(tenant, wb, *, name="Parkeren", amount="12.50", receipt=True, note="Garage P1"):
    with tenant.scope():
        expense_type, _created = ExpenseType.objects.get_or_create(agency=tenant.agency, name=name)
        upload = SimpleUploadedFile("bon.pdf", PDF) if receipt else None
        checked = uploads.validate_upload(upload, uploads.DOCUMENT) if upload else None
        return services.expense_add(
            werkbrief=wb,
            membership=tenant.worker.membership,
            version=None,
            expense_type=expense_type,
            date=wb.week_start,
            amount=Decimal(amount),
            kilometres=None,
            description=note,
            receipt=checked,
        )


def test_the_werkbrief_page_shows_its_expenses_with_the_receipt(tenant_a, werkbrief):
    expense = _expense(tenant_a, werkbrief)
    _expense(tenant_a, werkbrief, name="Lunch", amount="1234.5", receipt=False, note="")
    staff = tenant_a.http(tenant_a.staff)
    html = staff.get(_url("admin:timesheets_werkbrief_change", werkbrief.pk)).content.decode()
    receipt = _url("admin:timesheets_expense_receipt", expense.pk)
    assert f'<a href="{receipt}">bon.pdf</a>' in html
    assert "12,50" in html and "1.234,50" in html  # Dutch amounts
    assert "Parkeren" in html and "Garage P1" in html and "Lunch" in html
    assert "geen declaratiebewijs" in html


def test_staff_open_a_receipt_of_their_own_agency(tenant_a, werkbrief):
    expense = _expense(tenant_a, werkbrief)
    staff = tenant_a.http(tenant_a.staff)
    response = staff.get(_url("admin:timesheets_expense_receipt", expense.pk))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert "no-store" in response["Cache-Control"]


def test_nobody_else_opens_a_receipt_through_the_back_office(tenant_a, tenant_b, werkbrief):
    expense = _expense(tenant_a, werkbrief)
    url = _url("admin:timesheets_expense_receipt", expense.pk)
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        assert tenant_a.http(membership).get(url).status_code == 404
    # Staff of the other agency, on their own host, with this agency's id.
    other = tenant_b.http(tenant_b.staff)
    assert other.get(url).status_code == 404
    # Not signed in: to the login.
    assert tenant_a.http().get(url).status_code == 302


def test_an_expense_without_a_receipt_has_no_receipt_to_open(tenant_a, werkbrief):
    expense = _expense(tenant_a, werkbrief, receipt=False)
    url = _url("admin:timesheets_expense_receipt", expense.pk)
    assert tenant_a.http(tenant_a.staff).get(url).status_code == 404


@pytest.fixture
def spread(tenant_a, werkbrief, last_week):
    """Expenses in two weeks, of two clients, of two types, in two statuses."""
    with tenant_a.scope():
        other_client = factories.ClientFactory(agency=tenant_a.agency, name="Andere Klant B.V.")
        other_department = factories.DepartmentFactory(agency=tenant_a.agency, client=other_client)
        other = factories.PlacementFactory(
            agency=tenant_a.agency,
            department=other_department,
            function=factories.JobFunctionFactory(agency=tenant_a.agency, client=other_client),
            worker=tenant_a.worker,
        )
        earlier = services.werkbrief_ensure(
            placement=other, week_start=last_week - dt.timedelta(days=7)
        )
    parking = _expense(tenant_a, werkbrief, name="Parkeren")
    lunch = _expense(tenant_a, earlier, name="Lunch")
    with tenant_a.scope():
        type(earlier).objects.filter(pk=earlier.pk).update(status=Status.GOEDGEKEURD)
    return parking, lunch, earlier, other_client


def _listed(client, **filters):
    response = client.get(_url("admin:timesheets_expense_changelist"), filters)
    assert response.status_code == 200
    return {e.pk for e in response.context["cl"].result_list}


def test_the_expense_list_filters_by_week_client_type_and_status(tenant_a, last_week, spread):
    parking, lunch, earlier, other_client = spread
    client = tenant_a.http(tenant_a.staff)
    assert _listed(client) == {parking.pk, lunch.pk}
    assert _listed(client, week=str(last_week)) == {parking.pk}
    assert _listed(client, week=str(earlier.week_start)) == {lunch.pk}
    client_filter = "werkbrief__placement__department__client__id__exact"
    assert _listed(client, **{client_filter: str(other_client.pk)}) == {lunch.pk}
    assert _listed(client, expense_type__id__exact=str(parking.expense_type_id)) == {parking.pk}
    assert _listed(client, status=Status.GOEDGEKEURD) == {lunch.pk}
    assert _listed(client, status=Status.RAPPORTEER) == {parking.pk}


def test_the_expense_list_shows_what_is_needed_to_pay(tenant_a, spread):
    parking, _lunch, _earlier, _other = spread
    html = tenant_a.http(tenant_a.staff).get(_url("admin:timesheets_expense_changelist"))
    html = html.content.decode()
    assert escape(tenant_a.worker.full_name) in html, "names such as van 't Hof are escaped"
    assert tenant_a.client.name in html and "Andere Klant B.V." in html
    assert "12,50" in html and "Goedgekeurd" in html
    assert _url("admin:timesheets_expense_receipt", parking.pk) in html


def test_expenses_are_read_only_in_the_back_office(tenant_a, werkbrief):
    expense = _expense(tenant_a, werkbrief)
    client = tenant_a.http(tenant_a.staff)
    assert client.get(_url("admin:timesheets_expense_add")).status_code == 403
    assert client.get(_url("admin:timesheets_expense_change", expense.pk)).status_code == 200
    assert client.post(_url("admin:timesheets_expense_delete", expense.pk)).status_code == 403
