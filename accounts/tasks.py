from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True)
def clear_expired_sessions() -> None:
    """Sessions live in the database; expired ones are removed hourly by beat."""
    call_command("clearsessions")
