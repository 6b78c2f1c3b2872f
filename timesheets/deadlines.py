"""The one place that computes the weekly cut-offs and the payroll run hours land in.

The agency's settings say on which weekday and time, in its own time zone, the cut-off of the
*following* week falls: workers by Monday 12:00 and clients by Tuesday 14:00 for the previous
week (client-manual-flexportal, worker-manual-flexportal). Hours approved after the client
cut-off move to the next payroll run.
"""

import datetime as dt
from dataclasses import dataclass
from typing import Protocol

ONE_WEEK = dt.timedelta(days=7)


class AgencyCutoffs(Protocol):
    """What the cut-offs read of an agency (its settings and time zone)."""

    @property
    def worker_deadline_weekday(self) -> int: ...
    @property
    def worker_deadline_time(self) -> dt.time: ...
    @property
    def client_deadline_weekday(self) -> int: ...
    @property
    def client_deadline_time(self) -> dt.time: ...
    @property
    def tzinfo(self) -> dt.tzinfo: ...


class ProcessedWeek(Protocol):
    """What a correction's payroll run reads of its werkbrief."""

    @property
    def week_start(self) -> dt.date: ...
    @property
    def payroll_week(self) -> dt.date | None: ...


def week_start_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _cutoff(week_start: dt.date, weekday: int, at: dt.time, tz: dt.tzinfo) -> dt.datetime:
    day = week_start + ONE_WEEK + dt.timedelta(days=weekday)
    return dt.datetime.combine(day, at, tzinfo=tz)


def worker_deadline(agency: AgencyCutoffs, week_start: dt.date) -> dt.datetime:
    return _cutoff(
        week_start, agency.worker_deadline_weekday, agency.worker_deadline_time, agency.tzinfo
    )


def client_deadline(agency: AgencyCutoffs, week_start: dt.date) -> dt.datetime:
    return _cutoff(
        week_start, agency.client_deadline_weekday, agency.client_deadline_time, agency.tzinfo
    )


def week_before_cutoff(agency: AgencyCutoffs, now: dt.datetime, *, for_client: bool) -> dt.date:
    """The week whose cut-off is the first one after ``now``: the week that is being filled in
    or approved (the client's dashboard counts down to it; the reminders are about it)."""
    deadline = client_deadline if for_client else worker_deadline
    week = week_start_of(now.astimezone(agency.tzinfo).date()) - 2 * ONE_WEEK
    while deadline(agency, week) <= now:
        week += ONE_WEEK
    return week


def payroll_week_for(
    agency: AgencyCutoffs, week_start: dt.date, approved_at: dt.datetime
) -> dt.date:
    """The Monday of the payroll run that processes hours of ``week_start`` approved then.

    Run k (k = 1, 2, ...) is the week ``week_start + k weeks``; it takes what was approved by
    its client cut-off. Local wall-clock times, so a DST change keeps the cut-off at 14:00.
    """
    run = week_start + ONE_WEEK
    cutoff = client_deadline(agency, week_start)
    while approved_at > cutoff:
        run += ONE_WEEK
        cutoff = dt.datetime.combine(cutoff.date() + ONE_WEEK, cutoff.timetz())
    return run


def correction_payroll_week(
    agency: AgencyCutoffs, werkbrief: ProcessedWeek, corrected_at: dt.datetime
) -> dt.date:
    """The payroll run that pays a correction of a processed (Verwerkt) werkbrief: the first run
    that still takes hours at ``corrected_at``, and never the run that processed it already."""
    run = payroll_week_for(agency, werkbrief.week_start, corrected_at)
    if werkbrief.payroll_week is not None:
        run = max(run, werkbrief.payroll_week + ONE_WEEK)
    return run


@dataclass(frozen=True)
class DeadlineInfo:
    """What the screens show: the cut-off, the time left, and whether it has passed."""

    deadline: dt.datetime
    passed: bool
    time_left: dt.timedelta
    payroll_week_if_now: dt.date
    payroll_week_if_in_time: dt.date

    @property
    def late(self) -> bool:
        return self.payroll_week_if_now != self.payroll_week_if_in_time


def deadline_info(
    agency: AgencyCutoffs, week_start: dt.date, now: dt.datetime, *, for_client: bool
) -> DeadlineInfo:
    deadline = (
        client_deadline(agency, week_start) if for_client else worker_deadline(agency, week_start)
    )
    return DeadlineInfo(
        deadline=deadline,
        passed=now > deadline,
        time_left=max(deadline - now, dt.timedelta(0)),
        payroll_week_if_now=payroll_week_for(agency, week_start, now),
        payroll_week_if_in_time=week_start + ONE_WEEK,
    )
