"""Reads of people and memberships, invitations, second factors and sessions: every object is
fetched through these accessors, which check the agency (through the scope and explicitly) and
the person asking."""

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import (
    AccountEvent,
    AccountEventKind,
    AuthenticatorDevice,
    Invitation,
    Membership,
    SmsDevice,
    TrustedDevice,
    User,
    UserSession,
)
from agencies.models import Agency, Role

ROLE_PRECEDENCE: list[str] = [Role.STAFF, Role.CLIENT_CONTACT, Role.FLEXWORKER]


def memberships_for_user(*, agency: Agency, user: User) -> list[Membership]:
    """The person's active memberships at this agency, most powerful role first."""
    if not user.is_authenticated or not user.is_active:
        return []
    rows = list(Membership.objects.filter(agency=agency, user=user, is_active=True))
    rows.sort(key=lambda m: ROLE_PRECEDENCE.index(m.role))
    return rows


def user_can_log_in_at(*, agency: Agency, user: User) -> bool:
    return bool(memberships_for_user(agency=agency, user=user))


# Language ---------------------------------------------------------------------------------------


def language_for(*, user: User | None, agency: Agency | None, requested: str = "nl") -> str:
    """The language to speak to a person: their own, if the agency offers it, else Dutch
    (or the agency's first language when it does not offer Dutch)."""
    language = user.preferred_language if user is not None else requested
    if agency is not None and language not in agency.enabled_languages:
        enabled = agency.enabled_languages
        language = "nl" if "nl" in enabled or not enabled else enabled[0]
    return language


# Passwords --------------------------------------------------------------------------------------


def password_rules(*, agency: Agency | None) -> list[str]:
    """The agency's password policy in words, shown beside every field that sets a password."""
    if agency is None:
        from accounts.passwords import AgencyPasswordPolicyValidator

        policy = AgencyPasswordPolicyValidator.DEFAULTS
        length, letter, digit, special = (
            policy["min_length"],
            policy["letter"],
            policy["digit"],
            policy["special"],
        )
    else:
        length = agency.password_min_length
        letter = agency.password_require_letter
        digit = agency.password_require_digit
        special = agency.password_require_special
    rules = [_("at least %(n)d characters") % {"n": length}]
    if letter:
        rules.append(_("at least one letter"))
    if digit:
        rules.append(_("at least one digit"))
    if special:
        rules.append(_("at least one special character, such as ! ? # or -"))
    rules.append(_("not a common password, and not like your name or e-mail address"))
    return rules


# Invitations ------------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_for_token(*, agency: Agency, token: str) -> Invitation | None:
    """The invitation a link's token belongs to, at this agency only; None when unknown."""
    if not token or len(token) > 100:
        return None
    return (
        Invitation.objects.filter(agency=agency, token_hash=token_hash(token))
        .select_related("membership__user")
        .first()
    )


def invitation_get(*, agency: Agency, invitation_id: uuid.UUID | str) -> Invitation | None:
    return (
        Invitation.objects.filter(agency=agency, pk=invitation_id)
        .select_related("membership__user")
        .first()
    )


def invitation_latest(*, membership: Membership) -> Invitation | None:
    return (
        Invitation.objects.filter(agency=membership.agency_id, membership=membership)
        .order_by("-created_at")
        .first()
    )


def _staffing_record(membership: Membership, relation: str) -> Any:
    """The staffing record (flexworker profile, client contact) hanging off a membership by its
    one-to-one ``relation``, read through that model's tenant-scoped manager. Identity names the
    relation and never imports staffing, which builds on it."""
    model: Any = Membership._meta.get_field(relation).related_model
    return model.objects.filter(agency=membership.agency_id, membership=membership).first()


def mobile_number_on_file(*, membership: Membership) -> str:
    """The number the agency knows for this person: their own, else the one on the profile."""
    user = membership.user
    if user.mobile_number:
        return user.mobile_number
    if membership.role == Role.FLEXWORKER:
        profile = _staffing_record(membership, "flexworker_profile")
        return profile.phone if profile else ""
    if membership.role == Role.CLIENT_CONTACT:
        from flexportal.validators import normalise_mobile_number

        contact = _staffing_record(membership, "client_contact")
        if contact and contact.phone:
            try:
                return normalise_mobile_number(contact.phone)
            except ValidationError:  # a typo: no usable mobile number
                return ""
    return ""


# Two-factor authentication ----------------------------------------------------------------------


def two_factor_required(*, agency: Agency | None, memberships: list[Membership]) -> bool:
    """Whether one of the person's roles at this agency must use a second factor. On the
    platform domain (no agency) only superusers sign in, and they always need one."""
    if agency is None:
        return True
    return any(agency.requires_two_factor(m.role) for m in memberships)


def otp_lock_key(user: User) -> str:
    return f"otp:locked:{user.pk}"


def two_factor_lock_until(*, user: User) -> dt.datetime | None:
    """Until when codes are blocked after too many wrong ones in a row, or None."""
    stamp = cache.get(otp_lock_key(user))
    if not stamp or stamp <= timezone.now().timestamp():
        return None
    return dt.datetime.fromtimestamp(stamp, tz=dt.UTC)


def otp_devices(*, user: User) -> list:
    """The person's confirmed second factors: apps, phones and the backup-code sheet."""
    return list(devices_for_user(user, confirmed=True))


def otp_device_get(*, user: User, persistent_id: str) -> Any:
    """One of the person's own confirmed devices by its persistent id, else None."""
    return next((d for d in otp_devices(user=user) if d.persistent_id == persistent_id), None)


BACKUP_CODES_DEVICE_NAME = "backup-codes"


def backup_codes_device(*, user: User) -> StaticDevice | None:
    return (
        StaticDevice.objects.devices_for_user(user, confirmed=True)
        .filter(name=BACKUP_CODES_DEVICE_NAME)
        .first()
    )


def otp_interactive_devices(*, user: User) -> dict:
    """The devices a code can be asked for: {"totp": [...], "sms": [...], "static": sheet}."""
    return {
        "totp": list(AuthenticatorDevice.objects.devices_for_user(user, confirmed=True)),
        "sms": list(SmsDevice.objects.devices_for_user(user, confirmed=True)),
        "static": backup_codes_device(user=user),
    }


def has_second_factor(*, user: User) -> bool:
    """An app or a phone (backup codes alone are no second factor, only a spare)."""
    return bool(
        AuthenticatorDevice.objects.devices_for_user(user, confirmed=True).exists()
        or SmsDevice.objects.devices_for_user(user, confirmed=True).exists()
    )


def totp_secret(device: AuthenticatorDevice) -> str:
    return base64.b32encode(device.bin_key).decode().rstrip("=")


def totp_manual_key(device: AuthenticatorDevice) -> str:
    """The key to type into an app when the QR code cannot be scanned, in groups of four."""
    secret = totp_secret(device)
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def totp_config_url(device: AuthenticatorDevice, *, issuer: str) -> str:
    """The otpauth:// URL in the QR code (Google Authenticator's key URI format; Duo and Authy
    read it too). The agency's name is the issuer, so the app shows which account it is."""
    issuer = issuer.replace(":", " ").strip()
    label = quote(f"{issuer}:{device.user.email}")
    params = urlencode(
        {
            "secret": totp_secret(device),
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": device.digits,
            "period": device.step,
        },
        quote_via=quote,
    )
    return f"otpauth://totp/{label}?{params}"


def backup_codes_left(*, user: User) -> int:
    device = backup_codes_device(user=user)
    return device.token_set.count() if device else 0


def trusted_devices(*, agency: Agency, user: User) -> QuerySet[TrustedDevice]:
    return TrustedDevice.objects.filter(agency=agency, user=user, expires_at__gt=timezone.now())


# Sessions and logins ----------------------------------------------------------------------------


def sessions_active(*, agency: Agency, user: User) -> QuerySet[UserSession]:
    """The person's sessions at this agency that still exist and have not expired."""
    live = Session.objects.filter(expire_date__gt=timezone.now()).values("session_key")
    return UserSession.objects.filter(agency=agency, user=user, session_key__in=live)


def logins_recent(*, agency: Agency, user: User, limit: int = 10) -> list[AccountEvent]:
    kinds = [AccountEventKind.LOGIN, AccountEventKind.LOGIN_FAILED]
    return list(
        AccountEvent.objects.filter(agency=agency, user=user, kind__in=kinds).order_by(
            "-created_at"
        )[:limit]
    )
