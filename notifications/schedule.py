"""Slots of scheduled messages: pure Python, no Django (tested and benchmarked alone).

A domain app that sends messages at fixed times (timesheets.schedule: werkbrief ready, worker
and client reminders) says which slot of which kind is due at a moment (``Due``) and registers
that with notifications.registry.register_schedule. A slot like {"weekday": 0, "time": "09:00"}
means its last occurrence in the 7 days before a cut-off, in the agency's local wall-clock time
(so a DST change keeps 09:00 at 09:00); the slot that is due is the **latest** one at or before
``now`` (``latest_slot``):

* ticks every minute find the same slot until the next one starts, and the ledger's unique key
  turns them into one message;
* after an outage (beat or workers down) the first tick finds the latest missed slot: one
  catch-up, and earlier missed slots are dropped for good.
"""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 is Monday
    at: dt.time

    @classmethod
    def parse(cls, raw: dict) -> "Slot":
        return cls(int(raw["weekday"]), dt.time.fromisoformat(raw["time"]))


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


def latest_slot(cutoff: dt.datetime, slots: Iterable[Slot], now: dt.datetime) -> dt.datetime | None:
    """The latest moment of ``slots`` before ``cutoff`` that is at or before ``now``."""
    passed = [m for m in (slot_moment(cutoff, s) for s in slots) if m <= now]
    return max(passed) if passed else None
