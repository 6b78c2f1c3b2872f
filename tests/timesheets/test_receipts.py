"""Receipts of expenses: a real PDF, JPEG or PNG (read as such, whatever the uploader named it),
stored under a name the portal makes, downloaded by the worker and the client as what its bytes
are under a name like ``receipt-2025-03-10.pdf`` (issue 11.11)."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from flexportal import uploads
from tests import uploads as samples
from timesheets.models import Expense, ExpenseType

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(tenant_a):
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        membership.user.preferred_language = "en"
        membership.user.save()
    with tenant_a.scope():
        yield


@pytest.fixture
def parking(tenant_a):
    return ExpenseType.objects.create(agency=tenant_a.agency, name="Parkeren")


@pytest.fixture
def worker(tenant_a):
    return tenant_a.http(tenant_a.worker.membership)


def _add(client, wb, expense_type, content, name):
    data = {
        "version": wb.version,
        "expense_type": expense_type.pk,
        "date": wb.week_start.isoformat(),
        "amount": "7,50",
        "description": "Parkeergarage",
        "receipt": SimpleUploadedFile(name, content, "application/pdf"),
    }
    return client.post(f"/worker/werkbrief/{wb.pk}/expenses/", data)


@pytest.mark.parametrize(
    ("sample", "name"),
    [
        ("pdf html polyglot", "x.pdf.html"),
        ("valid pdf with html head", "x.pdf"),
        ("exe", "bon.exe"),
        ("html named pdf", "bon.pdf"),
        ("svg named png", "bon.png"),
        ("jpeg truncated", "bon.jpg"),
        ("png pixel bomb", "bon.png"),
    ],
)
def test_a_bad_receipt_is_refused_at_the_field_with_what_was_typed_kept(
    tenant_a, werkbrief, worker, parking, sample, name
):
    content = samples.refused_samples()[sample][1]
    response = _add(worker, werkbrief, parking, content, name)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_receipt_error"' in page
    assert 'value="7,50"' in page and 'value="Parkeergarage"' in page
    assert not Expense.objects.exists()


def test_a_receipt_is_stored_and_downloaded_under_names_the_portal_makes(
    tenant_a, werkbrief, worker, parking
):
    assert _add(worker, werkbrief, parking, samples.pdf(), "x.pdf.exe").status_code == 302
    expense = Expense.objects.get()
    assert expense.receipt.name.startswith(f"private/{tenant_a.agency.pk}/receipts/")
    assert expense.receipt.name.endswith(".pdf") and "x.pdf" not in expense.receipt.name
    for client, prefix in (
        (worker, "worker"),
        (tenant_a.http(tenant_a.contact.membership), "client"),
    ):
        response = client.get(f"/{prefix}/expenses/{expense.pk}/receipt/")
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"] == (
            f'inline; filename="receipt-{expense.date.isoformat()}.pdf"'
        )
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Security-Policy"] == uploads.PDF_POLICY


def test_an_image_receipt_is_re_encoded_and_shown_as_an_image(tenant_a, werkbrief, worker, parking):
    photo = samples.jpeg() + b"<html>" + samples.SCRIPT
    assert _add(worker, werkbrief, parking, photo, "bon.pdf").status_code == 302
    expense = Expense.objects.get()
    assert expense.receipt.name.endswith(".jpg")
    assert expense.receipt_content_type == "image/jpeg"
    response = worker.get(f"/worker/expenses/{expense.pk}/receipt/")
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Security-Policy"] == uploads.FILE_POLICY
    assert b"<script" not in b"".join(response.streaming_content)


@pytest.mark.parametrize(
    ("content", "content_type", "disposition"),
    [
        (b"%PDF-1.4\n<html>" + samples.SCRIPT, "application/pdf", "inline"),
        (b"<html>" + samples.SCRIPT, "application/octet-stream", "attachment"),
    ],
)
def test_a_receipt_stored_before_the_checks_is_served_by_what_its_bytes_are(
    tenant_a, werkbrief, worker, parking, content, content_type, disposition
):
    """Before, receipts were stored without an extension and served with the type and the
    name the uploader's browser gave."""
    expense = Expense(
        agency=tenant_a.agency,
        werkbrief=werkbrief,
        expense_type=parking,
        date=werkbrief.week_start,
        amount=5,
        receipt_content_type="text/html",
        receipt_name="x.pdf.html",
    )
    expense.receipt.save("x.pdf.html", ContentFile(content), save=False)
    expense.save()
    response = worker.get(f"/worker/expenses/{expense.pk}/receipt/")
    assert response["Content-Type"] == content_type
    assert response["Content-Disposition"].startswith(f"{disposition}; filename=")
    assert ".html" not in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
