"""Who gets which scheduled or event mail: bulk reads with a fixed number of queries per agency,
whatever the number of workers (the tick's cost grows with agencies, not with people).

"Open" means what timesheets.selectors says it means (waiting_for_worker / waiting_for_client):
the dashboards' "actions waiting" come from the same definitions.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from agencies.models import Agency, Module, Role
from flexportal.navigation import modules_offered
from staffing.models import ClientContact
from timesheets.models import Status, Werkbrief
from timesheets.selectors import waiting_for_client, waiting_for_worker

# The placement's switch for each mail to the worker about hours.
WORKER_SWITCH = {"werkbrief_ready": "hour_invitations", "worker_reminder": "hour_reminders"}


@dataclass
class Recipient:
    user_id: object
    membership_id: object
    sms: bool
    context: dict = field(default_factory=dict)
    deep_link_path: str = ""


def worker_werkbrief_path(werkbrief_ids: list) -> str:
    """One werkbrief: its page; more: the dashboard, which lists them all."""
    if len(werkbrief_ids) == 1:
        return reverse("worker:werkbrief", args=[werkbrief_ids[0]])
    return reverse("worker:dashboard")


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
        recipient.deep_link_path = worker_werkbrief_path(recipient.context["werkbrief_ids"])
    return list(by_user.values())


def werkbrief_ready_recipients(*, agency: Agency, week_start: dt.date) -> list[Recipient]:
    """Workers with a werkbrief of the week still to fill in (one query)."""
    sheets = Werkbrief.objects.filter(agency=agency, week_start=week_start).filter(
        waiting_for_worker(), status=Status.RAPPORTEER
    )
    return _workers(sheets, switch=WORKER_SWITCH["werkbrief_ready"])


def worker_reminder_recipients(*, agency: Agency, week_start: dt.date) -> list[Recipient]:
    """Workers whose hours of the week are still missing: to fill in or rejected (one query).
    A placement where the client fills in, or with reminders off, gets none."""
    sheets = Werkbrief.objects.filter(agency=agency, week_start=week_start).filter(
        waiting_for_worker()
    )
    return _workers(sheets, switch=WORKER_SWITCH["worker_reminder"])


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


def _client_recipients(agency: Agency, sheets: QuerySet[Werkbrief], week_start) -> list[Recipient]:
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


def client_reminder_recipients(*, agency: Agency, week_start: dt.date) -> list[Recipient]:
    """Contacts who may approve hours and have werkbriefjes of the week waiting for them
    (three queries). The mail itself lists every werkbrief of the week not yet approved."""
    sheets = Werkbrief.objects.filter(agency=agency, week_start=week_start).filter(
        waiting_for_client()
    )
    return _client_recipients(agency, sheets, week_start)


def approval_ready_recipients(*, agency: Agency, werkbrief: Werkbrief) -> list[Recipient]:
    """The contacts who may approve this submitted werkbrief (they see its department)."""
    sheets = Werkbrief.objects.filter(agency=agency, pk=werkbrief.pk)
    return _client_recipients(agency, sheets, werkbrief.week_start)


def staff_members(*, agency: Agency) -> list[Membership]:
    return list(
        Membership.objects.filter(
            agency=agency, role=Role.STAFF, is_active=True, user__is_active=True
        ).select_related("user")
    )


def timesheets_enabled(agency: Agency) -> bool:
    return agency.has_module(Module.TIMESHEETS)


# What the invitation tells a person they will find on the portal, each with the module it needs
# (None: always there). Only what the person will find is promised (``invitation_promises``).
INVITATION_PROMISES: dict[str, list[tuple[str | None, Promise]]] = {
    Role.FLEXWORKER: [
        (Module.TIMESHEETS, _("enter your hours every week and submit them")),
        (Module.EXPENSES, _("declare your expenses, with the receipt")),
        (Module.PLACEMENTS, _("see your placements")),
        (Module.DOCUMENTS, _("read and sign your documents")),
        (Module.PAYSLIPS, _("download your payslips")),
        (None, _("keep your details up to date")),
    ],
    Role.CLIENT_CONTACT: [
        (Module.TIMESHEETS, _("check and approve the hours of the people who work for you")),
        (Module.PLACEMENTS, _("see who is placed with you")),
        (Module.DOCUMENTS, _("read and sign documents")),
        (Module.INVOICES, _("see your invoices")),
        (None, _("keep your details up to date")),
    ],
}


def invitation_promises(*, agency: Agency, role: str) -> list[Promise]:
    """The invitation's promises for ``role``: those whose module the agency has switched on and
    the portal offers (flexportal.navigation.modules_offered); translated when rendered."""
    offered = modules_offered(role=role, agency=agency)
    return [
        text
        for module, text in INVITATION_PROMISES.get(role, [])
        if module is None or module in offered
    ]
