"""When the scheduled mails are due: pure Python, no Django (tested and benchmarked alone).

Every scheduled kind belongs to a cut-off: the worker's (werkbrief ready, worker reminders) or
the client's (client reminders). A slot like {"weekday": 0, "time": "09:00"} means its last
occurrence in the 7 days before the cut-off, in the agency's local wall-clock time (so a DST
change keeps 09:00 at 09:00). At a moment ``now`` the week concerned is the one whose cut-off is
the next one after ``now`` (timesheets.deadlines.week_before_cutoff), and the slot that is due is
the **latest** slot at or before ``now``:

* ticks every minute find the same slot until the next one starts, and the ledger's unique key
  turns them into one message;
* after an outage (beat or workers down) the first tick finds the latest missed slot: one
  catch-up, and earlier missed slots are dropped for good;
* at or after the cut-off nothing of that week is due any more.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from timesheets.deadlines import ONE_WEEK, client_deadline, week_before_cutoff, worker_deadline

WERKBRIEF_READY = "werkbrief_ready"
WORKER_REMINDER = "worker_reminder"
CLIENT_REMINDER = "client_reminder"


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 is Monday
    at: dt.time

    @classmethod
    def parse(cls, raw: dict) -> "Slot":
        return cls(int(raw["weekday"]), dt.time.fromisoformat(raw["time"]))


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


@dataclass(frozen=True)
class Due:
    kind: str
    week_start: dt.date
    slot_at: dt.datetime  # aware, in the agency's time zone
    cutoff: dt.datetime

    @property
    def key(self) -> str:
        """The slot in the ledger's key: its local time, to the minute."""
        return self.slot_at.strftime("%Y-%m-%dT%H:%M")


def slot_moment(cutoff: dt.datetime, slot: Slot) -> dt.datetime:
    """The slot's last occurrence before ``cutoff`` (within the 7 days before it)."""
    local = cutoff.astimezone(cutoff.tzinfo)
    days_back = (local.weekday() - slot.weekday) % 7
    if days_back == 0 and slot.at >= local.time().replace(tzinfo=None):
        days_back = 7
    day = local.date() - dt.timedelta(days=days_back)
    return dt.datetime.combine(day, slot.at, tzinfo=cutoff.tzinfo)


def _latest(cutoff: dt.datetime, slots: Iterable[Slot], now: dt.datetime) -> dt.datetime | None:
    passed = [m for m in (slot_moment(cutoff, s) for s in slots) if m <= now]
    return max(passed) if passed else None


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
        moment = _latest(cutoff, slots, now)
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
