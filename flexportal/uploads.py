"""Checks for uploaded files: the real type (by its first bytes, not its name) and the size.

Used by every upload (receipts, ID documents, photos); files go to private storage and are served
only through views that check permission.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    name: str
    content_type: str
    magic: tuple[bytes, ...]


PDF = FileKind("PDF", "application/pdf", (b"%PDF-",))
JPEG = FileKind("JPEG", "image/jpeg", (b"\xff\xd8\xff",))
PNG = FileKind("PNG", "image/png", (b"\x89PNG\r\n\x1a\n",))
DOCUMENT_KINDS = (PDF, JPEG, PNG)
IMAGE_KINDS = (JPEG, PNG)


def sniff(upload, kinds=DOCUMENT_KINDS) -> FileKind | None:
    position = upload.tell() if hasattr(upload, "tell") else 0
    head = upload.read(16)
    upload.seek(position)
    return next((k for k in kinds if any(head.startswith(m) for m in k.magic)), None)


def validate_upload(
    upload, *, kinds=DOCUMENT_KINDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> FileKind:
    """The kind of an acceptable file, or a ValidationError with a message for the field."""
    if upload.size > max_bytes:
        raise ValidationError(
            _("The file is %(size)s; the maximum is %(max)s."),
            code="file_too_large",
            params={"size": filesizeformat(upload.size), "max": filesizeformat(max_bytes)},
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    kind = sniff(upload, kinds)
    if kind is None:
        allowed = ", ".join(k.name for k in kinds)
        raise ValidationError(
            _("This file is not a %(allowed)s file (whatever its name says)."),
            code="file_type",
            params={"allowed": allowed},
        )
    return kind
