"""What a werkbrief event causes: the messages it reserves in the mail log.

timesheets.services calls these *inside* the event's own transaction (an outbox): the event and
its rows in the mail log commit together or not at all. Delivery is handed to Celery after the
commit; if the process dies between the commit and the enqueue, the rows wait "pending" and the
next tick's sweep delivers them (notifications.services.notifications_sweep). How each message
is prepared, and whether it is still due when it goes out, is timesheets.notifications.
"""

import datetime as dt
import functools
import uuid
from collections import defaultdict
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts.models import Membership
from agencies.models import Agency, Role
from flexportal.tenancy import agency_scope
from notifications.models import Kind
from notifications.registry import Recipient
from notifications.services import deliver_after_commit, reserve
from staffing.models import ClientContact
from timesheets import workflow
from timesheets.models import CorrectionRequest, Werkbrief, WerkbriefTransition

# Hooks of timesheets.services ---------------------------------------------------------------------


def werkbrief_transitioned(
    *, werkbrief: Werkbrief, action: str, now: dt.datetime | None = None
) -> None:
    if action not in ("reject", "submit"):
        return
    agency = werkbrief.agency
    if action == "reject":
        ids = werkbrief_rejected_notify(agency=agency, werkbrief_id=werkbrief.pk)
    else:
        ids = werkbrief_submitted_notify(agency=agency, werkbrief_id=werkbrief.pk, now=now)
    deliver_after_commit(agency=agency, ids=ids)


def werkbrieven_transitioned(*, werkbrief_ids: list, action: str, now: dt.datetime) -> None:
    """A bulk action of the back office (close, process). Neither mails anyone today; a bulk
    action that does must reserve its rows here in a fixed number of queries (one INSERT ... ON
    CONFLICT for all of them), never one werkbrief at a time."""
    if action in ("close", "process"):
        return
    raise ValueError(f"no bulk mails for {action!r}")


def werkbrief_corrected(*, werkbrief: Werkbrief, correction_ids: list, now: dt.datetime) -> None:
    """The back office corrected hours that were asked to be corrected: the people who asked
    hear what changed."""
    agency = werkbrief.placement.agency
    ids = werkbrief_corrected_notify(
        agency=agency, werkbrief_id=werkbrief.pk, correction_ids=correction_ids, at=now
    )
    deliver_after_commit(agency=agency, ids=ids)


def correction_requested(*, correction: CorrectionRequest) -> None:
    agency = correction.agency
    ids = correction_requested_notify(agency=agency, correction_id=correction.pk)
    deliver_after_commit(agency=agency, ids=ids)


# Who hears of it ----------------------------------------------------------------------------------


def worker_werkbrief_path(*, werkbrief_ids: list) -> str:
    """One werkbrief: its page; more: the dashboard, which lists them all."""
    if len(werkbrief_ids) == 1:
        return reverse("worker:werkbrief", args=[werkbrief_ids[0]])
    return reverse("worker:dashboard")


def _contacts_for_departments(agency: Agency, departments_by_client: dict) -> list[tuple]:
    """(contact values, visible department ids) of the contacts who may approve hours at these
    clients and see at least one of the departments: two queries."""
    contacts = list(
        ClientContact.objects.filter(
            agency=agency,
            client_id__in=list(departments_by_client),
            can_approve_hours=True,
            membership__role=Role.CLIENT_CONTACT,
            membership__is_active=True,
            membership__user__is_active=True,
        )
        .exclude(membership__user__password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .values(
            "pk",
            "client_id",
            "sees_all_departments",
            "membership_id",
            "membership__user_id",
            "membership__sms_reminders",
        )
    )
    restricted = [c["pk"] for c in contacts if not c["sees_all_departments"]]
    seen: dict = defaultdict(set)
    if restricted:
        through = ClientContact.departments.through
        for contact_id, department_id in through.objects.filter(
            clientcontact_id__in=restricted
        ).values_list("clientcontact_id", "department_id"):
            seen[contact_id].add(department_id)
    found = []
    for contact in contacts:
        departments = departments_by_client[contact["client_id"]]
        visible = (
            departments if contact["sees_all_departments"] else departments & seen[contact["pk"]]
        )
        if visible:
            found.append((contact, visible))
    return found


def client_recipients(
    *, agency: Agency, sheets: QuerySet[Werkbrief], week_start: dt.date
) -> list[Recipient]:
    """The contacts who may approve hours and see the department of one of ``sheets``."""
    departments: dict = defaultdict(set)
    for department_id, client_id in sheets.values_list(
        "placement__department_id", "placement__department__client_id"
    ).distinct():
        departments[client_id].add(department_id)
    if not departments:
        return []
    return [
        Recipient(
            contact["membership__user_id"],
            contact["membership_id"],
            contact["membership__sms_reminders"],
            {"membership_id": str(contact["membership_id"]), "week_start": week_start.isoformat()},
            reverse("client:dashboard"),
        )
        for contact, _visible in _contacts_for_departments(agency, departments)
    ]


def approval_ready_recipients(*, agency: Agency, werkbrief: Werkbrief) -> list[Recipient]:
    """The contacts who may approve this submitted werkbrief (they see its department)."""
    sheets = Werkbrief.objects.filter(agency=agency, pk=werkbrief.pk)
    return client_recipients(agency=agency, sheets=sheets, week_start=werkbrief.week_start)


def staff_members(*, agency: Agency) -> list[Membership]:
    return list(
        Membership.objects.filter(
            agency=agency, role=Role.STAFF, is_active=True, user__is_active=True
        ).select_related("user")
    )


# The events' messages -----------------------------------------------------------------------------


_Notify = TypeVar("_Notify", bound=Callable[..., list])


def _in_agency_scope(notify: _Notify) -> _Notify:
    """Each of these runs in its agency's scope, whoever calls it (a service, a test)."""

    @functools.wraps(notify)
    def scoped(*, agency: Agency, **kwargs: Any) -> list:
        with agency_scope(agency):
            return notify(agency=agency, **kwargs)

    return cast(_Notify, scoped)  # the same signature as notify's


@_in_agency_scope
def werkbrief_rejected_notify(*, agency: Agency, werkbrief_id: uuid.UUID) -> list:
    """The worker gets the client's reason (once per rejection)."""
    wb = (
        Werkbrief.objects.filter(agency=agency, pk=werkbrief_id)
        .select_related("placement__worker__membership")
        .first()
    )
    if wb is None:
        return []
    rejection = (
        WerkbriefTransition.objects.filter(werkbrief=wb, to_status=workflow.target("reject"))
        .order_by("-at")
        .first()
    )
    if rejection is None:
        return []
    membership = wb.placement.worker.membership
    recipient = Recipient(
        membership.user_id,
        membership.pk,
        False,
        {
            "werkbrief_id": str(wb.pk),
            "transition_id": str(rejection.pk),
            "membership_id": str(membership.pk),
        },
        worker_werkbrief_path(werkbrief_ids=[wb.pk]),
    )
    return reserve(
        agency=agency,
        kind=Kind.WERKBRIEF_REJECTED,
        week_start=wb.week_start,
        slot=f"transition:{rejection.pk}",
        recipients=[recipient],
    )


@_in_agency_scope
def werkbrief_submitted_notify(
    *, agency: Agency, werkbrief_id: uuid.UUID, now: dt.datetime | None = None
) -> list:
    """ "One or more werkbriefjes are ready for approval" to the contacts who may approve it; at
    most one a day per contact and week of hours (the ledger's slot is the day)."""
    now = now or timezone.now()
    wb = Werkbrief.objects.filter(agency=agency, pk=werkbrief_id).first()
    if wb is None or wb.status != workflow.target("submit"):
        return []
    return reserve(
        agency=agency,
        kind=Kind.APPROVAL_READY,
        week_start=wb.week_start,
        slot=f"day:{timezone.localdate(now, timezone=agency.tzinfo).isoformat()}",
        recipients=approval_ready_recipients(agency=agency, werkbrief=wb),
    )


@_in_agency_scope
def correction_requested_notify(*, agency: Agency, correction_id: uuid.UUID) -> list:
    """The back office hears of a correction request: at the agency's own address when it has
    one, else every active back-office member."""
    correction = (
        CorrectionRequest.objects.filter(agency=agency, pk=correction_id)
        .select_related("werkbrief")
        .first()
    )
    if correction is None:
        return []
    path = reverse("admin:timesheets_correctionrequest_change", args=[correction.pk])
    context = {"correction_id": str(correction.pk)}
    if agency.contact_email:
        recipients = [Recipient(None, None, False, context, path, address=agency.contact_email)]
    else:
        recipients = [
            Recipient(m.user_id, m.pk, False, {**context}, path)
            for m in staff_members(agency=agency)
        ]
    return reserve(
        agency=agency,
        kind=Kind.CORRECTION_REQUESTED,
        week_start=correction.werkbrief.week_start,
        slot=f"correction:{correction.pk}",
        recipients=recipients,
    )


@_in_agency_scope
def werkbrief_corrected_notify(
    *, agency: Agency, werkbrief_id: uuid.UUID, correction_ids: list, at: dt.datetime
) -> list:
    """Whoever asked for a correction hears that the back office made it, with what changed:
    one mail per person per correction (the ledger's slot is the correction's moment)."""
    wb = (
        Werkbrief.objects.filter(agency=agency, pk=werkbrief_id)
        .select_related("placement__worker")
        .first()
    )
    if wb is None:
        return []
    requesters = set(
        CorrectionRequest.objects.filter(
            agency=agency, werkbrief=wb, pk__in=correction_ids
        ).values_list("requested_by_id", flat=True)
    )
    worker_membership_id = wb.placement.worker.membership_id
    memberships = Membership.objects.filter(
        agency=agency, user_id__in=requesters, is_active=True
    ).filter(Q(pk=worker_membership_id) | Q(role=Role.CLIENT_CONTACT))
    recipients = {}
    for membership in memberships.order_by("role"):  # a person's contact role first
        if membership.user_id in recipients:
            continue
        is_worker = membership.pk == worker_membership_id
        recipients[membership.user_id] = Recipient(
            membership.user_id,
            membership.pk,
            False,
            {
                "werkbrief_id": str(wb.pk),
                "membership_id": str(membership.pk),
                "correction_ids": [str(pk) for pk in correction_ids],
                "at": at.isoformat(),
            },
            worker_werkbrief_path(werkbrief_ids=[wb.pk])
            if is_worker
            else reverse("client:werkbrief", args=[wb.pk]),
        )
    return reserve(
        agency=agency,
        kind=Kind.CORRECTED,
        week_start=wb.week_start,
        slot=f"corrected:{wb.pk}:{at.isoformat()}",
        recipients=list(recipients.values()),
    )
