"""The mail log's delivery: reserved once under a unique key, claimed by one worker at a time,
re-checked before sending, sent with a Message-ID derived from the row, retried with back-off,
and handed out again by the sweep when a worker died or a broker message got lost."""

import datetime as dt
import threading

import pytest
from django.core.mail.backends.base import BaseEmailBackend
from django.db import IntegrityError, connection

from notifications import services, sms
from notifications.models import Kind, Notification, SlotRun, Status
from staffing.models import Placement
from tests import factories
from tests.notifications.conftest import local, log, mails, tick, werkbrief

pytestmark = pytest.mark.django_db


@pytest.fixture
def reminder(tenant_a, week, monday, clock):
    """The worker's 09:00 reminder, reserved and not yet delivered."""
    werkbrief(tenant_a, week)
    clock.set(local(tenant_a.agency, monday, "09:00"))
    services.notifications_tick(agency=tenant_a.agency, now=clock.now)
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER)
    return row


def deliver(tenant, row):
    return services.notification_deliver(agency=tenant.agency, notification_id=row.pk)


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_message_delivered_twice_goes_out_once(tenant_a, reminder, mailoutbox):
    assert deliver(tenant_a, reminder).status == Status.SENT
    assert deliver(tenant_a, reminder).status == Status.SENT
    assert len(mails(mailoutbox, Kind.WORKER_REMINDER)) == 1
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER)
    assert row.attempts == 1 and row.sent_at is not None


def test_a_message_another_worker_is_sending_is_left_to_it(tenant_a, reminder, clock, mailoutbox):
    with tenant_a.scope():
        Notification.objects.filter(pk=reminder.pk).update(
            status=Status.SENDING, attempts=1, retry_at=clock.now + dt.timedelta(seconds=120)
        )
    outcome = deliver(tenant_a, reminder)
    assert outcome.status == Status.SENDING
    assert outcome.retry_at == clock.now + dt.timedelta(seconds=120)
    assert mails(mailoutbox, Kind.WORKER_REMINDER) == []


def test_a_message_whose_worker_died_mid_send_goes_out_after_the_lease_with_the_same_id(
    tenant_a, reminder, clock, mailoutbox, settings
):
    with tenant_a.scope():
        Notification.objects.filter(pk=reminder.pk).update(
            status=Status.SENDING, attempts=1, retry_at=clock.now + dt.timedelta(seconds=120)
        )
    clock.set(clock.now + dt.timedelta(seconds=121))
    assert reminder.pk in services.notifications_sweep(agency=tenant_a.agency, now=clock.now)
    assert deliver(tenant_a, reminder).status == Status.SENT
    (message,) = mails(mailoutbox, Kind.WORKER_REMINDER)
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER)
    assert row.attempts == 2
    domain = settings.FLEXPORTAL_DOMAIN.split(":")[0]
    assert message.extra_headers["Message-ID"] == f"<notification.{row.pk}@{domain}>"


def test_a_late_finish_does_not_overwrite_the_worker_that_took_over(tenant_a, reminder, clock):
    """The fence: only the attempt that holds the claim may mark the row."""
    with tenant_a.scope():
        Notification.objects.filter(pk=reminder.pk).update(status=Status.SENDING, attempts=2)
        stale = Notification.objects.filter(
            pk=reminder.pk, status=Status.SENDING, attempts=1
        ).update(status=Status.FAILED)
    assert stale == 0


def test_a_failing_mail_server_is_retried_with_back_off_then_the_message_fails(
    tenant_a, reminder, clock, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.test_delivery.BrokenBackend"
    first = deliver(tenant_a, reminder)
    assert first.status == Status.PENDING
    assert first.retry_at - clock.now == dt.timedelta(seconds=120)
    assert services.notifications_sweep(agency=tenant_a.agency, now=clock.now) == []
    outcome = first
    for attempt in range(2, services.MAX_ATTEMPTS + 1):
        # Waits double: 2, 4, 8, 16 minutes (still before the cut-off).
        assert outcome.retry_at - clock.now == dt.timedelta(seconds=120 * 2 ** (attempt - 2))
        clock.set(outcome.retry_at)
        assert reminder.pk in services.notifications_sweep(agency=tenant_a.agency, now=clock.now)
        outcome = deliver(tenant_a, reminder)
    assert outcome.status == Status.FAILED
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER)
    assert row.attempts == services.MAX_ATTEMPTS
    assert row.error == "ConnectionRefusedError: the mail server is down"


def test_the_sweep_hands_out_rows_no_worker_took_in_time(tenant_a, reminder, clock):
    assert services.notifications_sweep(agency=tenant_a.agency, now=clock.now) == []
    later = clock.now + dt.timedelta(seconds=121)
    assert reminder.pk in services.notifications_sweep(agency=tenant_a.agency, now=later)


def test_the_ledger_takes_one_row_per_recipient_kind_week_slot_and_channel(tenant_a, reminder):
    with tenant_a.scope(), pytest.raises(IntegrityError):
        Notification.objects.create(
            agency=tenant_a.agency,
            recipient=reminder.recipient,
            kind=reminder.kind,
            channel=reminder.channel,
            week_start=reminder.week_start,
            slot=reminder.slot,
        )


def test_a_message_to_the_agencys_address_is_unique_too(tenant_a, week):
    """Rows without a person (the agency's own address) are not exempt from the key."""
    with tenant_a.scope():
        fields = {
            "agency": tenant_a.agency,
            "recipient": None,
            "address": "planning@alpha.nl",
            "kind": Kind.CORRECTION_REQUESTED,
            "channel": "mail",
            "week_start": week,
            "slot": "correction:1",
        }
        Notification.objects.create(**fields)
        with pytest.raises(IntegrityError):
            Notification.objects.create(**fields)


def test_people_who_chose_text_messages_get_the_reminder_by_sms_too(
    tenant_a, week, monday, clock, mailoutbox
):
    membership = tenant_a.worker.membership
    with tenant_a.scope():
        membership.sms_reminders = True
        membership.save()
        membership.user.mobile_number = "+31612345678"
        membership.user.preferred_language = "en"
        membership.user.save()
    werkbrief(tenant_a, week)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    (text,) = sms.outbox
    assert text.to == "+31612345678"
    number = week.isocalendar()[1]
    assert text.body.startswith(
        f"Alpha Uitzendbureau: your hours of week {number} are still missing"
    )
    # The dashboard, short; after the login it lists what waits.
    assert text.body.endswith(" http://alpha.localhost/worker/")
    assert len(mails(mailoutbox, Kind.WORKER_REMINDER)) == 1
    channels = sorted(r.channel for r in log(tenant_a, kind=Kind.WORKER_REMINDER))
    assert channels == ["mail", "sms"]


def test_a_text_message_without_a_mobile_number_is_skipped(tenant_a, week, monday, clock):
    membership = tenant_a.worker.membership
    with tenant_a.scope():
        membership.sms_reminders = True
        membership.save()
        tenant_a.worker.phone = ""
        tenant_a.worker.save()
    werkbrief(tenant_a, week)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER, channel="sms")
    assert row.status == Status.SKIPPED
    assert sms.outbox == []


@pytest.mark.django_db(transaction=True)
def test_two_ticks_racing_on_two_connections_reserve_each_reminder_once(clock):
    """Two beat ticks (or a redelivered tick) at the same moment, each in its own transaction on
    its own database connection: the slot's run row makes the second wait, then skip."""
    from tests.conftest import make_tenant

    tenant = make_tenant("race")
    with tenant.scope():
        for _ in range(20):
            factories.PlacementFactory(
                agency=tenant.agency, department=tenant.department, function=tenant.function
            )
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    week = monday - dt.timedelta(days=7)
    with tenant.scope():
        for placement in Placement.objects.all():
            werkbrief(tenant, week, placement=placement)
    moment = local(tenant.agency, monday, "09:00")
    barrier = threading.Barrier(2)
    reserved = []

    def one_tick():
        try:
            barrier.wait(timeout=10)
            reserved.append(services.notifications_tick(agency=tenant.agency, now=moment))
        finally:
            connection.close()

    threads = [threading.Thread(target=one_tick) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    with tenant.scope():
        reminders = Notification.objects.filter(kind=Kind.WORKER_REMINDER)
        assert reminders.count() == 21
        assert SlotRun.objects.filter(kind=Kind.WORKER_REMINDER).count() == 1
    handed_out = [i for ids in reserved for i in ids]
    assert len(set(handed_out)) == len(handed_out)
