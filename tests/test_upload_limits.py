"""Uploads too large are refused as soon as their size is known (issue 11.12): by the request's
Content-Length before the body is read, or while the file streams in when the length says
nothing; never stored, not even in a temporary file; with the usual message at the field and the
rest of the form kept; never a 500."""

import pytest
from django.core.files.uploadhandler import MemoryFileUploadHandler, TemporaryFileUploadHandler
from django.test import override_settings

from tests import uploads as samples
from tests.accounts.helpers import nl
from timesheets.models import Expense, ExpenseType

pytestmark = pytest.mark.django_db

MB = 1024 * 1024
BOUNDARY = "----flexportal-test-boundary"


class MultipartBody:
    """A multipart/form-data body made while it is read (a 200 MB file is never in memory),
    counting how much of it the server reads: ``fields`` before the file, ``after`` behind it."""

    def __init__(self, *, field, filename, size, fields=(), after=(), head=b"%PDF-1.4\n"):
        def field_part(name, value):
            return (
                f"--{BOUNDARY}\r\nContent-Disposition: form-data; "
                f'name="{name}"\r\n\r\n{value}\r\n'.encode()
            )

        self.prefix = b"".join(field_part(n, v) for n, v in fields) + (
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
            f'filename="{filename}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
        )
        self.head = head
        self.size = size
        self.suffix = (
            b"\r\n" + b"".join(field_part(n, v) for n, v in after) + f"--{BOUNDARY}--\r\n".encode()
        )
        self.length = len(self.prefix) + size + len(self.suffix)
        self.read_bytes = 0

    def _at(self, position: int, count: int) -> bytes:
        file_start, file_end = len(self.prefix), len(self.prefix) + self.size
        out = b""
        if position < file_start:
            out += self.prefix[position : position + count]
        start, stop = (
            max(position, file_start) - file_start,
            min(position + count, file_end) - file_start,
        )
        if start < stop:  # the file: its first bytes, then zeros
            out += self.head[start:stop] + bytes(stop - start - len(self.head[start:stop]))
        if position + count > file_end:
            out += self.suffix[max(0, position - file_end) : position + count - file_end]
        return out

    def readline(self, size=-1):  # pragma: no cover - multipart bodies are read by size
        raise NotImplementedError

    def read(self, size=-1):
        if size is None or size < 0:
            size = self.length - self.read_bytes
        data = self._at(self.read_bytes, min(size, self.length - self.read_bytes))
        self.read_bytes += len(data)
        return data


def _post(client, url, body, *, content_length=None):
    environ = {
        "wsgi.input": body,
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
    }
    if content_length != "absent":
        environ["CONTENT_LENGTH"] = str(body.length if content_length is None else content_length)
    return client.generic("POST", url, b"", **environ)


@pytest.fixture
def stored_by_django(monkeypatch):
    """How many bytes of each file Django's own handlers stored (in memory or a temporary file)."""
    stored: dict[str, int] = {}

    def tracked(handler_class):
        original = handler_class.receive_data_chunk

        def receive_data_chunk(self, raw_data, start):
            if getattr(self, "activated", True):  # the memory handler takes small requests only
                stored[self.field_name] = stored.get(self.field_name, 0) + len(raw_data)
            return original(self, raw_data, start)

        monkeypatch.setattr(handler_class, "receive_data_chunk", receive_data_chunk)

    tracked(MemoryFileUploadHandler)
    tracked(TemporaryFileUploadHandler)
    return stored


def _too_large(size: str) -> str:
    return nl(
        "This file is %(size)s; the limit is %(limit)s. Choose a smaller file or scan it again.",
        size=size,
        limit="5,0\xa0MB",
    )


def test_a_50_mb_id_document_is_refused_at_the_field_and_never_stored(tenant_a, stored_by_django):
    client = tenant_a.http(tenant_a.worker.membership)
    body = MultipartBody(field="file", filename="scan.pdf", size=50 * MB)
    response = _post(client, "/worker/details/id-document/", body)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [_too_large("50,0\xa0MB")]
    assert stored_by_django == {}
    assert body.read_bytes == body.length  # read to its end, so the browser sees this answer
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert not tenant_a.worker.id_document


@override_settings(UPLOAD_DRAIN_BYTES=64 * MB)
def test_a_request_far_too_large_is_not_read_past_its_first_file(tenant_a, stored_by_django):
    client = tenant_a.http(tenant_a.worker.membership)
    body = MultipartBody(field="file", filename="scan.pdf", size=200 * MB)
    response = _post(client, "/worker/details/id-document/", body)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [_too_large("200,0\xa0MB")]
    assert body.read_bytes < MB
    assert stored_by_django == {}


@pytest.fixture
def expense_page(tenant_a):
    from timesheets import services

    with tenant_a.scope():
        parking = ExpenseType.objects.create(agency=tenant_a.agency, name="Parkeren")
        start = tenant_a.placement.start_date
        import datetime as dt

        wb = services.werkbrief_ensure(
            placement=tenant_a.placement, week_start=start - dt.timedelta(start.weekday())
        )
    fields = [
        ("version", wb.version),
        ("expense_type", parking.pk),
        ("date", wb.week_start.isoformat()),
        ("amount", "7,50"),
    ]
    return f"/worker/werkbrief/{wb.pk}/expenses/", fields


@pytest.mark.parametrize("size", [8 * MB, 80 * MB])
def test_what_was_typed_around_an_oversized_receipt_stays_on_the_page(
    tenant_a, expense_page, size, stored_by_django
):
    """Up to UPLOAD_DRAIN_BYTES the whole form is read (the description after the file stays
    too); beyond it the fields before the file stay (the portal's forms put the file last)."""
    url, fields = expense_page
    client = tenant_a.http(tenant_a.worker.membership)
    body = MultipartBody(
        field="receipt",
        filename="bon.pdf",
        size=size,
        fields=fields,
        after=[("description", "Parkeergarage")],
    )
    response = _post(client, url, body)
    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="id_receipt_error"' in page and "MB" in page
    assert 'value="7,50"' in page
    assert ('value="Parkeergarage"' in page) == (size < 64 * MB)
    assert stored_by_django == {}
    with tenant_a.scope():
        assert not Expense.objects.exists()


def test_a_file_that_grows_past_the_limit_while_streaming_is_not_kept(tenant_a, stored_by_django):
    """A length that fits the request (the limit plus room for the form) with a file over the
    limit: counted as it streams; what Django's handlers had received is closed and dropped."""
    client = tenant_a.http(tenant_a.worker.membership)
    body = MultipartBody(field="file", filename="scan.pdf", size=5 * MB + MB // 2)
    response = _post(client, "/worker/details/id-document/", body)
    assert response.status_code == 200
    assert response.context["form"].errors["file"] == [_too_large("5,5\xa0MB")]
    assert 0 < stored_by_django["file"] <= 5 * MB  # then its partial file was closed


@pytest.mark.parametrize("content_length", ["absent", 400, 0])
def test_a_missing_or_lying_content_length_gets_a_message_not_a_500(tenant_a, content_length):
    client = tenant_a.http(tenant_a.worker.membership)
    body = MultipartBody(field="file", filename="scan.pdf", size=100_000, head=samples.pdf())
    response = _post(client, "/worker/details/id-document/", body, content_length=content_length)
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert not tenant_a.worker.id_document


def test_an_oversized_logo_is_refused_at_its_field_in_the_back_office(tenant_a, stored_by_django):
    staff = tenant_a.http(tenant_a.staff)
    url = f"/admin/agencies/agency/{tenant_a.agency.pk}/change/"
    body = MultipartBody(
        field="logo", filename="logo.png", size=7 * MB, fields=[("name", "Alpha Flex")]
    )
    response = _post(staff, url, body)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["logo"] == [
        _too_large("7,0\xa0MB").replace("5,0\xa0MB", "2,0\xa0MB")
    ]
    assert 'value="Alpha Flex"' in response.content.decode()
    assert stored_by_django == {}
