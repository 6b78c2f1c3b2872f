"""The werkbrief's messages in the mail log: who gets them, what they show, whether still due.

Registered with notifications.registry when the app is ready (timesheets.apps):

* scheduled (werkbrief ready, worker and client reminders): ``due`` says which slot is due
  (timesheets.schedule), the ``*_recipients`` read who gets it in bulk, a fixed number of
  queries per agency whatever the number of workers;
* events (approval ready, rejected, correction requested, corrected) are reserved by
  timesheets.mail_events inside the event's transaction;
* ``_prepare_*`` reads what a message shows when it goes out and checks that it is still due
  (hours submitted or approved meanwhile, past the cut-off: skipped, not sent).

"Open" means what timesheets.selectors says it means (waiting_for_worker / waiting_for_client):
the dashboards' "actions waiting" come from the same definitions.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_noop

from accounts.models import Membership
from accounts.notifications import batch_membership, sms_number
from agencies.models import Agency, Module
from notifications import registry
from notifications.models import Kind, Notification
from notifications.registry import Batch, MessageKind, Prepared, Recipient, Skip, Tenant
from timesheets import deadlines, selectors, workflow
from timesheets.mail_events import client_recipients, worker_werkbrief_path
from timesheets.models import (
    CorrectionRequest,
    Werkbrief,
    WerkbriefChange,
    WerkbriefTransition,
)
from timesheets.schedule import AgencySchedule, Due, due_slots

# The placement's switch for each mail to the worker about hours.
WORKER_SWITCH = {"werkbrief_ready": "hour_invitations", "worker_reminder": "hour_reminders"}


# The schedule -------------------------------------------------------------------------------------


def due(agency: Agency, now: dt.datetime) -> list[Due]:
    """The werkbrief's slots due at ``now`` (none for an agency without the timesheets module)."""
    if not agency.has_module(Module.TIMESHEETS):
        return []
    return due_slots(AgencySchedule.of(agency), now)


def _workers(sheets: QuerySet[Werkbrief], *, switch: str) -> list[Recipient]:
    """One recipient per worker (a worker with two placements gets one message). A person who
    has not activated the account yet cannot sign in: the invitation is their message."""
    rows = (
        sheets.filter(
            **{f"placement__{switch}": True},
            placement__worker__membership__is_active=True,
            placement__worker__membership__user__is_active=True,
        )
        .exclude(placement__worker__membership__user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .values_list(
            "pk",
            "placement__worker__membership_id",
            "placement__worker__membership__user_id",
            "placement__worker__membership__sms_reminders",
        )
    )
    by_user: dict = {}
    for werkbrief_id, membership_id, user_id, sms in rows.order_by("week_start", "pk"):
        recipient = by_user.setdefault(user_id, Recipient(user_id, membership_id, sms))
        recipient.context.setdefault("werkbrief_ids", []).append(str(werkbrief_id))
    for recipient in by_user.values():
        recipient.context["membership_id"] = str(recipient.membership_id)
        recipient.deep_link_path = worker_werkbrief_path(
            werkbrief_ids=recipient.context["werkbrief_ids"]
        )
    return list(by_user.values())


def werkbrief_ready_recipients(*, agency: Agency, week_start: dt.date) -> list[Recipient]:
    """Workers with a werkbrief of the week still to fill in (one query)."""
    sheets = Werkbrief.objects.filter(agency=agency, week_start=week_start).filter(
        selectors.waiting_for_worker(), status=workflow.INITIAL
    )
    return _workers(sheets, switch=WORKER_SWITCH["werkbrief_ready"])


def worker_reminder_recipients(*, agency: Agency, week_start: dt.date) -> list[Recipient]:
    """Workers whose hours of the week are still missing: to fill in or rejected (one query).
    A placement where the client fills in, or with reminders off, gets none."""
    sheets = Werkbrief.objects.filter(agency=agency, week_start=week_start).filter(
        selectors.waiting_for_worker()
    )
    return _workers(sheets, switch=WORKER_SWITCH["worker_reminder"])


def client_reminder_recipients(*, agency: Agency, week_start: dt.date) -> list[Recipient]:
    """Contacts who may approve hours and have werkbriefjes of the week waiting for them
    (three queries). The mail itself lists every werkbrief of the week not yet approved."""
    sheets = Werkbrief.objects.filter(agency=agency, week_start=week_start).filter(
        selectors.waiting_for_client()
    )
    return client_recipients(agency=agency, sheets=sheets, week_start=week_start)


# Preparing a message: what it shows, and whether it is still due ----------------------------------


def _worker_sheets(
    agency: Tenant, kind: str, *, force: bool, ids: Iterable[str]
) -> list[Werkbrief]:
    sheets = Werkbrief.objects.filter(agency=agency.pk, pk__in=ids).select_related(
        "placement__worker", "placement__department__client", "placement__function"
    )
    if not force:
        switch = WORKER_SWITCH[kind]
        sheets = sheets.filter(selectors.waiting_for_worker(), **{f"placement__{switch}": True})
        if kind == Kind.WERKBRIEF_READY:
            sheets = sheets.filter(status=workflow.INITIAL)
    return list(sheets.order_by("week_start", "pk"))


def _batch_worker_sheets(kind: str) -> Callable[[Batch], dict]:
    """Per worker's mail of ``kind`` in the batch (not sent again by hand): its werkbriefjes
    that still wait for the worker; one query for the batch."""

    def load(batch: Batch) -> dict:
        rows = [n for n in batch.notifications if n.kind == kind and n.resend_of_id is None]
        ids = {i for n in rows for i in n.context.get("werkbrief_ids", [])}
        sheets = {str(w.pk): w for w in _worker_sheets(batch.agency, kind, force=False, ids=ids)}
        return {
            n.pk: [sheets[i] for i in n.context.get("werkbrief_ids", []) if i in sheets]
            for n in rows
        }

    return load


def _client_week(batch: Batch, membership: Membership, week_start: dt.date) -> list[Werkbrief]:
    """The contact's werkbriefjes of the week not approved yet (a reminder lists every worker
    of the week). Contacts whose view is the same query (the client's contacts who see
    every department) share one read."""
    weeks: dict[Any, list[Werkbrief]] = batch.once("client_weeks", lambda _batch: {})
    visible = selectors.werkbrieven_visible_to(membership=membership)
    key = (str(visible.query), week_start)
    if key not in weeks:
        weeks[key] = selectors.client_week_open(membership=membership, week_start=week_start)
    return weeks[key]


def _check_cutoff(
    notification: Notification, now: dt.datetime, *, for_client: bool, force: bool
) -> dt.datetime:
    agency = notification.agency
    cutoff = (deadlines.client_deadline if for_client else deadlines.worker_deadline)(
        agency, notification.week_start
    )
    if now >= cutoff and not force:
        raise Skip(gettext_noop("The cut-off has passed."))
    return cutoff


def _prepare_worker(notification: Notification, batch: Batch, force: bool) -> Prepared:
    membership = batch_membership(notification, batch)
    cutoff = _check_cutoff(notification, batch.now, for_client=False, force=force)
    sheets = None
    if notification.resend_of_id is None:
        kind = notification.kind
        loaded = batch.once(("worker_sheets", kind), _batch_worker_sheets(kind))
        sheets = loaded.get(notification.pk)
    if sheets is None:
        ids = notification.context.get("werkbrief_ids", [])
        sheets = _worker_sheets(batch.agency, notification.kind, force=force, ids=ids)
    sheets = [w for w in sheets if w.placement.worker.membership_id == membership.pk]
    if not sheets:
        raise Skip(gettext_noop("The hours are in: nothing to remind of."))
    return Prepared(
        {"werkbrieven": sheets, "deadline": cutoff, "week": notification.week_start},
        worker_werkbrief_path(werkbrief_ids=[w.pk for w in sheets]),
        sms_number(membership),
    )


def _prepare_client(notification: Notification, batch: Batch, force: bool) -> Prepared:
    membership = batch_membership(notification, batch)
    if not selectors.contact_may_approve(membership):
        raise Skip(gettext_noop("This contact no longer approves hours."))
    cutoff = _check_cutoff(
        notification,
        batch.now,
        for_client=True,
        force=force or notification.kind == Kind.APPROVAL_READY,
    )
    sheets = _client_week(batch, membership, notification.week_start)
    waiting = [w for w in sheets if w.waiting]  # type: ignore[attr-defined]  # client_week_open sets it
    if not waiting and not force:
        raise Skip(gettext_noop("Nothing waits for approval any more."))
    return Prepared(
        {
            "werkbrieven": sheets,
            "waiting_count": len(waiting),
            "deadline": cutoff,
            "week": notification.week_start,
        },
        reverse("client:dashboard"),
        sms_number(membership),
    )


def _prepare_rejected(notification: Notification, batch: Batch, force: bool) -> Prepared:
    membership = batch_membership(notification, batch)
    wb = (
        Werkbrief.objects.filter(
            agency=notification.agency_id, pk=notification.context["werkbrief_id"]
        )
        .select_related("placement__department__client", "placement__function")
        .first()
    )
    rejection = WerkbriefTransition.objects.filter(
        agency=notification.agency_id, pk=notification.context["transition_id"]
    ).first()
    if wb is None or rejection is None:
        raise Skip(gettext_noop("The werkbrief no longer exists."))
    deadline = deadlines.worker_deadline(notification.agency, wb.week_start)
    return Prepared(
        {
            "werkbrief": wb,
            "reason": rejection.comment,
            "deadline": deadline,
            "rejected_at": rejection.at,
        },
        worker_werkbrief_path(werkbrief_ids=[wb.pk]),
        sms_number(membership),
    )


def _prepare_correction(notification: Notification, batch: Batch, force: bool) -> Prepared:
    correction = (
        CorrectionRequest.objects.filter(
            agency=notification.agency_id, pk=notification.context["correction_id"]
        )
        .select_related(
            "werkbrief__placement__worker",
            "werkbrief__placement__department__client",
            "requested_by",
        )
        .first()
    )
    if correction is None:
        raise Skip(gettext_noop("The correction request no longer exists."))
    if correction.state != CorrectionRequest.State.OPEN and not force:
        raise Skip(gettext_noop("The correction request is handled already."))
    return Prepared({"correction": correction}, notification.deep_link_path)


def _prepare_corrected(notification: Notification, batch: Batch, force: bool) -> Prepared:
    membership = batch_membership(notification, batch)
    context = notification.context
    wb = (
        Werkbrief.objects.filter(agency=notification.agency_id, pk=context["werkbrief_id"])
        .select_related("placement__worker", "placement__department__client")
        .first()
    )
    if wb is None:
        raise Skip(gettext_noop("The werkbrief no longer exists."))
    changes = list(
        WerkbriefChange.objects.filter(werkbrief=wb, at=dt.datetime.fromisoformat(context["at"]))
        .select_related("actor")
        .order_by("date", "field")
    )
    return Prepared(
        {
            "werkbrief": wb,
            "changes": changes,
            "reason": changes[0].reason if changes else "",
            "payroll_week": changes[0].payroll_week if changes else None,
            "for_worker": membership.pk == wb.placement.worker.membership_id,
        },
        notification.deep_link_path,
        sms_number(membership),
    )


registry.register_schedule(due)
registry.register(
    MessageKind(Kind.WERKBRIEF_READY, _prepare_worker, recipients=werkbrief_ready_recipients),
    MessageKind(
        Kind.WORKER_REMINDER, _prepare_worker, recipients=worker_reminder_recipients, sms=True
    ),
    MessageKind(
        Kind.CLIENT_REMINDER, _prepare_client, recipients=client_reminder_recipients, sms=True
    ),
    MessageKind(Kind.APPROVAL_READY, _prepare_client),
    MessageKind(Kind.WERKBRIEF_REJECTED, _prepare_rejected),
    MessageKind(Kind.CORRECTION_REQUESTED, _prepare_correction),
    MessageKind(Kind.CORRECTED, _prepare_corrected),
)
