"""Every list of the back office runs exactly its named SQL queries, the same for a few rows
and for many: no query per row. A newly registered admin without a row builder and named
queries here fails the test."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.models import AccountEvent, AccountEventKind, Invitation, Membership
from agencies.models import Agency, Role
from flexportal.admin_sites import backoffice_site
from notifications.models import Channel, Kind, Notification
from staffing.models import (
    Client,
    ClientContact,
    CostCentre,
    Department,
    FlexworkerProfile,
    JobFunction,
    Placement,
)
from tests import factories
from tests.cao_examples import EXAMPLES
from tests.queries import STAFF_REQUEST, expect_queries
from timesheets.models import (
    CaoScheme,
    CaoSchemeVersion,
    CorrectionRequest,
    Expense,
    ExpenseType,
    HourType,
    Werkbrief,
)
from timesheets.services import werkbrief_ensure

pytestmark = pytest.mark.django_db

SCHEME = EXAMPLES["schemes"]["A"]


def _placement(t):
    return factories.PlacementFactory(agency=t.agency, department=t.department, function=t.function)


def _werkbrief(t):
    placement = _placement(t)
    start = placement.start_date
    return werkbrief_ensure(placement=placement, week_start=start - dt.timedelta(start.weekday()))


def _scheme(t, i):
    scheme = CaoScheme.objects.create(agency=t.agency, name=f"CAO {i}")
    CaoSchemeVersion.objects.create(
        agency=t.agency, scheme=scheme, valid_from=dt.date(2020, 1, 1), document=SCHEME
    )


def _expense(t, i):
    from django.core.files.base import ContentFile

    expense_type, _created = ExpenseType.objects.get_or_create(agency=t.agency, name="Parkeren")
    wb = _werkbrief(t)
    expense = Expense(
        agency=t.agency,
        werkbrief=wb,
        expense_type=expense_type,
        date=wb.week_start,
        amount=i + 0.5,
        receipt_name=f"bon-{i}.pdf",
        receipt_content_type="application/pdf",
    )
    expense.receipt.save(f"bon-{i}.pdf", ContentFile(b"%PDF-1.4 bon"), save=False)
    expense.save()
    return expense


BUILDERS = {
    Client: lambda t, i: factories.ClientFactory(agency=t.agency),
    Department: lambda t, i: factories.DepartmentFactory(agency=t.agency, client=t.client),
    CostCentre: lambda t, i: CostCentre.objects.create(
        agency=t.agency, client=t.client, code=f"KP-{i}", name=f"Kostenplaats {i}"
    ),
    JobFunction: lambda t, i: factories.JobFunctionFactory(agency=t.agency, client=t.client),
    FlexworkerProfile: lambda t, i: factories.FlexworkerProfileFactory(agency=t.agency),
    ClientContact: lambda t, i: factories.ClientContactFactory(agency=t.agency, client=t.client),
    Membership: lambda t, i: factories.MembershipFactory(agency=t.agency, role=Role.STAFF),
    Invitation: lambda t, i: account_services.invitation_send(
        membership=factories.ClientContactFactory(agency=t.agency, client=t.client).membership
    ),
    AccountEvent: lambda t, i: AccountEvent.objects.create(
        agency=t.agency, kind=AccountEventKind.LOGIN, user=t.worker.membership.user
    ),
    Placement: lambda t, i: _placement(t),
    CaoScheme: _scheme,
    HourType: lambda t, i: HourType.objects.create(
        agency=t.agency, code=f"t{i}", name=f"Toeslag {i}", kind="supplement", percentage=25
    ),
    ExpenseType: lambda t, i: ExpenseType.objects.create(agency=t.agency, name=f"Kosten {i}"),
    Werkbrief: lambda t, i: _werkbrief(t),
    Expense: lambda t, i: _expense(t, i),
    CorrectionRequest: lambda t, i: CorrectionRequest.objects.create(
        agency=t.agency,
        werkbrief=_werkbrief(t),
        requested_by=t.contact.membership.user,
        message=f"Correctie {i}",
    ),
    Notification: lambda t, i: Notification.objects.create(
        agency=t.agency,
        recipient=factories.FlexworkerProfileFactory(agency=t.agency).membership.user,
        kind=Kind.WORKER_REMINDER,
        channel=Channel.MAIL,
        week_start=dt.date(2026, 11, 16),
        slot=f"slot-{i}",
    ),
}


# What each list runs after the request's own queries (tests.queries.STAFF_REQUEST), one line a
# query. Each counts its rows once: Django counts a list twice unless told not to
# (show_full_result_count), once is enough. The date bar (date_hierarchy) reads the first and
# last date, then the dates in that range for its links.
COUNT = "the number of rows, once (not a second time for '(N total)')"
DATE_BAR = ("the first and last date (the date bar)", "the dates in that range, for its links")
CLIENT_FILTER = "client: the agency's clients (the 'client' filter)"
LISTS = {
    Client: ("client: " + COUNT, "client: the page of clients"),
    Department: (
        CLIENT_FILTER,
        "department: " + COUNT,
        "department: the page of departments, with client and cost centre",
    ),
    CostCentre: (
        CLIENT_FILTER,
        "costcentre: " + COUNT,
        "costcentre: the page of cost centres, with their clients",
    ),
    JobFunction: (
        CLIENT_FILTER,
        "jobfunction: " + COUNT,
        "jobfunction: the page of functions, with their clients",
    ),
    FlexworkerProfile: (
        "flexworkerprofile: " + COUNT,
        "flexworkerprofile: the page of workers, with membership and person",
        "flexworkerprofile: the countries in use (the 'country' filter)",
    ),
    ClientContact: (
        CLIENT_FILTER,
        "clientcontact: " + COUNT,
        "clientcontact: the page of contacts, with membership, person and client",
    ),
    Membership: ("membership: " + COUNT, "membership: the page of memberships, with person"),
    Invitation: (
        "invitation: " + COUNT,
        "invitation: the page of invitations, with membership, person and who sent it",
        *(f"invitation: {step}" for step in DATE_BAR),
    ),
    AccountEvent: (
        "accountevent: " + COUNT,
        "accountevent: the page of events, with the person and who acted",
        *(f"accountevent: {step}" for step in DATE_BAR),
    ),
    Placement: (
        CLIENT_FILTER,
        "placement: " + COUNT,
        "placement: the page of placements, with worker, department, client and function",
        *(f"placement: {step}" for step in DATE_BAR),
    ),
    CaoScheme: (
        "caoscheme: " + COUNT,
        "caoscheme: the page of schemes, with their number of versions",
    ),
    HourType: ("hourtype: " + COUNT, "hourtype: the page of hour types"),
    ExpenseType: ("expensetype: " + COUNT, "expensetype: the page of expense types"),
    Werkbrief: (
        "client: the clients with werkbriefjes (the 'client' filter)",
        "werkbrief: " + COUNT,
        "werkbrief: the page of werkbriefjes, with worker, department and client",
        "werkbrief: the first and last week (the date bar)",
        "werkbrief: the weeks in that range, for its links",
    ),
    Expense: (
        "client: the clients with expenses (the 'client' filter)",
        "expensetype: the expense types in use (the 'type' filter)",
        "expense: " + COUNT,
        "expense: the page of expenses, with type, werkbrief, worker, department and client",
        *(f"expense: {step}" for step in DATE_BAR),
    ),
    CorrectionRequest: (
        "correctionrequest: " + COUNT,
        "correctionrequest: the page of requests, with werkbrief, worker and who asked",
    ),
    Notification: (
        "notification: " + COUNT,
        "notification: the page of mails and texts, with their recipients",
        *(f"notification: {step}" for step in DATE_BAR),
    ),
}


def test_every_back_office_list_has_a_row_builder():
    registered = {model for model in backoffice_site._registry if model is not Agency}
    assert registered <= set(BUILDERS), registered - set(BUILDERS)
    assert set(LISTS) == set(BUILDERS)


@pytest.mark.parametrize("model", list(BUILDERS), ids=lambda m: m.__name__)
def test_a_list_costs_the_same_queries_for_few_and_many_rows(tenant_a, model):
    staff = tenant_a.http(tenant_a.staff)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    with tenant_a.scope():
        for i in range(2):
            BUILDERS[model](tenant_a, i)
    staff.get(url)  # warm the caches (content types, permissions, session)
    with expect_queries(*STAFF_REQUEST, *LISTS[model]) as few:
        assert staff.get(url).status_code == 200
    with tenant_a.scope():
        for i in range(2, 12):
            BUILDERS[model](tenant_a, i)
    with expect_queries(*STAFF_REQUEST, *LISTS[model]) as many:
        assert staff.get(url).status_code == 200
    assert len(many) == len(few), f"{model.__name__}: a query per row"
    sql = [q["sql"] for q in many.captured_queries]
    counts = [q for q in sql if q.startswith("SELECT COUNT(*)")]
    assert len(counts) == 1, f"{model.__name__} counts {len(counts)} times"


def test_the_werkbrief_list_runs_a_fixed_set_of_queries(tenant_a):
    staff = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_changelist")
    with tenant_a.scope():
        for i in range(12):
            BUILDERS[Werkbrief](tenant_a, i)
    staff.get(url)  # warm the caches (content types, permissions, session)
    with expect_queries(*STAFF_REQUEST, *LISTS[Werkbrief]) as captured:
        assert staff.get(url).status_code == 200
    sql = [q["sql"] for q in captured.captured_queries]
    assert len(sql) == 10
    assert sql[6].startswith("SELECT COUNT(*)")
    assert sum(q.startswith("SELECT COUNT(*)") for q in sql) == 1
