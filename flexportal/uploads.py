"""Checks for uploaded files: the real type (by its first bytes, not its name or the browser's
content type) and the size.

The one check every upload uses (receipts, ID documents, photos); files go to private storage and
are served only through views that check permission.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

DEFAULT_MAX_BYTES = 5 * 1024 * 1024


@dataclass(frozen=True)
class FileKind:
    code: str  # also the extension the file is served with
    name: str
    content_type: str
    magic: tuple[bytes, ...]


PDF = FileKind("pdf", "PDF", "application/pdf", (b"%PDF-",))
JPEG = FileKind("jpg", "JPEG", "image/jpeg", (b"\xff\xd8\xff",))
PNG = FileKind("png", "PNG", "image/png", (b"\x89PNG\r\n\x1a\n",))
DOCUMENT_KINDS = (PDF, JPEG, PNG)
IMAGE_KINDS = (JPEG, PNG)
KINDS_BY_CODE = {k.code: k for k in DOCUMENT_KINDS}


def content_type_for(code: str) -> str:
    kind = KINDS_BY_CODE.get(code)
    return kind.content_type if kind else "application/octet-stream"


def sniff(upload, kinds=DOCUMENT_KINDS) -> FileKind | None:
    position = upload.tell() if hasattr(upload, "tell") else 0
    upload.seek(0)
    head = upload.read(16)
    upload.seek(position)
    return next((k for k in kinds if any(head.startswith(m) for m in k.magic)), None)


def validate_upload(
    upload, *, kinds=DOCUMENT_KINDS, max_bytes: int = DEFAULT_MAX_BYTES
) -> FileKind:
    """The kind of an acceptable file, or a ValidationError with a message for the field."""
    if upload.size > max_bytes:
        raise ValidationError(
            _(
                "This file is %(size)s; the limit is %(limit)s. "
                "Choose a smaller file or scan it again."
            )
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    kind = sniff(upload, kinds)
    if kind is None:
        raise ValidationError(
            _(
                "This file is not a real %(kinds)s file, whatever its name says. "
                "Choose another file."
            )
            % {"kinds": " / ".join(k.name for k in kinds)},
            code="file_wrong_type",
        )
    return kind
