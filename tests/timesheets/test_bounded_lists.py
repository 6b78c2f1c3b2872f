"""Every list page is bounded: the client's dashboard summarises what waits instead of listing
it all, the client's werkbrief list shows one week at a time, a page at a time, and the worker's
list is paged too. Each runs the same, named queries for 5 werkbriefjes and for 200."""

import datetime as dt

import pytest

from staffing.models import HoursEnteredBy, Placement
from tests import factories
from tests.queries import (
    CLIENT_HOME,
    CLIENT_REQUEST,
    CLIENT_WERKBRIEVEN,
    WORKER_REQUEST,
    WORKER_WERKBRIEVEN,
    expect_queries,
)
from timesheets.models import Status, Werkbrief
from timesheets.views import DASHBOARD_ROWS, LIST_PAGE_SIZE

pytestmark = pytest.mark.django_db


def _last_week() -> dt.date:
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday() + 7)


@pytest.fixture(autouse=True)
def _portal(tenant_a):
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        membership.user.preferred_language = "en"
        membership.user.save()
    with tenant_a.scope():
        yield


@pytest.fixture
def contact(tenant_a):
    return tenant_a.http(tenant_a.contact.membership)


def _sheets(tenant, count, *, week=None, status=Status.INGEDIEND):
    """``count`` werkbriefjes of one week in the contact's department, each of its own
    placement (no days: lists only)."""
    week = week or _last_week()
    existing = list(tenant.department.placements.all())
    placements = existing + [
        factories.PlacementFactory(
            agency=tenant.agency,
            department=tenant.department,
            function=tenant.function,
            start_date=week - dt.timedelta(weeks=10),
        )
        for _ in range(count - len(existing))
    ]
    Werkbrief.objects.filter(week_start=week).delete()
    Werkbrief.objects.bulk_create(
        [
            Werkbrief(
                agency=tenant.agency,
                placement=p,
                week_start=week,
                status=status,
                submitted_at=dt.datetime.now(dt.UTC) if status != Status.RAPPORTEER else None,
            )
            for p in placements[:count]
        ]
    )


# The client's dashboard ---------------------------------------------------------------------------


def test_the_dashboard_lists_the_first_waiting_ones_and_counts_the_rest_per_week(tenant_a, contact):
    _sheets(tenant_a, 30)
    _sheets(tenant_a, 4, week=_last_week() - dt.timedelta(weeks=1))
    response = contact.get("/client/")
    page = response.content.decode()
    assert len(response.context["awaiting"]) == DASHBOARD_ROWS
    # The oldest week first: the four of the week before come first.
    assert [wb.week_start for wb, _info in response.context["awaiting"][:4]] == [
        _last_week() - dt.timedelta(weeks=1)
    ] * 4
    assert response.context["awaiting_more"] == 34 - DASHBOARD_ROWS
    assert [(w.week_start, w.submitted) for w in response.context["awaiting_weeks"]] == [
        (_last_week() - dt.timedelta(weeks=1), 4),
        (_last_week(), 30),
    ]
    assert f"?week={_last_week():%Y-%m-%d}&amp;waiting=on" in page
    assert page.count('href="/client/werkbrief/') == DASHBOARD_ROWS


def test_the_dashboard_counts_what_the_client_fills_in_itself(tenant_a, contact):
    _sheets(tenant_a, 3, status=Status.RAPPORTEER)
    Placement.objects.update(hours_entered_by=HoursEnteredBy.CLIENT)
    response = contact.get("/client/")
    assert response.context["werkbrief_counts"]["waiting"] == 3
    assert response.context["werkbrief_counts"]["awaiting"] == 0


@pytest.mark.parametrize("count", [5, 200])
def test_the_dashboard_runs_the_same_queries_for_5_and_200_waiting(tenant_a, contact, count):
    _sheets(tenant_a, count)
    contact.get("/client/")  # warm the caches
    with expect_queries(*CLIENT_REQUEST, *CLIENT_HOME):
        response = contact.get("/client/")
    assert len(response.context["awaiting"]) == min(count, DASHBOARD_ROWS)


# The client's werkbrief list ----------------------------------------------------------------------


def test_the_list_shows_last_week_by_default_and_other_weeks_on_request(tenant_a, contact):
    _sheets(tenant_a, 2)
    older = _last_week() - dt.timedelta(weeks=1)
    _sheets(tenant_a, 1, week=older, status=Status.GOEDGEKEURD)
    response = contact.get("/client/werkbriefjes/")
    assert {wb.week_start for wb in response.context["werkbrieven"]} == {_last_week()}
    assert response.context["previous_week"] == older.isoformat()
    # Any day of a week shows that week.
    response = contact.get("/client/werkbriefjes/", {"week": older + dt.timedelta(days=3)})
    assert [wb.week_start for wb in response.context["werkbrieven"]] == [older]
    assert "Week" in response.content.decode()


def test_the_list_filters_a_week_on_status_and_on_what_waits(tenant_a, contact):
    _sheets(tenant_a, 3)
    Werkbrief.objects.filter(pk=Werkbrief.objects.first().pk).update(status=Status.GOEDGEKEURD)
    response = contact.get("/client/werkbriefjes/", {"status": Status.GOEDGEKEURD})
    assert len(response.context["werkbrieven"]) == 1
    response = contact.get("/client/werkbriefjes/", {"waiting": "on"})
    assert len(response.context["werkbrieven"]) == 2
    assert "Only what waits for me" in response.content.decode()


def test_the_list_is_by_name_a_page_at_a_time(tenant_a, contact):
    _sheets(tenant_a, LIST_PAGE_SIZE + 5)
    first = contact.get("/client/werkbriefjes/", {"waiting": "on"})
    second = contact.get("/client/werkbriefjes/", {"waiting": "on", "page": 2})
    rows = list(first.context["werkbrieven"]) + list(second.context["werkbrieven"])
    assert len(first.context["werkbrieven"]) == LIST_PAGE_SIZE
    assert len({wb.pk for wb in rows}) == LIST_PAGE_SIZE + 5
    names = [(wb.placement.worker.last_name, wb.placement.worker.first_name) for wb in rows]
    assert names == sorted(names)
    # The page links keep the filters.
    assert "?waiting=on&amp;page=2" in first.content.decode()


def test_a_week_that_is_not_a_date_shows_the_default_week(tenant_a, contact):
    _sheets(tenant_a, 1)
    response = contact.get("/client/werkbriefjes/", {"week": "2026-13-45"})
    assert response.status_code == 200
    assert response.context["week"] == _last_week()


@pytest.mark.parametrize("count", [5, 200])
def test_the_list_runs_the_same_queries_for_5_and_200_werkbriefjes(tenant_a, contact, count):
    _sheets(tenant_a, count)
    contact.get("/client/werkbriefjes/")
    with expect_queries(*CLIENT_REQUEST, *CLIENT_WERKBRIEVEN):
        response = contact.get("/client/werkbriefjes/?page=2")
    assert response.status_code == 200


# The worker's list --------------------------------------------------------------------------------


@pytest.mark.parametrize("count", [5, 200])
def test_the_workers_list_runs_the_same_queries_for_5_and_200_werkbriefjes(tenant_a, count):
    placement = tenant_a.placement
    first = _last_week() - dt.timedelta(weeks=count)
    placement.start_date = first
    placement.save()
    Werkbrief.objects.filter(placement=placement).delete()
    Werkbrief.objects.bulk_create(
        [
            Werkbrief(
                agency=tenant_a.agency,
                placement=placement,
                week_start=first + dt.timedelta(weeks=i),
                status=Status.RAPPORTEER,
            )
            for i in range(count)
        ]
    )
    worker = tenant_a.http(tenant_a.worker.membership)
    worker.get("/worker/werkbriefjes/")
    response = worker.get("/worker/werkbriefjes/")
    assert len(response.context["werkbrieven"]) == min(count, LIST_PAGE_SIZE)
    with expect_queries(*WORKER_REQUEST, *WORKER_WERKBRIEVEN):
        assert worker.get("/worker/werkbriefjes/").status_code == 200
