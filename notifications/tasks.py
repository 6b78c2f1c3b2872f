"""Celery tasks of notifications: they take ids and call a service."""

from celery import shared_task


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_werkbrief_rejected(werkbrief_id: str) -> None:
    from notifications import services

    services.werkbrief_rejected_notify(werkbrief_id=werkbrief_id)


@shared_task(acks_late=True, reject_on_worker_lost=True)
def send_werkbrief_submitted(werkbrief_id: str) -> None:
    from notifications import services

    services.werkbrief_submitted_notify(werkbrief_id=werkbrief_id)
