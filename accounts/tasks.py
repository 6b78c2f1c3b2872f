from celery import shared_task
from django.core.management import call_command


@shared_task(acks_late=True)
def clear_expired_sessions() -> None:
    """Sessions live in the database; expired ones are removed hourly by beat, and with them
    the session list's records and remembered devices past their 30 days."""
    from accounts.services import session_records_prune

    call_command("clearsessions")
    session_records_prune()
