"""The ID document and the profile photo: real PDF/JPEG/PNG only (by their bytes), at most 5 MB,
stored privately and served only to the person and their agency's back office."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.accounts.helpers import nl

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _upload(client, url, name, content, content_type="application/pdf"):
    return client.post(url, {"file": SimpleUploadedFile(name, content, content_type)})


def test_the_worker_uploads_an_id_document_and_can_view_it(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, "/worker/details/id-document/", "paspoort.pdf", PDF)
    assert response.status_code == 302
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert tenant_a.worker.id_document.name.startswith(f"private/{tenant_a.agency.pk}/")
    assert "paspoort" not in tenant_a.worker.id_document.name
    response = client.get("/worker/details/id-document/file/")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Cache-Control"] == "private, no-store"
    assert b"".join(response.streaming_content) == PDF


def test_a_file_that_is_not_what_it_claims_is_refused(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, "/worker/details/id-document/", "paspoort.pdf", b"MZ\x90\x00 exe")
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [
        nl(
            "This file is not a real %(kinds)s file, whatever its name says. Choose another file.",
            kinds="PDF / JPEG / PNG",
        )
    ]


def test_a_file_that_is_too_large_is_refused(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    big = PDF + b"0" * (5 * 1024 * 1024)
    response = _upload(client, "/worker/details/id-document/", "scan.pdf", big)
    assert response.status_code == 200
    expected = nl(
        "This file is %(size)s; the limit is %(limit)s. Choose a smaller file or scan it again."
    )
    assert response.context["form"].errors["file"][0].startswith(expected.split("%(size)s")[0])
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert not tenant_a.worker.id_document


def test_no_file_at_all_gets_a_message(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post("/worker/details/id-document/", {})
    assert response.context["form"].errors["file"]


def test_the_back_office_opens_the_id_document_others_do_not(tenant_a, tenant_b):
    _upload(
        tenant_a.http(tenant_a.worker.membership), "/worker/details/id-document/", "id.png", PNG
    )
    url = reverse("admin:accounts_flexworkerprofile_id_document", args=[tenant_a.worker.pk])
    assert tenant_a.http(tenant_a.staff).get(url).status_code == 200
    assert tenant_a.http(tenant_a.contact.membership).get(url).status_code == 404
    assert tenant_b.http(tenant_b.staff).get(url.replace("alpha", "bravo")).status_code == 404
    colleague = tenant_a.http(tenant_a.contact.membership)
    assert colleague.get("/worker/details/id-document/file/").status_code == 404


def test_the_profile_photo_is_a_jpeg_or_png(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = _upload(client, "/worker/details/photo/", "ik.pdf", PDF)
    assert response.context["form"].errors["file"]
    response = _upload(client, "/worker/details/photo/", "ik.jpg", JPEG, "image/jpeg")
    assert response.status_code == 302
    response = client.get("/worker/details/photo/file/")
    assert response["Content-Type"] == "image/jpeg"
    client.post("/worker/details/photo/", {"action": "remove"})
    assert client.get("/worker/details/photo/file/").status_code == 404


def test_the_photo_is_off_where_the_agency_does_not_allow_it(tenant_a):
    tenant_a.agency.allow_profile_photo = False
    tenant_a.agency.save()
    client = tenant_a.http(tenant_a.worker.membership)
    assert client.get("/worker/details/photo/").status_code == 404
    assert 'href="/worker/details/photo/"' not in client.get("/worker/details/").content.decode()
