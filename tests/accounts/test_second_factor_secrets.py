"""Second-factor secrets at rest: authenticator-app keys encrypted like the BSN (same key ring,
rotation works), backup codes and SMS codes hashed; verification works as before (clock drift,
throttling, each code once) and older rows are migrated."""

import time

import pytest
from cryptography.fernet import Fernet
from django.db import connection
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts import services
from accounts.models import AuthenticatorDevice, SmsDevice, backup_code_hash
from flexportal.fields import Unreadable
from notifications import sms
from tests.accounts.helpers import last_sms_code, totp_code

pytestmark = pytest.mark.django_db


def _raw(table: str, column: str, pk) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608
        return cursor.fetchone()[0]


def _code_at(device, steps_ahead: int) -> str:
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    totp.time = time.time() + steps_ahead * device.step
    return f"{totp.token():0{device.digits}d}"


def test_the_authenticator_secret_is_stored_encrypted_not_in_clear(tenant_a):
    user = tenant_a.staff.user
    device = services.totp_device_start(user=user)
    key = device.key
    assert len(key) == 40  # 20 bytes, hex: what the QR code carries
    stored = _raw("accounts_authenticatordevice", "key", device.pk)
    assert key not in stored
    device = AuthenticatorDevice.objects.get(pk=device.pk)
    assert device.key == key
    assert not TOTPDevice.objects.exists()  # nothing lands in django-otp's clear-text table


def test_the_app_is_set_up_and_verified_through_the_portal(tenant_a):
    client = tenant_a.http(tenant_a.staff, verified=False)
    client.get("/two-factor/setup/app/")
    device = AuthenticatorDevice.objects.get(pk=client.session["flexportal_totp_setup"])
    response = client.post("/two-factor/setup/app/", {"code": totp_code(device)})
    assert response.status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_a_code_from_a_phone_whose_clock_runs_ahead_is_accepted_and_the_drift_learnt(tenant_a):
    device = AuthenticatorDevice.objects.create(user=tenant_a.staff.user, confirmed=True)
    verified = services.otp_token_verify(
        agency=tenant_a.agency, user=tenant_a.staff.user, device=device, token=_code_at(device, 1)
    )
    verified.refresh_from_db()
    assert verified.drift == 1
    # The same code twice: refused (each code once).
    with pytest.raises(services.AccountError):
        services.otp_token_verify(
            agency=tenant_a.agency,
            user=tenant_a.staff.user,
            device=verified,
            token=_code_at(verified, 0),
        )


def test_wrong_app_codes_are_throttled(tenant_a):
    device = AuthenticatorDevice.objects.create(user=tenant_a.staff.user, confirmed=True)
    with pytest.raises(services.AccountError) as wrong:
        services.otp_token_verify(
            agency=tenant_a.agency, user=tenant_a.staff.user, device=device, token="000000"
        )
    assert wrong.value.code == "code_wrong"
    device.refresh_from_db()
    assert device.throttling_failure_count == 1
    # Right after a wrong code even the right one waits (the wait doubles each time).
    with pytest.raises(services.AccountError) as throttled:
        services.otp_token_verify(
            agency=tenant_a.agency,
            user=tenant_a.staff.user,
            device=device,
            token=totp_code(device),
        )
    assert throttled.value.code == "throttled"


def test_the_secret_rotates_with_the_bsn_key_ring(tenant_a, settings):
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [old]
    device = AuthenticatorDevice.objects.create(user=tenant_a.staff.user, confirmed=True)
    key = device.key
    settings.FIELD_ENCRYPTION_KEYS = [new, old]
    from django.core.management import call_command

    call_command("encryption_keys_rotate", stdout=open("/dev/null", "w"))  # noqa: SIM115
    settings.FIELD_ENCRYPTION_KEYS = [new]
    assert AuthenticatorDevice.objects.get(pk=device.pk).key == key


def test_a_secret_no_key_opens_verifies_nothing(tenant_a, settings):
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    device = AuthenticatorDevice.objects.create(user=tenant_a.staff.user, confirmed=True)
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    device = AuthenticatorDevice.objects.get(pk=device.pk)
    assert isinstance(device.key, Unreadable)
    assert device.verify_token("000000") is False  # never an empty key that anyone can use


def test_backup_codes_are_stored_hashed_and_each_works_once(tenant_a):
    user = tenant_a.staff.user
    codes = services.backup_codes_generate(agency=tenant_a.agency, user=user)
    assert len(codes) == 10 and len(set(codes)) == 10
    sheet = StaticDevice.objects.get(user=user, name="backup-codes")
    stored = set(StaticToken.objects.filter(device=sheet).values_list("token", flat=True))
    plain = {c.replace("-", "") for c in codes}
    assert not stored & plain
    assert stored == {backup_code_hash(device_id=sheet.pk, code=c) for c in plain}
    # Typed as printed, in capitals or with spaces: accepted once.
    typed = codes[3].upper().replace("-", " ")
    services.otp_token_verify(agency=tenant_a.agency, user=user, device=sheet, token=typed)
    sheet.refresh_from_db()
    sheet.throttle_reset()
    with pytest.raises(services.AccountError):
        services.otp_token_verify(agency=tenant_a.agency, user=user, device=sheet, token=codes[3])
    assert StaticToken.objects.filter(device=sheet).count() == 9


def test_sms_codes_are_stored_hashed(tenant_a):
    user = tenant_a.staff.user
    device = SmsDevice.objects.create(user=user, number="+31612345678", confirmed=True)
    sms.outbox.clear()
    services.sms_device_code_send(agency=tenant_a.agency, user=user, device=device)
    code = last_sms_code()
    device.refresh_from_db()
    assert device.token and code not in device.token
    services.otp_token_verify(agency=tenant_a.agency, user=user, device=device, token=code)
    device.refresh_from_db()
    assert device.token is None  # used up
