"""The client contact's werkbrief screens: the home page with what waits for approval, the
werkbrief page where the contact corrects, approves with a confirmation or rejects with a reason,
comments, and after approval asks the agency for a correction."""

import datetime as dt

import pytest
from django.utils.html import escape

from staffing.models import HoursEnteredBy
from tests import factories
from tests.queries import (
    CLIENT_HOME,
    CLIENT_REQUEST,
    CLIENT_WERKBRIEF,
    CLIENT_WERKBRIEVEN,
    expect_queries,
)
from tests.timesheets.conftest import werkbrief_filled
from timesheets import services
from timesheets.models import (
    CorrectionRequest,
    Status,
    Werkbrief,
    WerkbriefChange,
    WerkbriefComment,
)
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _portal(tenant_a):
    """English pages (the messages are checked in the source language), and the test's own
    reads inside agency A's scope."""
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        membership.user.preferred_language = "en"
        membership.user.save()
    with tenant_a.scope():
        yield


@pytest.fixture
def contact(tenant_a):
    return tenant_a.http(tenant_a.contact.membership)


@pytest.fixture
def submitted(tenant_a, werkbrief):
    wb = services.werkbrief_save_hours(
        werkbrief=werkbrief,
        membership=tenant_a.worker.membership,
        version=werkbrief.version,
        days=[DayInput(werkbrief.week_start, 7 * 60, 15 * 60 + 30, 30)],
    )
    return services.werkbrief_submit(
        werkbrief=wb, membership=tenant_a.worker.membership, version=wb.version
    )


def _url(wb, suffix=""):
    return f"/client/werkbrief/{wb.pk}/{suffix}"


def _day(date, **values):
    return {f"d{date:%Y%m%d}-{name}": value for name, value in values.items()}


def _reload(wb):
    return Werkbrief.objects.get(pk=wb.pk)


# The home page ------------------------------------------------------------------------------------


def test_the_home_page_lists_what_waits_for_approval_with_counts(tenant_a, submitted, contact):
    response = contact.get("/client/")
    page = response.content.decode()
    assert response.context["counts"] == {"departments": 1, "placements": 1}
    assert response.context["werkbrief_counts"]["awaiting"] == 1
    assert _url(submitted) in page
    assert escape(tenant_a.worker.full_name) in page, "names such as van 't Hof are escaped"
    assert "8:00" in page


def test_the_home_page_shows_the_approval_deadline_and_what_happens_after_it(
    tenant_a, submitted, contact
):
    page = contact.get("/client/").content.decode()
    assert 'class="deadline' in page
    assert "payroll run" in page


def test_a_contact_sees_only_the_werkbriefjes_of_their_departments(tenant_a, submitted, contact):
    other = factories.DepartmentFactory(agency=tenant_a.agency, client=tenant_a.client)
    tenant_a.contact.sees_all_departments = False
    tenant_a.contact.save()
    tenant_a.contact.departments.set([other])
    assert _url(submitted) not in contact.get("/client/").content.decode()
    assert contact.get(_url(submitted)).status_code == 404


def test_a_werkbrief_not_yet_submitted_is_not_waiting_for_the_client(tenant_a, werkbrief, contact):
    assert contact.get("/client/").context["awaiting"] == []


# Correcting, approving, rejecting -----------------------------------------------------------------


def test_the_contact_corrects_a_day_and_the_change_is_recorded(tenant_a, submitted, contact):
    monday = submitted.week_start
    response = contact.post(
        _url(submitted),
        {
            "version": submitted.version,
            "action": "save",
            **_day(monday, start="07:00", end="16:00", break_minutes="30"),
        },
    )
    assert response.status_code == 302
    wb = _reload(submitted)
    assert (wb.status, wb.worked_minutes) == (Status.INGEDIEND, 510)
    change = WerkbriefChange.objects.get(werkbrief=wb, field="end")
    assert (change.before, change.after, change.actor) == (
        "15:30",
        "16:00",
        tenant_a.contact.membership.user,
    )
    assert "16:00" in contact.get(_url(wb)).content.decode()


@pytest.mark.parametrize("typed", ["²", "1²", "²³", "3" * 5000])
def test_an_odd_break_in_a_correction_is_refused_at_the_field(tenant_a, submitted, contact, typed):
    monday = submitted.week_start
    response = contact.post(
        _url(submitted),
        {
            "version": submitted.version,
            "action": "save",
            **_day(monday, start="07:00", end="16:00", break_minutes=typed),
        },
    )
    assert response.status_code == 200
    assert f'id="id_d{monday:%Y%m%d}-break_minutes_error"' in response.content.decode()
    assert _reload(submitted).version == submitted.version


def test_the_contact_who_saves_a_correction_hears_about_the_hours_not_their_own(
    tenant_a, submitted, contact
):
    response = contact.post(
        _url(submitted),
        {
            "version": submitted.version,
            "action": "save",
            **_day(submitted.week_start, start="07:00", end="16:00", break_minutes="30"),
        },
        follow=True,
    )
    page = response.content.decode()
    assert "The hours are saved. They are not approved yet." in page
    assert "Your hours" not in page and "not submitted yet" not in page


def test_the_confirmation_speaks_of_the_workers_hours_to_the_contact(tenant_a, submitted, contact):
    page = contact.get(_url(submitted, "approve/")).content.decode()
    assert "The hours are saved. Check the totals below." in page
    assert "Your hours" not in page


def test_too_many_irregular_hours_are_named_as_such_at_their_field(tenant_a, submitted, contact):
    from timesheets.models import HourType

    night = HourType.objects.create(
        agency=tenant_a.agency,
        code="ort",
        name="Onregelmatige uren",
        kind="supplement",
        percentage=50,
    )
    name = f"manual_{night.pk.hex}"
    monday = submitted.week_start
    response = contact.post(
        _url(submitted),
        {
            "version": submitted.version,
            "action": "save",
            **_day(monday, start="07:00", end="09:00", break_minutes="0", **{name: "3:00"}),
        },
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f'id="id_d{monday:%Y%m%d}-{name}_error"' in page
    assert "Onregelmatige uren cannot be more than the 2:00 hours worked that day." in page
    assert "Overtime hours cannot" not in page


def test_the_contact_sees_the_hours_of_a_correction_while_typing(tenant_a, submitted, contact):
    response = contact.post(
        _url(submitted, "preview/"),
        {"version": submitted.version, **_day(submitted.week_start, start="07:00", end="17:00")},
    )
    assert response.status_code == 200
    assert "10:00" in response.content.decode()
    assert _reload(submitted).worked_minutes == 480


def test_save_and_approve_asks_for_a_confirmation_then_approves(tenant_a, submitted, contact):
    response = contact.post(
        _url(submitted),
        {
            "version": submitted.version,
            "action": "approve",
            **_day(submitted.week_start, start="07:00", end="15:30", break_minutes="30"),
        },
    )
    assert response["Location"] == _url(submitted, "approve/")
    confirm = contact.get(response["Location"]).content.decode()
    assert "Approve these hours?" in confirm and "only the agency can" in confirm
    version = _reload(submitted).version
    done = contact.post(_url(submitted, "approve/"), {"version": version})
    assert done["Location"] == "/client/"
    wb = _reload(submitted)
    assert wb.status == Status.GOEDGEKEURD and wb.payroll_week is not None


def test_a_double_click_on_approve_approves_once(tenant_a, submitted, contact):
    contact.post(_url(submitted, "approve/"), {"version": submitted.version})
    again = contact.post(_url(submitted, "approve/"), {"version": submitted.version}, follow=True)
    assert "already approved" in again.content.decode()
    assert _reload(submitted).transitions.filter(to_status=Status.GOEDGEKEURD).count() == 1


def test_a_rejection_needs_a_reason_at_the_field(tenant_a, submitted, contact):
    response = contact.post(
        _url(submitted, "reject/"), {"version": submitted.version, "reason": ""}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_reason_error"' in page and "knows what to fix" in page
    assert _reload(submitted).status == Status.INGEDIEND


def test_the_contact_rejects_with_a_reason_the_worker_then_sees(tenant_a, submitted, contact):
    response = contact.post(
        _url(submitted, "reject/"),
        {"version": submitted.version, "reason": "Dinsdag was je vrij"},
    )
    assert response.status_code == 302
    wb = _reload(submitted)
    assert (wb.status, wb.rejection_reason) == (Status.AFGEWEZEN, "Dinsdag was je vrij")
    worker = tenant_a.http(tenant_a.worker.membership)
    assert "Dinsdag was je vrij" in worker.get(f"/worker/werkbrief/{wb.pk}/").content.decode()


def test_after_approval_nobody_changes_it_and_a_correction_can_be_requested(
    tenant_a, submitted, contact
):
    wb = services.werkbrief_approve(
        werkbrief=submitted, membership=tenant_a.contact.membership, version=submitted.version
    )
    page = contact.get(_url(wb)).content.decode()
    assert 'name="action"' not in page and "reject/" not in page
    assert "Request a correction" in page
    contact.post(
        _url(wb), {"version": wb.version, "action": "save", **_day(wb.week_start, start="01:00")}
    )
    assert _reload(wb).version == wb.version
    empty = contact.post(_url(wb, "correction/"), {"message": ""})
    assert "Describe what should be corrected" in empty.content.decode()
    contact.post(_url(wb, "correction/"), {"message": "Maandag was 9 uur"})
    request = CorrectionRequest.objects.get(werkbrief=wb)
    assert (request.message, request.requested_by) == (
        "Maandag was 9 uur",
        tenant_a.contact.membership.user,
    )
    worker_page = tenant_a.http(tenant_a.worker.membership).get(f"/worker/werkbrief/{wb.pk}/")
    assert 'name="action"' not in worker_page.content.decode()


def test_a_correction_before_approval_is_refused_with_a_message(tenant_a, submitted, contact):
    response = contact.post(_url(submitted, "correction/"), {"message": "iets"})
    assert response.status_code == 200
    assert not CorrectionRequest.objects.exists()


def test_where_the_client_fills_in_the_contact_fills_and_approves(tenant_a, werkbrief, contact):
    tenant_a.placement.hours_entered_by = HoursEnteredBy.CLIENT
    tenant_a.placement.save()
    assert _url(werkbrief) in contact.get("/client/").content.decode()
    response = contact.post(
        _url(werkbrief),
        {
            "version": werkbrief.version,
            "action": "approve",
            **_day(werkbrief.week_start, start="06:00", end="14:00", break_minutes="0"),
        },
    )
    assert response["Location"] == _url(werkbrief, "approve/")
    contact.post(_url(werkbrief, "approve/"), {"version": _reload(werkbrief).version})
    wb = _reload(werkbrief)
    assert (wb.status, wb.worked_minutes) == (Status.GOEDGEKEURD, 480)


def test_a_contact_without_approval_rights_only_reads(tenant_a, submitted, contact):
    tenant_a.contact.can_approve_hours = False
    tenant_a.contact.save()
    page = contact.get(_url(submitted)).content.decode()
    assert 'name="action"' not in page and "reject/" not in page
    contact.post(_url(submitted, "approve/"), {"version": submitted.version})
    assert _reload(submitted).status == Status.INGEDIEND


def test_comments_are_seen_by_the_worker_too(tenant_a, submitted, contact):
    contact.post(_url(submitted, "comments/"), {"text": "Graag pauze apart noteren"})
    assert WerkbriefComment.objects.get().author == tenant_a.contact.membership.user
    worker = tenant_a.http(tenant_a.worker.membership)
    page = worker.get(f"/worker/werkbrief/{submitted.pk}/").content.decode()
    assert "Graag pauze apart noteren" in page


def test_a_worker_cannot_open_the_client_pages_of_their_own_werkbrief(tenant_a, submitted):
    worker = tenant_a.http(tenant_a.worker.membership)
    assert worker.get(_url(submitted)).status_code == 404
    assert worker.post(_url(submitted, "approve/"), {"version": 2}).status_code == 404


# The list -----------------------------------------------------------------------------------------


def test_the_werkbrief_list_shows_a_week_and_filters_by_status(tenant_a, submitted, contact):
    older = services.werkbrief_ensure(
        placement=tenant_a.placement, week_start=submitted.week_start - dt.timedelta(weeks=1)
    )
    response = contact.get("/client/werkbriefjes/", {"status": "ingediend"})
    assert list(response.context["werkbrieven"]) == [submitted]
    response = contact.get("/client/werkbriefjes/", {"status": "rapporteer"})
    assert list(response.context["werkbrieven"]) == []
    response = contact.get("/client/werkbriefjes/", {"week": older.week_start.isoformat()})
    assert list(response.context["werkbrieven"]) == [older]


def _sheets(tenant, count):
    """``count`` submitted werkbriefjes, each of its own placement (no days: lists only)."""
    Werkbrief.objects.all().delete()
    today = dt.date.today()
    week = today - dt.timedelta(days=today.weekday() + 7)
    existing = list(tenant.placement.department.placements.all())
    placements = existing + [
        factories.PlacementFactory(
            agency=tenant.agency, department=tenant.department, function=tenant.function
        )
        for _ in range(count - len(existing))
    ]
    Werkbrief.objects.bulk_create(
        [
            Werkbrief(
                agency=tenant.agency,
                placement=p,
                week_start=week,
                status=Status.INGEDIEND,
                submitted_at=dt.datetime.now(dt.UTC),
            )
            for p in placements
        ]
    )


@pytest.mark.parametrize(
    ("url", "page"), [("/client/", CLIENT_HOME), ("/client/werkbriefjes/", CLIENT_WERKBRIEVEN)]
)
def test_the_clients_lists_run_a_fixed_number_of_queries(tenant_a, contact, url, page):
    _sheets(tenant_a, 5)
    with expect_queries(*CLIENT_REQUEST, *page) as few:
        assert contact.get(url).status_code == 200
    _sheets(tenant_a, 200)
    with expect_queries(*CLIENT_REQUEST, *page) as many:
        assert contact.get(url).status_code == 200
    assert len(few) == len(many), f"{url}: {len(few)} queries with 5 werkbriefjes, {len(many)}"


@pytest.mark.parametrize("count", [1, 7])
def test_the_werkbrief_page_runs_the_same_queries_for_one_day_and_for_seven(
    tenant_a, contact, werkbrief, count
):
    """Days, typed hours, expenses, comments, transitions and changes: each read once."""
    wb = werkbrief_filled(tenant_a, werkbrief, count)
    with tenant_a.scope():
        wb = services.werkbrief_submit(
            werkbrief=wb, membership=tenant_a.worker.membership, version=wb.version
        )
    contact.get(_url(wb))
    with expect_queries(*CLIENT_REQUEST, *CLIENT_WERKBRIEF):
        response = contact.get(_url(wb))
    assert len(response.context["page"].comments) == count
    assert len(response.context["page"].changes) == 2 * count  # a time and a supplement a day
    assert response.context["page"].can_edit and response.context["page"].actions
