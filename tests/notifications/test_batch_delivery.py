"""Delivery in batches: one task per batch of rows, claimed with one statement, re-checked, sent
through one connection and marked sent row by row, with every guarantee of a single delivery
(claim fencing, a lease renewed on a long batch, back-off, a server that cannot be reached)."""

import datetime as dt
import smtplib
import threading

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection

from flexportal.tenancy import agency_scope
from notifications import services, sms, tasks
from notifications.models import Kind, Notification, Status
from tests import factories
from tests.notifications.bulk import agency_with_workers
from tests.notifications.conftest import act, english, fill, local, mails, tick, werkbrief
from tests.queries import expect_queries
from timesheets import selectors as timesheet_selectors

pytestmark = pytest.mark.django_db

AT_NINE = {
    "worker_reminder_slots": [{"weekday": 0, "time": "09:00"}],
    "client_reminder_slots": [],
}


class CountingBackend(LocmemBackend):
    """The test outbox, counting the connections opened."""

    opened = 0

    def open(self):
        type(self).opened += 1
        return super().open()


class UnreachableBackend(LocmemBackend):
    opened = 0

    def open(self):
        type(self).opened += 1
        raise ConnectionRefusedError("the mail server is down")


class RefusingBackend(LocmemBackend):
    """Refuses one address, accepts the rest on the same connection."""

    refused = ""

    def send_messages(self, messages):
        if messages[0].to == [self.refused]:
            raise smtplib.SMTPRecipientsRefused({self.refused: (550, b"No such user")})
        return super().send_messages(messages)


class TakenOverBackend(LocmemBackend):
    """Runs ``during_first`` while the batch's first message is being sent."""

    during_first = staticmethod(lambda: None)

    def send_messages(self, messages):
        if not mail.outbox:
            self.during_first()
        return super().send_messages(messages)


class RecordingSmsBackend(sms.MemorySmsBackend):
    opened = 0
    closed = 0

    def open(self):
        type(self).opened += 1

    def close(self):
        type(self).closed += 1


@pytest.fixture
def counting(settings):
    settings.EMAIL_BACKEND = "tests.notifications.test_batch_delivery.CountingBackend"
    CountingBackend.opened = 0
    return CountingBackend


def reminders(clock, week, monday, workers: int, slug: str = "batch", **fields):
    """``workers`` workers' reminders of 09:00, reserved, not delivered; the clock at 09:00."""
    agency = agency_with_workers(slug=slug, workers=workers, week=week, **AT_NINE, **fields)
    clock.set(local(agency, monday, "09:00"))
    services.notifications_tick(agency=agency, now=clock.now)
    with agency_scope(agency):
        rows = Notification.objects.filter(kind=Kind.WORKER_REMINDER).order_by("recipient__email")
        return agency, [str(pk) for pk in rows.values_list("pk", flat=True)]


def statuses(agency) -> dict:
    with agency_scope(agency):
        return {str(r.pk): r for r in Notification.objects.filter(kind=Kind.WORKER_REMINDER)}


def _batch_steps(messages: int) -> tuple[str, ...]:
    """A batch of worker reminders: its fixed queries and one "sent" per message."""
    return (
        "notification: claim the batch's rows (UPDATE ... RETURNING, one statement)",
        "notification: those rows with their recipients",
        "SET: synchronous_commit off (for the marks)",
        "membership: the recipients' memberships with their persons (still active?)",
        "werkbrief: the werkbriefjes still waiting (the reason, checked again)",
        *["notification: mark it sent"] * messages,
        "RESET: synchronous_commit",
    )


def _batch_queries(agency, ids) -> int:
    with expect_queries(*_batch_steps(len(ids))) as queries:
        outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert {o.status for o in outcomes.values()} == {Status.SENT}
    return len(queries.captured_queries)


def test_a_batch_costs_a_fixed_number_of_queries_plus_one_mark_per_message(
    clock, week, monday, counting, mailoutbox
):
    agency, ids = reminders(clock, week, monday, workers=50)
    # 1 claim (UPDATE ... RETURNING), 1 the rows with their recipients, 1 SET synchronous_commit
    # (the marks), 1 the memberships, 1 the werkbriefjes still waiting (the reason, checked
    # again), 1 RESET synchronous_commit; and 1 "sent" per message.
    assert _batch_queries(agency, ids[:10]) == 6 + 10
    assert _batch_queries(agency, ids[10:]) == 6 + 40
    with connection.cursor() as cursor:  # the connection's other work commits as before
        cursor.execute("SHOW synchronous_commit")
        assert cursor.fetchone() == ("on",)
    assert len(mails(mailoutbox, Kind.WORKER_REMINDER)) == 50
    assert counting.opened == 2, "one connection per batch"
    rows = statuses(agency)
    assert {r.status for r in rows.values()} == {Status.SENT}
    assert {r.attempts for r in rows.values()} == {1}
    message_ids = {m.extra_headers["Message-ID"] for m in mailoutbox}
    assert message_ids == {r.message_id_header for r in rows.values()}


def test_the_reserved_rows_go_to_workers_in_even_batches(settings, monkeypatch):
    settings.NOTIFICATION_BATCH_SIZE = 100
    handed: list = []
    monkeypatch.setattr(tasks.deliver_batch, "delay", lambda a, batch: handed.append(batch))
    many = [f"{i:08d}-0000-0000-0000-000000000000" for i in range(250)]
    tasks.enqueue_deliveries("an-agency-id", many + many[:3])  # a repeated id goes once
    assert [len(b) for b in handed] == [84, 84, 82]
    assert [i for b in handed for i in b] == many


def test_a_tick_delivers_in_batches(clock, week, monday, counting, settings, mailoutbox):
    settings.NOTIFICATION_BATCH_SIZE = 10
    agency = agency_with_workers(slug="ticked", workers=25, week=week, **AT_NINE)
    clock.set(local(agency, monday, "09:00"))
    # The reminder and the week's ready notice (its slot missed, caught up): 50 messages.
    assert tasks.tick_agency(str(agency.pk), clock.now.isoformat()) == 50
    assert len(mails(mailoutbox, Kind.WORKER_REMINDER)) == 25
    assert len(mails(mailoutbox, Kind.WERKBRIEF_READY)) == 25
    assert counting.opened == 5  # five batches of 10


def test_a_batch_skips_what_no_longer_waits_and_sends_the_rest(
    clock, week, monday, counting, mailoutbox
):
    from timesheets.models import Status as WerkbriefStatus
    from timesheets.models import Werkbrief

    agency, ids = reminders(clock, week, monday, workers=6)
    rows = statuses(agency)
    done = rows[ids[2]].recipient
    with agency_scope(agency):
        Werkbrief.objects.filter(placement__worker__membership__user=done).update(
            status=WerkbriefStatus.INGEDIEND
        )
    outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert [outcomes[i].status for i in ids] == [Status.SENT] * 2 + [Status.SKIPPED] + [
        Status.SENT
    ] * 3
    assert done.email not in [m.to[0] for m in mailoutbox]
    assert statuses(agency)[ids[2]].error == "The hours are in: nothing to remind of."


def test_rows_sent_or_held_by_another_worker_are_not_sent_again(
    clock, week, monday, counting, mailoutbox
):
    agency, ids = reminders(clock, week, monday, workers=4)
    services.notifications_deliver(agency=agency, ids=ids[:1])
    lease_end = clock.now + dt.timedelta(seconds=120)
    with agency_scope(agency):
        Notification.objects.filter(pk=ids[1]).update(
            status=Status.SENDING, attempts=1, retry_at=lease_end
        )
    outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert outcomes[ids[0]].status == Status.SENT
    assert outcomes[ids[1]] == services.Outcome(Status.SENDING, lease_end)
    assert [outcomes[i].status for i in ids[2:]] == [Status.SENT, Status.SENT]
    assert len(mailoutbox) == 3
    assert statuses(agency)[ids[0]].attempts == 1


def test_a_row_taken_over_during_a_long_batch_is_left_to_the_worker_that_took_it(
    clock, week, monday, settings, mailoutbox, monkeypatch
):
    """Past half the lease the batch renews its claim on what it has not sent yet; a row whose
    lease another worker found expired (and claimed) meanwhile is not sent by this batch."""
    agency, ids = reminders(clock, week, monday, workers=5)
    ticks = iter(range(0, 10_000, 100))  # every look at the clock: 100 s later (lease 120 s)
    monkeypatch.setattr(services, "monotonic", lambda: next(ticks))

    def another_worker_claims_row_4():
        with agency_scope(agency):
            Notification.objects.filter(pk=ids[3]).update(attempts=2)

    settings.EMAIL_BACKEND = "tests.notifications.test_batch_delivery.TakenOverBackend"
    monkeypatch.setattr(TakenOverBackend, "during_first", staticmethod(another_worker_claims_row_4))
    outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert [outcomes[i].status for i in ids] == [Status.SENT] * 3 + [Status.SENDING, Status.SENT]
    sent_to = [m.to[0] for m in mailoutbox]
    rows = statuses(agency)
    assert rows[ids[3]].recipient.email not in sent_to
    assert rows[ids[3]].status == Status.SENDING and rows[ids[3]].attempts == 2
    # The rows still to send had their lease extended from the moment of the renewal.
    assert rows[ids[4]].status == Status.SENT


def test_a_mail_server_that_cannot_be_reached_fails_the_batch_at_once_with_back_off(
    clock, week, monday, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.test_batch_delivery.UnreachableBackend"
    UnreachableBackend.opened = 0
    agency, ids = reminders(clock, week, monday, workers=5)
    outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert UnreachableBackend.opened == 1, "not one wait per message"
    retry_at = clock.now + dt.timedelta(seconds=120)
    assert set(outcomes.values()) == {services.Outcome(Status.PENDING, retry_at)}
    rows = statuses(agency).values()
    assert {r.error for r in rows} == {"ConnectionRefusedError: the mail server is down"}
    assert {r.attempts for r in rows} == {1}


def test_a_row_that_cannot_be_prepared_fails_alone_and_gives_up_after_its_attempts(
    clock, week, monday, counting, mailoutbox
):
    """A broken row (here a rejection notice without its werkbrief) must not hold up the rest
    of its batch, nor come back for ever."""
    agency, ids = reminders(clock, week, monday, workers=3)
    with agency_scope(agency):
        Notification.objects.filter(pk=ids[0]).update(
            kind=Kind.WERKBRIEF_REJECTED, attempts=services.MAX_ATTEMPTS - 1
        )
    outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert [outcomes[i].status for i in ids] == [Status.FAILED, Status.SENT, Status.SENT]
    assert statuses(agency)[ids[1]].status == Status.SENT
    with agency_scope(agency):
        broken = Notification.objects.get(pk=ids[0])
    assert broken.error == "KeyError: 'werkbrief_id'"
    assert len(mailoutbox) == 2


def test_an_address_the_server_refuses_fails_alone(clock, week, monday, settings, mailoutbox):
    settings.EMAIL_BACKEND = "tests.notifications.test_batch_delivery.RefusingBackend"
    agency, ids = reminders(clock, week, monday, workers=4)
    refused = statuses(agency)[ids[1]]
    RefusingBackend.refused = refused.recipient.email
    outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert [outcomes[i].status for i in ids] == [
        Status.SENT,
        Status.PENDING,
        Status.SENT,
        Status.SENT,
    ]
    assert statuses(agency)[ids[1]].error.startswith("SMTPRecipientsRefused")
    assert len(mailoutbox) == 3


def test_text_messages_of_a_batch_go_through_one_gateway_connection(
    clock, week, monday, settings, mailoutbox
):
    from accounts.models import Membership, User

    settings.SMS_BACKEND = "tests.notifications.test_batch_delivery.RecordingSmsBackend"
    RecordingSmsBackend.opened = RecordingSmsBackend.closed = 0
    agency = agency_with_workers(slug="texts", workers=4, week=week, **AT_NINE)
    with agency_scope(agency):
        Membership.objects.filter(agency=agency).update(sms_reminders=True)
    User.objects.filter(email__endswith="@texts.example").update(mobile_number="+31612345678")
    clock.set(local(agency, monday, "09:00"))
    # The reminder by mail and by text, and the week's ready notice (caught up) by mail.
    ids = services.notifications_tick(agency=agency, now=clock.now)
    assert len(ids) == 12
    outcomes = services.notifications_deliver(agency=agency, ids=ids)
    assert {o.status for o in outcomes.values()} == {Status.SENT}
    assert len(sms.outbox) == 4 and len(mailoutbox) == 8
    assert (RecordingSmsBackend.opened, RecordingSmsBackend.closed) == (1, 1)


@pytest.mark.django_db(transaction=True)
def test_two_workers_given_overlapping_batches_send_each_message_once(clock, counting):
    monday = dt.date.today() - dt.timedelta(days=dt.date.today().weekday())
    agency, ids = reminders(clock, monday - dt.timedelta(days=7), monday, workers=40, slug="two")
    barrier = threading.Barrier(2)
    outcomes: list = []

    def worker(batch):
        try:
            barrier.wait(timeout=10)
            outcomes.append(services.notifications_deliver(agency=agency, ids=batch))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=worker, args=(ids[:30],)),
        threading.Thread(target=worker, args=(ids[10:],)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    sent_to = sorted(m.to[0] for m in mail.outbox)
    assert len(sent_to) == 40 and len(set(sent_to)) == 40
    rows = statuses(agency).values()
    assert {r.status for r in rows} == {Status.SENT} and {r.attempts for r in rows} == {1}
    sent_by = [sum(o.status == Status.SENT for o in found.values()) for found in outcomes]
    assert sum(sent_by) == 40


def test_contacts_with_the_same_view_share_one_read_and_a_narrower_view_gets_its_own(
    tenant_a, week, monday, clock, mailoutbox, monkeypatch
):
    """A client reminder lists every worker of the week: the contacts of one batch who see the
    same werkbriefjes share one read of them, and a contact who sees one department only is
    never given another's list."""
    with tenant_a.scope():
        other = factories.DepartmentFactory(agency=tenant_a.agency, client=tenant_a.client)
        placement = factories.PlacementFactory(
            agency=tenant_a.agency, department=other, function=tenant_a.function
        )
        colleague, narrow = (
            factories.ClientContactFactory(
                agency=tenant_a.agency, client=tenant_a.client, membership__user__email=email
            )
            for email in ("colleague@alpha.nl", "narrow@alpha.nl")
        )
        narrow.sees_all_departments = False
        narrow.save()
        narrow.departments.set([other])
        for sheet, membership in (
            (werkbrief(tenant_a, week), tenant_a.worker.membership),
            (werkbrief(tenant_a, week, placement=placement), placement.worker.membership),
        ):
            act(fill(sheet, membership), membership, "submit")
    english(tenant_a.contact.membership, colleague.membership, narrow.membership)
    reads = []
    real = timesheet_selectors.client_week_open
    monkeypatch.setattr(
        timesheet_selectors,
        "client_week_open",
        lambda **kwargs: reads.append(kwargs["membership"]) or real(**kwargs),
    )
    mailoutbox.clear()
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "16:00"))
    sent = {m.to[0]: m.body for m in mails(mailoutbox, Kind.CLIENT_REMINDER)}
    contact = tenant_a.contact.membership.user.email
    assert set(sent) == {contact, "colleague@alpha.nl", "narrow@alpha.nl"}
    assert len(reads) == 2, "one read for the two who see everything, one for the narrow view"
    everyone = (tenant_a.worker.full_name, placement.worker.full_name)
    assert all(name in sent["colleague@alpha.nl"] for name in everyone)
    assert all(name in sent[contact] for name in everyone)
    assert placement.worker.full_name in sent["narrow@alpha.nl"]
    assert tenant_a.worker.full_name not in sent["narrow@alpha.nl"]
