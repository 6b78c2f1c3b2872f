"""The agency's logo: a raster image (PNG, JPEG or WebP) checked by its content, its size and its
pixels, stored as a re-encoded PNG, served at /branding/logo/ as an image of a fixed type with
nosniff and a CSP of its own, never as a page that runs on the agency's origin (issue 11.1)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from agencies import services as agency_services
from flexportal import uploads
from tests import uploads as samples
from tests.accounts.helpers import nl

pytestmark = pytest.mark.django_db

SETTINGS = "/admin/agencies/agency/{}/change/"
LOGO = "/branding/logo/"


def _settings_form(staff_client, agency):
    page = staff_client.get(SETTINGS.format(agency.pk))
    form = page.context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name != "logo"
    }
    return {k: v for k, v in data.items() if v is not False}


def _post_logo(tenant, filename, content, **extra):
    staff = tenant.http(tenant.staff)
    data = _settings_form(staff, tenant.agency)
    if content is not None:
        data["logo"] = SimpleUploadedFile(filename, content, "image/png")
    data.update(extra)
    return staff.post(SETTINGS.format(tenant.agency.pk), data)


def _stored_logo(tenant) -> str:
    tenant.agency.refresh_from_db()
    return tenant.agency.logo.name


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("logo.html", b"<html><body>" + samples.SCRIPT + b"</body></html>"),
        ("logo.svg", b'<svg xmlns="http://www.w3.org/2000/svg">' + samples.SCRIPT + b"</svg>"),
        ("logo.png", b"<svg onload=alert(1)>"),
        ("logo.pdf", samples.pdf()),
        ("logo.gif", samples.image("GIF")),
        ("logo.png", samples.pixel_bomb()),
        ("logo.png", samples.png()[:-20]),
    ],
)
def test_the_back_office_cannot_upload_a_logo_that_is_no_raster_image(tenant_a, name, content):
    response = _post_logo(tenant_a, name, content)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["logo"]
    assert len(errors) == 1
    assert _stored_logo(tenant_a) == ""


def test_the_message_names_the_kinds_a_logo_may_be(tenant_a):
    response = _post_logo(tenant_a, "logo.svg", b"<svg/>")
    assert response.context["adminform"].form.errors["logo"] == [
        nl(
            "This file is not a real %(kinds)s file, whatever its name says. Choose another file.",
            kinds="PNG / JPEG / WebP",
        )
    ]


def test_a_logo_is_stored_as_a_re_encoded_png_and_served_as_an_image(tenant_a):
    photo = samples.jpeg(size=(1200, 400)) + b"<html>" + samples.SCRIPT
    response = _post_logo(tenant_a, "logo.html", photo)
    assert response.status_code == 302
    stored = _stored_logo(tenant_a)
    assert stored.startswith(f"branding/{tenant_a.agency.pk}/") and stored.endswith(".png")
    response = tenant_a.http().get(LOGO)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Content-Disposition"] == 'inline; filename="logo.png"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == uploads.FILE_POLICY
    assert response["Cache-Control"] == "public, max-age=300"
    content = b"".join(response.streaming_content)
    assert b"<script" not in content
    assert Image.open(ContentFile(content)).size == (600, 200)


def test_a_replaced_or_cleared_logo_is_removed_from_storage(
    tenant_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        assert _post_logo(tenant_a, "a.png", samples.png()).status_code == 302
    first = _stored_logo(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post_logo(tenant_a, "b.webp", samples.webp()).status_code == 302
    second = _stored_logo(tenant_a)
    assert first != second
    assert not default_storage.exists(first) and default_storage.exists(second)
    with django_capture_on_commit_callbacks(execute=True):
        assert _post_logo(tenant_a, "", None, **{"logo-clear": "on"}).status_code == 302
    assert _stored_logo(tenant_a) == ""
    assert not default_storage.exists(second)
    assert tenant_a.http().get(LOGO).status_code == 404


def test_saving_the_settings_without_a_new_logo_keeps_the_one_there_is(tenant_a):
    _post_logo(tenant_a, "a.png", samples.png())
    first = _stored_logo(tenant_a)
    page = tenant_a.http(tenant_a.staff).get(SETTINGS.format(tenant_a.agency.pk)).content.decode()
    assert f'href="{tenant_a.agency.base_url()}/branding/logo/">logo.png</a>' in page
    assert _post_logo(tenant_a, "", None, name="Alpha Flex").status_code == 302
    assert _stored_logo(tenant_a) == first
    assert tenant_a.agency.name == "Alpha Flex"


def test_the_logo_is_the_last_field_so_a_refused_one_loses_nothing_typed(tenant_a):
    staff = tenant_a.http(tenant_a.staff)
    page = staff.get(SETTINGS.format(tenant_a.agency.pk)).content.decode()
    assert page.rindex('name="logo"') > max(
        page.rindex(f'name="{name}"')
        for name in ("name", "primary_colour", "client_reminder_slots", "session_max_hours")
    )


@pytest.mark.parametrize(
    "content",
    [
        b"<html><body>" + samples.SCRIPT + b"</body></html>",
        b'<svg xmlns="http://www.w3.org/2000/svg">' + samples.SCRIPT + b"</svg>",
        b"%PDF-1.4 not an image",
    ],
)
def test_a_logo_stored_before_the_checks_that_is_no_image_is_not_served(tenant_a, content):
    tenant_a.agency.logo.save("logo.html", ContentFile(content), save=True)
    assert tenant_a.http().get(LOGO).status_code == 404


def test_an_image_stored_before_the_checks_is_served_by_what_its_bytes_are(tenant_a):
    tenant_a.agency.logo.save("logo.html", ContentFile(samples.jpeg()), save=True)
    response = tenant_a.http().get(LOGO)
    assert response["Content-Type"] == "image/jpeg"
    assert response["X-Content-Type-Options"] == "nosniff"


def test_an_agency_never_serves_another_agencys_logo(tenant_a, tenant_b):
    agency_services.agency_logo_set(
        agency=tenant_b.agency,
        logo=uploads.validate_upload(SimpleUploadedFile("b.png", samples.png()), uploads.LOGO),
    )
    assert tenant_b.http().get(LOGO).status_code == 200
    assert tenant_a.http().get(LOGO).status_code == 404
