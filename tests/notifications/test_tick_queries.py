"""A tick costs a fixed number of queries per agency, whatever its number of workers: the cost
grows with agencies, not with people (benchmarks/notify_bench.py measures the real thing)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from notifications import services
from notifications.models import Kind, Notification
from tests.notifications.bulk import agency_with_workers
from tests.notifications.conftest import local
from tests.queries import expect_queries

pytestmark = pytest.mark.django_db

# Every scheduled kind due at the same moment: the ready notice, the worker's and the client's
# reminder all at Monday 09:00.
ALL_AT_NINE = {
    "ready_notice_weekday": 0,
    "ready_notice_time": dt.time(8, 0),
    "worker_reminder_slots": [{"weekday": 0, "time": "09:00"}],
    "client_reminder_slots": [{"weekday": 0, "time": "09:00"}],
}


def _slot(*recipients: str) -> tuple[str, ...]:
    """A due slot of one kind: its run row claims it once, then its recipients (the kind's own
    queries), the messages reserved in one go and the run's count."""
    return (
        "SAVEPOINT: the slot's transaction (a savepoint inside the test's)",
        "slotrun: INSERT the slot's run row, nothing if it exists (ignore_conflicts)",
        "slotrun: whether the row is there (else another tick ran the slot)",
        *recipients,
        "notification: INSERT the messages, those not there yet (ON CONFLICT DO NOTHING)",
        "notification: the ids of the slot's messages still to send",
        "slotrun: UPDATE the run's number of recipients",
        "RELEASE: RELEASE SAVEPOINT",
    )


# Monday 09:00, every kind due: the ready notice, the worker's and the client's reminder.
TICK = (
    *_slot("werkbrief: the week's werkbriefjes still to fill, with worker and person (ready)"),
    *_slot("werkbrief: the week's werkbriefjes waiting for the worker, with worker and person"),
    *_slot(
        "werkbrief: the departments with werkbriefjes of the week waiting for the client",
        "clientcontact: the contacts who approve hours there, with person",
    ),
)
# The same minute again: each slot's run row exists, so nothing more is looked at.
TICK_AGAIN = (
    "SAVEPOINT: the slot's transaction",
    "slotrun: INSERT the slot's run row: nothing, it exists",
    "slotrun: whether the row is there: no, the slot was run",
    "RELEASE: RELEASE SAVEPOINT",
) * 3


def _tick_queries(agency, moment) -> tuple[int, int]:
    with CaptureQueriesContext(connection) as queries:
        ids = services.notifications_tick(agency=agency, now=moment)
    return len(queries.captured_queries), len(ids)


def test_a_tick_costs_the_same_queries_for_5_and_for_120_workers(week, monday):
    small = agency_with_workers(
        slug="small", workers=5, week=week, submitted_every=3, **ALL_AT_NINE
    )
    large = agency_with_workers(
        slug="large", workers=120, week=week, submitted_every=3, **ALL_AT_NINE
    )
    moment = local(small, monday, "09:00")
    with expect_queries(*TICK):
        few, few_mails = _tick_queries(small, moment)
    with expect_queries(*TICK):
        many, many_mails = _tick_queries(large, moment)
    # Per kind: the run row (insert, check), the recipients (1 for workers; 3 for contacts), the
    # messages (insert, select), the run's count; plus a savepoint pair per kind in tests.
    assert few == many, f"{few} queries for 5 workers, {many} for 120"
    assert few <= 30
    assert many_mails > few_mails > 0
    # 80 workers still have to fill in (ready notice and reminder), 2 contacts are reminded.
    assert many_mails == 80 + 80 + 2


def test_a_second_tick_in_the_same_minute_only_looks_at_the_run_rows(week, monday):
    agency = agency_with_workers(slug="again", workers=30, week=week, **ALL_AT_NINE)
    moment = local(agency, monday, "09:00")
    _tick_queries(agency, moment)
    with expect_queries(*TICK_AGAIN):
        queries, reserved = _tick_queries(agency, moment + dt.timedelta(minutes=1))
    assert reserved == 0
    assert queries <= 3 * 4  # per kind: savepoint, insert, check, release
    from flexportal.tenancy import agency_scope

    with agency_scope(agency):
        assert Notification.objects.filter(kind=Kind.WORKER_REMINDER).count() == 30
