"""Mails to workers at the agency's times: "your werkbrief is ready" and the reminder before the
worker's cut-off while hours are missing; none where the client fills in or reminders are off."""

import datetime as dt

import pytest

from notifications.models import Kind, Status
from staffing.models import HoursEnteredBy
from tests import factories
from tests.notifications.conftest import act, english, fill, local, log, mails, tick, werkbrief

pytestmark = pytest.mark.django_db


@pytest.fixture
def worker(tenant_a):
    english(tenant_a.worker.membership)
    return tenant_a.worker.membership


def test_the_worker_gets_one_reminder_at_the_slot_while_hours_are_missing(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    wb = werkbrief(tenant_a, week)
    agency = tenant_a.agency
    tick(agency, clock, local(agency, monday, "08:59"))
    assert mails(mailoutbox, Kind.WORKER_REMINDER) == []
    tick(agency, clock, local(agency, monday, "09:00"))
    tick(agency, clock, local(agency, monday, "09:01"))
    tick(agency, clock, local(agency, monday, "11:59"))
    (message,) = mails(mailoutbox, Kind.WORKER_REMINDER)
    assert message.to == [worker.user.email]
    number = week.isocalendar()[1]
    assert message.subject == f"Reminder: your hours of week {number} are still missing"
    assert f"http://alpha.localhost/worker/werkbrief/{wb.pk}/" in message.body
    assert "hours submitted later are paid a week later" in message.body
    html, _mimetype = message.alternatives[0]
    assert tenant_a.agency.primary_colour in html
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER)
    assert row.status == Status.SENT and row.recipient == worker.user
    assert row.slot == f"{monday.isoformat()}T09:00" and row.week_start == week
    assert message.extra_headers["Message-ID"] == row.message_id == row.message_id_header


def test_no_reminder_once_the_hours_are_submitted(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    with tenant_a.scope():
        act(fill(werkbrief(tenant_a, week), worker), worker, "submit")
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    # (The contacts' "ready for approval" of the submission may go out with this tick's sweep.)
    assert mails(mailoutbox, Kind.WORKER_REMINDER) == []


def test_a_reminder_reserved_before_the_worker_submits_is_skipped_not_sent(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    from notifications import services

    wb = werkbrief(tenant_a, week)
    clock.set(local(tenant_a.agency, monday, "09:00"))
    ids = services.notifications_tick(agency=tenant_a.agency, now=clock.now)
    (notification_id,) = [r.pk for r in log(tenant_a, kind=Kind.WORKER_REMINDER)]
    assert notification_id in ids
    with tenant_a.scope():
        act(fill(wb, worker), worker, "submit")
    services.notification_deliver(agency=tenant_a.agency, notification_id=notification_id)
    assert mails(mailoutbox, Kind.WORKER_REMINDER) == []
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER)
    assert row.status == Status.SKIPPED
    assert row.error == "The hours are in: nothing to remind of."


def test_a_rejected_werkbrief_is_missing_hours_again(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    contact = tenant_a.contact.membership
    with tenant_a.scope():
        wb = act(fill(werkbrief(tenant_a, week), worker), worker, "submit")
        act(wb, contact, "reject", "Dinsdag klopt niet")
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    (message,) = mails(mailoutbox, Kind.WORKER_REMINDER)
    assert "rejected by the client; correct it and submit it again" in message.body


@pytest.mark.parametrize(
    "change",
    [
        {"hours_entered_by": HoursEnteredBy.CLIENT},
        {"hour_reminders": False, "hour_invitations": False},
    ],
    ids=["client fills in", "no invitations nor reminders"],
)
def test_a_placement_where_the_client_fills_in_or_without_reminders_gets_none(
    tenant_a, worker, week, monday, clock, mailoutbox, change
):
    with tenant_a.scope():
        for name, value in change.items():
            setattr(tenant_a.placement, name, value)
        tenant_a.placement.save()
    werkbrief(tenant_a, week)
    agency = tenant_a.agency
    tick(agency, clock, local(agency, monday - dt.timedelta(days=3), "12:00"))  # ready notice
    tick(agency, clock, local(agency, monday, "09:00"))
    assert mailoutbox == []
    assert log(tenant_a) == []


@pytest.mark.parametrize(
    ("switched_off", "expected"),
    [
        ("hour_invitations", [Kind.WORKER_REMINDER]),
        ("hour_reminders", [Kind.WERKBRIEF_READY]),
    ],
)
def test_the_weekly_invitation_and_the_reminder_are_switched_apart(
    tenant_a, worker, week, monday, clock, mailoutbox, switched_off, expected
):
    """The worker manual: "we set whether you get an invitation and/or a reminder"."""
    with tenant_a.scope():
        setattr(tenant_a.placement, switched_off, False)
        tenant_a.placement.save()
    werkbrief(tenant_a, week)
    agency = tenant_a.agency
    tick(agency, clock, local(agency, monday - dt.timedelta(days=3), "12:00"))  # ready notice
    tick(agency, clock, local(agency, monday, "09:00"))  # reminder
    assert [m.extra_headers["X-Flexportal-Kind"] for m in mailoutbox] == expected


def test_a_worker_whose_access_ended_gets_no_reminder(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    with tenant_a.scope():
        worker.is_active = False
        worker.save()
    werkbrief(tenant_a, week)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    assert mailoutbox == []


def test_a_worker_who_has_not_activated_the_account_yet_gets_no_reminder(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    """They cannot sign in yet; the invitation (re-sendable by the back office) is their mail."""
    worker.user.set_unusable_password()
    worker.user.save()
    werkbrief(tenant_a, week)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    assert mailoutbox == []
    assert log(tenant_a) == []


def test_the_ready_notice_goes_once_on_friday_of_the_week_itself(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    wb = werkbrief(tenant_a, week)
    agency = tenant_a.agency
    friday = week + dt.timedelta(days=4)
    tick(agency, clock, local(agency, friday, "11:59"))
    tick(agency, clock, local(agency, friday, "12:00"))
    tick(agency, clock, local(agency, friday + dt.timedelta(days=1), "10:00"))
    (message,) = mailoutbox
    number = week.isocalendar()[1]
    assert message.subject == f"Your werkbrief of week {number} is ready: enter your hours"
    assert f"/worker/werkbrief/{wb.pk}/" in message.body


def test_a_worker_with_two_placements_gets_one_reminder_that_opens_the_dashboard(
    tenant_a, worker, week, monday, clock, mailoutbox
):
    with tenant_a.scope():
        second = factories.PlacementFactory(
            agency=tenant_a.agency,
            department=tenant_a.department,
            function=tenant_a.function,
            worker=tenant_a.worker,
        )
    werkbrief(tenant_a, week)
    werkbrief(tenant_a, week, placement=second)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    (message,) = mails(mailoutbox, Kind.WORKER_REMINDER)
    assert "http://alpha.localhost/worker/\n" in message.body
    assert message.body.count(tenant_a.client.name) == 2


def test_another_agencys_worker_is_reminded_by_their_own_agency_only(
    tenant_a, tenant_b, worker, week, monday, clock, mailoutbox
):
    werkbrief(tenant_a, week)
    werkbrief(tenant_b, week)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    assert {m.to[0] for m in mailoutbox} == {worker.user.email}
    assert "alpha.localhost" in mailoutbox[0].body
    assert log(tenant_b) == []
