"""Writes of werkbriefjes: the state machine, saving hours, unravelling, expenses, comments.

The rules of the state machine have one home: the table of timesheets.workflow. Every write
checks that the person may do it to this werkbrief (whatever the caller checked before: the
same visibility as the screens' accessors), locks the werkbrief row (select_for_update) and
checks the version the person saw, so two people acting at once never overwrite each other
silently: the second gets ConcurrentChange and the current state.
"""

import datetime as dt
import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.db.models.query import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from agencies.models import Agency, Role
from flexportal.formatting import money
from flexportal.uploads import CheckedFile
from staffing.models import Placement, TimeEntry
from staffing.selectors import client_contact_for, departments_visible_to, placements_visible_to
from timesheets import deadlines, mail_events, workflow
from timesheets.choices import Absence
from timesheets.display import same_day
from timesheets.hours import MAX_DAY_MINUTES, minute_of_day, time_of_day
from timesheets.models import (
    CaoScheme,
    CaoSchemeVersion,
    CorrectionRequest,
    Expense,
    ExpenseType,
    HourType,
    ManualHours,
    Werkbrief,
    WerkbriefChange,
    WerkbriefComment,
    WerkbriefDay,
    WerkbriefTransition,
)
from timesheets.unravel import Explanation, Scheme, SchemeInvalid, explain, load_scheme

# Errors ------------------------------------------------------------------------------------------


class WerkbriefError(Exception):
    """A refused action; ``message`` is translated and fit to show on the page."""

    def __init__(self, message: str | Promise, *, werkbrief: Werkbrief | None = None):
        super().__init__(str(message))
        self.message = message
        self.werkbrief = werkbrief


class TransitionNotAllowed(WerkbriefError):
    pass


class NoAccess(TransitionNotAllowed, PermissionDenied):
    """The person may not do this to this werkbrief at all: another agency's, outside their
    view, or not their role's. The screens never get here (their accessors 404 first); a
    caller that skipped them gets a PermissionDenied (and, for the transitions' callers, still
    a refused action)."""

    def __init__(self) -> None:
        super().__init__(_("This page does not exist, or you have no access to it."))


class ConcurrentChange(WerkbriefError):
    """Someone else changed the werkbrief since the page was loaded; ``werkbrief`` is current."""

    werkbrief: Werkbrief  # always given


class HoursInvalid(WerkbriefError):
    """Typed hours that do not add up; ``errors`` maps (date or None, field) to messages."""

    def __init__(self, errors: dict[tuple[dt.date | None, str], list]):
        super().__init__(_("Some hours are not right; see the marked fields."))
        self.errors = errors


# The state machine -------------------------------------------------------------------------------
# The rules are the table of timesheets.workflow; here they meet the people and the rows.

Transition = workflow.Transition
TRANSITIONS: dict[str, Transition] = workflow.TRANSITIONS

ACTION_LABELS = {
    "submit": _("submit"),
    "approve": _("approve"),
    "reject": _("reject"),
    "close": _("close"),
    "process": _("mark as processed"),
}

# The workflow's actor for each role of a membership.
ACTOR_OF_ROLE = {
    Role.FLEXWORKER: workflow.WORKER,
    Role.CLIENT_CONTACT: workflow.CLIENT,
    Role.STAFF: workflow.BACK_OFFICE,
}


def actor_of(*, membership: Membership) -> str:
    return ACTOR_OF_ROLE[Role(membership.role)]


def _mode(werkbrief: Werkbrief) -> str:
    return werkbrief.placement.hours_entered_by


def _may_act_for_placement(membership: Membership, placement: Placement) -> bool:
    """Whether this person may act on this placement's werkbriefjes at all."""
    if membership.agency_id != placement.agency_id or not membership.is_active:
        return False
    if membership.role == Role.STAFF:
        return True
    if membership.role == Role.FLEXWORKER:
        return placement.worker.membership_id == membership.pk
    contact = client_contact_for(membership=membership)
    return (
        contact.can_approve_hours
        and departments_visible_to(contact=contact).filter(pk=placement.department_id).exists()
    )


def _may_see(membership: Membership, werkbrief: Werkbrief) -> bool:
    """Whether this person sees this werkbrief: the rule of the screens' accessor
    (timesheets.selectors.werkbrief_get, through accounts.selectors.placements_visible_to)."""
    if membership.agency_id != werkbrief.agency_id or not membership.is_active:
        return False
    try:
        visible = placements_visible_to(membership=membership)
    except Http404:  # a contact without its contact row
        return False
    return visible.filter(pk=werkbrief.placement_id).exists()


def _check_sees(wb: Werkbrief, membership: Membership) -> None:
    if not _may_see(membership, wb):
        raise NoAccess()


def _may_act_on(wb: Werkbrief, membership: Membership) -> bool:
    """For the writes: whether this person may act on the (locked) werkbrief. NoAccess when
    they do not even see it; False when they see it but may not act on it (a contact who may
    not approve hours), which the services refuse as before, with the state in words."""
    if _may_act_for_placement(membership, wb.placement):
        return True
    _check_sees(wb, membership)
    return False


def allowed_actions(
    *, werkbrief: Werkbrief, membership: Membership, may_act: bool | None = None
) -> list[str]:
    """The transitions this person may do now; the screens show exactly these buttons."""
    if may_act is None:
        may_act = _may_act_for_placement(membership, werkbrief.placement)
    if not may_act:
        return []
    return workflow.actions(
        actor=actor_of(membership=membership), state=werkbrief.status, mode=_mode(werkbrief)
    )


def can_edit_hours(
    *, werkbrief: Werkbrief, membership: Membership, may_act: bool | None = None
) -> bool:
    """Who may change hours in which state (DOMAIN.md, weekly cycle steps 2, 6, 7)."""
    if may_act is None:
        may_act = _may_act_for_placement(membership, werkbrief.placement)
    if not may_act:
        return False
    return workflow.may_edit_hours(
        actor=actor_of(membership=membership), state=werkbrief.status, mode=_mode(werkbrief)
    )


def _lock(werkbrief: Werkbrief, version: int | None) -> Werkbrief:
    current = (
        Werkbrief.objects.select_for_update(of=("self",))
        .select_related("placement__worker", "placement__department", "placement__cao_scheme")
        .get(pk=werkbrief.pk)
    )
    if version is not None and current.version != version:
        raise ConcurrentChange(
            _(
                "Someone else changed this werkbrief a moment ago. Here is its current state; "
                "check it and try again."
            ),
            werkbrief=current,
        )
    return current


@transaction.atomic
def werkbrief_transition(
    *,
    werkbrief: Werkbrief,
    membership: Membership,
    action: str,
    version: int | None,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Werkbrief:
    """Move a werkbrief along the state machine, recording who, when, from, to and why."""
    now = now or timezone.now()
    transition = TRANSITIONS.get(action)
    if transition is None:
        raise TransitionNotAllowed(_("Unknown action."))
    wb = _lock(werkbrief, version)
    if action not in allowed_actions(
        werkbrief=wb, membership=membership, may_act=_may_act_on(wb, membership)
    ):
        raise TransitionNotAllowed(_refusal(wb, action), werkbrief=wb)
    comment = (comment or "").strip()
    if transition.needs_comment and not comment:
        raise TransitionNotAllowed(
            _("Say why you reject it, so the worker knows what to fix."), werkbrief=wb
        )
    if action in ("submit", "approve"):
        _check_complete(wb)
    source = wb.status
    wb.status = transition.target
    if action == "submit":
        wb.submitted_at = now
        wb.rejection_reason = ""
    elif action == "approve":
        wb.approved_at = now
        wb.payroll_week = deadlines.payroll_week_for(wb.placement.agency, wb.week_start, now)
    elif action == "reject":
        wb.rejection_reason = comment
    wb.version += 1
    wb.save()
    WerkbriefTransition.objects.create(
        agency_id=wb.agency_id,
        werkbrief=wb,
        from_status=source,
        to_status=wb.status,
        actor=membership.user,
        at=now,
        comment=comment,
    )
    _notify(wb, action, now)
    return wb


def werkbrief_submit(
    *,
    werkbrief: Werkbrief,
    membership: Membership,
    version: int | None,
    now: dt.datetime | None = None,
) -> Werkbrief:
    return werkbrief_transition(
        werkbrief=werkbrief, membership=membership, action="submit", version=version, now=now
    )


def werkbrief_approve(
    *,
    werkbrief: Werkbrief,
    membership: Membership,
    version: int | None,
    now: dt.datetime | None = None,
) -> Werkbrief:
    return werkbrief_transition(
        werkbrief=werkbrief, membership=membership, action="approve", version=version, now=now
    )


def werkbrief_reject(
    *,
    werkbrief: Werkbrief,
    membership: Membership,
    version: int | None,
    reason: str,
    now: dt.datetime | None = None,
) -> Werkbrief:
    return werkbrief_transition(
        werkbrief=werkbrief,
        membership=membership,
        action="reject",
        version=version,
        comment=reason,
        now=now,
    )


# The actions the back office does on many werkbriefjes at once. They depend on the status only
# (no completeness check, no comment, no per-contact rights), so a selection of any size is
# checked in memory and written with a fixed number of queries.
BULK_ACTIONS = frozenset({"close", "process"})


@transaction.atomic
def werkbrieven_bulk_transition(
    *,
    werkbrief_ids: Iterable[Any],
    membership: Membership,
    action: str,
    now: dt.datetime | None = None,
) -> tuple[int, list[tuple[Werkbrief, str]]]:
    """The back office's bulk actions (close, process) through the one state machine, in five
    queries whatever the selection: lock the rows, move them in one UPDATE (version bumped),
    record every transition in one INSERT, reserve their mails in bulk (one more query loads
    the refused ones, if any). Returns how many moved and which were refused, with why."""
    now = now or timezone.now()
    transition = TRANSITIONS.get(action)
    if transition is None or action not in BULK_ACTIONS:
        raise TransitionNotAllowed(_("Unknown action."))
    if not isinstance(werkbrief_ids, models.QuerySet):
        werkbrief_ids = list(werkbrief_ids)
    # Ids and statuses only: thousands of rows stay cheap. The agency's own rows only, locked
    # in one order, so two bulk actions at once never deadlock.
    rows = list(
        Werkbrief.objects.select_for_update()
        .filter(agency=membership.agency_id, pk__in=werkbrief_ids)
        .order_by("pk")
        .values_list("pk", "status", "agency_id")
    )
    # What allowed_actions() asks of one werkbrief, for a bulk action: the role, and the
    # status (these actions do not depend on the placement nor on who enters the hours).
    sources = workflow.bulk_sources(action=action, actor=actor_of(membership=membership))
    moving = [row for row in rows if membership.is_active and row[1] in sources]
    refused_ids = {row[0] for row in rows} - {row[0] for row in moving}
    refused = []
    if refused_ids:
        refused = [
            (wb, _refusal(wb, action))
            for wb in Werkbrief.objects.filter(pk__in=refused_ids)
            .select_related("placement__worker")
            .order_by("week_start", "placement__worker__last_name")
        ]
    if not moving:
        return 0, refused
    moved_ids = [pk for pk, _status, _agency in moving]
    Werkbrief.objects.filter(pk__in=moved_ids).update(
        status=transition.target, version=models.F("version") + 1, updated_at=now
    )
    WerkbriefTransition.objects.bulk_create(
        [
            WerkbriefTransition(
                agency_id=agency_id,
                werkbrief_id=pk,
                from_status=status,
                to_status=transition.target,
                actor_id=membership.user_id,
                at=now,
            )
            for pk, status, agency_id in moving
        ]
    )
    _notify_many(moved_ids, action, now)
    return len(moving), refused


def _refusal(wb: Werkbrief, action: str) -> str:
    return _("You cannot %(action)s this werkbrief: it is %(status)s.") % {
        "action": ACTION_LABELS[action],
        "status": wb.get_status_display().lower(),
    }


def _check_complete(wb: Werkbrief) -> None:
    if wb.unravel_error:
        raise TransitionNotAllowed(
            _("The hours cannot be calculated (%(code)s); correct them first.")
            % {"code": wb.unravel_error},
            werkbrief=wb,
        )
    has_any = wb.days.filter(worked_minutes__gt=0).exists() or wb.days.exclude(absence="").exists()
    if not has_any:
        raise TransitionNotAllowed(
            _("Enter hours or an absence for at least one day first."), werkbrief=wb
        )


def _notify(wb: Werkbrief, action: str, now: dt.datetime) -> None:
    """The mails of the transition go into the mail log in this transaction (see
    timesheets.mail_events) and are delivered after the commit."""
    mail_events.werkbrief_transitioned(werkbrief=wb, action=action, now=now)


def _notify_many(werkbrief_ids: list, action: str, now: dt.datetime) -> None:
    """The same for a bulk action: the rows of all its mails reserved at once."""
    mail_events.werkbrieven_transitioned(werkbrief_ids=werkbrief_ids, action=action, now=now)


# Making werkbriefjes -----------------------------------------------------------------------------


def _weeks(first: dt.date, last: dt.date) -> list[dt.date]:
    week = deadlines.week_start_of(first)
    weeks = []
    while week <= last:
        weeks.append(week)
        week += dt.timedelta(days=7)
    return weeks


def _days_in_placement(placement: Placement, week_start: dt.date) -> list[dt.date]:
    return [
        week_start + dt.timedelta(days=i)
        for i in range(7)
        if placement.is_active_on(week_start + dt.timedelta(days=i))
    ]


@transaction.atomic
def werkbrief_ensure(
    *, placement: Placement, week_start: dt.date, by_hand: bool = False
) -> Werkbrief:
    """The werkbrief of this placement and week, made when missing ("on demand")."""
    if week_start.weekday() != 0:
        raise ValueError("week_start must be a Monday")
    dates = _days_in_placement(placement, week_start)
    if not dates:
        raise WerkbriefError(_("The placement does not run in that week."))
    wb, created = Werkbrief.objects.get_or_create(
        agency_id=placement.agency_id,
        placement=placement,
        week_start=week_start,
        defaults={"created_by_hand": by_hand},
    )
    if created:
        WerkbriefDay.objects.bulk_create(
            [WerkbriefDay(agency_id=placement.agency_id, werkbrief=wb, date=d) for d in dates]
        )
    return wb


def werkbrief_add_check(*, placement: Placement, day: dt.date) -> dt.date:
    """Whether a werkbrief may be made by hand for the week of ``day``: the placement runs in
    that week and has no werkbrief for it yet. Returns the week's Monday; raises
    WerkbriefError with the reason otherwise."""
    week_start = deadlines.week_start_of(day)
    if not _days_in_placement(placement, week_start):
        raise WerkbriefError(_("The placement does not run in that week."))
    if Werkbrief.objects.filter(placement=placement, week_start=week_start).exists():
        raise WerkbriefError(_("This placement has a werkbrief for that week."))
    return week_start


@transaction.atomic
def werkbrief_add(*, placement: Placement, day: dt.date) -> Werkbrief:
    """A werkbrief made by hand (the back office) for the week of ``day``, with its days."""
    week_start = werkbrief_add_check(placement=placement, day=day)
    return werkbrief_ensure(placement=placement, week_start=week_start, by_hand=True)


def werkbrieven_generate(
    *, agency: Agency, today: dt.date, weeks_back: int = 4, weeks_ahead: int = 1
) -> int:
    """Make the werkbriefjes of every running placement from ``weeks_back`` weeks ago up to
    ``weeks_ahead`` weeks ahead, in bulk. Idempotent; returns how many were made."""
    first = deadlines.week_start_of(today) - dt.timedelta(weeks=weeks_back)
    last = deadlines.week_start_of(today) + dt.timedelta(weeks=weeks_ahead)
    placements = Placement.objects.filter(agency=agency, start_date__lte=last + dt.timedelta(6))
    placements = placements.exclude(end_date__lt=first)
    existing = set(
        Werkbrief.objects.filter(
            agency=agency, week_start__gte=first, week_start__lte=last
        ).values_list("placement_id", "week_start")
    )
    new_sheets, new_days = [], []
    for placement in placements:
        for week in _weeks(max(first, placement.start_date), last):
            if (placement.pk, week) in existing:
                continue
            dates = _days_in_placement(placement, week)
            if not dates:
                continue
            wb = Werkbrief(agency_id=agency.pk, placement=placement, week_start=week)
            new_sheets.append(wb)
            new_days += [WerkbriefDay(agency_id=agency.pk, werkbrief=wb, date=d) for d in dates]
    with transaction.atomic():
        Werkbrief.objects.bulk_create(new_sheets, batch_size=1000)
        WerkbriefDay.objects.bulk_create(new_days, batch_size=5000)
    return len(new_sheets)


# Saving hours ------------------------------------------------------------------------------------


@dataclass
class DayInput:
    """One day as typed, already parsed to minutes by the form (timesheets.hours)."""

    date: dt.date
    start: int | None = None  # minute of the day
    end: int | None = None  # minute of the day; at or before start means the next day
    break_minutes: int = 0
    total: int | None = None  # used when the placement enters a total per day
    absence: str = Absence.NONE
    absence_minutes: int = 0
    note: str = ""
    manual: dict = field(default_factory=dict)  # HourType pk -> minutes


def _real_minutes(tz: dt.tzinfo, date: dt.date, start: int, end: int) -> int | None:
    """Real minutes from start to end local time (DST-aware); None if a time does not exist."""
    end_date = date if end > start else date + dt.timedelta(days=1)
    a = _aware(tz, date, start)
    b = _aware(tz, end_date, end)
    if a is None or b is None:
        return None
    # Subtracting two datetimes of the same zone ignores the offsets: go through UTC.
    return int((b.astimezone(dt.UTC) - a.astimezone(dt.UTC)).total_seconds() // 60)


def _aware(tz: dt.tzinfo, date: dt.date, minute: int) -> dt.datetime | None:
    if minute == MAX_DAY_MINUTES:
        date, minute = date + dt.timedelta(days=1), 0
    naive = dt.datetime.combine(date, dt.time(minute // 60, minute % 60))
    local = naive.replace(tzinfo=tz)
    # A wall time inside the spring-forward gap does not survive a round trip through UTC.
    if local.astimezone(dt.UTC).astimezone(tz).replace(tzinfo=None) != naive:
        return None
    return local


def _validate(wb: Werkbrief, days: list[DayInput]) -> dict[tuple, list]:
    errors: dict[tuple, list] = {}

    def err(date: dt.date | None, name: str, message: str | Promise) -> None:
        errors.setdefault((date, name), []).append(message)

    own_dates = {d.date for d in wb.days.all()}
    tz = wb.placement.agency.tzinfo
    times = wb.placement.time_entry == TimeEntry.TIMES
    hour_types = {h.pk: h for h in HourType.objects.filter(agency=wb.agency_id, is_active=True)}
    for day in days:
        if day.date not in own_dates:
            err(None, "__all__", _("%(date)s is not a day of this werkbrief.") % {"date": day.date})
            continue
        worked = 0
        if times:
            if (day.start is None) != (day.end is None):
                name = "end" if day.end is None else "start"
                err(day.date, name, _("Enter both the start and the end time."))
            elif day.start is not None and day.end is not None:  # both given (checked above)
                length = _real_minutes(tz, day.date, day.start, day.end)
                if length is None:
                    err(day.date, "start", _("This time does not exist that day (clock change)."))
                elif day.start == day.end:
                    err(day.date, "end", _("The end time equals the start time."))
                elif day.break_minutes > length:
                    err(day.date, "break_minutes", _("The break is longer than the shift."))
                else:
                    worked = length - day.break_minutes
            elif day.break_minutes:
                err(day.date, "break_minutes", _("A break needs a start and end time."))
        else:
            worked = day.total or 0
        if worked > MAX_DAY_MINUTES:
            err(day.date, "total", _("A day has at most 24 hours."))
        if day.absence and day.absence not in Absence.values:
            err(day.date, "absence", _("Choose an absence from the list."))
        if worked + day.absence_minutes > MAX_DAY_MINUTES:
            err(day.date, "absence_minutes", _("Worked and absent hours exceed 24 hours."))
        if day.absence_minutes and not day.absence:
            err(day.date, "absence", _("Say what kind of absence these hours are."))
        _validate_manual(day, worked, hour_types, err)
        day.manual = {k: v for k, v in day.manual.items() if v}
        day._worked = worked  # type: ignore[attr-defined]
    return errors


def _validate_manual(
    day: DayInput,
    worked: int,
    hour_types: dict,
    err: Callable[[dt.date | None, str, str | Promise], None],
) -> None:
    """The clock's buckets are parts of the hours worked that day: the hour types paid instead
    of normal hours together at most the hours worked, each supplement at most the hours
    worked too. The message names the buckets as the agency calls them."""
    from timesheets.hours import format_minutes

    instead = []
    for type_id, minutes in day.manual.items():
        hour_type = hour_types.get(type_id)
        if hour_type is None:
            err(day.date, "manual", _("Unknown hour type."))
        elif hour_type.kind == HourType.Kind.HOURS:
            if minutes:
                instead.append(hour_type)
        elif minutes > worked:
            err(
                day.date,
                f"manual:{type_id}",
                _("%(type)s cannot be more than the %(worked)s hours worked that day.")
                % {"type": hour_type.name, "worked": format_minutes(worked)},
            )
    if sum(day.manual[t.pk] for t in instead) > worked:
        if len(instead) == 1:
            message = _("%(type)s cannot be more than the %(worked)s hours worked that day.") % {
                "type": instead[0].name,
                "worked": format_minutes(worked),
            }
        else:
            message = _(
                "%(types)s together cannot be more than the %(worked)s hours worked that day."
            ) % {"types": " + ".join(t.name for t in instead), "worked": format_minutes(worked)}
        err(day.date, f"manual:{instead[0].pk}", message)


def _describe(day: WerkbriefDay, manual: dict) -> dict[str, str]:
    from timesheets.hours import format_clock, format_minutes

    return {
        "start": format_clock(minute_of_day(day.start)),
        "end": format_clock(minute_of_day(day.end)),
        "break_minutes": str(day.break_minutes),
        "worked_minutes": format_minutes(day.worked_minutes),
        "absence": day.absence,
        "absence_minutes": format_minutes(day.absence_minutes),
        "note": day.note,
        **{f"manual:{k}": format_minutes(v) for k, v in sorted(manual.items())},
    }


@transaction.atomic
def werkbrief_save_hours(
    *,
    werkbrief: Werkbrief,
    membership: Membership,
    version: int | None,
    days: list[DayInput],
    reason: str = "",
    now: dt.datetime | None = None,
) -> Werkbrief:
    """Save typed hours ("Opslaan"): all days or nothing, recalculated, changes recorded.

    Hours typed against an older version that equal what is saved now are a second click on
    the same button (or the same correction twice): nothing changed, and the werkbrief comes
    back as it is instead of a ConcurrentChange."""
    now = now or timezone.now()
    try:
        wb = _lock(werkbrief, version)
    except ConcurrentChange as change:
        if _same_as_saved(change.werkbrief, days):
            return change.werkbrief
        raise
    if not can_edit_hours(werkbrief=wb, membership=membership, may_act=_may_act_on(wb, membership)):
        raise TransitionNotAllowed(
            _("You cannot change the hours of this werkbrief: it is %(status)s.")
            % {"status": wb.get_status_display().lower()},
            werkbrief=wb,
        )
    if membership.role == Role.STAFF and not reason.strip():
        raise HoursInvalid({(None, "reason"): [_("Give a reason for the correction.")]})
    errors = _validate(wb, days)
    if errors:
        raise HoursInvalid(errors)
    stored = {d.date: d for d in wb.days.prefetch_related("manual_hours")}
    record = _records_changes(wb, membership)
    payroll_week = (
        deadlines.correction_payroll_week(wb.placement.agency, wb, now)
        if workflow.correction_paid_later(state=wb.status)
        else None
    )
    changes, manual_rows, touched = [], [], []
    for day in days:
        row = stored[day.date]
        old_manual = {m.hour_type_id: m.minutes for m in row.manual_hours.all()}
        before = _describe(row, old_manual)
        times = wb.placement.time_entry == TimeEntry.TIMES
        row.start = time_of_day(day.start) if times else None
        row.end = time_of_day(day.end) if times else None
        row.break_minutes = day.break_minutes if times else 0
        row.worked_minutes = day._worked  # type: ignore[attr-defined]
        row.absence = day.absence
        row.absence_minutes = day.absence_minutes
        row.note = day.note.strip()
        after = _describe(row, day.manual)
        touched.append(row)
        manual_rows += [
            ManualHours(agency_id=wb.agency_id, day=row, hour_type_id=k, minutes=v)
            for k, v in day.manual.items()
        ]
        if record:
            changes += [
                WerkbriefChange(
                    agency_id=wb.agency_id,
                    werkbrief=wb,
                    date=day.date,
                    field=name,
                    before=before.get(name, ""),
                    after=value,
                    actor=membership.user,
                    at=now,
                    reason=reason.strip(),
                    payroll_week=payroll_week,
                )
                for name, value in after.items()
                if before.get(name, "") != value
            ] + [
                WerkbriefChange(
                    agency_id=wb.agency_id,
                    werkbrief=wb,
                    date=day.date,
                    field=name,
                    before=value,
                    after="",
                    actor=membership.user,
                    at=now,
                    reason=reason.strip(),
                    payroll_week=payroll_week,
                )
                for name, value in before.items()
                if name not in after and value
            ]
    WerkbriefDay.objects.bulk_update(
        touched,
        ["start", "end", "break_minutes", "worked_minutes", "absence", "absence_minutes", "note"],
    )
    ManualHours.objects.filter(day__in=touched).delete()
    ManualHours.objects.bulk_create(manual_rows)
    WerkbriefChange.objects.bulk_create(changes)
    _recalculate(wb)
    wb.version += 1
    wb.save()
    if membership.role == Role.STAFF and changes:
        _corrections_close(wb, membership, now)
    return wb


def saved_days(*, werkbrief: Werkbrief) -> dict[dt.date, DayInput]:
    """The stored hours of each day as the hours form gives typed ones, to compare them."""
    times = werkbrief.placement.time_entry == TimeEntry.TIMES
    return {
        d.date: DayInput(
            date=d.date,
            start=minute_of_day(d.start),
            end=minute_of_day(d.end),
            break_minutes=d.break_minutes,
            total=None if times else d.worked_minutes,
            absence=d.absence,
            absence_minutes=d.absence_minutes,
            note=d.note,
            manual={m.hour_type_id: m.minutes for m in d.manual_hours.all() if m.minutes},
        )
        for d in werkbrief.days.prefetch_related("manual_hours")
    }


def _same_as_saved(werkbrief: Werkbrief, days: list[DayInput]) -> bool:
    """Whether typed hours equal what is stored: a second click on the same button."""
    saved = saved_days(werkbrief=werkbrief)
    return all(d.date in saved and same_day(saved[d.date], d) for d in days)


def _corrections_close(wb: Werkbrief, membership: Membership, now: dt.datetime) -> None:
    """A correction by the back office answers the werkbrief's open correction requests: they
    are handled by it, and whoever asked hears what changed (a mail reserved in the mail log in
    this transaction, timesheets.mail_events)."""
    open_requests = CorrectionRequest.objects.filter(
        werkbrief=wb, state=CorrectionRequest.State.OPEN
    )
    ids = list(open_requests.values_list("pk", flat=True))
    if not ids:
        return
    correction_requests_handle(
        requests=CorrectionRequest.objects.filter(pk__in=ids), membership=membership, now=now
    )
    mail_events.werkbrief_corrected(werkbrief=wb, correction_ids=ids, now=now)


# Unravelling -------------------------------------------------------------------------------------


def scheme_version_for(*, placement: Placement, week_start: dt.date) -> CaoSchemeVersion | None:
    """The version of the placement's scheme valid in that week (FORMAT.md, last section)."""
    if placement.cao_scheme_id is None:
        return None
    return (
        CaoSchemeVersion.objects.filter(
            scheme_id=placement.cao_scheme_id, valid_from__lte=week_start + dt.timedelta(days=6)
        )
        .order_by("-valid_from")
        .first()
    )


@functools.lru_cache(maxsize=256)
def _loaded_scheme(version_pk: Any, updated_at: dt.datetime, document_json: str) -> Scheme:
    import json

    return load_scheme(json.loads(document_json))


def shifts_input(*, werkbrief: Werkbrief, days: Iterable[WerkbriefDay]) -> dict:
    placement = werkbrief.placement
    contract_minutes = placement.contract_minutes_per_week
    return {
        "worker": {
            "contract": {
                # FORMAT.md wants hours per week; the contract is kept in exact minutes.
                "hours_per_week": None if contract_minutes is None else contract_minutes / 60,
                "fixed_times": placement.fixed_times,
            }
        },
        "shifts": [
            {
                "date": d.date.isoformat(),
                "start": d.start.strftime("%H:%M"),
                "end": d.end.strftime("%H:%M"),
                "break_minutes": d.break_minutes,
            }
            for d in days
            if d.start is not None and d.end is not None
        ],
    }


def werkbrief_explain(
    *, werkbrief: Werkbrief, days: list[WerkbriefDay] | None = None
) -> Explanation | None:
    """The engine's explanation of the week (None without a scheme); for the screens."""
    wb = werkbrief
    version = scheme_version_for(placement=wb.placement, week_start=wb.week_start)
    if version is None:
        return None
    import json

    scheme = _loaded_scheme(
        version.pk, version.updated_at, json.dumps(version.document, sort_keys=True)
    )
    days = list(wb.days.all()) if days is None else days
    return explain(scheme, shifts_input(werkbrief=wb, days=days))


@dataclass
class _Entry:
    """A day as the bucket computation needs it, from stored rows or typed input alike."""

    date: dt.date
    start: dt.time | None
    end: dt.time | None
    break_minutes: int
    worked: int
    manual: dict  # HourType -> minutes


@dataclass
class _Computation:
    version: CaoSchemeVersion | None
    week: dict[str, int]
    per_day: dict[dt.date, dict[str, int]]
    worked_per_day: dict[dt.date, int]
    explanation: Explanation | None = None
    error: str = ""
    warnings: tuple = ()


def _compute(wb: Werkbrief, entries: list[_Entry]) -> _Computation:
    """The buckets of a week: unravelled under the placement's CAO scheme, or the hand-entered
    hours on top of normal ones. Under a scheme the worked minutes are the engine's (after an
    Arbeidstijdenwet top-up of the break), so hours and buckets always add up."""
    version = scheme_version_for(placement=wb.placement, week_start=wb.week_start)
    result = _Computation(version, {}, {}, {e.date: e.worked for e in entries})
    if version is not None:
        rows = [
            WerkbriefDay(date=e.date, start=e.start, end=e.end, break_minutes=e.break_minutes)
            for e in entries
        ]
        try:
            explanation = werkbrief_explain(werkbrief=wb, days=rows)
        except SchemeInvalid:
            result.error = "SCHEME_INVALID"
            return result
        assert explanation is not None  # the week has a scheme version (above)
        result.explanation = explanation
        outcome = explanation.result
        result.error = outcome["error"] or ""
        result.warnings = tuple(outcome["warnings"])
        result.week = dict(outcome["buckets"])
        if not result.error:
            for entry in entries:
                if entry.start is not None:
                    result.worked_per_day[entry.date] = 0
        for shift in explanation.shifts:
            day = dt.date.fromisoformat(shift.date)
            bucket = result.per_day.setdefault(day, {})
            for name, minutes in shift.buckets.items():
                bucket[name] = bucket.get(name, 0) + minutes
            result.worked_per_day[day] = result.worked_per_day.get(day, 0) + shift.worked_minutes
        return result
    for entry in entries:
        extra = sum(m for t, m in entry.manual.items() if t.kind == HourType.Kind.HOURS)
        bucket = {"normal": entry.worked - extra} | {t.code: m for t, m in entry.manual.items()}
        result.per_day[entry.date] = {k: v for k, v in bucket.items() if v}
        for name, minutes in result.per_day[entry.date].items():
            result.week[name] = result.week.get(name, 0) + minutes
    return result


def _recalculate(wb: Werkbrief) -> None:
    """Fill the day and week buckets of the stored hours."""
    days = list(wb.days.prefetch_related("manual_hours__hour_type"))
    entries = [
        _Entry(
            d.date,
            d.start,
            d.end,
            d.break_minutes,
            d.worked_minutes,
            {m.hour_type: m.minutes for m in d.manual_hours.all()},
        )
        for d in days
    ]
    computed = _compute(wb, entries)
    for d in days:
        d.buckets = computed.per_day.get(d.date, {})
        d.worked_minutes = computed.worked_per_day.get(d.date, d.worked_minutes)
    WerkbriefDay.objects.bulk_update(days, ["buckets", "worked_minutes"])
    wb.cao_version = computed.version
    wb.buckets = computed.week
    wb.unravel_error = computed.error
    wb.unravel_warnings = list(computed.warnings)
    wb.worked_minutes = sum(d.worked_minutes for d in days)


@dataclass(frozen=True)
class HoursPreview:
    """What saving typed hours would give (werkbrief_preview); nothing is written."""

    worked_minutes: int
    buckets: dict[str, int]  # the week
    day_buckets: dict[dt.date, dict[str, int]]
    explanation: Explanation | None  # under a CAO scheme
    cao_version: CaoSchemeVersion | None
    unravel_error: str
    errors: dict[tuple, list]  # as HoursInvalid would carry them


def werkbrief_preview(*, werkbrief: Werkbrief, days: list[DayInput]) -> HoursPreview:
    """Unravel typed hours in memory, for the screens' preview while typing (FORMAT.md, "What
    the portal shows"). A day with an error counts as empty. Reads only; never saves."""
    errors = _validate(werkbrief, days)
    bad = {date for date, _name in errors}
    good = [d for d in days if d.date not in bad and hasattr(d, "_worked")]
    times = werkbrief.placement.time_entry == TimeEntry.TIMES
    type_ids = {pk for d in good for pk in d.manual}
    hour_types = {
        h.pk: h for h in HourType.objects.filter(agency=werkbrief.agency_id, pk__in=type_ids)
    }
    entries = [
        _Entry(
            d.date,
            time_of_day(d.start) if times else None,
            time_of_day(d.end) if times else None,
            d.break_minutes if times else 0,
            d._worked,  # set by _validate; hasattr() above narrows it
            {hour_types[pk]: m for pk, m in d.manual.items()},
        )
        for d in good
    ]
    computed = _compute(werkbrief, entries)
    return HoursPreview(
        worked_minutes=sum(computed.worked_per_day.values()),
        buckets=computed.week,
        day_buckets=computed.per_day,
        explanation=computed.explanation,
        cao_version=computed.version,
        unravel_error=computed.error,
        errors=errors,
    )


# Expenses, comments, corrections ----------------------------------------------------------------


@transaction.atomic
def expense_add(
    *,
    werkbrief: Werkbrief,
    membership: Membership,
    version: int | None,
    expense_type: ExpenseType,
    date: dt.date,
    amount: Decimal | None,
    kilometres: int | None,
    description: str,
    receipt: CheckedFile | None = None,
) -> Expense:
    wb = _lock(werkbrief, version)
    if not can_edit_hours(werkbrief=wb, membership=membership, may_act=_may_act_on(wb, membership)):
        raise TransitionNotAllowed(_("Expenses can no longer be added to this werkbrief."))
    if expense_type.kind == ExpenseType.Kind.KILOMETRES:
        # A kilometre type always has a rate (ExpenseType.clean).
        rate: Decimal = expense_type.rate  # type: ignore[assignment]
        amount = (Decimal(kilometres or 0) * rate).quantize(Decimal("0.01"))
    expense = Expense(
        agency_id=wb.agency_id,
        werkbrief=wb,
        expense_type=expense_type,
        date=date,
        amount=amount,  # type: ignore[misc]  # the form requires an amount for an amount type
        kilometres=kilometres,
        description=description.strip(),
    )
    if receipt is not None:  # checked by uploads.DOCUMENT in the form
        expense.receipt.save(receipt.storage_name("receipt"), receipt.file, save=False)
        expense.receipt_content_type = receipt.kind.content_type
        expense.receipt_name = receipt.uploaded_name
    expense.save()
    if _records_changes(wb, membership):
        _record_expense(wb, membership, expense, before="", after=_describe_expense(expense))
    wb.version += 1
    wb.save(update_fields=["version", "updated_at"])
    return expense


@transaction.atomic
def expense_remove(*, expense: Expense, membership: Membership, version: int | None) -> Werkbrief:
    """Remove an expense and its receipt; always recorded in the history, whoever removes it
    and whenever, since the receipt is gone with it. Returns the werkbrief as it is now."""
    wb = _lock(expense.werkbrief, version)
    if not can_edit_hours(werkbrief=wb, membership=membership, may_act=_may_act_on(wb, membership)):
        raise TransitionNotAllowed(_("Expenses of this werkbrief can no longer be changed."))
    _record_expense(wb, membership, expense, before=_describe_expense(expense), after="")
    if expense.receipt:
        # The file goes only once the row is gone for good.
        receipt = expense.receipt
        transaction.on_commit(lambda: receipt.delete(save=False))
    expense.delete()
    wb.version += 1
    wb.save(update_fields=["version", "updated_at"])
    return wb


def _records_changes(wb: Werkbrief, membership: Membership) -> bool:
    """Whether a change is recorded: after submission, or by anyone but the worker (the
    worker's own drafts are not history)."""
    return wb.submitted_at is not None or membership.role != Role.FLEXWORKER


def _describe_expense(expense: Expense) -> str:
    """An expense as the history shows it (type, amount, kilometres, receipt, description)."""
    parts = [expense.expense_type.name, money(expense.amount)]
    if expense.kilometres:
        parts.append(f"{expense.kilometres} km")
    if expense.receipt_name:
        parts.append(expense.receipt_name)
    if expense.description:
        parts.append(expense.description)
    return " · ".join(parts)[:200]


def _record_expense(
    wb: Werkbrief, membership: Membership, expense: Expense, *, before: str, after: str
) -> None:
    WerkbriefChange.objects.create(
        agency_id=wb.agency_id,
        werkbrief=wb,
        date=expense.date,
        field="expense",
        before=before,
        after=after,
        actor=membership.user,
        at=timezone.now(),
    )


@transaction.atomic
def werkbrief_comment_add(
    *, werkbrief: Werkbrief, membership: Membership, text: str
) -> WerkbriefComment:
    """Place a comment, for whoever sees the werkbrief (raises NoAccess otherwise). The same
    words again from the same person, right after their own comment (a double click, a form
    sent twice), are that comment: stored once."""
    text = text.strip()
    if not text:
        raise WerkbriefError(_("Write a comment first."))
    wb = _lock(werkbrief, None)  # two requests of one double click queue here
    _check_sees(wb, membership)
    if not workflow.may_comment(actor=actor_of(membership=membership), state=wb.status):
        raise NoAccess()
    last = wb.comments.order_by("-created_at").first()
    if last is not None and last.author_id == membership.user_id and last.text == text:
        return last
    return WerkbriefComment.objects.create(
        agency_id=wb.agency_id, werkbrief=wb, author=membership.user, text=text
    )


@transaction.atomic
def correction_request_create(
    *, werkbrief: Werkbrief, membership: Membership, message: str
) -> CorrectionRequest:
    """After approval only the agency changes hours; the client (or worker) who sees the
    werkbrief asks here (NoAccess for anyone else), and the back office gets a mail once it is
    saved. The state is read from the locked row, whatever the caller's copy says."""
    message = message.strip()
    if not message:
        raise WerkbriefError(_("Describe what should be corrected."))
    wb = _lock(werkbrief, None)
    _check_sees(wb, membership)
    actor = actor_of(membership=membership)
    if actor not in workflow.CORRECTION_REQUESTERS:
        raise NoAccess()
    if not workflow.may_request_correction(actor=actor, state=wb.status):
        raise WerkbriefError(
            _("This werkbrief is not approved yet; change the hours yourself."), werkbrief=wb
        )
    request = CorrectionRequest.objects.create(
        agency_id=wb.agency_id,
        werkbrief=wb,
        requested_by=membership.user,
        message=message,
    )
    mail_events.correction_requested(correction=request)
    return request


@transaction.atomic
def correction_requests_handle(
    *,
    requests: QuerySet[CorrectionRequest],
    membership: Membership,
    now: dt.datetime | None = None,
) -> int:
    """Mark the open ones of ``requests`` (a queryset) handled, in one UPDATE; returns how many.
    The back office of the requests' agency only (NoAccess for anyone else); the rows are
    locked first, so a request is handled once whoever else handles it at the same moment."""
    now = now or timezone.now()
    if not (
        membership.is_active
        and workflow.may_handle_corrections(actor=actor_of(membership=membership))
    ):
        raise NoAccess()
    rows = list(
        CorrectionRequest.objects.filter(
            pk__in=requests.values("pk"), state=CorrectionRequest.State.OPEN
        )
        .select_for_update()
        .order_by("pk")
        .values_list("pk", "agency_id")
    )
    if any(agency_id != membership.agency_id for _pk, agency_id in rows):
        raise NoAccess()
    ids = [pk for pk, _agency_id in rows]
    return CorrectionRequest.objects.filter(pk__in=ids).update(
        state=CorrectionRequest.State.HANDLED,
        handled_by=membership.user,
        handled_at=now,
        updated_at=now,
    )


# CAO schemes -------------------------------------------------------------------------------------


@transaction.atomic
def cao_scheme_version_add(
    *, scheme: CaoScheme, valid_from: dt.date, document: dict
) -> CaoSchemeVersion:
    """A new version of a scheme from ``valid_from`` on; raises ValidationError listing every
    problem of an invalid document by its JSON path. A version for the same date is replaced."""
    version = CaoSchemeVersion.objects.filter(scheme=scheme, valid_from=valid_from).first()
    if version is None:
        version = CaoSchemeVersion(agency_id=scheme.agency_id, scheme=scheme, valid_from=valid_from)
    version.document = document
    version.full_clean()
    version.save()
    return version


def cao_scheme_import(
    *, agency: Agency, document: dict, valid_from: dt.date, name: str = ""
) -> CaoScheme:
    """Import a scheme document: a new scheme (named after the document) or a new version."""
    name = (name or str(document.get("name") or document.get("id") or "")).strip()[:200]
    if not name:
        from django.core.exceptions import ValidationError

        raise ValidationError(_("The scheme needs a name."))
    with transaction.atomic():
        scheme, _created = CaoScheme.objects.get_or_create(agency=agency, name=name)
        cao_scheme_version_add(scheme=scheme, valid_from=valid_from, document=document)
    return scheme


def cao_examples_load(*, agency: Agency, examples: dict) -> list[CaoScheme]:
    """The example schemes of examples.json, marked as examples; idempotent."""
    loaded = []
    for scheme_id, document in sorted(examples["schemes"].items()):
        name = _("%(name)s (example %(id)s)") % {"name": document["name"], "id": scheme_id}
        scheme = cao_scheme_import(
            agency=agency, document=document, valid_from=dt.date(2020, 1, 1), name=str(name)
        )
        if not scheme.is_example:
            scheme.is_example = True
            scheme.description = str(_("Example scheme, modelled on: %(cao)s")) % {
                "cao": document.get("modelled_on", {}).get("cao", "")
            }
            scheme.save(update_fields=["is_example", "description", "updated_at"])
        loaded.append(scheme)
    return loaded
