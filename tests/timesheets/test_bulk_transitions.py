"""The back office closes and processes a week of werkbriefjes in bulk: one state machine, a
fixed number of queries whatever the selection, every transition recorded, versions bumped
(issue 10, item 13)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import translation

from tests.queries import STAFF_REQUEST, expect_queries
from timesheets import services
from timesheets.models import Status, Werkbrief, WerkbriefTransition

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"


def _sheets(tenant, count, status=Status.GOEDGEKEURD):
    """``count`` werkbriefjes of the persona's placement, one per week back from last week."""
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 7)
    with tenant.scope():
        first = Werkbrief.objects.filter(placement=tenant.placement).count()
        return Werkbrief.objects.bulk_create(
            Werkbrief(
                agency=tenant.agency,
                placement=tenant.placement,
                week_start=monday - dt.timedelta(weeks=first + i),
                status=status,
            )
            for i in range(count)
        )


BULK_CLOSE = (  # services.werkbrieven_bulk_transition
    "SAVEPOINT: the service's transaction (inside the test's)",
    "werkbrief: SELECT ... FOR UPDATE the selected werkbriefjes with their workers",
    "werkbrief: UPDATE their status and version in one go",
    "werkbrieftransition: INSERT every transition in one go",
    "RELEASE: RELEASE SAVEPOINT",
)


@pytest.mark.parametrize("count", [5, 200])
def test_bulk_close_costs_the_same_queries_for_5_and_200(tenant_a, count):
    sheets = _sheets(tenant_a, count)
    staff = tenant_a.staff
    staff.user  # noqa: B018  (the request has the person already)
    with tenant_a.scope(), expect_queries(*BULK_CLOSE):
        moved, refused = services.werkbrieven_bulk_transition(
            werkbrief_ids=[wb.pk for wb in sheets], membership=staff, action="close"
        )
    assert (moved, refused) == (count, [])
    with tenant_a.scope():
        assert set(Werkbrief.objects.values_list("status", "version")) == {(Status.AFGEROND, 2)}
        steps = WerkbriefTransition.objects.values_list("from_status", "to_status", "actor")
        assert list(steps) == [(Status.GOEDGEKEURD, Status.AFGEROND, staff.user_id)] * count


def test_bulk_process_moves_the_closed_and_names_the_rest_with_why(tenant_a):
    closed = _sheets(tenant_a, 3, Status.AFGEROND)
    approved = _sheets(tenant_a, 2, Status.GOEDGEKEURD)
    with tenant_a.scope(), translation.override("en"):
        moved, refused = services.werkbrieven_bulk_transition(
            werkbrief_ids=[wb.pk for wb in closed + approved],
            membership=tenant_a.staff,
            action="process",
        )
        assert moved == 3
        assert {wb.pk for wb, _why in refused} == {wb.pk for wb in approved}
        assert all("approved" in why for _wb, why in refused)
        statuses = dict(Werkbrief.objects.values_list("pk", "status"))
    assert {statuses[wb.pk] for wb in closed} == {Status.VERWERKT}
    assert {statuses[wb.pk] for wb in approved} == {Status.GOEDGEKEURD}


def test_bulk_actions_never_touch_another_agencys_werkbriefjes(tenant_a, tenant_b):
    foreign = _sheets(tenant_b, 2)
    with tenant_a.scope():
        moved, refused = services.werkbrieven_bulk_transition(
            werkbrief_ids=[wb.pk for wb in foreign], membership=tenant_a.staff, action="close"
        )
    assert (moved, refused) == (0, [])
    with tenant_b.scope():
        assert set(Werkbrief.objects.values_list("status", flat=True)) == {Status.GOEDGEKEURD}


def test_only_the_back_offices_actions_go_in_bulk(tenant_a):
    sheets = _sheets(tenant_a, 1, Status.INGEDIEND)
    with tenant_a.scope(), pytest.raises(services.TransitionNotAllowed):
        services.werkbrieven_bulk_transition(
            werkbrief_ids=[sheets[0].pk], membership=tenant_a.contact.membership, action="approve"
        )


def test_a_worker_or_contact_cannot_close_in_bulk(tenant_a):
    sheets = _sheets(tenant_a, 2)
    with tenant_a.scope():
        moved, refused = services.werkbrieven_bulk_transition(
            werkbrief_ids=[wb.pk for wb in sheets],
            membership=tenant_a.contact.membership,
            action="close",
        )
    assert moved == 0 and len(refused) == 2


def _admin_close(client):
    url = reverse("admin:timesheets_werkbrief_changelist", urlconf=URLCONF)
    response = client.post(
        url, {"action": "close_selected", "select_across": "1", "_selected_action": ["x"]}
    )
    assert response.status_code == 302


@pytest.mark.parametrize("count", [5, 200])
def test_the_admins_bulk_close_of_a_whole_list_costs_the_same_for_5_and_200(tenant_a, count):
    _sheets(tenant_a, count)
    client = tenant_a.http(tenant_a.staff)
    _admin_close(client)  # nothing left to close; warms the session and caches
    with tenant_a.scope():
        Werkbrief.objects.update(status=Status.GOEDGEKEURD)
    with expect_queries(
        *STAFF_REQUEST,
        "client: the clients of the list's 'client' filter (as the list page shows it)",
        "werkbrief: COUNT the list (Django counts it before an action on the whole list)",
        "client: the clients of the 'client' filter again (the action's queryset is the list's)",
        *BULK_CLOSE,
    ):
        _admin_close(client)
    with tenant_a.scope():
        assert set(Werkbrief.objects.values_list("status", flat=True)) == {Status.AFGEROND}


def test_the_refused_of_a_big_selection_make_one_short_warning(tenant_a):
    sheets = _sheets(tenant_a, 30, Status.INGEDIEND)
    user = tenant_a.staff.user
    user.preferred_language = "en"
    user.save()
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_changelist", urlconf=URLCONF)
    response = client.post(
        url,
        {"action": "close_selected", "_selected_action": [str(wb.pk) for wb in sheets]},
        follow=True,
    )
    [warning] = [str(m) for m in response.context["messages"]]
    assert warning.startswith("30 werkbriefjes are left as they were (")
    assert "and 20 more" in warning and warning.endswith("it is submitted.")
