"""Beat stopped across a slot and started again: exactly one catch-up. Once with ticks at chosen
moments through a real worker, once with a real ``celery beat`` that is stopped and restarted."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone

from agencies.models import Agency
from flexportal.tenancy import agency_scope
from notifications.models import Kind, Notification, Status
from tests.notifications.bulk import agency_with_workers
from tests.notifications.harness import CeleryRun, SmtpSink, wait_until
from timesheets.deadlines import week_before_cutoff

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")


def _at(moment: dt.datetime) -> dict:
    return {"weekday": moment.weekday(), "time": moment.strftime("%H:%M")}


def _time(moment: dt.datetime) -> dt.time:
    return moment.time().replace(second=0, microsecond=0, tzinfo=None)


@pytest.fixture
def sink():
    sink = SmtpSink()
    yield sink
    sink.stop()


@pytest.fixture
def celery_run(tmp_path, sink):
    run = CeleryRun(tmp_path, sink)
    yield run
    run.close()


def rows(agency, kind) -> list[Notification]:
    with agency_scope(agency):
        return list(Notification.objects.filter(kind=kind).order_by("created_at"))


def quiet(agency, run, kind, expected):
    found = rows(agency, kind)
    done = all(r.status in (Status.SENT, Status.SKIPPED) for r in found)
    return len(found) == expected and done and run.queued() == 0


def test_two_client_slots_missed_while_beat_was_down_give_one_catch_up(
    transactional_db, celery_run, sink
):
    now = timezone.now().astimezone(AMSTERDAM)
    earlier, later = now - dt.timedelta(hours=3), now - dt.timedelta(hours=2)
    cutoff = now + dt.timedelta(days=3)
    settings = {
        "client_deadline_weekday": cutoff.weekday(),
        "client_deadline_time": _time(cutoff),
        "client_reminder_slots": [_at(earlier), _at(later)],
        "worker_reminder_slots": [],
        # The worker's cut-off and ready notice far from now: only the client's reminders.
        "worker_deadline_weekday": cutoff.weekday(),
        "worker_deadline_time": _time(cutoff),
        "ready_notice_weekday": (cutoff - dt.timedelta(minutes=1)).weekday(),
        "ready_notice_time": _time(cutoff - dt.timedelta(minutes=1)),
    }
    probe = Agency(timezone="Europe/Amsterdam", **settings)
    week = week_before_cutoff(probe, now, for_client=True)
    agency = agency_with_workers(
        slug="catchup", workers=40, week=week, contacts=5, submitted_every=2, **settings
    )
    celery_run.worker()
    # The last tick before beat went down: a minute before the first slot.
    celery_run.send(
        "notifications.tasks.tick_agency",
        str(agency.pk),
        (earlier - dt.timedelta(minutes=1)).isoformat(),
    )
    wait_until(
        lambda: quiet(agency, celery_run, Kind.CLIENT_REMINDER, 0),
        timeout=60,
        what="a quiet first tick",
    )
    # Beat comes back after both slots: its ticks (two, racing) find the later slot only.
    celery_run.send("notifications.tasks.tick_agency", str(agency.pk), now.isoformat())
    celery_run.send("notifications.tasks.tick_agency", str(agency.pk), now.isoformat())
    nxt = (now + dt.timedelta(minutes=1)).isoformat()
    celery_run.send("notifications.tasks.tick_agency", str(agency.pk), nxt)
    wait_until(
        lambda: quiet(agency, celery_run, Kind.CLIENT_REMINDER, 5) and len(sink.snapshot()) >= 5,
        timeout=120,
        what="the catch-up",
    )
    found = rows(agency, Kind.CLIENT_REMINDER)
    assert {r.slot for r in found} == {later.strftime("%Y-%m-%dT%H:%M")}
    assert {r.status for r in found} == {Status.SENT}
    received = [m for m in sink.snapshot() if m["kind"] == Kind.CLIENT_REMINDER]
    assert len(received) == 5 == len({m["to"][0] for m in received})


def test_a_real_beat_stopped_across_a_slot_catches_up_once_when_it_returns(
    transactional_db, celery_run, sink
):
    now = timezone.now().astimezone(AMSTERDAM)
    cutoff = now + dt.timedelta(days=2)
    settings = {
        "worker_deadline_weekday": cutoff.weekday(),
        "worker_deadline_time": _time(cutoff),
        "worker_reminder_slots": [],
        "client_reminder_slots": [],
        "ready_notice_weekday": (cutoff - dt.timedelta(minutes=1)).weekday(),
        "ready_notice_time": _time(cutoff - dt.timedelta(minutes=1)),
    }
    probe = Agency(timezone="Europe/Amsterdam", **settings)
    week = week_before_cutoff(probe, now, for_client=False)
    agency = agency_with_workers(slug="beat", workers=5, week=week, **settings)
    celery_run.worker()
    beat = celery_run.beat(tick_seconds=1)
    wait_until(lambda: celery_run.beat_ticks() >= 3, timeout=90, what="beat's first ticks")
    celery_run.stop(beat)
    assert sink.snapshot() == []
    # While beat is down, a reminder time passes (set now, a minute ago).
    slot = timezone.now().astimezone(AMSTERDAM) - dt.timedelta(minutes=1)
    Agency.objects.filter(pk=agency.pk).update(worker_reminder_slots=[_at(slot)])
    ticks_before = celery_run.beat_ticks()
    celery_run.beat(tick_seconds=1)
    wait_until(
        lambda: len(sink.snapshot()) >= 5 and quiet(agency, celery_run, Kind.WORKER_REMINDER, 5),
        timeout=90,
        what="the catch-up after beat came back",
    )
    # Beat keeps ticking: a few more ticks of the same slot, then everything settled again.
    wait_until(lambda: celery_run.beat_ticks() >= ticks_before + 5, timeout=60, what="more ticks")
    wait_until(lambda: quiet(agency, celery_run, Kind.WORKER_REMINDER, 5), timeout=60, what="quiet")
    reminders = [m for m in sink.snapshot() if m["kind"] == Kind.WORKER_REMINDER]
    assert len(reminders) == 5 == len({m["to"][0] for m in reminders})
    assert {r.slot for r in rows(agency, Kind.WORKER_REMINDER)} == {slot.strftime("%Y-%m-%dT%H:%M")}
