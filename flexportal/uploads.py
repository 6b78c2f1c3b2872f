"""Uploaded files: what they are, how big they may be, how they are stored and how they are served.

Every upload goes through here: receipts (timesheets), the ID document and the profile photo
(accounts), the agency's logo (branding).

- **Checked by content** (`validate_upload`): the first bytes say which kind a file claims to be
  (its name and the browser's content type count for nothing); then a PDF must be read by pypdf
  and must not look like HTML to a browser, an image must be decoded by Pillow as that format,
  within a pixel limit checked before decoding (decompression bombs).
- **Images are re-encoded** by Pillow: what is stored is what Pillow wrote, without metadata
  (EXIF, GPS, comments) and without anything appended to or hidden in the original.
- **Stored under names the portal makes** (`<uuid>.<extension of the checked kind>`, by the
  models' ``upload_to``); the uploader's file name is kept for display only.
- **Served with a fixed type** (`file_response`): the kind is read again from the stored bytes,
  so files stored before these checks are served safely too; ``nosniff``, a restrictive
  Content-Security-Policy, inline for images and PDFs, ``attachment`` for anything else.
- **Refused as soon as the size is known** (`UploadLimitHandler`): a request whose length cannot
  fit is not read past its fields; a file that grows past the limit while streaming is not
  stored. Either becomes an `OversizedUpload` that `validate_upload` refuses at the field.
"""

from __future__ import annotations

import io
import unicodedata
import uuid
import warnings
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath
from typing import IO, Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.core.files.uploadhandler import FileUploadHandler, StopFutureHandlers, StopUpload
from django.db import transaction
from django.db.models.fields.files import FieldFile
from django.http import FileResponse, Http404, HttpRequest, QueryDict
from django.http.multipartparser import MultiPartParser
from django.template.defaultfilters import filesizeformat
from django.utils.datastructures import MultiValueDict
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps
from pypdf import PdfReader

# Bytes read from the start of a file to tell its kind, and to look for HTML in a PDF: browsers
# that sniff read up to 1,445 bytes (WHATWG MIME Sniffing); a little more does no harm.
HEAD_BYTES = 2048


@dataclass(frozen=True)
class FileKind:
    code: str  # the extension the portal gives the file
    name: str
    content_type: str
    signature: tuple[tuple[int, bytes], ...]  # (offset, bytes) that must all match
    pillow_format: str = ""  # images only

    @property
    def is_image(self) -> bool:
        return bool(self.pillow_format)

    def matches(self, head: bytes) -> bool:
        return all(head[at : at + len(magic)] == magic for at, magic in self.signature)


PDF = FileKind("pdf", "PDF", "application/pdf", ((0, b"%PDF-"),))
JPEG = FileKind("jpg", "JPEG", "image/jpeg", ((0, b"\xff\xd8\xff"),), "JPEG")
PNG = FileKind("png", "PNG", "image/png", ((0, b"\x89PNG\r\n\x1a\n"),), "PNG")
WEBP = FileKind("webp", "WebP", "image/webp", ((0, b"RIFF"), (8, b"WEBP")), "WEBP")
ALL_KINDS = (PDF, JPEG, PNG, WEBP)


@dataclass(frozen=True)
class UploadRules:
    """What one kind of upload accepts. ``max_bytes`` never exceeds ``UPLOAD_MAX_BYTES``, the
    limit the upload handler enforces for every request."""

    kinds: tuple[FileKind, ...]
    max_bytes: int = settings.UPLOAD_MAX_BYTES
    max_pixels: int = 40_000_000  # decoded, that is 120 MB of RGB
    fit_within: int | None = None  # images are scaled down to this many pixels a side
    convert_to: FileKind | None = None  # images are stored as this kind


# ID documents and receipts: a scan or a photo of paper.
DOCUMENT = UploadRules(kinds=(PDF, JPEG, PNG))
PHOTO = UploadRules(kinds=(JPEG, PNG), fit_within=1200)
# Shown 32 pixels high in the header and in mails; stored as PNG, which every mail client shows.
LOGO = UploadRules(
    kinds=(PNG, JPEG, WEBP),
    max_bytes=2 * 1024 * 1024,
    max_pixels=16_000_000,
    fit_within=600,
    convert_to=PNG,
)


@dataclass(frozen=True)
class CheckedFile:
    """An upload that passed `validate_upload`: its kind, the content to store (a PDF as
    uploaded, an image as Pillow re-encoded it) and the uploader's name, for display only."""

    kind: FileKind
    file: File
    uploaded_name: str

    def storage_name(self, stem: str) -> str:
        """The name to give the storage (``upload_to`` keeps only the extension)."""
        return f"{stem}.{self.kind.code}"


class OversizedUpload(UploadedFile):
    """A file that was not received (or not kept) because it is larger than the limit: only its
    name and its size, which `validate_upload` refuses with the usual message at the field."""

    def __init__(self, name: str | None, size: int):
        super().__init__(io.BytesIO(), name=name, size=size)


def upload_path(folder: str, filename: str) -> str:
    """An unguessable ``<folder>/<uuid>.<extension>`` for a models' ``upload_to``: the extension
    comes from the name the portal gives (`CheckedFile.storage_name`), never the uploader's."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "bin"
    return f"{folder}/{uuid.uuid4().hex}.{extension}"


def download_name(*parts: str) -> str:
    """A file name stem the portal makes, like ``bon-2025-03-10`` (the caller translates)."""
    return "-".join(s for s in (slugify(p, allow_unicode=True) for p in parts) if s) or "file"


def kind_of(head: bytes, kinds: Iterable[FileKind] = ALL_KINDS) -> FileKind | None:
    return next((k for k in kinds if k.matches(head)), None)


def _kinds_text(rules: UploadRules) -> str:
    return " / ".join(k.name for k in rules.kinds)


def _uploaded_name(upload: object) -> str:
    """The uploader's file name without folders or control characters (RTL overrides that
    turn ``gpj.exe`` around, zero-width spaces), for display only."""
    name = PurePath(str(getattr(upload, "name", "") or "")).name
    return "".join(c for c in name if unicodedata.category(c)[0] != "C")[:200]


def validate_upload(upload: File[bytes], rules: UploadRules) -> CheckedFile:
    """The upload checked against ``rules``, or a ValidationError with a message for the field."""
    if upload.size > rules.max_bytes:
        raise ValidationError(
            _(
                "This file is %(size)s; the limit is %(limit)s. "
                "Choose a smaller file or scan it again."
            )
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(rules.max_bytes)},
            code="file_too_large",
        )
    if upload.size == 0:
        raise ValidationError(_("The file is empty."), code="file_empty")
    upload.seek(0)
    head = upload.read(HEAD_BYTES)
    upload.seek(0)
    kind = kind_of(head, rules.kinds)
    if kind is None or (kind is PDF and _looks_like_html(head)):
        raise ValidationError(
            _(
                "This file is not a real %(kinds)s file, whatever its name says. "
                "Choose another file."
            )
            % {"kinds": _kinds_text(rules)},
            code="file_wrong_type",
        )
    content = upload.read()
    upload.seek(0)
    if kind.is_image:
        kind, data = _image_reencoded(content, kind, rules)
        stored: File = ContentFile(data, name=f"upload.{kind.code}")
    else:
        _pdf_check(content)
        stored = upload
    return CheckedFile(kind=kind, file=stored, uploaded_name=_uploaded_name(upload))


# Tags a browser's sniffer takes for HTML, or that make a file script-bearing SVG/XML.
_HTML_MARKERS = (b"<html", b"<script", b"<svg", b"<!doctype", b"<body", b"<head", b"<iframe")


def _looks_like_html(head: bytes) -> bool:
    lowered = head.lower()
    return any(marker in lowered for marker in _HTML_MARKERS)


def _unreadable(kind: FileKind) -> ValidationError:
    return ValidationError(
        _(
            "This file cannot be read as a %(kind)s: it may be damaged or incomplete. "
            "Choose another file."
        )
        % {"kind": kind.name},
        code="file_damaged",
    )


def _pdf_check(content: bytes) -> None:
    try:
        reader = PdfReader(io.BytesIO(content), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationError(
                _("This PDF is protected with a password. Upload it without the password."),
                code="file_encrypted",
            )
        pages = len(reader.pages)
    except ValidationError:
        raise
    except Exception as error:  # pypdf raises many kinds of error on a damaged file
        raise _unreadable(PDF) from error
    if pages == 0:
        raise _unreadable(PDF)


def _image_reencoded(content: bytes, kind: FileKind, rules: UploadRules) -> tuple[FileKind, bytes]:
    """Decode with Pillow (only the format the first bytes claim), refuse too many pixels before
    decoding them, and write the first frame again without its metadata."""
    too_many = ValidationError(
        _("This image has too many pixels: at most %(limit)s megapixels. Choose a smaller image.")
        % {"limit": rules.max_pixels // 1_000_000},
        code="image_too_many_pixels",
    )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            probe: Image.Image = Image.open(io.BytesIO(content), formats=[kind.pillow_format])
            width, height = probe.size
            if width * height > rules.max_pixels:
                raise too_many
            probe.verify()  # the structure and checksums (a PNG cut short decodes all the same)
            picture: Image.Image = Image.open(io.BytesIO(content), formats=[kind.pillow_format])
            picture.load()
            picture = ImageOps.exif_transpose(picture)
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise too_many from error
    except Exception as error:  # Pillow raises many kinds of error on a damaged file
        raise _unreadable(kind) from error
    if rules.fit_within:
        picture.thumbnail((rules.fit_within, rules.fit_within))
    target = rules.convert_to or kind
    transparency = picture.info.get("transparency")
    picture.info = {} if transparency is None else {"transparency": transparency}
    if target is JPEG and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif target is not JPEG and picture.mode not in ("1", "L", "LA", "P", "RGB", "RGBA"):
        picture = picture.convert("RGBA")
    out = io.BytesIO()
    options = {"quality": 90} if target in (JPEG, WEBP) else {}
    picture.save(out, target.pillow_format, **options)
    return target, out.getvalue()


# Serving ----------------------------------------------------------------------------------------

# On a file opened by itself: nothing runs, nothing loads, not even on the portal's origin.
FILE_POLICY = "default-src 'none'; img-src 'self'; sandbox"
# Safari's PDF viewer (and older Chromium's) does not start in a sandboxed document, so a PDF gets
# no sandbox; the viewer is the browser's own, and the document may load or run nothing else.
PDF_POLICY = "default-src 'none'; object-src 'self'; style-src 'unsafe-inline'"


def file_response(
    field: FieldFile, *, name: str, kinds: Iterable[FileKind] = ALL_KINDS, public: bool = False
) -> FileResponse:
    """A stored file served as what its bytes are, under a name the portal makes
    (``name`` plus the kind's extension). ``public`` files (the logo) may be cached by anyone
    and are only served when they are of one of ``kinds``; private ones are never cached and,
    when of no known kind (stored before the checks), are only offered as a download."""
    if not field:
        raise Http404
    try:
        handle = field.open("rb")
    except OSError:
        raise Http404 from None
    head = handle.read(HEAD_BYTES)
    handle.seek(0)
    kind = kind_of(head, kinds)
    if kind is None and public:
        handle.close()
        raise Http404
    if kind is None:
        response = FileResponse(
            handle,
            content_type="application/octet-stream",
            as_attachment=True,
            filename=f"{name}.bin",
        )
    else:
        response = FileResponse(
            handle, content_type=kind.content_type, filename=f"{name}.{kind.code}"
        )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = PDF_POLICY if kind is PDF else FILE_POLICY
    if public:
        response["Cache-Control"] = "public, max-age=300"
    else:
        response["Cache-Control"] = "private, no-store"
        response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


# Receiving --------------------------------------------------------------------------------------


class UploadLimitHandler(FileUploadHandler):
    """The first of ``FILE_UPLOAD_HANDLERS``: no file above ``UPLOAD_MAX_BYTES`` is stored, and a
    file too large becomes an `OversizedUpload`, refused at its field by `validate_upload`.

    - A request whose Content-Length says it cannot fit (one file at the limit plus
      ``UPLOAD_FORM_BYTES`` for the rest of the form) is refused before its body is read: its
      files are not stored, not even in part. Up to ``UPLOAD_DRAIN_BYTES`` the body is still read
      (and the files' bytes dropped), so that every typed field is kept and the browser shows
      the answer: a browser that gets its answer before it has sent everything shows a reset
      connection instead. Beyond that it is read only up to its first file (the fields before it
      are kept) and the connection is cut.
    - Otherwise every file is counted as it streams, whatever the headers said: past the limit
      its bytes are dropped (the partial file of the handlers after this one is closed) and it
      becomes an `OversizedUpload` of its real size.
    """

    too_large = False
    request: HttpRequest  # Django gives every upload handler the request

    def handle_raw_input(
        self,
        input_data: IO[bytes],
        META: dict[str, str],
        content_length: int,
        boundary: str,
        encoding: str | None = None,
    ) -> tuple[QueryDict, MultiValueDict[str, UploadedFile[Any]]] | None:
        self.too_large = content_length > settings.UPLOAD_MAX_BYTES + settings.UPLOAD_FORM_BYTES
        if not self.too_large or content_length <= settings.UPLOAD_DRAIN_BYTES:
            return None
        first_file = _FirstFileStops()
        # input_data is the request (or a copy of its body); the stubs disagree on its type.
        parser = MultiPartParser(META, input_data, [first_file], encoding)  # type: ignore[arg-type]
        post, files = parser.parse()
        if first_file.field_name is not None:
            files.appendlist(
                first_file.field_name, OversizedUpload(first_file.file_name, content_length)
            )
        return post, files

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        super().new_file(field_name, file_name, *args, **kwargs)
        self.received = 0
        self.oversized = self.too_large
        if self.oversized:
            raise StopFutureHandlers  # the handlers that would store it never start

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        self.received += len(raw_data)
        if not self.oversized and self.received <= settings.UPLOAD_MAX_BYTES:
            return raw_data
        if not self.oversized:
            self.oversized = True
            for handler in self.request.upload_handlers:
                if handler is not self and getattr(handler, "file", None) is not None:
                    handler.file.close()  # type: ignore[attr-defined] # a storing handler's
        return None

    def file_complete(self, file_size: int) -> UploadedFile[Any] | None:
        if self.oversized:
            return OversizedUpload(self.file_name, self.received)
        return None


class _FirstFileStops(FileUploadHandler):
    """Collects nothing: it notes the first file's field and stops the parser there."""

    field_name: str | None = None  # type: ignore[assignment] # None until the first file
    file_name = ""

    def __init__(self) -> None:
        super().__init__(request=None)

    def new_file(self, field_name: str, file_name: str, *args: Any, **kwargs: Any) -> None:
        self.field_name, self.file_name = field_name, file_name
        raise StopUpload(connection_reset=True)

    def receive_data_chunk(
        self, raw_data: bytes, start: int
    ) -> bytes | None:  # pragma: no cover - never reached
        return None

    def file_complete(
        self, file_size: int
    ) -> UploadedFile[Any] | None:  # pragma: no cover - never reached
        return None


# Replacing a stored file ---------------------------------------------------------------------


def stored_file_replace(field: FieldFile, *, stem: str, upload: CheckedFile | None) -> str:
    """Store a checked upload in ``field`` under a fresh private name the portal makes (or empty
    the field); returns the old name, for `stored_file_delete_later`."""
    old: str = field.name or ""
    if upload is None:
        setattr(field.instance, field.field.name, "")
    else:
        field.save(upload.storage_name(stem), upload.file, save=False)
    return old


def stored_file_delete_later(storage: Storage, name: str) -> None:
    """Remove a replaced file once the change is committed (a rollback keeps it in use)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))
