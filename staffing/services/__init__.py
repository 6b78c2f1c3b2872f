"""Writes of the staffing organisation, keyword-only and named <thing>_<verb>. This package's
public API: import from ``staffing.services``; each submodule holds one concern.

- people: a flexworker or client contact created at once (person, membership, record)
- details: "my details" (contact details, bank account, ID document, photo)
- records: the back office's changes and deletions of the organisation's records
"""

from staffing.services.details import (
    FLEXWORKER_EDITABLE,
    client_contact_details_update,
    flexworker_details_update,
    flexworker_iban_change,
    flexworker_id_document_upload,
    flexworker_photo_set,
    iban_masked,
)
from staffing.services.people import (
    client_contact_create,
    flexworker_create,
)
from staffing.services.records import (
    staffing_record_delete,
    staffing_record_save,
)

__all__ = [
    "FLEXWORKER_EDITABLE",
    "client_contact_create",
    "client_contact_details_update",
    "flexworker_create",
    "flexworker_details_update",
    "flexworker_iban_change",
    "flexworker_id_document_upload",
    "flexworker_photo_set",
    "iban_masked",
    "staffing_record_delete",
    "staffing_record_save",
]
