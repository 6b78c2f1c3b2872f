"""Encryption at rest (the BSN, authenticator secrets): one key ring of its own in production,
rotation without losing a value, and a value no key opens shown as such, never a 500."""

import io
import subprocess
import sys

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from flexportal.fields import Unreadable, check_encryption_keys
from tests.notifications.conftest import english

pytestmark = pytest.mark.django_db

OLD, NEW, OTHER = (Fernet.generate_key().decode() for _ in range(3))


def _stored_bsn(profile) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT bsn FROM staffing_flexworkerprofile WHERE id = %s", [profile.pk])
        return cursor.fetchone()[0]


def _with_bsn(tenant, settings, key: str) -> None:
    settings.FIELD_ENCRYPTION_KEYS = [key]
    with tenant.scope():
        tenant.worker.bsn = "123456782"
        tenant.worker.save()


def test_a_bsn_no_key_can_read_shows_as_unreadable_on_the_portal_not_a_500(tenant_a, settings):
    _with_bsn(tenant_a, settings, OLD)
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key was dropped by mistake
    english(tenant_a.worker.membership)
    client = tenant_a.http(tenant_a.worker.membership)
    assert client.get("/worker/").status_code == 200
    response = client.get("/worker/details/")
    assert response.status_code == 200
    assert "cannot be read (encryption key missing)" in response.content.decode()
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert isinstance(tenant_a.worker.bsn, Unreadable)
    assert not tenant_a.worker.bsn  # empty as a value: nothing shows or validates it


def test_the_back_office_sees_it_too_and_saving_the_worker_keeps_the_stored_bsn(tenant_a, settings):
    _with_bsn(tenant_a, settings, OLD)
    token = _stored_bsn(tenant_a.worker)
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    english(tenant_a.staff)
    staff = tenant_a.http(tenant_a.staff)
    assert staff.get("/admin/staffing/flexworkerprofile/").status_code == 200
    url = f"/admin/staffing/flexworkerprofile/{tenant_a.worker.pk}/change/"
    page = staff.get(url)
    assert page.status_code == 200
    assert "cannot be read (encryption key missing)" in page.content.decode()
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "bsn"}
    data.update({"city": "Gouda", "bsn": ""})
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert _stored_bsn(tenant_a.worker) == token  # not overwritten by an empty value
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]  # the old key comes back
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert (tenant_a.worker.bsn, tenant_a.worker.city) == ("123456782", "Gouda")


def test_a_new_key_in_front_reads_the_old_values_and_the_rotation_moves_them(
    tenant_a, tenant_b, settings
):
    _with_bsn(tenant_a, settings, OLD)
    _with_bsn(tenant_b, settings, OLD)
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OLD]
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert tenant_a.worker.bsn == "123456782"
    call_command("encryption_keys_rotate", stdout=io.StringIO())
    settings.FIELD_ENCRYPTION_KEYS = [NEW]  # the old key can go now
    for tenant in (tenant_a, tenant_b):
        with tenant.scope():
            tenant.worker.refresh_from_db()
        assert tenant.worker.bsn == "123456782"
        assert Fernet(NEW).decrypt(_stored_bsn(tenant.worker).encode()) == b"123456782"


def test_values_of_the_development_key_move_under_a_key_of_their_own(tenant_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = []  # development: derived from SECRET_KEY
    with tenant_a.scope():
        tenant_a.worker.bsn = "123456782"
        tenant_a.worker.save()
    settings.FIELD_ENCRYPTION_KEYS = [NEW]
    call_command("encryption_keys_rotate", "--from-secret-key", stdout=io.StringIO())
    settings.SECRET_KEY = "another-secret-key-" * 4  # rotating SECRET_KEY changes nothing now
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert tenant_a.worker.bsn == "123456782"


def test_check_deploy_demands_a_key_ring_of_its_own(settings):
    settings.FIELD_ENCRYPTION_KEYS = []
    (error,) = check_encryption_keys()
    assert error.id == "flexportal.E001"
    settings.FIELD_ENCRYPTION_KEYS = [NEW, OTHER]
    assert check_encryption_keys() == []


def test_a_key_that_is_not_a_fernet_key_stops_the_process():
    result = subprocess.run(
        [sys.executable, "-c", "import flexportal.settings"],
        env={
            "FLEXPORTAL_TESTING": "true",
            "FIELD_ENCRYPTION_KEYS": f"{NEW},not-a-key",
            # Only parsed, never connected to: without it the settings would start the embedded
            # PostgreSQL (initdb on a fresh clone) before they ever read the keys.
            "DATABASE_URL": "postgres://nobody@127.0.0.1:1/none",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "FIELD_ENCRYPTION_KEYS: key 2 is not a Fernet key" in result.stderr
