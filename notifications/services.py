"""Sending mail and text messages: the one path every message of the portal takes.

``mail_send`` renders ``templates/notifications/<kind>.subject.txt``, ``<kind>.txt`` and
``<kind>.html`` in the recipient's language (within the agency's languages), with the agency's
branding and an absolute link to ``agency.base_url() + deep_link_path``. ``sms_send`` does the
same with ``<kind>.sms.txt``. Callers that send from inside a transaction wrap it in
``transaction.on_commit``.

The portal's notifications go through the mail log (notifications.models.Notification). This
module knows no domain app: each app registers its message kinds with notifications.registry
(who gets a scheduled kind, what a message shows and whether it is still due) and reserves the
rows of its events with ``reserve``; imports run one way, domain -> notifications.

1. **Reserve**: a row per recipient and channel is inserted under the unique key (agency,
   recipient, kind, week, slot, channel) with ON CONFLICT DO NOTHING. Two ticks, a redelivered
   task or two workers racing insert it once; only rows still pending are handed to a worker.
2. **Deliver** (``notifications_deliver``, one task per batch of rows): one conditional
   UPDATE ... RETURNING claims the batch's rows (pending, or sending with an expired lease →
   sending with a new lease, attempts + 1); rows another worker holds are not sent. Each
   reason is checked again (approved meanwhile → skipped), the messages go out through one
   connection with a Message-ID derived from the row's id, and each row is marked sent as soon
   as the server accepted it, fenced on the attempt number.
3. **Sweep** (every tick): pending rows no worker took in time, and sending rows whose worker
   died (lease expired), are handed to a worker again. The ledger, not the broker, is the
   source of truth: a lost broker message delays a mail by a tick, it does not lose it.

Exactly once, honestly: a row is sent by at most one worker at a time and is never sent again
once marked sent. The one window left is between the SMTP server's "250 OK" and our commit of
"sent": a worker killed exactly there leaves the row "sending", and after the lease the message
goes out again *with the same Message-ID*, which mailboxes that deduplicate by Message-ID (and
the test sink) keep once. SMTP offers nothing better; text messages have the same window.
"""

import contextlib
import datetime as dt
import logging
import smtplib
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from email.policy import Compat32
from email.utils import formataddr, parseaddr
from enum import StrEnum
from time import monotonic
from typing import Any

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser as User
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.db import DatabaseError, connection, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from flexportal.tenancy import Agency, agency_scope
from notifications import registry
from notifications.models import Channel, Kind, Notification, SlotRun, Status
from notifications.registry import Batch, CannotResend, Prepared, Recipient, Skip
from notifications.sms import BaseSmsBackend, SmsError, send_sms
from notifications.sms import get_backend as get_sms_backend

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
SWEEP_LIMIT = 5000


# Rendering and sending one message --------------------------------------------------------------


def _render_context(
    agency: Agency, to_user: User | None, deep_link_path: str, context: dict | None
) -> dict:
    base_url = agency.base_url()
    return {
        "agency": agency,
        "user": to_user,
        "link": f"{base_url}{deep_link_path}" if deep_link_path else "",
        "portal_url": f"{base_url}/",
        "logo_url": f"{base_url}{reverse('agency_logo')}" if agency.logo else "",
        **(context or {}),
    }


class _Compat32Unfolded(Compat32):
    """Django's mail policy (compat32), writing a header that is short, plain ASCII and on one
    line as it is. compat32 passes every header through email.header.Header to fold it, which
    changes nothing for such a header but is most of the time spent writing a message out."""

    def _fold(self, name: str, value: Any, sanitize: bool) -> str:
        if (
            isinstance(value, str)
            and value.isascii()
            and "\r" not in value
            and "\n" not in value
            and len(name) + 2 + len(value) <= (self.max_line_length or 0)
        ):
            return f"{name}: {value}{self.linesep}"
        return super()._fold(name, value, sanitize)  # type: ignore[misc,no-any-return]  # private, not in typeshed


_UNFOLDED = _Compat32Unfolded()


class _Mail(EmailMultiAlternatives):
    """The same bytes as Django's message, written out faster (thousands go out on a Monday
    morning): headers as ``_Compat32Unfolded`` writes them, and a random boundary chosen here,
    so that the generator need not search every part for its own."""

    def message(self) -> Any:  # type: ignore[override]  # Django 5.2's takes no policy (stubs: 6.0)
        message = super().message()
        message.set_boundary(f"{'=' * 15}{uuid.uuid4().hex}==")
        message.policy = _UNFOLDED
        return message


def mail_send(
    *,
    agency: Agency,
    to_user: User | None,
    kind: str,
    context: dict | None = None,
    deep_link_path: str = "",
    to_email: str | None = None,
    message_id: str | None = None,
    connection: BaseEmailBackend | None = None,
) -> int:
    """Mail ``to_user`` (or ``to_email``: a new address being confirmed, or the agency's own
    address without a person); returns 1 if sent."""
    language = registry.language_for(user=to_user, agency=agency)
    ctx = _render_context(agency, to_user, deep_link_path, context)
    with translation.override(language), timezone.override(agency.tzinfo):
        subject = render_to_string(f"notifications/{kind}.subject.txt", ctx)
        text = render_to_string(f"notifications/{kind}.txt", ctx)
        html = render_to_string(f"notifications/{kind}.html", ctx)
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    headers = {
        "Content-Language": language,
        "Auto-Submitted": "auto-generated",
        "X-Flexportal-Kind": kind,  # for mail filters (and the tests)
    }
    if message_id:
        headers["Message-ID"] = message_id
    message = _Mail(
        subject=" ".join(subject.split()),
        body=text,
        # One line whatever the name holds (names refuse line breaks; older rows may have one).
        from_email=formataddr((" ".join(agency.name.split()), address)),
        to=[to_email or to_user.email],  # type: ignore[union-attr]  # the user model has an email
        reply_to=[agency.contact_email] if agency.contact_email else None,
        headers=headers,
        connection=connection,
    )
    message.attach_alternative(html, "text/html")
    return message.send()


def sms_send(
    *,
    agency: Agency,
    to_user: User | None,
    to_number: str,
    kind: str,
    context: dict | None = None,
    deep_link_path: str = "",
    backend: BaseSmsBackend | None = None,
) -> int:
    """A text message from ``templates/notifications/<kind>.sms.txt`` in the person's language,
    through ``backend`` (a batch's open one) or the configured backend."""
    language = registry.language_for(user=to_user, agency=agency)
    ctx = _render_context(agency, to_user, deep_link_path, context)
    with translation.override(language), timezone.override(agency.tzinfo):
        body = " ".join(render_to_string(f"notifications/{kind}.sms.txt", ctx).split())
    return send_sms(to=to_number, body=body, backend=backend)


# The ledger: reserve -----------------------------------------------------------------------------


def _retry_after() -> dt.timedelta:
    return dt.timedelta(seconds=settings.NOTIFICATION_RETRY_AFTER_SECONDS)


def _rows(
    agency: Agency,
    kind: str,
    week_start: dt.date,
    slot: str,
    recipients: list[Recipient],
) -> list[Notification]:
    # If no worker has taken a row by then, the sweep hands it out again (on the real clock,
    # also when a tick replays another moment).
    retry_at = timezone.now() + _retry_after()
    sms = registry.get(kind).sms
    rows = []
    for recipient in recipients:
        channels = [Channel.MAIL]
        if recipient.sms and sms:
            channels.append(Channel.SMS)
        rows += [
            Notification(
                agency=agency,
                recipient_id=recipient.user_id,
                address=recipient.address,
                kind=kind,
                channel=channel,
                week_start=week_start,
                slot=slot,
                context=recipient.context,
                deep_link_path=recipient.deep_link_path,
                retry_at=retry_at,
            )
            for channel in channels
        ]
    return rows


def reserve(
    *, agency: Agency, kind: str, week_start: dt.date, slot: str, recipients: list[Recipient]
) -> list:
    """Reserve the messages of ``recipients`` for one kind, week and slot in the mail log (a
    person who chose text messages gets one too, for a kind that has them); returns the ids
    still to send, for ``deliver_after_commit``. A domain app calls it inside its event's own
    transaction (an outbox): the event and its messages commit together or not at all. Two
    callers racing, or the same event reserved again, insert each row once."""
    rows = _rows(agency, kind, week_start, slot, recipients)
    return _reserve(rows, kind=kind, week_start=week_start, slot=slot)


def _reserve(rows: list[Notification], *, kind: str, week_start: dt.date, slot: str) -> list:
    """Insert the rows that do not exist yet (one INSERT ... ON CONFLICT DO NOTHING) and return
    the ids of every row of this kind, week and slot still waiting to be sent (one SELECT)."""
    if not rows:
        return []
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    return list(
        Notification.objects.filter(
            kind=kind, week_start=week_start, slot=slot, status=Status.PENDING
        ).values_list("pk", flat=True)
    )


# The schedule: a tick per agency -----------------------------------------------------------------


def notifications_tick(*, agency: Agency, now: dt.datetime) -> list:
    """Reserve the messages of the slots due at ``now`` (the schedules the domain apps
    registered, notifications.registry.due); returns the ids to hand to workers. A fixed number
    of queries per due kind, whatever the number of people: the cost grows with agencies, not
    with workers."""
    if not agency.is_active:
        return []
    ids: list = []
    with agency_scope(agency):
        for due in registry.due(agency, now):
            with transaction.atomic():
                # The run's unique key makes a second tick wait here for the first to commit,
                # then skip the slot: it is processed once, with the recipients of that moment.
                run = SlotRun(agency=agency, kind=due.kind, week_start=due.week_start, slot=due.key)
                SlotRun.objects.bulk_create([run], ignore_conflicts=True)
                if not SlotRun.objects.filter(pk=run.pk).exists():
                    continue
                find = registry.get(due.kind).recipients
                recipients = find(agency=agency, week_start=due.week_start) if find else []
                ids += reserve(
                    agency=agency,
                    kind=due.kind,
                    week_start=due.week_start,
                    slot=due.key,
                    recipients=recipients,
                )
                SlotRun.objects.filter(pk=run.pk).update(recipients=len(recipients))
            logger.info(
                "%s: %s of week %s at %s for %d people",
                agency.slug,
                due.kind,
                due.week_start,
                due.key,
                len(recipients),
            )
    return ids


def notifications_sweep(*, agency: Agency, now: dt.datetime) -> list:
    """Rows no worker took in time, or whose worker died mid-send (lease expired): one query.
    Mails with a one-time link (``MessageKind.one_time_link``) are not retried: the link exists
    only in the first attempt."""
    with agency_scope(agency):
        return list(
            Notification.objects.filter(
                agency=agency, status__in=[Status.PENDING, Status.SENDING], retry_at__lte=now
            )
            .exclude(kind__in=_one_time_link_kinds())
            .order_by("retry_at")
            .values_list("pk", flat=True)[:SWEEP_LIMIT]
        )


# One-off mails about a person's own account ------------------------------------------------------


class MailFailure(StrEnum):
    FAILED = "failed"  # the mail server (or our side) failed: try again later
    REFUSED = "refused"  # the mail server refused the address itself: check it


def mail_failed(*, row: Notification) -> MailFailure | None:
    """Whether the message of this row did not go out (a one-time link is sent at once after
    the commit and never retried), and why: the page can then say so instead of "we sent you
    a link". None when it went out, or when it goes out after the commit (nothing known yet)."""
    with agency_scope(row.agency):
        found = Notification.objects.filter(pk=row.pk).values_list("status", "error").first()
    status, error = found or (None, "")
    if transaction.get_connection().in_atomic_block and status != Status.FAILED:
        return None
    # Outside a transaction it was sent at once: anything but "sent" (an error before the
    # claim left it pending, a skip) means the person got no link.
    if status == Status.SENT:
        return None
    if error.startswith("SMTPRecipientsRefused"):
        return MailFailure.REFUSED
    return MailFailure.FAILED


def _event_row(
    *, agency: Agency, user: User, kind: str, slot: str, context: dict, deep_link_path: str
) -> Notification:
    with agency_scope(agency):
        now = timezone.now()
        return Notification.objects.create(
            agency=agency,
            recipient=user,  # type: ignore[misc]  # User is AUTH_USER_MODEL's base: no accounts here
            kind=kind,
            channel=Channel.MAIL,
            week_start=_monday(timezone.localdate(now, timezone=agency.tzinfo)),
            slot=slot,
            context=context,
            deep_link_path=deep_link_path,
            retry_at=now + _retry_after(),
        )


def invitation_record(
    *, agency: Agency, membership: Any, invitation: Any, context: dict
) -> Notification:
    """The invitation's row in the mail log (accounts.notifications prepares it, and sends a new
    invitation when it is sent again). Its link carries the one-time token, which is never
    stored: the caller delivers it right after commit with ``link_path``."""
    return _event_row(
        agency=agency,
        user=membership.user,
        kind=Kind.INVITATION,
        slot=f"invitation:{invitation.pk}",
        context={**context, "membership_id": str(membership.pk)},
        deep_link_path=reverse("activation"),
    )


def account_mail_send(
    *,
    agency: Agency,
    user: User,
    kind: str,
    context: dict | None = None,
    to_email: str = "",
    deep_link_path: str = "",
    link_path: str | None = None,
) -> Notification:
    """A mail about the person's own account (reset, new address, bank account, second factor)
    through the log, after commit.

    ``to_email`` sends it elsewhere than the account's address (a new address to confirm, the
    old one told of the change). ``link_path`` holds a one-time token (``one_time_link``): never
    stored, so that mail goes out right after the commit, from this process, and only then.
    The others go to a Celery worker like every other message (and the sweep, should that fail).
    """
    row = _event_row(
        agency=agency,
        user=user,
        kind=kind,
        slot=f"{kind}:{uuid.uuid4()}",
        context={
            **(context or {}),
            **({"to_email": to_email} if to_email else {}),
            # When it happened: a mail sent again later still tells the first moment.
            "at": timezone.now().isoformat(),
        },
        deep_link_path=deep_link_path,
    )
    if registry.get(kind).one_time_link:

        def deliver_now() -> None:
            notification_deliver(agency=agency, notification_id=row.pk, link_path=link_path)

        transaction.on_commit(deliver_now, robust=True)
    else:
        deliver_after_commit(agency=agency, ids=[row.pk])
    return row


# Deliver -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    status: str
    retry_at: dt.datetime | None = None


def _backoff(attempts: int) -> dt.timedelta:
    factor: int = 2 ** max(attempts - 1, 0)
    return _retry_after() * factor


def notification_deliver(
    *,
    agency: Agency,
    notification_id: uuid.UUID | str,
    link_path: str | None = None,
    now: dt.datetime | None = None,
) -> Outcome:
    """Send one reserved message: a batch of one (see ``notifications_deliver``).
    ``link_path`` overrides the stored link (an invitation's one-time token)."""
    links = {str(notification_id): link_path} if link_path is not None else {}
    outcomes = notifications_deliver(agency=agency, ids=[notification_id], links=links, now=now)
    return outcomes.get(str(notification_id), Outcome(Status.SKIPPED))


def notifications_deliver(
    *,
    agency: Agency,
    ids: Iterable[uuid.UUID | str],
    links: dict[str, str] | None = None,
    now: dt.datetime | None = None,
) -> dict[str, Outcome]:
    """Send a batch of reserved messages, each at most once at a time and never again once sent
    (see the module's docstring), through one mail-server connection (and one SMS gateway
    connection). Returns each row's outcome by id (as a string).

    1. One conditional UPDATE ... RETURNING claims the rows no worker holds.
    2. The batch's data is read at once and each row's reason checked again (gone: skipped).
    3. Each message goes out through the batch's connection and its row is marked sent as soon
       as the server has accepted it, fenced on the attempt: a crash loses at most the one
       message between "250 OK" and that commit, which goes out again with the same Message-ID.
    4. Past half the lease the claim on the rows still to send is renewed; rows another worker
       took over meanwhile are left to it.
    ``links`` overrides a row's stored link (an invitation's one-time token).
    """
    with agency_scope(agency):
        return _deliver(agency, _uuids(ids), links or {}, now or timezone.now())


def _uuids(ids: Iterable[object]) -> list[uuid.UUID]:
    found = []
    for value in dict.fromkeys(str(i) for i in ids):
        with contextlib.suppress(ValueError):
            found.append(uuid.UUID(value))
    return found


def _claim(agency: Agency, ids: list[uuid.UUID], now: dt.datetime, lease: dt.timedelta) -> dict:
    """The rows of ``ids`` that no worker holds (pending, or sending with an expired lease)
    become this worker's: sending, with a new lease and attempts + 1. One statement, so two
    workers claiming overlapping batches get each row once (PostgreSQL re-checks the condition
    on a row the other has just claimed). Returns {id: attempts} of the rows claimed.
    Raw SQL for RETURNING; the agency is in the condition as the scoped manager would put it."""
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET status = %s, attempts = attempts + 1, retry_at = %s, "  # noqa: S608
            "updated_at = %s WHERE agency_id = %s AND id = ANY(%s) "
            "AND (status = %s OR (status = %s AND retry_at <= %s)) RETURNING id, attempts",
            [
                Status.SENDING,
                now + lease,
                now,
                agency.pk,
                ids,
                Status.PENDING,
                Status.SENDING,
                now,
            ],
        )
        return dict(cursor.fetchall())


def _renew(agency: Agency, notifications: list[Notification], lease: dt.timedelta) -> set:
    """Extend this worker's claim on rows it has not sent yet; returns the ids still its own
    (a row whose lease ran out may have been taken over: its attempt number moved on)."""
    if not notifications:
        return set()
    now = timezone.now()
    table = connection.ops.quote_name(Notification._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET retry_at = %s, updated_at = %s "  # noqa: S608
            "WHERE agency_id = %s AND status = %s "
            "AND (id, attempts) IN (SELECT * FROM unnest(%s::uuid[], %s::smallint[])) "
            "RETURNING id",
            [
                now + lease,
                now,
                agency.pk,
                Status.SENDING,
                [n.pk for n in notifications],
                [n.attempts for n in notifications],
            ],
        )
        return {row[0] for row in cursor.fetchall()}


def _finish(agency: Agency, notification: Notification, **fields: Any) -> int:
    """Mark a row, only if this attempt still holds it: if its lease ran out and another worker
    took the row over, our late "sent" must not overwrite theirs. One plain UPDATE (it runs once
    per message)."""
    fields["updated_at"] = timezone.now()
    table = connection.ops.quote_name(Notification._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(column)} = %s" for column in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} "  # noqa: S608 - our own column names
            "WHERE id = %s AND agency_id = %s AND status = %s AND attempts = %s",
            [*fields.values(), notification.pk, agency.pk, Status.SENDING, notification.attempts],
        )
        rowcount: int = cursor.rowcount
        return rowcount


@contextlib.contextmanager
def _marks_not_awaited_on_disk() -> Iterator[None]:
    """The marks of a batch (sent, skipped, retry) are committed one by one without waiting for
    the disk (synchronous_commit off, in this session for the batch's time): some 3 ms less per
    message. A database crash in the following fraction of a second can forget a mark; the row
    is then "sending" and goes out again after the lease with the same Message-ID, the window
    SMTP leaves anyway. It never loses a message. The claims are committed as usual."""
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        # A broken connection is thrown away, and a failed transaction undoes the SET itself.
        with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
            cursor.execute("RESET synchronous_commit")


def _deliver(
    agency: Agency, ids: list[uuid.UUID], links: dict, now: dt.datetime
) -> dict[str, Outcome]:
    lease = dt.timedelta(seconds=settings.NOTIFICATION_LEASE_SECONDS)
    claims = _claim(agency, ids, now, lease) if ids else {}
    claimed_at = monotonic()
    outcomes: dict[str, Outcome] = {str(pk): Outcome(Status.SKIPPED) for pk in ids}
    others = [pk for pk in ids if pk not in claims]
    if others:
        # Sent already, or held by another worker (the task looks again when its lease ends).
        rows = Notification.objects.filter(agency=agency, pk__in=others)
        for pk, status, retry_at in rows.values_list("pk", "status", "retry_at"):
            outcomes[str(pk)] = Outcome(status, retry_at)
    if not claims:
        return outcomes
    order = {pk: position for position, pk in enumerate(ids)}
    notifications = sorted(
        Notification.objects.filter(agency=agency, pk__in=list(claims)).select_related("recipient"),
        key=lambda n: order[n.pk],
    )
    with _marks_not_awaited_on_disk():
        batch = Batch(agency, notifications, now)
        ready: list[tuple[Notification, Prepared]] = []
        for notification in notifications:
            notification.agency = agency
            notification.attempts = claims[notification.pk]  # the fence: this attempt's number
            force = notification.resend_of_id is not None
            try:
                prepare = registry.get(notification.kind).prepare
                ready.append((notification, prepare(notification, batch, force)))
            except Skip as reason:
                _finish(
                    agency, notification, status=Status.SKIPPED, error=str(reason), retry_at=None
                )
            except Exception as error:  # one broken row must not hold up the rest of the batch
                outcomes[str(notification.pk)] = _failed(agency, notification, error)
        half_lease = lease.total_seconds() / 2
        lost: set = set()  # rows another worker took over after our lease ran out
        with _Connections() as connections:
            for position, (notification, prepared) in enumerate(ready):
                key = str(notification.pk)
                if monotonic() - claimed_at > half_lease:
                    rest = [n for n, _p in ready[position:] if n.pk not in lost]
                    lost |= {n.pk for n in rest} - _renew(agency, rest, lease)
                    claimed_at = monotonic()
                if notification.pk in lost:
                    outcomes[key] = Outcome(Status.SENDING)
                    continue
                path = links.get(key, prepared.deep_link_path)
                outcomes[key] = _send_one(agency, notification, prepared, path, connections)
    return outcomes


class _Connections:
    """A batch's one connection to the mail server and one to the SMS gateway, opened when the
    first message needs it and closed at the end. A mail connection that broke mid-message is
    opened again for the next one; a mail server that cannot be reached at all fails the rest
    of the batch's mails at once (each with its back-off) instead of waiting for each."""

    def __init__(self) -> None:
        self._mail: BaseEmailBackend | None = None
        self._mail_unreachable: Exception | None = None
        self._sms: BaseSmsBackend | None = None

    def mail(self) -> BaseEmailBackend:
        if self._mail_unreachable is not None:
            raise self._mail_unreachable
        if self._mail is None:
            backend = get_connection()
            try:
                backend.open()
            except Exception as error:
                self._mail_unreachable = error
                raise
            self._mail = backend
        return self._mail

    def mail_broken(self) -> None:
        if self._mail is not None:
            with contextlib.suppress(Exception):
                self._mail.close()
            self._mail = None

    def sms(self) -> BaseSmsBackend:
        if self._sms is None:
            self._sms = get_sms_backend()
            self._sms.open()
        return self._sms

    def __enter__(self) -> "_Connections":
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.mail_broken()
        if self._sms is not None:
            with contextlib.suppress(Exception):
                self._sms.close()


# Failures of one message after which the connection is still good (smtplib resets the
# transaction); after any other error the batch's next message opens a new connection.
_MESSAGE_ERRORS = (
    smtplib.SMTPRecipientsRefused,
    smtplib.SMTPSenderRefused,
    smtplib.SMTPDataError,
    SmsError,
)


def _send_one(
    agency: Agency,
    notification: Notification,
    prepared: Prepared,
    path: str,
    connections: _Connections,
) -> Outcome:
    try:
        address = _send(notification, prepared, path, connections)
    except Skip as reason:
        _finish(agency, notification, status=Status.SKIPPED, error=str(reason), retry_at=None)
        return Outcome(Status.SKIPPED)
    except Exception as error:
        if notification.channel == Channel.MAIL and not isinstance(error, _MESSAGE_ERRORS):
            connections.mail_broken()
        return _failed(agency, notification, error)
    finished = _finish(
        agency,
        notification,
        status=Status.SENT,
        sent_at=timezone.now(),
        address=address,
        message_id=notification.message_id_header if notification.channel == Channel.MAIL else "",
        error="",
        retry_at=None,
    )
    if not finished:
        logger.warning("notification %s was taken over while it was being sent", notification.pk)
    return Outcome(Status.SENT)


def _failed(agency: Agency, notification: Notification, error: Exception) -> Outcome:
    """This attempt failed: try again after a doubling back-off, or give up after the last
    attempt (a one-time link at once: only its first attempt had the link)."""
    logger.warning("notification %s failed: %s", notification.pk, error)
    final = notification.attempts >= MAX_ATTEMPTS or _one_time_link(notification.kind)
    retry_at = None if final else timezone.now() + _backoff(notification.attempts)
    _finish(
        agency,
        notification,
        status=Status.FAILED if final else Status.PENDING,
        error=f"{type(error).__name__}: {error}"[:2000],
        retry_at=retry_at,
    )
    return Outcome(Status.FAILED if final else Status.PENDING, retry_at)


def _send(
    notification: Notification, prepared: Prepared, path: str, connections: _Connections
) -> str:
    """Hand the message to the mail server or SMS gateway; returns the address used."""
    user = notification.recipient
    if notification.channel == Channel.SMS:
        number = prepared.sms_number() if prepared.sms_number else ""
        if not number:
            raise Skip(gettext_noop("There is no mobile number to send a text message to."))
        sms_send(
            agency=notification.agency,
            to_user=user,
            to_number=number,
            kind=notification.kind,
            context=prepared.context,
            deep_link_path=path,
            backend=connections.sms(),
        )
        return number
    address = prepared.address or (user.email if user is not None else notification.address)
    mail_send(
        agency=notification.agency,
        to_user=user,
        to_email=address,
        kind=notification.kind,
        context=prepared.context,
        deep_link_path=path,
        message_id=notification.message_id_header,
        connection=connections.mail(),
    )
    return address


# The mail log in the back office -----------------------------------------------------------------


def notification_resend(
    *, notification: Notification, actor: User | None = None
) -> Notification | None:
    """Send a logged message again, as a new row (slot ".../resend-N") through the same path.

    A kind with its own ``resend`` (notifications.registry) goes out anew instead: an invitation
    cannot be sent again as it was (only its first mail had the one-time link), so a new
    invitation goes out, with a new link, and the old one stops working. Another mail with a
    one-time link (password reset, address confirmation) cannot be sent again at all
    (``CannotResend``): the person asks for a new link.
    """
    agency = notification.agency
    entry = registry.get(notification.kind)
    if entry.resend is not None:  # a kind that goes out anew instead (the invitation)
        entry.resend(notification=notification, actor=actor)
        return None
    if entry.one_time_link:
        raise CannotResend(
            _(
                "A mail with a one-time link cannot be sent again: the person asks for a new "
                "link on the portal (%(kind)s)."
            )
            % {"kind": notification.get_kind_display()}
        )
    with agency_scope(agency), transaction.atomic():
        original = notification.resend_of or notification
        number = Notification.objects.filter(resend_of=original).count() + 1
        now = timezone.now()
        row = Notification(
            agency=agency,
            recipient=original.recipient,
            address=original.address if original.recipient is None else "",
            kind=original.kind,
            channel=original.channel,
            week_start=original.week_start,
            slot=f"{original.slot}/resend-{number}",
            context=original.context,
            deep_link_path=original.deep_link_path,
            resend_of=original,
            retry_at=now + _retry_after(),
        )
        ids = _reserve([row], kind=row.kind, week_start=row.week_start, slot=row.slot)
        deliver_after_commit(agency=agency, ids=ids)
    return row


def deliver_after_commit(*, agency: Agency, ids: Iterable[uuid.UUID | str]) -> None:
    """Hand reserved rows to Celery once the transaction that reserved them has committed (at
    once outside a transaction). Should that never happen, the sweep delivers them."""
    if not ids:
        return
    # Robust: a broker that is down must not turn the committed event into an error page; the
    # rows wait "pending" and the sweep delivers them.
    agency_id, row_ids = str(agency.pk), [str(i) for i in ids]

    def enqueue() -> None:  # a function, not a partial: robust callbacks are logged by name
        _queue[0](agency_id, row_ids)

    transaction.on_commit(enqueue, robust=True)


# The tasks that deliver (notifications.tasks, which calls this module) put themselves here when
# they are loaded (notifications.apps, and the Celery worker): no import circle between the two.
_queue: list[Callable[[str, list[str]], None]] = []


def queue_register(*, enqueue: Callable[[str, list[str]], None]) -> None:
    """``enqueue(agency_id, ids)`` hands reserved rows to the workers."""
    _queue[:] = [enqueue]


def _one_time_link(kind: str) -> bool:
    try:
        return registry.get(kind).one_time_link
    except LookupError:
        return False


def _one_time_link_kinds() -> list[str]:
    return [k.kind for k in registry.kinds() if k.one_time_link]


def _monday(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


__all__ = [
    "Batch",
    "CannotResend",
    "MailFailure",
    "Prepared",
    "Recipient",
    "Skip",
    "account_mail_send",
    "deliver_after_commit",
    "invitation_record",
    "mail_failed",
    "mail_send",
    "notification_deliver",
    "notification_resend",
    "notifications_sweep",
    "notifications_tick",
    "reserve",
    "sms_send",
]
