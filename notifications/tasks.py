"""Celery tasks of notifications: they take ids, call a service, and are safe to run twice.

Every task runs with late acknowledgement and ``reject_on_worker_lost``: a worker that dies
mid-task leaves the message to be delivered again, and the mail log's unique keys and claims
(notifications.services) turn a second run into a no-op.
"""

import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from typing import Any

from celery import Task, shared_task
from django.conf import settings
from django.utils import timezone

from flexportal.tenancy import Agency
from notifications import services
from notifications.models import Status


def _agency(agency_id: str) -> Agency | None:
    return Agency.objects.filter(pk=agency_id, is_active=True).first()


def enqueue_deliveries(agency_id: str, ids: Iterable[Any]) -> None:
    """The reserved messages in batches of at most NOTIFICATION_BATCH_SIZE, one delivery task
    each (called after the reservation committed). Batches of even size, so that the workers
    share a small number of messages too."""
    ids = list(dict.fromkeys(str(i) for i in ids))
    if not ids:
        return
    batches = math.ceil(len(ids) / settings.NOTIFICATION_BATCH_SIZE)
    size = math.ceil(len(ids) / batches)
    for start in range(0, len(ids), size):
        deliver_batch.delay(agency_id, ids[start : start + size])


services.queue_register(enqueue=enqueue_deliveries)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def tick(now: str | None = None) -> None:
    """Beat, every minute: one task per active agency, so agencies run in parallel and fail
    apart. ``now`` (ISO 8601) replays a moment, for tests and the benchmark."""
    for agency_id in Agency.objects.filter(is_active=True).values_list("pk", flat=True):
        tick_agency.delay(str(agency_id), now)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def tick_agency(agency_id: str, now: str | None = None) -> int:
    """Reserve what the agency's schedule says is due now, sweep up what no worker delivered,
    and hand both to workers. Returns how many messages it handed out."""
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
def deliver_batch(self: Task, agency_id: str, notification_ids: list[str]) -> dict[str, int]:
    """Send a batch of reserved messages through one connection; returns how many ended in
    each status."""
    agency = _agency(agency_id)
    if agency is None:
        return {Status.SKIPPED: len(notification_ids)}
    outcomes = services.notifications_deliver(agency=agency, ids=notification_ids)
    # Rows another worker holds, or held and died with: look again when their lease ends (the
    # sweep would find them too, a tick later).
    held = {i: o.retry_at for i, o in outcomes.items() if o.status == Status.SENDING and o.retry_at}
    if held and not self.request.is_eager:
        deliver_batch.apply_async(
            (agency_id, list(held)), eta=max(held.values()) + dt.timedelta(seconds=1)
        )
    return dict(Counter(o.status for o in outcomes.values()))
