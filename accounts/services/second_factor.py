"""Second factors: authenticator apps, text messages, backup codes, remembered devices and
the back office's reset."""

import contextlib
import datetime as dt
import re
import secrets
from typing import TypeAlias

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core import signing
from django.core.cache import cache
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.models import (
    AccountEventKind,
    AuthenticatorDevice,
    Membership,
    SmsDevice,
    TrustedDevice,
    User,
    backup_code_hash,
    backup_code_new,
)
from accounts.selectors import (
    BACKUP_CODES_DEVICE_NAME,
    language_for,
    otp_device_get,
    otp_lock_key,
    token_hash,
    two_factor_lock_until,
)
from accounts.services.audit import AccountError, ClientInfo, account_event_record
from accounts.services.sessions import sessions_end_all
from agencies.models import Agency, Role
from flexportal.tenancy import agency_scope, scopes_disabled
from flexportal.validators import mask_mobile_number, normalise_mobile_number
from notifications.models import Kind as MailKind
from notifications.services import (
    account_mail_send,
)
from notifications.sms import SmsError, send_sms

# Second factor ----------------------------------------------------------------------------------

TWO_FACTOR_LOCK_AFTER = 10
TWO_FACTOR_LOCK = dt.timedelta(minutes=15)
SMS_OTP_VALID_SECONDS = 5 * 60
SMS_OTP_COOLDOWN_SECONDS = 30
SMS_OTP_PER_HOUR = 10
BACKUP_CODE_COUNT = 10
REMEMBER_DEVICE_DAYS = 30
TRUSTED_DEVICE_SALT = "accounts.trusted_device"

# A second factor: an authenticator app, a phone, or the sheet of backup codes (django-otp's
# StaticDevice, untyped: Any).
OtpDevice: TypeAlias = AuthenticatorDevice | SmsDevice | StaticDevice


def _sms_cooldown_key(device: SmsDevice) -> str:
    return f"otp:sms:cooldown:{device.pk}"


def _failures_key(user: User) -> str:
    return f"otp:failures:{user.pk}"


def _locked_message(until: dt.datetime) -> str:
    return _(
        "Too many wrong codes in a row. For your safety, codes are blocked until %(time)s. "
        "Try again then, or ask your agency for help."
    ) % {"time": date_format(timezone.localtime(until), "TIME_FORMAT")}


def otp_token_verify(
    *, agency: Agency, user: User, device: OtpDevice, token: str, client: ClientInfo | None = None
) -> OtpDevice:
    """Check a code against one of the person's devices; returns the device on success.

    Each device doubles its wait after a wrong code (django-otp's throttling); on top of that,
    TWO_FACTOR_LOCK_AFTER wrong codes in a row, on any device, block codes for TWO_FACTOR_LOCK.
    Raises AccountError with a message for the person.
    """
    locked_until = two_factor_lock_until(user=user)
    if locked_until:
        raise AccountError(_locked_message(locked_until), code="locked")
    token = re.sub(r"[\s-]", "", token or "").lower()
    if isinstance(device, StaticDevice) and token:
        # Backup codes are stored hashed: compare the hash of what was typed.
        token = backup_code_hash(device_id=device.pk, code=token)
    allowed, _data = device.verify_is_allowed()
    verified = False
    if allowed and token:
        with transaction.atomic():
            device = type(device).objects.select_for_update().get(pk=device.pk)
            verified = device.verify_token(token)
    if verified:
        cache.delete(_failures_key(user))
        if isinstance(device, SmsDevice):  # a used code needs no cooldown before the next
            cache.delete(_sms_cooldown_key(device))
        return device
    cache.add(_failures_key(user), 0, timeout=int(TWO_FACTOR_LOCK.total_seconds()))
    try:
        failures = cache.incr(_failures_key(user))
    except ValueError:  # expired between add and incr
        failures = 1
    if failures >= TWO_FACTOR_LOCK_AFTER:
        until = timezone.now() + TWO_FACTOR_LOCK
        cache.set(
            otp_lock_key(user), until.timestamp(), timeout=int(TWO_FACTOR_LOCK.total_seconds())
        )
        cache.delete(_failures_key(user))
        account_event_record(
            agency=agency, kind=AccountEventKind.TWO_FACTOR_LOCKED, user=user, client=client
        )
        raise AccountError(_locked_message(until), code="locked")
    if not allowed:
        raise AccountError(
            _("Wait a few seconds before trying again: after each wrong code the wait grows."),
            code="throttled",
        )
    if isinstance(device, SmsDevice) and device.valid_until <= timezone.now():
        raise AccountError(_("This code has expired. Ask for a new code."), code="code_expired")
    raise AccountError(_("This code is not right. Check it and try again."), code="code_wrong")


def _second_factor_mail(*, agency: Agency | None, user: User, kind: str, device: OtpDevice) -> None:
    """Tell the person a second factor came or went (ASVS: notify of changes to the means of
    logging in). Mailed in the agency's name; the platform domain has no agency to mail from."""
    if agency is None:
        return
    is_sms = isinstance(device, SmsDevice)
    account_mail_send(
        agency=agency,
        user=user,
        kind=kind,
        context={
            "method": "sms" if is_sms else "app",
            "number": mask_mobile_number(device.number) if is_sms else "",
        },
        deep_link_path=reverse("security", urlconf=settings.ROOT_URLCONF),
    )


def _otp_device_added(
    *, agency: Agency, user: User, device: OtpDevice, client: ClientInfo | None
) -> None:
    account_event_record(
        agency=agency,
        kind=AccountEventKind.TWO_FACTOR_ADDED,
        user=user,
        actor=user,
        client=client,
        device=device.name,
    )
    _second_factor_mail(agency=agency, user=user, kind=MailKind.TWO_FACTOR_ADDED, device=device)


def totp_device_start(*, user: User) -> AuthenticatorDevice:
    """A new, unconfirmed authenticator-app device (earlier unfinished ones are dropped)."""
    AuthenticatorDevice.objects.filter(user=user, confirmed=False).delete()
    # Names are not shown (templates describe a device by its kind); they help the audit.
    device: AuthenticatorDevice = AuthenticatorDevice.objects.create(
        user=user, name="authenticator-app", confirmed=False
    )
    return device


def otp_device_confirm(
    *,
    agency: Agency,
    user: User,
    device: AuthenticatorDevice | SmsDevice,
    token: str,
    client: ClientInfo | None = None,
) -> OtpDevice:
    """The first code from a new device (app or SMS) proves it works; raises AccountError."""
    if device.user_id != user.pk or device.confirmed:
        raise AccountError(_("Start the set-up again."), code="stale")
    device = otp_token_verify(agency=agency, user=user, device=device, token=token, client=client)
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    _otp_device_added(agency=agency, user=user, device=device, client=client)
    return device


def sms_device_start(*, user: User, number: str) -> SmsDevice:
    SmsDevice.objects.filter(user=user, confirmed=False).delete()
    number = normalise_mobile_number(number)
    device: SmsDevice = SmsDevice.objects.create(
        user=user, name=f"sms-{number}", number=number, confirmed=False
    )
    return device


def sms_device_code_send(*, agency: Agency, user: User, device: SmsDevice) -> None:
    """Text a one-time code to the device's number; at most one per 30 seconds and ten an hour."""
    if device.user_id != user.pk:
        raise AccountError(_("Start the set-up again."), code="stale")
    if not cache.add(_sms_cooldown_key(device), 1, timeout=SMS_OTP_COOLDOWN_SECONDS):
        raise AccountError(
            _("We sent a code less than 30 seconds ago. Wait a moment before asking again."),
            code="cooldown",
        )
    hour_key = f"otp:sms:hour:{user.pk}"
    cache.add(hour_key, 0, timeout=3600)
    try:
        sent = cache.incr(hour_key)
    except ValueError:
        sent = 1
    if sent > SMS_OTP_PER_HOUR:
        raise AccountError(
            _("We have sent many codes in the last hour. Try again later or use another method."),
            code="too_many_codes",
        )
    code = device.generate_token(valid_secs=SMS_OTP_VALID_SECONDS, commit=False)
    with translation.override(language_for(user=user, agency=agency)):
        body = _("%(code)s is your login code for %(agency)s. It is valid for 5 minutes.") % {
            "code": code,
            "agency": agency.name,
        }
    try:
        send_sms(to=device.number, body=body)
    except SmsError:
        cache.delete(_sms_cooldown_key(device))
        raise AccountError(
            _("We could not send the text message just now. Try again in a few minutes."),
            code="sms_failed",
        ) from None
    device.save(update_fields=["token", "valid_until"])


@transaction.atomic
def backup_codes_generate(
    *, agency: Agency, user: User, client: ClientInfo | None = None
) -> list[str]:
    """Ten new single-use backup codes; the old ones stop working. Shown to the person once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=user, name=BACKUP_CODES_DEVICE_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [backup_code_new() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(
        StaticToken(device=device, token=backup_code_hash(device_id=device.pk, code=code))
        for code in codes
    )
    codes = [f"{code[:5]}-{code[5:]}" for code in codes]  # easier to copy by hand
    account_event_record(
        agency=agency, kind=AccountEventKind.BACKUP_CODES_CREATED, user=user, client=client
    )
    return codes


@transaction.atomic
def otp_device_remove(
    *,
    agency: Agency,
    user: User,
    persistent_id: str,
    required: bool,
    client: ClientInfo | None = None,
) -> None:
    """Remove one app or phone. Where the role requires a second factor, the last one stays;
    when the last one goes, the backup codes go with it."""
    device = otp_device_get(user=user, persistent_id=persistent_id)
    if device is None or isinstance(device, StaticDevice):
        raise AccountError(_("This method no longer exists."), code="unknown_device")
    others = [
        d
        for d in [
            *AuthenticatorDevice.objects.devices_for_user(user, confirmed=True),
            *SmsDevice.objects.devices_for_user(user, confirmed=True),
        ]
        if d.persistent_id != persistent_id
    ]
    if required and not others:
        raise AccountError(
            _("Your role needs a second factor: add another app or phone before removing this."),
            code="last_device",
        )
    name = device.name
    _second_factor_mail(agency=agency, user=user, kind=MailKind.TWO_FACTOR_REMOVED, device=device)
    device.delete()
    if not others:
        StaticDevice.objects.filter(user=user, name=BACKUP_CODES_DEVICE_NAME).delete()
    account_event_record(
        agency=agency,
        kind=AccountEventKind.TWO_FACTOR_REMOVED,
        user=user,
        actor=user,
        client=client,
        device=name,
    )


def two_factor_methods(*, user: User) -> list[OtpDevice]:
    """The person's confirmed second factors (apps, phones, backup codes)."""
    return [
        *AuthenticatorDevice.objects.devices_for_user(user, confirmed=True),
        *SmsDevice.objects.devices_for_user(user, confirmed=True),
        *StaticDevice.objects.devices_for_user(user, confirmed=True),
    ]


def two_factor_reset_refusal(
    *, agency: Agency | None, user: User, actor: User
) -> AccountError | None:
    """Why the back office of ``agency`` may not reset this person's second factor, or None.

    Not for someone who also uses another agency or is a platform operator (their factors
    guard more than this agency), not for a colleague of the back office nor for oneself (one
    stolen staff password must not strip everyone's second factor): Flexportal's support
    does those. The platform operator (``agency=None``) may reset anyone but themselves.
    """
    name = user.get_full_name() or user.email
    if user.pk == actor.pk:
        return AccountError(
            _(
                "You cannot reset your own second factor: use a backup code, or ask a colleague "
                "to contact Flexportal's support."
            ),
            code="self",
        )
    if agency is None:
        return None
    with scopes_disabled():
        others = Membership.objects.filter(user=user, is_active=True).exclude(agency=agency)
        elsewhere = others.exists()
        colleague = Membership.objects.filter(user=user, agency=agency, role=Role.STAFF).exists()
    if elsewhere or user.is_superuser:
        return AccountError(
            _(
                "%(name)s also uses Flexportal through another organisation, so their "
                "second factor can only be reset by Flexportal's support."
            )
            % {"name": name},
            code="other_agency",
        )
    if colleague:
        return AccountError(
            _(
                "%(name)s works in the back office: the second factor of a colleague is reset "
                "by Flexportal's support."
            )
            % {"name": name},
            code="colleague",
        )
    return None


@transaction.atomic
def two_factor_reset(
    *, agency: Agency | None, user: User, actor: User, client: ClientInfo | None = None
) -> int:
    """Remove every second factor of a person who lost them (phone and backup codes), after the
    back office has checked who is asking. At the next login the person sets up a new one.

    Second factors belong to the person across agencies, so an agency may reset them only for
    someone who uses no other agency (and is no platform operator); the platform operator
    (``agency=None``) may reset anyone. Remembered devices are forgotten, every session ends,
    a running lock is lifted, the event is recorded and the person is mailed. Returns how
    many methods were removed.
    """
    refusal = two_factor_reset_refusal(agency=agency, user=user, actor=actor)
    if refusal is not None:
        raise refusal
    methods = two_factor_methods(user=user)
    if not methods:
        raise AccountError(
            _("%(name)s has no second factor to reset.")
            % {"name": user.get_full_name() or user.email},
            code="no_second_factor",
        )
    names = [m.name for m in methods if not isinstance(m, StaticDevice)]
    for model in (AuthenticatorDevice, SmsDevice, StaticDevice):
        model.objects.filter(user=user).delete()
    cache.delete_many([otp_lock_key(user), _failures_key(user)])
    with scopes_disabled():
        TrustedDevice.objects.filter(user=user).delete()
    sessions_end_all(user=user)
    with scopes_disabled():
        agencies = (
            [agency]
            if agency is not None
            else [
                m.agency
                for m in Membership.objects.filter(
                    user=user, is_active=True, agency__is_active=True
                )
                .select_related("agency")
                .order_by("created_at")
            ]
        )
    event_agencies: list[Agency | None] = [*agencies] if agencies else [None]
    for at in event_agencies:
        with agency_scope(at) if at is not None else contextlib.nullcontext():
            account_event_record(
                agency=at,
                kind=AccountEventKind.TWO_FACTOR_RESET,
                user=user,
                actor=actor,
                client=client,
                methods=names,
            )
    if agencies:
        # One mail, in the name of the agency that reset it (or the person's first agency).
        account_mail_send(
            agency=agencies[0],
            user=user,
            kind=MailKind.TWO_FACTOR_RESET,
            deep_link_path=reverse("account_login"),
        )
    return len(methods)


def password_fingerprint(*, user: AbstractBaseUser) -> str:
    """Changes whenever the password does: a remembered device holds it and dies with it."""
    return salted_hmac(TRUSTED_DEVICE_SALT, user.password or "").hexdigest()[:24]


def trusted_device_remember(
    *, agency: Agency, user: User, otp_device: OtpDevice, client: ClientInfo | None = None
) -> str:
    """Remember this browser for REMEMBER_DEVICE_DAYS; returns the signed cookie value."""
    token = secrets.token_urlsafe(32)
    TrustedDevice.objects.create(
        agency=agency,
        user=user,
        token_hash=token_hash(token),
        otp_device_id=otp_device.persistent_id,
        user_agent=(client.user_agent if client else "")[:255],
        expires_at=timezone.now() + dt.timedelta(days=REMEMBER_DEVICE_DAYS),
    )
    return signing.dumps(
        {"u": str(user.pk), "t": token, "p": password_fingerprint(user=user)},
        salt=TRUSTED_DEVICE_SALT,
    )


def trusted_device_use(*, agency: Agency, user: User, cookie_value: str) -> OtpDevice | None:
    """The OTP device a remembered-device cookie stands for, or None when it is void."""
    try:
        data = signing.loads(
            cookie_value,
            salt=TRUSTED_DEVICE_SALT,
            max_age=dt.timedelta(days=REMEMBER_DEVICE_DAYS),
        )
    except signing.BadSignature:
        return None
    if data.get("u") != str(user.pk) or not constant_time_compare(
        data.get("p", ""), password_fingerprint(user=user)
    ):
        return None
    now = timezone.now()
    row = TrustedDevice.objects.filter(
        agency=agency, user=user, token_hash=token_hash(data.get("t", "")), expires_at__gt=now
    ).first()
    if row is None:
        return None
    device = otp_device_get(user=user, persistent_id=row.otp_device_id)
    if device is None:
        return None
    TrustedDevice.objects.filter(pk=row.pk).update(last_used_at=now)
    return device


def trusted_devices_forget(*, agency: Agency, user: User, client: ClientInfo | None = None) -> int:
    count, _detail = TrustedDevice.objects.filter(agency=agency, user=user).delete()
    account_event_record(
        agency=agency,
        kind=AccountEventKind.DEVICES_FORGOTTEN,
        user=user,
        actor=user,
        client=client,
        count=count,
    )
    return count
