"""Second-factor secrets out of clear text: authenticator-app keys move from django-otp's
TOTPDevice (key in clear) to AuthenticatorDevice (key encrypted like the BSN), backup codes are
replaced by their hashes, and SMS codes in flight (five minutes at most) are voided.

Remembered browsers follow their authenticator to its new id. Signed-in sessions verified with
an app ask for a code once more (django-otp keeps the old device id in the session).
"""

import base64
import hashlib

from django.db import migrations
from django.utils.crypto import pbkdf2

# Frozen copy of accounts.models.backup_code_hash as it was when this migration was written.
ITERATIONS = 10_000


def _backup_code_hash(device_id: int, code: str) -> str:
    digest = pbkdf2(
        code.lower(), f"flexportal-backup-code:{device_id}", ITERATIONS, digest=hashlib.sha256
    )
    return base64.b32encode(digest[:10]).decode().lower()


def forwards(apps, schema_editor):
    TOTPDevice = apps.get_model("otp_totp", "TOTPDevice")
    AuthenticatorDevice = apps.get_model("accounts", "AuthenticatorDevice")
    StaticToken = apps.get_model("otp_static", "StaticToken")
    SmsDevice = apps.get_model("accounts", "SmsDevice")
    TrustedDevice = apps.get_model("accounts", "TrustedDevice")

    for old in TOTPDevice.objects.all():
        new = AuthenticatorDevice.objects.create(
            user_id=old.user_id,
            name=old.name,
            confirmed=old.confirmed,
            throttling_failure_timestamp=old.throttling_failure_timestamp,
            throttling_failure_count=old.throttling_failure_count,
            created_at=old.created_at,
            last_used_at=old.last_used_at,
            key=old.key,  # encrypted by the field on the way in
            step=old.step,
            t0=old.t0,
            digits=old.digits,
            tolerance=old.tolerance,
            drift=old.drift,
            last_t=old.last_t,
        )
        # TrustedDevice is tenant-owned; the historical manager has no scope to enforce.
        TrustedDevice._base_manager.filter(otp_device_id=f"otp_totp.totpdevice/{old.pk}").update(
            otp_device_id=f"accounts.authenticatordevice/{new.pk}"
        )
        old.delete()

    # Raw codes are 8 characters; hashes are 16. Only the raw ones are rewritten.
    for token in StaticToken.objects.filter(token__regex=r"^.{1,15}$"):
        token.token = _backup_code_hash(token.device_id, token.token)
        token.save(update_fields=["token"])

    SmsDevice.objects.exclude(token=None).update(token=None)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0011_authenticator_secrets_encrypted"),
        ("otp_totp", "0003_add_timestamps"),
        ("otp_static", "0003_add_timestamps"),
    ]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop, elidable=False)]
