"""Writes of an agency's own settings and branding."""

from django.db import transaction

from agencies.models import Agency
from flexportal import uploads
from flexportal.uploads import CheckedFile


@transaction.atomic
def agency_logo_set(*, agency: Agency, logo: CheckedFile | None) -> None:
    """Replace the agency's logo with one checked by ``uploads.LOGO`` (a re-encoded PNG), or
    remove it with ``logo=None``; the old file is removed from storage."""
    storage = agency.logo.storage
    old = uploads.stored_file_replace(agency.logo, stem="logo", upload=logo)
    agency.save(update_fields=["logo"])
    uploads.stored_file_delete_later(storage, old)
