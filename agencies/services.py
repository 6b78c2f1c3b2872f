"""Writes of an agency's own settings and branding."""

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction

from agencies.models import Agency
from flexportal import uploads
from flexportal.records import staff_check
from flexportal.uploads import CheckedFile


@transaction.atomic
def agency_logo_set(*, agency: Agency, logo: CheckedFile | None) -> None:
    """Replace the agency's logo with one checked by ``uploads.LOGO`` (a re-encoded PNG), or
    remove it with ``logo=None``; the old file is removed from storage."""
    storage = agency.logo.storage
    old = uploads.stored_file_replace(agency.logo, stem="logo", upload=logo)
    agency.save(update_fields=["logo"])
    uploads.stored_file_delete_later(storage, old)


# Settings ---------------------------------------------------------------------------------------


def _platform_operator(actor: Any) -> bool:
    return bool(getattr(actor, "is_active", False) and getattr(actor, "is_superuser", False))


@transaction.atomic
def agency_settings_save(*, agency: Agency, actor: Any, exclude: Iterable[str] = ()) -> Agency:
    """Save an agency's settings: by its own active staff (the back office) or the platform
    operator (a superuser, who also adds agencies). The row is locked and ``full_clean`` run
    (``exclude``: what the form left out, as the form did)."""
    if agency._state.adding:
        if not _platform_operator(actor):
            raise PermissionDenied
    else:
        if not _platform_operator(actor):
            staff_check(agency=agency, actor=actor)
        Agency.objects.select_for_update().filter(pk=agency.pk).exists()
    agency.full_clean(exclude=list(exclude) or None)
    agency.save()
    return agency


@transaction.atomic
def agency_delete(*, agency: Agency, actor: Any) -> None:
    """Remove an agency with everything it holds: the platform operator only."""
    if not _platform_operator(actor):
        raise PermissionDenied
    Agency.objects.select_for_update().filter(pk=agency.pk).exists()
    agency.delete()
