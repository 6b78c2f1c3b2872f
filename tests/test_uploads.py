"""The one check every upload goes through (flexportal/uploads.py): the kind by the content, the
content read as that kind (pypdf, Pillow), the size and the pixels; images re-encoded; stored
files served as what their bytes are, never as what their name says.

Each bad file a reviewer tried is refused by every kind of upload that could take it, with a
message for the field (never an exception that would be a 500)."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import Image

from flexportal import uploads
from tests import uploads as samples


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


RULES = {"document": uploads.DOCUMENT, "photo": uploads.PHOTO, "logo": uploads.LOGO}
REFUSED = samples.refused_samples()


def _check(name: str, content: bytes, rules=uploads.DOCUMENT) -> uploads.CheckedFile:
    return uploads.validate_upload(SimpleUploadedFile(name, content), rules)


@pytest.mark.parametrize("rules", RULES.values(), ids=RULES.keys())
@pytest.mark.parametrize("sample", REFUSED.keys())
def test_a_bad_file_is_refused_with_a_message_for_the_field(sample, rules):
    name, content = REFUSED[sample]
    with pytest.raises(ValidationError) as refused:
        _check(name, content, rules)
    assert refused.value.code in {
        "file_wrong_type",
        "file_damaged",
        "file_encrypted",
        "image_too_many_pixels",
    }
    assert refused.value.messages[0].endswith(".")


@pytest.mark.parametrize(
    ("sample", "code"),
    [
        ("html named pdf", "file_wrong_type"),
        ("svg named png", "file_wrong_type"),
        ("exe named pdf", "file_wrong_type"),
        ("pdf html polyglot", "file_wrong_type"),
        ("valid pdf with html head", "file_wrong_type"),
        ("pdf truncated", "file_damaged"),
        ("pdf without pages", "file_damaged"),
        ("pdf with password", "file_encrypted"),
        ("png magic and zeros", "file_damaged"),
        ("jpeg truncated", "file_damaged"),
        ("png pixel bomb", "image_too_many_pixels"),
        ("png too many pixels", "image_too_many_pixels"),
    ],
)
def test_each_kind_of_bad_file_gets_its_own_message(sample, code):
    name, content = REFUSED[sample]
    with pytest.raises(ValidationError) as refused:
        _check(name, content)
    assert refused.value.code == code


def test_the_messages_say_what_is_wrong_in_words_the_uploader_can_act_on():
    with pytest.raises(ValidationError) as wrong:
        _check("x.pdf.html", REFUSED["pdf html polyglot"][1])
    assert wrong.value.messages == [
        "This file is not a real PDF / JPEG / PNG file, whatever its name says. "
        "Choose another file."
    ]
    with pytest.raises(ValidationError) as damaged:
        _check("ik.jpg", REFUSED["jpeg truncated"][1])
    assert damaged.value.messages == [
        "This file cannot be read as a JPEG: it may be damaged or incomplete. Choose another file."
    ]
    with pytest.raises(ValidationError) as bomb:
        _check("logo.png", samples.pixel_bomb(), uploads.LOGO)
    assert bomb.value.messages == [
        "This image has too many pixels: at most 16 megapixels. Choose a smaller image."
    ]


def test_an_empty_file_and_a_file_over_the_limit_are_refused():
    with pytest.raises(ValidationError) as empty:
        _check("x.pdf", b"")
    assert empty.value.code == "file_empty"
    big = samples.png() + b"\0" * uploads.LOGO.max_bytes
    with pytest.raises(ValidationError) as too_large:
        _check("logo.png", big, uploads.LOGO)
    assert too_large.value.code == "file_too_large"
    assert "the limit is 2.0\xa0MB" in too_large.value.messages[0]


@pytest.mark.parametrize(
    ("name", "content", "rules", "kind"),
    [
        ("paspoort.pdf", samples.pdf(), uploads.DOCUMENT, uploads.PDF),
        ("scan.PDF", samples.pdf(pages=3), uploads.DOCUMENT, uploads.PDF),
        ("owner-password-only.pdf", None, uploads.DOCUMENT, uploads.PDF),
        ("bon.jpg", samples.jpeg(), uploads.DOCUMENT, uploads.JPEG),
        ("bon.png", samples.png(), uploads.DOCUMENT, uploads.PNG),
        ("named-wrong.jpg", samples.png(), uploads.PHOTO, uploads.PNG),
        ("no-extension", samples.jpeg(), uploads.PHOTO, uploads.JPEG),
        ("cmyk.jpg", samples.jpeg(mode="CMYK"), uploads.PHOTO, uploads.JPEG),
        ("grey16.png", samples.png(mode="I;16"), uploads.PHOTO, uploads.PNG),
        ("alpha.png", samples.png(mode="RGBA", colour=(1, 2, 3, 0)), uploads.PHOTO, uploads.PNG),
        ("palette.png", samples.png(mode="P", transparency=0), uploads.PHOTO, uploads.PNG),
        ("logo.png", samples.png(), uploads.LOGO, uploads.PNG),
        ("logo.jpg", samples.jpeg(), uploads.LOGO, uploads.PNG),
        ("logo.webp", samples.webp(), uploads.LOGO, uploads.PNG),
    ],
)
def test_real_files_are_accepted_and_stored_as_their_checked_kind(name, content, rules, kind):
    if content is None:  # a PDF that opens without a password but may not be changed
        from pypdf import PdfWriter

        writer = PdfWriter()
        writer.add_blank_page(width=100, height=100)
        writer.encrypt(user_password="", owner_password="eigenaar")
        out = io.BytesIO()
        writer.write(out)
        content = out.getvalue()
    checked = _check(name, content, rules)
    assert checked.kind is kind
    assert checked.storage_name("receipt") == f"receipt.{kind.code}"
    stored = checked.file.read()
    assert kind.matches(stored)
    if kind.is_image:
        assert Image.open(io.BytesIO(stored)).format == kind.pillow_format
    else:
        assert stored == content  # a PDF is kept as it came


def test_an_image_is_re_encoded_upright_without_its_metadata_or_what_was_appended():
    photo = samples.jpeg_turned() + b"<html>" + samples.SCRIPT
    stored = _check("ik.jpg", photo, uploads.PHOTO).file.read()
    assert b"<script" not in stored and b"<html" not in stored and b"Dorpsstraat" not in stored
    picture = Image.open(io.BytesIO(stored))
    assert picture.size == (30, 40)  # turned as the EXIF said, then the EXIF dropped
    assert not picture.getexif()


def test_a_logo_is_scaled_down_and_stored_as_a_png():
    checked = _check("logo.jpg", samples.jpeg(size=(3000, 1000)), uploads.LOGO)
    picture = Image.open(io.BytesIO(checked.file.read()))
    assert (picture.format, picture.size) == ("PNG", (600, 200))


def test_the_uploaders_name_is_kept_for_display_without_folders_or_control_characters():
    checked = _check("../../evil\u202egpj.exe\u200b.pdf", samples.pdf())
    assert checked.uploaded_name == "evilgpj.exe.pdf"


def test_a_file_too_large_to_receive_is_refused_by_its_size_alone():
    with pytest.raises(ValidationError) as refused:
        uploads.validate_upload(
            uploads.OversizedUpload("scan.pdf", 50 * 1024 * 1024), uploads.DOCUMENT
        )
    assert refused.value.messages == [
        "This file is 50.0\xa0MB; the limit is 5.0\xa0MB. Choose a smaller file or scan it again."
    ]


def test_storage_names_are_made_by_the_portal():
    first = uploads.upload_path("private/a/receipts", "receipt.pdf")
    assert first.startswith("private/a/receipts/") and first.endswith(".pdf")
    assert first != uploads.upload_path("private/a/receipts", "receipt.pdf")
    assert uploads.upload_path("branding/a", "no-extension").endswith(".bin")
    assert uploads.download_name("Bon", "2025-03-10") == "bon-2025-03-10"
    assert uploads.download_name("Документ за самоличност") == "документ-за-самоличност"
    assert uploads.download_name("../..", "") == "file"


# Serving ----------------------------------------------------------------------------------------


class _Stored:
    """A stored file as a model's FileField hands it over."""

    def __init__(self, content: bytes | None):
        self.content = content

    def __bool__(self):
        return self.content is not None

    def open(self, mode):
        return ContentFile(self.content) if self.content is not None else None


@pytest.mark.parametrize(
    ("content", "content_type", "disposition", "policy"),
    [
        (samples.pdf(), "application/pdf", 'inline; filename="bon.pdf"', uploads.PDF_POLICY),
        (samples.png(), "image/png", 'inline; filename="bon.png"', uploads.FILE_POLICY),
        (samples.jpeg(), "image/jpeg", 'inline; filename="bon.jpg"', uploads.FILE_POLICY),
        (
            b"<html>" + samples.SCRIPT,
            "application/octet-stream",
            'attachment; filename="bon.bin"',
            uploads.FILE_POLICY,
        ),
    ],
)
def test_a_private_file_is_served_as_what_its_bytes_are_under_the_portals_name(
    content, content_type, disposition, policy
):
    response = uploads.file_response(_Stored(content), name="bon")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"] == disposition
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == policy
    assert response["Cache-Control"] == "private, no-store"
    assert response["Cross-Origin-Resource-Policy"] == "same-origin"
    assert b"".join(response.streaming_content) == content


def test_the_policies_let_nothing_run_and_sandbox_all_but_pdfs():
    assert "sandbox" in uploads.FILE_POLICY
    for policy in (uploads.FILE_POLICY, uploads.PDF_POLICY):
        assert policy.startswith("default-src 'none'")
        assert "script-src" not in policy


def test_a_public_file_of_another_kind_is_not_served():
    from django.http import Http404

    with pytest.raises(Http404):
        uploads.file_response(
            _Stored(b"<svg onload=alert(1)>"), name="logo", kinds=uploads.LOGO.kinds, public=True
        )
    with pytest.raises(Http404):
        uploads.file_response(_Stored(None), name="logo", public=True)
    response = uploads.file_response(
        _Stored(samples.webp()), name="logo", kinds=uploads.LOGO.kinds, public=True
    )
    assert response["Content-Type"] == "image/webp"
    assert response["Cache-Control"] == "public, max-age=300"
