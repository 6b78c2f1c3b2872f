"""The ID document and the profile photo: real PDF/JPEG/PNG only (read as such, whatever their
name), at most 5 MB, stored privately under names the portal makes, served only to the person
and their agency's back office, as what their bytes are and never as a page that could run."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.http import content_disposition_header

from flexportal import uploads
from tests import uploads as samples
from tests.accounts.helpers import nl

pytestmark = pytest.mark.django_db

PDF = samples.pdf()
PNG = samples.png()
JPEG = samples.jpeg()
ID_PAGE = "/worker/details/id-document/"
ID_FILE = "/worker/details/id-document/file/"


def _upload(client, url, name, content, content_type="application/pdf"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type)})


def _worker(tenant):
    with tenant.scope():
        tenant.worker.refresh_from_db()
    return tenant.worker


def test_the_worker_uploads_an_id_document_and_can_view_it(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, ID_PAGE, "paspoort.pdf", PDF)
    assert response.status_code == 302
    stored = _worker(tenant_a).id_document.name
    assert stored.startswith(f"private/{tenant_a.agency.pk}/id-documents/")
    assert stored.endswith(".pdf") and "paspoort" not in stored
    response = client.get(ID_FILE)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF


def test_the_id_document_is_shown_inline_under_a_name_the_portal_makes(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    _upload(client, ID_PAGE, "x.pdf.html", PDF, "text/html")
    response = client.get(ID_FILE)
    name = uploads.download_name(nl("ID document"))
    assert response["Content-Disposition"] == f'inline; filename="{name}.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == uploads.PDF_POLICY
    assert _worker(tenant_a).id_document_name == "x.pdf.html"  # shown to the back office only


def test_a_file_that_is_not_what_it_claims_is_refused(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, ID_PAGE, "paspoort.pdf", b"MZ\x90\x00 exe")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        nl(
            "This file is not a real %(kinds)s file, whatever its name says. Choose another file.",
            kinds="PDF / JPEG / PNG",
        )
    ]


@pytest.mark.parametrize("sample", samples.refused_samples().keys())
def test_every_bad_file_the_reviewer_tried_is_refused_at_the_field_and_nothing_is_kept(
    tenant_a, sample
):
    name, content = samples.refused_samples()[sample]
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, ID_PAGE, name, content, "text/html")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_file_error"' in page
    assert not _worker(tenant_a).id_document


def test_an_empty_file_gets_a_message(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, ID_PAGE, "leeg.pdf", b"")
    assert response.status_code == 200
    assert response.context["form"].errors["file"]


def test_a_file_that_is_too_large_is_refused(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    big = PDF + b"0" * (5 * 1024 * 1024)
    response = _upload(client, ID_PAGE, "scan.pdf", big)
    assert response.status_code == 200
    expected = nl(
        "This file is %(size)s; the limit is %(limit)s. Choose a smaller file or scan it again."
    )
    assert response.context["form"].errors["file"][0].startswith(expected.split("%(size)s")[0])
    assert not _worker(tenant_a).id_document


def test_no_file_at_all_gets_a_message(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post(ID_PAGE, {})
    assert response.context["form"].errors["file"]


def test_a_replaced_id_document_is_removed_from_storage(
    tenant_a, django_capture_on_commit_callbacks
):
    client = tenant_a.http(tenant_a.worker.membership)
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, ID_PAGE, "oud.pdf", PDF)
    first = _worker(tenant_a).id_document.name
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client, ID_PAGE, "nieuw.png", PNG, "image/png")
    second = _worker(tenant_a).id_document.name
    assert second.endswith(".png")
    assert not default_storage.exists(first) and default_storage.exists(second)


def test_an_id_document_stored_before_the_checks_is_served_as_what_its_bytes_are(tenant_a):
    """Before, the stored name kept the uploader's extension (x.pdf.html → .html)."""
    polyglot = b"%PDF-1.4\n<html>" + samples.SCRIPT + b"</html>"
    with tenant_a.scope():
        worker = tenant_a.worker
        worker.id_document.save("id.html", ContentFile(polyglot), save=True)
    response = tenant_a.http(tenant_a.worker.membership).get(ID_FILE)
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Disposition"].endswith('.pdf"')


def test_the_back_office_opens_the_id_document_others_do_not(tenant_a, tenant_b):
    _upload(tenant_a.http(tenant_a.worker.membership), ID_PAGE, "id.png", PNG)
    url = reverse("admin:staffing_flexworkerprofile_id_document", args=[tenant_a.worker.pk])
    response = tenant_a.http(tenant_a.staff).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    name = uploads.download_name(nl("ID document"), tenant_a.worker.full_name)
    # Django writes a name with letters outside ASCII as filename*=utf-8''...
    assert response["Content-Disposition"] == content_disposition_header(False, f"{name}.png")
    assert tenant_a.http(tenant_a.contact.membership).get(url).status_code == 404
    assert tenant_b.http(tenant_b.staff).get(url.replace("alpha", "bravo")).status_code == 404
    colleague = tenant_a.http(tenant_a.contact.membership)
    assert colleague.get(ID_FILE).status_code == 404


def test_the_profile_photo_is_a_jpeg_or_png(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, "/worker/details/photo/", "ik.pdf", PDF)
    assert response.context["form"].errors["file"]
    response = _upload(client, "/worker/details/photo/", "ik.jpg", JPEG, "image/jpeg")
    assert response.status_code == 302
    response = client.get("/worker/details/photo/file/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == uploads.FILE_POLICY
    client.post("/worker/details/photo/", {"action": "remove"})
    assert client.get("/worker/details/photo/file/").status_code == 404


def test_a_photo_is_stored_as_what_it_is_and_re_encoded(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    photo = samples.jpeg_turned()
    assert _upload(client, "/worker/details/photo/", "ik.png", photo).status_code == 302
    stored = _worker(tenant_a).photo
    assert stored.name.endswith(".jpg")
    with stored.open("rb") as file:
        content = file.read()
    assert b"Dorpsstraat" not in content and content != photo


def test_the_photo_is_off_where_the_agency_does_not_allow_it(tenant_a):
    tenant_a.agency.allow_profile_photo = False
    tenant_a.agency.save()
    client = tenant_a.http(tenant_a.worker.membership)
    assert client.get("/worker/details/photo/").status_code == 404
    assert 'href="/worker/details/photo/"' not in client.get("/worker/details/").content.decode()
