"""When the werkbrief's scheduled mails are due: pure Python, no Django (tested alone).

Every scheduled kind belongs to a cut-off: the worker's (werkbrief ready, worker reminders) or
the client's (client reminders). At a moment ``now`` the week concerned is the one whose cut-off
is the next one after ``now`` (timesheets.deadlines.week_before_cutoff), and the slot that is due
is the **latest** slot at or before ``now`` (notifications.schedule.latest_slot: one message per
slot, one catch-up after an outage); at or after the cut-off nothing of that week is due any
more. timesheets.notifications registers ``due_slots`` with the mail log's tick.
"""

import datetime as dt
from dataclasses import dataclass

from notifications.schedule import Due, Slot, latest_slot, slot_moment
from timesheets.deadlines import ONE_WEEK, client_deadline, week_before_cutoff, worker_deadline

__all__ = ["AgencySchedule", "Due", "Slot", "due_slots", "slots_between"]

WERKBRIEF_READY = "werkbrief_ready"
WORKER_REMINDER = "worker_reminder"
CLIENT_REMINDER = "client_reminder"


@dataclass(frozen=True)
class AgencySchedule:
    """What the schedule needs of an agency; the attribute names are the Agency model's, so
    timesheets.deadlines (the one place for cut-offs) takes it as it takes an agency."""

    tzinfo: dt.tzinfo
    worker_deadline_weekday: int
    worker_deadline_time: dt.time
    client_deadline_weekday: int
    client_deadline_time: dt.time
    ready_notice: Slot
    worker_slots: tuple[Slot, ...]
    client_slots: tuple[Slot, ...]

    @classmethod
    def of(cls, agency) -> "AgencySchedule":
        return cls(
            tzinfo=agency.tzinfo,
            worker_deadline_weekday=agency.worker_deadline_weekday,
            worker_deadline_time=agency.worker_deadline_time,
            client_deadline_weekday=agency.client_deadline_weekday,
            client_deadline_time=agency.client_deadline_time,
            ready_notice=Slot(agency.ready_notice_weekday, agency.ready_notice_time),
            worker_slots=tuple(Slot.parse(s) for s in agency.worker_reminder_slots),
            client_slots=tuple(Slot.parse(s) for s in agency.client_reminder_slots),
        )


def due_slots(schedule: AgencySchedule, now: dt.datetime) -> list[Due]:
    """The slot due now per scheduled kind (at most one each); see the module's docstring."""
    due = []
    for kind, slots, for_client in (
        (WERKBRIEF_READY, (schedule.ready_notice,), False),
        (WORKER_REMINDER, schedule.worker_slots, False),
        (CLIENT_REMINDER, schedule.client_slots, True),
    ):
        week = week_before_cutoff(schedule, now, for_client=for_client)
        cutoff = (client_deadline if for_client else worker_deadline)(schedule, week)
        moment = latest_slot(cutoff, slots, now)
        if moment is not None:
            due.append(Due(kind, week, moment, cutoff))
    return due


def slots_between(
    schedule: AgencySchedule, kind: str, start: dt.datetime, end: dt.datetime
) -> list[Due]:
    """Every slot of ``kind`` in [start, end), in order: what a tick every minute would send
    (for the tests and the documentation, not used by the tick itself)."""
    slots = {
        WERKBRIEF_READY: (schedule.ready_notice,),
        WORKER_REMINDER: schedule.worker_slots,
        CLIENT_REMINDER: schedule.client_slots,
    }[kind]
    for_client = kind == CLIENT_REMINDER
    deadline = client_deadline if for_client else worker_deadline
    week = week_before_cutoff(schedule, start, for_client=for_client) - ONE_WEEK
    found = []
    while deadline(schedule, week) - ONE_WEEK < end + ONE_WEEK:
        cutoff = deadline(schedule, week)
        for slot in slots:
            moment = slot_moment(cutoff, slot)
            if start <= moment < end:
                found.append(Due(kind, week, moment, cutoff))
        week += ONE_WEEK
    return sorted(found, key=lambda d: d.slot_at)
