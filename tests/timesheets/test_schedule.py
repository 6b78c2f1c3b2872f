"""When the werkbrief's scheduled mails are due (timesheets.schedule: pure Python, no database)."""

import datetime as dt
import zoneinfo

from timesheets.schedule import (
    CLIENT_REMINDER,
    WERKBRIEF_READY,
    WORKER_REMINDER,
    AgencySchedule,
    Slot,
    due_slots,
    slots_between,
)

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# A week in March 2026: Monday the 9th. The week being filled in is that of Monday 2 March.
WEEK = dt.date(2026, 3, 2)


def schedule(**overrides) -> AgencySchedule:
    """The defaults of the issue: worker Monday 09:00 before Monday 12:00; client Monday 16:00,
    Tuesday 10:00 and 13:00 before Tuesday 14:00; the ready notice on Friday 12:00."""
    values = {
        "tzinfo": AMSTERDAM,
        "worker_deadline_weekday": 0,
        "worker_deadline_time": dt.time(12, 0),
        "client_deadline_weekday": 1,
        "client_deadline_time": dt.time(14, 0),
        "ready_notice": Slot(4, dt.time(12, 0)),
        "worker_slots": (Slot(0, dt.time(9, 0)),),
        "client_slots": (Slot(0, dt.time(16, 0)), Slot(1, dt.time(10, 0)), Slot(1, dt.time(13, 0))),
    }
    values.update(overrides)
    return AgencySchedule(**values)


def at(day: int, hour: int, minute: int = 0, tz=AMSTERDAM) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=tz)


def due(now, **overrides) -> dict[str, tuple[dt.date, str]]:
    return {d.kind: (d.week_start, d.key) for d in due_slots(schedule(**overrides), now)}


def test_the_worker_reminder_is_due_from_monday_nine_until_the_cut_off():
    assert WORKER_REMINDER not in due(at(9, 8, 59))
    assert due(at(9, 9, 0))[WORKER_REMINDER] == (WEEK, "2026-03-09T09:00")
    assert due(at(9, 11, 59))[WORKER_REMINDER] == (WEEK, "2026-03-09T09:00")
    assert WORKER_REMINDER not in due(at(9, 12, 0))


def test_the_client_reminders_move_from_slot_to_slot_until_tuesday_two():
    assert CLIENT_REMINDER not in due(at(9, 15, 59))
    assert due(at(9, 16, 0))[CLIENT_REMINDER] == (WEEK, "2026-03-09T16:00")
    assert due(at(10, 9, 59))[CLIENT_REMINDER] == (WEEK, "2026-03-09T16:00")
    assert due(at(10, 10, 0))[CLIENT_REMINDER] == (WEEK, "2026-03-10T10:00")
    assert due(at(10, 13, 30))[CLIENT_REMINDER] == (WEEK, "2026-03-10T13:00")
    assert CLIENT_REMINDER not in due(at(10, 14, 0))


def test_the_ready_notice_falls_on_friday_of_the_week_itself():
    # Friday 6 March 12:00, in the week of 2 March, whose cut-off is Monday 9 March 12:00.
    assert WERKBRIEF_READY not in due(at(6, 11, 59))
    assert due(at(6, 12, 0))[WERKBRIEF_READY] == (WEEK, "2026-03-06T12:00")
    assert due(at(9, 11, 59))[WERKBRIEF_READY] == (WEEK, "2026-03-06T12:00")
    assert WERKBRIEF_READY not in due(at(9, 12, 0))


def test_after_an_outage_only_the_latest_missed_slot_is_due():
    # Beat was down from Monday 15:00 to Tuesday 11:00: the 16:00 and 10:00 slots were missed;
    # the first tick finds 10:00 (one catch-up), never 16:00 any more.
    assert due(at(10, 11, 0))[CLIENT_REMINDER] == (WEEK, "2026-03-10T10:00")


def test_a_slot_missed_until_after_the_cut_off_is_never_sent():
    # Down from Monday 08:00 to 12:30: the worker's 09:00 reminder is too late now.
    assert WORKER_REMINDER not in due(at(9, 12, 30))


def test_ticks_every_minute_of_a_week_meet_each_slot_exactly_once():
    sent: dict[str, list] = {WERKBRIEF_READY: [], WORKER_REMINDER: [], CLIENT_REMINDER: []}
    start = at(2, 0, 0)
    now = start
    while now < start + dt.timedelta(days=14):
        for d in due_slots(schedule(), now):
            # (The first tick would also catch up on a slot from before the simulation.)
            if d.slot_at >= start and d.key not in [k for k, _n in sent[d.kind]]:
                sent[d.kind].append((d.key, now))
        now += dt.timedelta(minutes=1)
    for kind in sent:
        expected = slots_between(schedule(), kind, start, start + dt.timedelta(days=14))
        assert [k for k, _n in sent[kind]] == [d.key for d in expected]
        # Each one at its own minute, not later.
        assert all(key == moment.strftime("%Y-%m-%dT%H:%M") for key, moment in sent[kind])
    assert [k for k, _n in sent[CLIENT_REMINDER]][:3] == [
        "2026-03-02T16:00",
        "2026-03-03T10:00",
        "2026-03-03T13:00",
    ]


def test_local_times_hold_across_the_change_to_summer_time():
    # Summer time starts on Sunday 29 March 2026; Monday 30 March 09:00 is still 09:00 local.
    now = dt.datetime(2026, 3, 30, 7, 0, tzinfo=dt.UTC)  # 09:00 CEST
    assert due(now)[WORKER_REMINDER] == (dt.date(2026, 3, 23), "2026-03-30T09:00")
    assert WORKER_REMINDER not in due(now - dt.timedelta(minutes=1))


def test_the_agencys_time_zone_decides_not_the_servers():
    lisbon = zoneinfo.ZoneInfo("Europe/Lisbon")
    # 09:00 in Amsterdam is 08:00 in Lisbon: not yet due for a Lisbon agency.
    assert WORKER_REMINDER not in due(at(9, 9, 0), tzinfo=lisbon)
    assert WORKER_REMINDER in due(at(9, 9, 0, tz=lisbon), tzinfo=lisbon)


def test_a_slot_on_the_cut_off_day_after_the_cut_off_time_belongs_to_the_week_before_it():
    # A "Monday 13:00" worker reminder with a Monday 12:00 cut-off falls on the Monday the week
    # begins: the last occurrence within the 7 days before the cut-off.
    result = due(at(2, 13, 0), worker_slots=(Slot(0, dt.time(13, 0)),))
    assert result[WORKER_REMINDER] == (WEEK, "2026-03-02T13:00")


def test_an_agency_without_reminder_times_has_none_due():
    assert WORKER_REMINDER not in due(at(9, 9, 30), worker_slots=())
    assert CLIENT_REMINDER not in due(at(10, 13, 30), client_slots=())
