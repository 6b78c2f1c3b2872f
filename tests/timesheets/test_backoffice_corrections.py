"""A correction by the back office answers the correction requests: they are handled by it, the
person who asked gets a mail with what changed; correcting a processed werkbrief says it
reaches the next payroll run and records that run (issue 10, item 9)."""

import datetime as dt

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification
from notifications.models import Status as MailStatus
from tests.notifications.conftest import english, mails
from tests.timesheets.conftest import shown
from timesheets import deadlines, services
from timesheets.models import CorrectionRequest, Status, WerkbriefChange
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


def _ask(tenant, wb, membership, message="Maandag was tot 16:30"):
    with tenant.scope():
        return services.correction_request_create(
            werkbrief=wb, membership=membership, message=message
        )


def _correct(client, wb, *, end="16:30", reason="Klant meldde een uur extra", follow=False):
    url = reverse("admin:timesheets_werkbrief_correct", args=[wb.pk], urlconf=URLCONF)
    form = client.get(url).context["form"]
    data = shown(form)
    data[f"{wb.week_start.isoformat()}-end"] = end
    return client.post(url, {**data, "reason": reason}, follow=follow)


@pytest.fixture
def approved(tenant_a, werkbrief):
    with tenant_a.scope():
        return _approved(tenant_a, werkbrief)


def test_a_correction_handles_the_open_requests_and_mails_who_asked(
    tenant_a, approved, mailoutbox, django_capture_on_commit_callbacks
):
    english(tenant_a.contact.membership, tenant_a.staff)
    request = _ask(tenant_a, approved, tenant_a.contact.membership)
    mailoutbox.clear()  # the back office's mail about the request
    client = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = _correct(client, approved, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert "The hours are corrected." in texts
    assert any("1 correction request is handled by it" in t for t in texts)
    with tenant_a.scope():
        request.refresh_from_db()
    assert request.state == CorrectionRequest.State.HANDLED
    assert request.handled_by == tenant_a.staff.user
    (message,) = mails(mailoutbox, Kind.CORRECTED)
    assert message.to == [tenant_a.contact.membership.user.email]
    week = approved.week_start.isocalendar()[1]
    worker = tenant_a.worker.full_name
    assert message.subject == f"Hours corrected: {worker}, week {week}"
    assert f"As you asked, the agency corrected the hours of {worker}, week {week}." in message.body
    assert "end: 15:30 → 16:30" in message.body
    assert '"Klant meldde een uur extra"' in message.body
    assert f"http://alpha.localhost/client/werkbrief/{approved.pk}/" in message.body
    with tenant_a.scope():
        (row,) = Notification.objects.filter(kind=Kind.CORRECTED)
    assert row.status == MailStatus.SENT  # through the mail log, as every event mail


def test_a_worker_who_asked_gets_the_link_to_their_own_werkbrief(
    tenant_a, approved, mailoutbox, django_capture_on_commit_callbacks
):
    english(tenant_a.worker.membership)
    _ask(tenant_a, approved, tenant_a.worker.membership)
    _ask(tenant_a, approved, tenant_a.worker.membership, "En dinsdag ook")
    with django_capture_on_commit_callbacks(execute=True):
        _correct(tenant_a.http(tenant_a.staff), approved)
    (message,) = mails(mailoutbox, Kind.CORRECTED)  # one mail for both requests
    assert message.to == [tenant_a.worker.membership.user.email]
    assert "the agency corrected the hours of your werkbrief" in message.body
    assert f"http://alpha.localhost/worker/werkbrief/{approved.pk}/" in message.body
    with tenant_a.scope():
        assert not CorrectionRequest.objects.filter(state="open").exists()


def test_saving_without_a_change_leaves_the_requests_open(
    tenant_a, approved, mailoutbox, django_capture_on_commit_callbacks
):
    request = _ask(tenant_a, approved, tenant_a.contact.membership)
    with django_capture_on_commit_callbacks(execute=True):
        response = _correct(tenant_a.http(tenant_a.staff), approved, end="15:30", follow=True)
    assert [m.level_tag for m in response.context["messages"]] == ["info"]
    with tenant_a.scope():
        request.refresh_from_db()
    assert request.state == CorrectionRequest.State.OPEN
    assert not mails(mailoutbox, Kind.CORRECTED)


def test_requests_of_another_werkbrief_stay_open(tenant_a, approved, last_week):
    with tenant_a.scope():
        other = _approved(
            tenant_a,
            services.werkbrief_ensure(
                placement=tenant_a.placement, week_start=last_week - dt.timedelta(days=7)
            ),
        )
    request = _ask(tenant_a, other, tenant_a.contact.membership)
    _correct(tenant_a.http(tenant_a.staff), approved)
    with tenant_a.scope():
        request.refresh_from_db()
    assert request.state == CorrectionRequest.State.OPEN


def test_the_correction_page_lists_the_open_requests(tenant_a, approved):
    _ask(tenant_a, approved, tenant_a.contact.membership, "Maandag was tot 16:30")
    url = reverse("admin:timesheets_werkbrief_correct", args=[approved.pk], urlconf=URLCONF)
    page = tenant_a.http(tenant_a.staff).get(url).content.decode()
    assert "Maandag was tot 16:30" in page


@pytest.fixture
def processed(tenant_a, approved):
    with tenant_a.scope():
        for action in ("close", "process"):
            services.werkbrieven_bulk_transition(
                werkbrief_ids=[approved.pk], membership=tenant_a.staff, action=action
            )
        approved.refresh_from_db()
    assert approved.status == Status.VERWERKT
    return approved


def test_a_processed_werkbrief_can_be_corrected_with_a_warning_about_the_payroll_run(
    tenant_a, processed
):
    english(tenant_a.staff)
    client = tenant_a.http(tenant_a.staff)
    change_page = reverse("admin:timesheets_werkbrief_change", args=[processed.pk])
    correct = reverse("admin:timesheets_werkbrief_correct", args=[processed.pk])
    assert f'href="{correct}"' in client.get(change_page).content.decode()
    run = deadlines.correction_payroll_week(tenant_a.agency, processed, dt.datetime.now(dt.UTC))
    assert run > processed.payroll_week
    week, year = run.isocalendar()[1], run.isocalendar()[0]
    page = client.get(correct).content.decode()
    assert f"A correction now reaches the next payroll run, week {week} of {year}" in page
    response = _correct(client, processed, follow=True)
    texts = [str(m) for m in response.context["messages"]]
    assert any(f"payroll run of week {week} of {year}" in t for t in texts), texts
    with tenant_a.scope():
        processed.refresh_from_db()
        recorded = set(WerkbriefChange.objects.values_list("payroll_week", flat=True))
    assert processed.status == Status.VERWERKT  # it stays processed; the change is recorded
    assert processed.worked_minutes == 9 * 60
    assert recorded == {run}


def test_a_correction_before_processing_records_no_later_run(tenant_a, approved):
    _correct(tenant_a.http(tenant_a.staff), approved)
    with tenant_a.scope():
        assert set(WerkbriefChange.objects.values_list("payroll_week", flat=True)) == {None}


def test_the_run_of_a_late_correction_is_never_the_run_that_paid_it(tenant_a, processed):
    just_after_approval = processed.approved_at + dt.timedelta(minutes=1)
    run = deadlines.correction_payroll_week(tenant_a.agency, processed, just_after_approval)
    assert run == processed.payroll_week + dt.timedelta(days=7)
