"""Reminders through a real Celery worker, Redis and an SMTP sink: 1,000 reminders go out exactly
once, in batches, also when two ticks race; a worker killed with SIGKILL mid-way (in the middle
of its batches) and restarted loses none and duplicates none (by Message-ID, as a mailbox keeps
them)."""

import signal

import pytest
from django.utils import timezone

from flexportal.tenancy import agency_scope
from notifications.models import Kind, Notification, Status
from tests.notifications.bulk import agency_with_workers, schedule_due_now
from tests.notifications.harness import CeleryRun, SmtpSink, wait_until
from timesheets.deadlines import week_before_cutoff

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True)]

WORKERS = 1000


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


@pytest.fixture
def agency(transactional_db):
    import zoneinfo

    tz = zoneinfo.ZoneInfo("Europe/Amsterdam")
    settings = schedule_due_now(tz, now=timezone.now())
    from agencies.models import Agency

    probe = Agency(timezone="Europe/Amsterdam", **settings)
    week = week_before_cutoff(probe, timezone.now(), for_client=False)
    return agency_with_workers(slug="bulk", workers=WORKERS, week=week, **settings)


def ledger(agency) -> list[Notification]:
    with agency_scope(agency):
        return list(Notification.objects.filter(kind=Kind.WORKER_REMINDER))


def settled(agency, run: CeleryRun, expected: int):
    """Every reminder reserved and in a final state, and nothing left in the queue."""
    rows = ledger(agency)
    final = len(rows) == expected and all(
        r.status in (Status.SENT, Status.SKIPPED, Status.FAILED) for r in rows
    )
    return final and run.queued() == 0 and rows


def test_a_thousand_reminders_go_out_exactly_once_even_when_ticks_race(agency, celery_run, sink):
    celery_run.worker()
    started = timezone.now()
    # Beat's tick and a second one at the same moment (a redelivery, a second beat).
    celery_run.send("notifications.tasks.tick")
    celery_run.send("notifications.tasks.tick_agency", str(agency.pk))
    celery_run.send("notifications.tasks.tick_agency", str(agency.pk))
    try:
        rows = wait_until(
            lambda: settled(agency, celery_run, WORKERS),
            timeout=240,
            interval=1,
            what="1,000 reminders",
        )
    except AssertionError:
        print(celery_run.log())
        raise
    took = timezone.now() - started
    assert {r.status for r in rows} == {Status.SENT}
    received = sink.snapshot()
    assert len(received) == WORKERS, "every reminder once on the wire"
    assert sink.unique_ids() == {r.message_id for r in rows}
    assert sorted(m["to"][0] for m in received) == sorted(r.address for r in rows)
    assert len({r.recipient_id for r in rows}) == WORKERS
    # Later ticks of the same slot add nothing.
    celery_run.send("notifications.tasks.tick")
    wait_until(lambda: celery_run.queued() == 0, timeout=60, what="the queue to drain")
    wait_until(lambda: settled(agency, celery_run, WORKERS), timeout=60, what="quiet")
    assert len(sink.snapshot()) == WORKERS
    print(f"\n1,000 reminders through a real worker in {took.total_seconds():.1f} s")


def test_a_worker_killed_mid_way_and_restarted_loses_none_and_duplicates_none(
    agency, celery_run, sink
):
    first = celery_run.worker(number=1)
    celery_run.send("notifications.tasks.tick_agency", str(agency.pk))
    wait_until(lambda: len(sink.unique_ids()) >= WORKERS // 4, timeout=180, what="a quarter sent")
    celery_run.kill(first, signal.SIGKILL)
    at_kill = ledger(agency)
    in_flight = [r for r in at_kill if r.status == Status.SENDING]
    sent_at_kill = sum(r.status == Status.SENT for r in at_kill)
    assert 0 < sent_at_kill < WORKERS, "killed mid-way"
    celery_run.worker(number=2)

    # Beat keeps ticking (here every two seconds): the sweep hands out what the dead worker
    # held; its claims on messages it was sending run out after the lease (15 s here).
    def recovered():
        celery_run.send("notifications.tasks.tick_agency", str(agency.pk))
        return settled(agency, celery_run, WORKERS)

    try:
        rows = wait_until(recovered, timeout=240, interval=2, what="the restarted worker")
    except AssertionError:
        print(celery_run.log())
        raise
    assert {r.status for r in rows} == {Status.SENT}, "0 lost"
    assert sink.unique_ids() == {r.message_id for r in rows}, "every reminder arrived"
    # A mailbox keeps one message per Message-ID. On the wire, only a message the dead worker
    # was sending at the moment of the kill can have gone out twice (accepted by the server,
    # not yet marked sent): one per process of the worker at most (each marks every message of
    # its batch as it is accepted), always with the same id. The rest of the batches the dead
    # worker held ("sending") goes out once, after the lease.
    duplicates = sink.duplicates()
    assert set(duplicates) <= {r.message_id_header for r in in_flight}
    assert len(duplicates) <= 2, "at most one per process (concurrency 2)"
    assert all(n == 2 for n in duplicates.values())
    print(
        f"\nSIGKILL after {sent_at_kill} of {WORKERS}: {len(in_flight)} in flight, "
        f"{len(sink.snapshot())} SMTP deliveries, {len(sink.unique_ids())} distinct, "
        f"{len(duplicates)} repeated on the wire with the same Message-ID"
    )
