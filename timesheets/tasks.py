"""Celery tasks of timesheets: they take ids and call a service inside the agency's scope."""

from celery import shared_task
from django.utils import timezone

from agencies.models import Agency
from flexportal.tenancy import agency_scope
from timesheets import services


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_werkbrieven() -> None:
    """Beat: one task per agency, so agencies are made in parallel and fail apart."""
    for agency_id in Agency.objects.filter(is_active=True).values_list("pk", flat=True):
        generate_werkbrieven_for_agency.delay(str(agency_id))


@shared_task(acks_late=True, reject_on_worker_lost=True)
def generate_werkbrieven_for_agency(agency_id: str) -> int:
    """Make this and next week's werkbriefjes (and any missing recent ones); idempotent."""
    agency = Agency.objects.get(pk=agency_id, is_active=True)
    today = timezone.localtime(timezone=agency.tzinfo).date()
    with agency_scope(agency):
        return services.werkbrieven_generate(agency=agency, today=today)
