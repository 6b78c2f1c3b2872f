"""Reads of people, memberships and placements: every object is fetched through these accessors,
which check the agency (through the scope and explicitly) and the role of the person asking."""

import base64
import datetime as dt
import hashlib
import uuid
from typing import Any
from urllib.parse import quote, urlencode

from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp import devices_for_user
from django_otp.plugins.otp_static.models import StaticDevice

from accounts.models import (
    AccountEvent,
    AccountEventKind,
    Agency,
    AuthenticatorDevice,
    ClientContact,
    Department,
    FlexworkerProfile,
    Invitation,
    Membership,
    Placement,
    Role,
    SmsDevice,
    TrustedDevice,
    User,
    UserSession,
)

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


def flexworker_profile_for(*, membership: Membership) -> FlexworkerProfile:
    if membership.role != Role.FLEXWORKER:
        raise Http404
    try:
        return FlexworkerProfile.objects.select_related("membership__user").get(
            agency=membership.agency_id, membership=membership
        )
    except FlexworkerProfile.DoesNotExist:
        raise Http404 from None


def client_contact_for(*, membership: Membership) -> ClientContact:
    if membership.role != Role.CLIENT_CONTACT:
        raise Http404
    try:
        return ClientContact.objects.select_related("client", "membership__user").get(
            agency=membership.agency_id, membership=membership
        )
    except ClientContact.DoesNotExist:
        raise Http404 from None


def departments_visible_to(*, contact: ClientContact) -> QuerySet[Department]:
    departments = Department.objects.filter(agency=contact.agency_id, client=contact.client_id)
    if not contact.sees_all_departments:
        departments = departments.filter(contacts=contact)
    return departments


def placements_visible_to(*, membership: Membership) -> QuerySet[Placement]:
    """Placements a person may see: their own as a worker, their departments' as a contact."""
    placements = Placement.objects.filter(agency=membership.agency_id).select_related(
        "worker", "department__client", "function"
    )
    if membership.role == Role.STAFF:
        return placements
    if membership.role == Role.FLEXWORKER:
        return placements.filter(worker__membership=membership)
    contact = client_contact_for(membership=membership)
    return placements.filter(department__in=departments_visible_to(contact=contact))


def placement_get(*, membership: Membership, placement_id: uuid.UUID) -> Placement:
    """One placement, or 404 when it is another agency's or outside the person's view."""
    try:
        return placements_visible_to(membership=membership).get(pk=placement_id)
    except Placement.DoesNotExist:
        raise Http404 from None


def placements_current(*, membership: Membership, on: dt.date) -> QuerySet[Placement]:
    return placements_visible_to(membership=membership).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on
    )


def client_menu_counts(*, contact: ClientContact, today: dt.date) -> dict[str, int]:
    """The counts in the client's menu (client-manual-helloflex, "Het menu"), in one query."""
    from django.db.models import Count

    departments = departments_visible_to(contact=contact)
    row = departments.aggregate(
        departments=Count("id", distinct=True),
        placements=Count(
            "placements",
            filter=Q(placements__start_date__lte=today)
            & (Q(placements__end_date__isnull=True) | Q(placements__end_date__gte=today)),
            distinct=True,
        ),
    )
    return {"departments": row["departments"], "placements": row["placements"]}


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
        from accounts.validators import AgencyPasswordPolicyValidator

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


def mobile_number_on_file(*, membership: Membership) -> str:
    """The number the agency knows for this person: their own, else the one on the profile."""
    user = membership.user
    if user.mobile_number:
        return user.mobile_number
    if membership.role == Role.FLEXWORKER:
        profile = FlexworkerProfile.objects.filter(
            agency=membership.agency_id, membership=membership
        ).first()
        return profile.phone if profile else ""
    if membership.role == Role.CLIENT_CONTACT:
        from accounts.validators import normalise_mobile_number

        contact = ClientContact.objects.filter(
            agency=membership.agency_id, membership=membership
        ).first()
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
