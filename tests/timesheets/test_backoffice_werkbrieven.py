"""The back office: werkbriefjes by week, client and status; close and process; corrections
with a reason; a werkbrief made by hand."""

import datetime as dt

import pytest
from django.urls import reverse

from tests.queries import STAFF_REQUEST, expect_queries
from tests.timesheets.conftest import shown, werkbrief_filled
from timesheets import services
from timesheets.models import CorrectionRequest, Status, Werkbrief
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db
URLCONF = "flexportal.urls"


def _approved(tenant, wb):
    wb = services.werkbrief_save_hours(
        werkbrief=wb,
        membership=tenant.worker.membership,
        version=wb.version,
        days=[DayInput(wb.week_start, 7 * 60, 15 * 60 + 30, 30)],
    )
    wb = services.werkbrief_submit(
        werkbrief=wb, membership=tenant.worker.membership, version=wb.version
    )
    return services.werkbrief_approve(
        werkbrief=wb, membership=tenant.contact.membership, version=wb.version
    )


def test_staff_close_and_process_approved_weeks_in_bulk(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_changelist", urlconf=URLCONF)
    client.post(url, {"action": "close_selected", "_selected_action": [str(wb.pk)]})
    wb.refresh_from_db()
    assert wb.status == Status.AFGEROND
    client.post(url, {"action": "process_selected", "_selected_action": [str(wb.pk)]})
    wb.refresh_from_db()
    assert wb.status == Status.VERWERKT


def test_closing_an_unapproved_werkbrief_is_refused_with_a_message(tenant_a, werkbrief):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_changelist", urlconf=URLCONF)
    response = client.post(
        url, {"action": "close_selected", "_selected_action": [str(werkbrief.pk)]}, follow=True
    )
    werkbrief.refresh_from_db()
    assert werkbrief.status == Status.RAPPORTEER
    warnings = [m for m in response.context["messages"] if m.level_tag == "warning"]
    assert len(warnings) == 1 and str(werkbrief) in str(warnings[0])


def test_the_list_filters_by_status_and_week(tenant_a, werkbrief):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_changelist", urlconf=URLCONF)
    response = client.get(url, {"status": "rapporteer", "week": str(werkbrief.week_start)})
    assert list(response.context["cl"].result_list) == [werkbrief]
    response = client.get(url, {"status": "goedgekeurd"})
    assert list(response.context["cl"].result_list) == []


def test_staff_correct_approved_hours_with_a_reason(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_correct", args=[wb.pk], urlconf=URLCONF)
    form = client.get(url).context["form"]
    data = shown(form)
    data[f"{wb.week_start.isoformat()}-end"] = "16:30"
    response = client.post(url, {**data, "reason": ""})
    assert response.status_code == 200
    assert response.context["form"].errors
    response = client.post(url, {**data, "reason": "Klant meldde een uur extra"})
    assert response.status_code == 302
    wb.refresh_from_db()
    assert wb.worked_minutes == 9 * 60
    assert wb.status == Status.GOEDGEKEURD
    with tenant_a.scope():
        assert wb.changes.filter(field="end", before="15:30", after="16:30").exists()


def test_a_typing_error_in_a_correction_is_shown_at_the_field(tenant_a, werkbrief):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_correct", args=[werkbrief.pk], urlconf=URLCONF)
    form = client.get(url).context["form"]
    data = shown(form)
    data[f"{werkbrief.week_start.isoformat()}-start"] = "7.75"
    response = client.post(url, {**data, "reason": "x"})
    errors = response.context["form"].errors
    assert f"{werkbrief.week_start.isoformat()}-start" in errors
    assert 'value="7.75"' in response.content.decode()


def test_staff_make_a_werkbrief_by_hand(tenant_a, last_week):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_add", urlconf=URLCONF)
    response = client.post(
        url, {"placement": tenant_a.placement.pk, "week": (last_week + dt.timedelta(2)).isoformat()}
    )
    assert response.status_code == 302
    with tenant_a.scope():
        wb = Werkbrief.objects.get(placement=tenant_a.placement, week_start=last_week)
        assert wb.created_by_hand and wb.days.count() == 7
    again = client.post(url, {"placement": tenant_a.placement.pk, "week": last_week.isoformat()})
    assert "week" in again.context["adminform"].form.errors


def test_staff_mark_correction_requests_handled_in_one_go(tenant_a, werkbrief):
    from timesheets.models import CorrectionRequest

    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        requests = [
            services.correction_request_create(
                werkbrief=wb, membership=tenant_a.contact.membership, message=text
            )
            for text in ("Maandag 8 uur", "Dinsdag 6 uur")
        ]
    user = tenant_a.staff.user
    user.preferred_language = "en"
    user.save()
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_correctionrequest_changelist", urlconf=URLCONF)
    selected = [str(r.pk) for r in requests]
    response = client.post(
        url, {"action": "mark_handled", "_selected_action": selected}, follow=True
    )
    assert "2 correction requests marked as handled." in response.content.decode()
    with tenant_a.scope():
        handled = CorrectionRequest.objects.filter(pk__in=selected)
        assert {(r.state, r.handled_by_id) for r in handled} == {("handled", user.pk)}
    again = client.post(url, {"action": "mark_handled", "_selected_action": selected}, follow=True)
    assert "0 correction requests marked as handled." in again.content.decode()


# The werkbrief's page in the back office and its "Correct hours": the same queries for one day,
# expense, comment, change and correction request as for seven; one line a query.
ADMIN_WERKBRIEF = (
    "werkbrief: the werkbrief, within the agency (AgencyScopedAdmin.change_view: 404 otherwise)",
    "werkbrief: the werkbrief again (Django's change_view)",
    "werkbriefday: its days with the CAO version (DayInline)",
    "expense: its expenses (ExpenseInline)",
    "werkbrieftransition: its status history with who moved it (TransitionInline)",
    "werkbriefchange: its changes of hours with who made them (ChangeInline)",
    "werkbriefcomment: its comments (CommentInline)",
    "correctionrequest: its correction requests with who asked and who handled (inline)",
    "placement: the placement (the page's title, Werkbrief.__str__)",
    "flexworkerprofile: its worker (the title)",
    "department: its department (the 'placement' field, Placement.__str__)",
    "client: its client (the same)",
    "hourtype: the agency's hour types, for the total's bucket names (buckets_display)",
    "hourtype: the same, for the days' bucket names (DayInline, once per page)",
    "hourtype: the same, for the changes' names (ChangeInline, once per page)",
)
ADMIN_CORRECTION = (  # "Correct hours" (WerkbriefAdmin.correct_view, the portal's hours form)
    "werkbrief: the werkbrief, within the agency",
    "werkbriefday: its days",
    "manualhours: the hours typed per hour type on those days",
    "placement: the placement (its entry mode and CAO scheme: which fields the form shows)",
    "hourtype: the agency's active hour types (the clock's buckets; no CAO scheme)",
    "correctionrequest: its open correction requests with who asked",
    "flexworkerprofile: its worker (the title)",
)


@pytest.mark.parametrize("count", [1, 7])
def test_the_werkbrief_page_runs_the_same_queries_for_one_day_and_for_seven(
    tenant_a, werkbrief, count
):
    wb = werkbrief_filled(tenant_a, werkbrief, count)
    with tenant_a.scope():
        wb = services.werkbrief_submit(
            werkbrief=wb, membership=tenant_a.worker.membership, version=wb.version
        )
        wb = services.werkbrief_approve(
            werkbrief=wb, membership=tenant_a.contact.membership, version=wb.version
        )
        for i in range(count):
            CorrectionRequest.objects.create(
                agency=tenant_a.agency,
                werkbrief=wb,
                requested_by=tenant_a.contact.membership.user,
                message=f"Dag {i}",
            )
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_werkbrief_change", args=[wb.pk], urlconf=URLCONF)
    client.get(url)  # warm the caches (content types, permissions, session)
    with expect_queries(*STAFF_REQUEST, *ADMIN_WERKBRIEF):
        assert client.get(url).status_code == 200
    url = reverse("admin:timesheets_werkbrief_correct", args=[wb.pk], urlconf=URLCONF)
    client.get(url)
    with expect_queries(*STAFF_REQUEST, *ADMIN_CORRECTION):
        assert client.get(url).status_code == 200
