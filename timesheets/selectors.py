"""Reads of werkbriefjes: every one is fetched through an accessor that checks agency and role,
and the lists run a fixed number of queries whatever the number of werkbriefjes."""

import datetime as dt
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import BooleanField, Count, ExpressionWrapper, Prefetch, Q, QuerySet
from django.http import Http404

from accounts.models import Membership
from agencies.models import Role
from staffing.selectors import client_contact_for, departments_visible_to, placements_visible_to
from timesheets import deadlines, workflow
from timesheets.models import (
    Expense,
    ExpenseType,
    HourType,
    ManualHours,
    Werkbrief,
    WerkbriefComment,
    WerkbriefDay,
    WerkbriefTransition,
)
from timesheets.services import DayInput, saved_days

# The states after the client's approval: only the back office changes hours, the others ask
# for a correction (timesheets.workflow, StateInfo.approved).
DONE = workflow.approved_states()
# Not submitted yet, where the worker fills in the hours: what the worker is to submit.
OPEN_FOR_WORKER = tuple(
    s
    for s in workflow.STATES
    if s in workflow.sources(action="submit", actor=workflow.WORKER, mode=workflow.WORKER_FILLS)
)

MODE_FIELD = "placement__hours_entered_by"


# What waits for whom: the dashboards' "actions waiting" and the reminder mails both use these,
# so a reminder never asks for something the dashboard does not show, and the other way round.
# Both are built from the workflow's table (workflow.waiting_pairs).


def workflow_q(pairs: Iterable[tuple[str, str]], *, mode_field: str = MODE_FIELD) -> Q:
    """A Q for werkbriefjes whose (status, entry mode) is one of ``pairs``: the states that
    hold in every mode test the status alone, the others the mode as well; no pair matches
    nothing."""
    modes_of: dict[str, set[str]] = {}
    for state, mode in pairs:
        modes_of.setdefault(state, set()).add(mode)
    by_modes: dict[frozenset[str], list[str]] = {}
    for state in workflow.STATES:  # the table's order, so the SQL is stable
        if state in modes_of:
            by_modes.setdefault(frozenset(modes_of[state]), []).append(state)
    parts = []
    for modes, states in sorted(by_modes.items(), key=lambda item: -len(item[0])):
        part = Q(status=states[0]) if len(states) == 1 else Q(status__in=states)
        if modes != frozenset(workflow.MODES):
            if len(modes) == 1:
                part &= Q(**{mode_field: next(iter(modes))})
            else:
                part &= Q(**{f"{mode_field}__in": sorted(modes)})
        parts.append(part)
    if not parts:
        return Q(pk__in=[])
    q = parts[0]
    for part in parts[1:]:
        q |= part
    return q


def waiting_for_worker() -> Q:
    """To fill in, or to fix after a rejection, where the worker enters the hours."""
    return workflow_q(workflow.waiting_pairs(actor=workflow.WORKER))


def waiting_for_client() -> Q:
    """Submitted ones to approve, and the ones the client fills in itself."""
    return workflow_q(workflow.waiting_pairs(actor=workflow.CLIENT))


def _base(membership: Membership) -> QuerySet[Werkbrief]:
    placements = placements_visible_to(membership=membership)
    return Werkbrief.objects.filter(
        agency=membership.agency_id, placement__in=placements.values("pk")
    ).select_related("placement__worker", "placement__department__client", "placement__function")


def _client_base(membership: Membership) -> QuerySet[Werkbrief]:
    """The werkbriefjes of a client contact's departments, for the client's lists: the rule of
    _base (departments_visible_to), with the departments as a list of ids. The planner then
    sees how many werkbriefjes a week holds and joins them, where the nested subquery made it
    walk every placement's whole history (the dashboard's counts: 130 ms to 20 ms at 5,000
    workers)."""
    contact = client_contact_for(membership=membership)
    departments = list(departments_visible_to(contact=contact).values_list("pk", flat=True))
    return Werkbrief.objects.filter(
        agency=membership.agency_id, placement__department__in=departments
    ).select_related("placement__worker", "placement__department__client", "placement__function")


def werkbrieven_visible_to(*, membership: Membership) -> QuerySet[Werkbrief]:
    return _base(membership)


def werkbrief_get(*, membership: Membership, werkbrief_id: uuid.UUID) -> Werkbrief:
    """One werkbrief, or 404 when it is another agency's or outside the person's view."""
    try:
        return _base(membership).get(pk=werkbrief_id)
    except Werkbrief.DoesNotExist:
        raise Http404 from None


def werkbrief_with_details(werkbrief: Werkbrief) -> Werkbrief:
    """The werkbrief with days, hand-entered hours, expenses, comments and history prefetched
    (as it is, when it was loaded that way already)."""
    if "days" in getattr(werkbrief, "_prefetched_objects_cache", {}):
        return werkbrief
    return with_details(Werkbrief.objects.filter(pk=werkbrief.pk)).get()


def with_details(queryset: QuerySet[Werkbrief]) -> QuerySet[Werkbrief]:
    """The werkbriefjes of ``queryset`` with what their page shows, in one query and the
    prefetches (days, hand-entered hours, expenses, comments, history)."""
    return queryset.select_related(
        "placement__worker__membership__user",
        "placement__department__client",
        "placement__function",
        "cao_version",
    ).prefetch_related(
        Prefetch(
            "days",
            queryset=WerkbriefDay.objects.order_by("date").prefetch_related(
                Prefetch("manual_hours", queryset=ManualHours.objects.select_related("hour_type"))
            ),
        ),
        Prefetch("expenses", queryset=Expense.objects.select_related("expense_type")),
        Prefetch("comments", queryset=WerkbriefComment.objects.select_related("author")),
        Prefetch("transitions", queryset=WerkbriefTransition.objects.select_related("actor")),
    )


def worker_status_overview(
    *, membership: Membership, today: dt.date, visible_days: int
) -> QuerySet[Werkbrief]:
    """The worker's "declaration status" list: everything open, and what was approved in the
    last ``visible_days`` days (28 in the manuals; an agency setting)."""
    since = today - dt.timedelta(days=visible_days)
    return (
        _base(membership)
        .filter(Q(approved_at__isnull=True) | Q(approved_at__date__gte=since))
        .filter(week_start__lte=today)
        .order_by("-week_start", "placement__department__client__name", "pk")
    )


@dataclass(frozen=True)
class WorkerHome:
    current: Werkbrief | None
    other_open: list[Werkbrief]


def worker_home(*, membership: Membership, today: dt.date) -> WorkerHome:
    """The werkbrief to fill (last week by default, as the manuals say) and the other open weeks."""
    open_sheets = list(
        _base(membership).filter(waiting_for_worker(), week_start__lte=today).order_by("week_start")
    )
    previous_week = deadlines.week_start_of(today) - dt.timedelta(days=7)
    current = next((w for w in open_sheets if w.week_start == previous_week), None)
    if current is None:
        rejected = [w for w in open_sheets if workflow.is_sent_back(state=w.status)]
        current = rejected[0] if rejected else (open_sheets[0] if open_sheets else None)
    return WorkerHome(current, [w for w in open_sheets if w != current])


# The client's pages list people by name; the pk makes the order total, so pages never skip
# or repeat a row.
BY_NAME = ("placement__worker__last_name", "placement__worker__first_name", "pk")


def _waiting_for_client_on(today: dt.date) -> Q:
    """What waits for the client: submitted ones, and the ones the client fills (weeks that
    have begun; next week's cannot be filled yet)."""
    return waiting_for_client() & Q(week_start__lte=today)


def client_awaiting(*, membership: Membership, today: dt.date) -> QuerySet[Werkbrief]:
    """Werkbriefjes that wait for this contact, oldest week first."""
    return _base(membership).filter(_waiting_for_client_on(today)).order_by("week_start", *BY_NAME)


@dataclass(frozen=True)
class WaitingWeek:
    week_start: dt.date
    submitted: int  # to approve
    to_fill: int  # the client fills these in itself


@dataclass(frozen=True)
class ClientDashboard:
    counts: dict[str, int]  # awaiting (submitted), rejected, approved, waiting (all of it)
    awaiting: list[Werkbrief]  # the first ones that wait, oldest week first
    weeks: list[WaitingWeek]  # what waits, per week (the oldest weeks)


def client_dashboard(
    *, membership: Membership, today: dt.date, rows: int, weeks: int = 12
) -> ClientDashboard:
    """The client's home page in three queries (after the contact's): the counts, the first
    ``rows`` werkbriefjes that wait, and what waits counted per week. It summarises instead
    of listing thousands, and reads only what is still on its way (not approved or approved
    and not yet closed), never the history of every week."""
    base = _client_base(membership)
    waiting = _waiting_for_client_on(today)
    # Submitted (waiting for approval), sent back, approved and not yet closed.
    submitted, approved = workflow.target("submit"), workflow.target("approve")
    sent_back = workflow.sent_back_states()
    counts = base.filter(Q(status__in=(submitted, *sent_back, approved)) | waiting).aggregate(
        awaiting=Count("pk", filter=Q(status=submitted)),
        rejected=Count("pk", filter=Q(status__in=sent_back)),
        approved=Count("pk", filter=Q(status=approved)),
        waiting=Count("pk", filter=waiting),
    )
    per_week = (
        base.filter(waiting)
        .order_by()
        .values("week_start")
        .annotate(
            submitted=Count("pk", filter=Q(status=submitted)),
            to_fill=Count("pk", filter=~Q(status=submitted)),
        )
        .order_by("week_start")[:weeks]
    )
    return ClientDashboard(
        counts=counts,
        awaiting=list(base.filter(waiting).order_by("week_start", *BY_NAME)[:rows]),
        weeks=[WaitingWeek(r["week_start"], r["submitted"], r["to_fill"]) for r in per_week],
    )


def client_week_page(
    *,
    membership: Membership,
    week_start: dt.date,
    status: str = "",
    waiting: bool = False,
    number: int | str | None,
    per_page: int,
) -> Page[Werkbrief]:
    """One page of the werkbriefjes of one week in the contact's departments, by the worker's
    name. The client's list shows one week at a time, so its cost follows the workers of a
    week, never the length of the history: the page's ids are sorted on the narrow rows, then
    only those werkbriefjes are read whole."""
    base = _client_base(membership)
    sheets = base.filter(week_start=week_start)
    if status:
        sheets = sheets.filter(status=status)
    if waiting:
        sheets = sheets.filter(waiting_for_client())
    page: Page[Any] = Paginator(
        sheets.order_by(*BY_NAME).values_list("pk", flat=True), per_page
    ).get_page(number)
    rows = base.in_bulk(list(page.object_list))
    page.object_list = [rows[pk] for pk in page.object_list]
    return page


def client_week_open(*, membership: Membership, week_start: dt.date) -> list[Werkbrief]:
    """The werkbriefjes of one week in the contact's departments that are not approved yet, each
    with ``waiting`` true where it waits for the client (the client's reminder lists them all and
    says per worker whether hours were entered)."""
    return list(
        _base(membership)
        .filter(week_start=week_start)
        .exclude(status__in=DONE)
        .annotate(waiting=ExpressionWrapper(waiting_for_client(), output_field=BooleanField()))
        .order_by("placement__worker__last_name", "placement__worker__first_name")
    )


def hour_types_for(*, agency_id: uuid.UUID) -> list[HourType]:
    return list(HourType.objects.filter(agency=agency_id, is_active=True))


def hour_type_names(*, agency_id: uuid.UUID, ids: Iterable[str]) -> dict[str, str]:
    """Hour type id (text) -> name, inactive ones too: for the history of the clock's buckets."""
    ids = [i for i in ids if _is_uuid(i)]
    if not ids:
        return {}
    rows = HourType.objects.filter(agency=agency_id, pk__in=ids).values_list("pk", "name")
    return {str(pk): name for pk, name in rows}


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


def werkbrief_saved_days(*, werkbrief: Werkbrief) -> dict[dt.date, DayInput]:
    """The stored hours of each day as the hours form gives typed ones, to compare them."""
    return saved_days(werkbrief=werkbrief)


def expense_types_for(*, agency_id: uuid.UUID) -> list[ExpenseType]:
    return list(ExpenseType.objects.filter(agency=agency_id, is_active=True))


def expense_get(*, membership: Membership, expense_id: uuid.UUID) -> Expense:
    """An expense (and so its receipt) only for who may see its werkbrief."""
    try:
        return Expense.objects.select_related("werkbrief__placement").get(
            pk=expense_id, werkbrief__in=_base(membership).values("pk")
        )
    except Expense.DoesNotExist:
        raise Http404 from None


def contact_may_approve(membership: Membership) -> bool:
    if membership.role != Role.CLIENT_CONTACT:
        return False
    return client_contact_for(membership=membership).can_approve_hours


__all__ = [
    "BY_NAME",
    "DONE",
    "OPEN_FOR_WORKER",
    "ClientDashboard",
    "WaitingWeek",
    "WorkerHome",
    "client_awaiting",
    "client_dashboard",
    "client_week_open",
    "client_week_page",
    "contact_may_approve",
    "departments_visible_to",
    "expense_get",
    "expense_types_for",
    "hour_type_names",
    "hour_types_for",
    "waiting_for_client",
    "waiting_for_worker",
    "werkbrief_get",
    "werkbrief_saved_days",
    "werkbrief_with_details",
    "werkbrieven_visible_to",
    "with_details",
    "worker_home",
    "worker_status_overview",
]
