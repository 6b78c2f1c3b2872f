"""Celery tasks of notifications: they take ids, call a service, and are safe to run twice.

Every task runs with late acknowledgement and ``reject_on_worker_lost``: a worker that dies
mid-task leaves the message to be delivered again, and the mail log's unique keys and claims
(notifications.services) turn a second run into a no-op.
"""

import datetime as dt

from celery import shared_task
from django.utils import timezone

from accounts.models import Agency
from notifications import services
from notifications.models import Status


def _agency(agency_id) -> Agency | None:
    return Agency.objects.filter(pk=agency_id, is_active=True).first()


def enqueue_deliveries(agency_id: str, ids) -> None:
    """One delivery task per reserved message (called after the reservation committed)."""
    for notification_id in dict.fromkeys(str(i) for i in ids):
        deliver.delay(agency_id, notification_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def tick(now: str | None = None) -> None:
    """Beat, every minute: one task per active agency, so agencies run in parallel and fail
    apart. ``now`` (ISO 8601) replays a moment, for tests and the benchmark."""
    for agency_id in Agency.objects.filter(is_active=True).values_list("pk", flat=True):
        tick_agency.delay(str(agency_id), now)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def tick_agency(agency_id: str, now: str | None = None) -> int:
    """Reserve what the agency's schedule says is due now, sweep up what no worker delivered,
    and hand both to workers. Returns how many deliveries it started."""
    agency = _agency(agency_id)
    if agency is None:
        return 0
    moment = dt.datetime.fromisoformat(now) if now else timezone.now()
    ids = services.notifications_tick(agency=agency, now=moment)
    # The sweep always runs on the real clock: leases and retries are real time.
    ids += services.notifications_sweep(agency=agency, now=timezone.now())
    enqueue_deliveries(agency_id, ids)
    return len(ids)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True)
def deliver(self, agency_id: str, notification_id: str) -> str:
    agency = _agency(agency_id)
    if agency is None:
        return Status.SKIPPED
    outcome = services.notification_deliver(agency=agency, notification_id=notification_id)
    if outcome.status == Status.SENDING and outcome.retry_at and not self.request.is_eager:
        # Another worker holds the claim, or held it and died: look again when its lease ends.
        deliver.apply_async(
            (agency_id, notification_id), eta=outcome.retry_at + dt.timedelta(seconds=1)
        )
    return outcome.status
