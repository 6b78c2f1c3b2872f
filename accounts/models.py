"""Identity: people (User), their memberships of agencies in a role, invitations and activation,
the account audit trail, sessions and second factors.

A person has one identity across agencies (one e-mail, one password) with a Membership per agency
and role. Everything here except the User derives from TenantModel (see flexportal.tenancy).
"""

import base64
import datetime as dt
import hashlib
import secrets
import uuid
from binascii import unhexlify
from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import pbkdf2, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.models import Device, SideChannelDevice, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex, random_number_token

from agencies.models import Role
from flexportal.fields import EncryptedCharField, Unreadable
from flexportal.tenancy import TenantModel
from flexportal.validators import validate_mobile_number, validate_name

if TYPE_CHECKING:
    from notifications.models import Notification


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_superuser"] = True
        extra["is_staff"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """One identity across agencies: logs in by e-mail; reaches an agency through a Membership.

    ``is_staff`` is only for platform operators on the bare domain; back-office access to an
    agency's admin comes from a staff Membership of that agency.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(
        _("first name"), max_length=100, blank=True, validators=[validate_name]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_name]
    )
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    mobile_number = models.CharField(
        _("mobile number"),
        max_length=20,
        blank=True,
        validators=[validate_mobile_number],
        help_text=_("Stored in international format, e.g. +31612345678."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform operator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Membership(TenantModel):
    """A person's access to one agency in one role."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # The person's choice on "my details": reminders by text message as well as by e-mail.
    sms_reminders = models.BooleanField(_("reminders by text message too"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user", "role"], name="membership_unique_role_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


# Invitations, audit, sessions and second factors -----------------------------------------------


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    ACTIVATED = "activated", _("Activated")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(TenantModel):
    """An activation link mailed to a person for one membership: single use, valid for the
    agency's ``invitation_valid_days``; only a hash of the token is stored."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("membership"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    sent_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The SMS check of the mobile number on activation (where the agency wants it).
    mobile_verified_at = models.DateTimeField(_("mobile number verified"), null=True, blank=True)
    sms_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    sms_code_valid_until = models.DateTimeField(null=True, blank=True, editable=False)
    sms_code_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sms_code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    sms_codes_sent = models.PositiveSmallIntegerField(default=0, editable=False)

    # Not columns: accounts.services.invitation_send sets them on the invitation it returns (the
    # raw token, which only the mail carries, and the invitation's row in the mail log).
    token: str
    notification: "Notification"

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.membership.user.email} ({self.get_status_display()})"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.activated_at:
            return InvitationStatus.ACTIVATED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        if self.opened_at:
            return InvitationStatus.OPENED
        return InvitationStatus.SENT

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label

    @property
    def is_usable(self) -> bool:
        return self.status in (InvitationStatus.SENT, InvitationStatus.OPENED)


class AccountEventKind(models.TextChoices):
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_OPENED = "invitation_opened", _("Invitation opened")
    INVITATION_ACTIVATED = "invitation_activated", _("Account activated")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    MOBILE_VERIFIED = "mobile_verified", _("Mobile number verified")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TWO_FACTOR_ADDED = "two_factor_added", _("Two-factor method added")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Two-factor method removed")
    TWO_FACTOR_RESET = "two_factor_reset", _("Second factor reset by the back office")
    BACKUP_CODES_CREATED = "backup_codes_created", _("Backup codes created")
    TWO_FACTOR_LOCKED = "two_factor_locked", _("Locked after wrong codes")
    DEVICES_FORGOTTEN = "devices_forgotten", _("Remembered devices forgotten")
    SESSIONS_ENDED = "sessions_ended", _("Other sessions logged out")
    EMAIL_CHANGE_REQUESTED = "email_change_requested", _("E-mail change requested")
    EMAIL_CHANGED = "email_changed", _("E-mail address changed")
    IBAN_CHANGED = "iban_changed", _("Bank account changed")
    DETAILS_CHANGED = "details_changed", _("Details changed")
    # A context of its own: the same words label the profile's upload date ("uploaded on").
    ID_DOCUMENT_UPLOADED = (
        "id_document_uploaded",
        pgettext_lazy("account event", "ID document uploaded"),
    )
    PHOTO_CHANGED = "photo_changed", _("Profile photo changed")
    MEMBERSHIP_DEACTIVATED = "membership_deactivated", _("Membership deactivated")


class AccountEvent(TenantModel):
    """The audit trail of accounts at one agency: invitations, logins, security and bank changes.

    The back office reads it in the admin; a person sees their own logins on the security page.
    """

    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    kind = models.CharField(_("event"), max_length=40, choices=AccountEventKind.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "user", "kind", "-created_at"])]

    def __str__(self) -> str:
        from django.utils import timezone
        from django.utils.formats import date_format

        when = date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} ({when})"


class UserSession(TenantModel):
    """A signed-in session at this agency, so a person can see and end their sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen_at"]


class TrustedDevice(TenantModel):
    """A browser where the person ticked "remember this device": no second factor for 30 days.

    The browser holds a signed cookie with the token; only its hash is stored here. The cookie
    also carries a fingerprint of the password hash, so a new password voids every device.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    otp_device_id = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remembered device")
        verbose_name_plural = _("remembered devices")
        ordering = ["-created_at"]


def _new_totp_key() -> str:
    return random_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP: Google Authenticator, Duo, Authy) whose secret is encrypted
    at rest with the BSN's key ring (flexportal.fields), unlike django-otp's TOTPDevice.

    The fields and the verification are django-otp's TOTPDevice's (one step either side,
    drift, each code once, throttling after wrong codes); only the key's storage differs.
    A secret no configured key opens verifies nothing.
    """

    key = EncryptedCharField(max_length=80, default=_new_totp_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token) -> bool:
        if isinstance(self.key, Unreadable) or not self.key:
            return False
        return TOTPDevice.verify_token(self, token)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)


# Backup codes: 10 characters of base32 (50 bits), stored as a slow, salted hash in django-otp's
# StaticToken (its 16-character column holds the first 80 bits of PBKDF2-SHA256, base32). Only
# accounts.services makes and checks them, hashing the typed code first.
BACKUP_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
BACKUP_CODE_LENGTH = 10
BACKUP_CODE_HASH_ITERATIONS = 10_000


def backup_code_new() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


def backup_code_hash(*, device_id: int, code: str) -> str:
    """What is stored for a backup code of the sheet ``device_id`` (salted by the sheet)."""
    digest = pbkdf2(
        code.lower(),
        f"flexportal-backup-code:{device_id}",
        BACKUP_CODE_HASH_ITERATIONS,
        digest=hashlib.sha256,
    )
    return base64.b32encode(digest[:10]).decode().lower()


class SmsDevice(TimestampMixin, ThrottlingMixin, SideChannelDevice):
    """A django-otp device that receives one-time codes by SMS (sent by accounts.services).

    Like the other OTP devices it belongs to the person, not to one agency: one identity, one
    set of second factors. Only a keyed hash of the code in flight is stored (``token``).
    """

    number = models.CharField(
        _("mobile number"), max_length=20, validators=[validate_mobile_number]
    )

    class Meta(SideChannelDevice.Meta):
        verbose_name = _("SMS device")
        verbose_name_plural = _("SMS devices")

    def code_hash(self, code: str) -> str:
        # Keyed (SECRET_KEY): six digits are no secret against a plain hash. A code lives five
        # minutes, so a new SECRET_KEY voids at most the codes in flight.
        return salted_hmac("accounts.sms_code", f"{self.pk}:{code}").hexdigest()[:16]

    def generate_token(self, length=6, valid_secs=300, commit=True) -> str:
        """A new code: its hash is stored, the code itself is returned to be sent."""
        code = random_number_token(length)
        self.token = self.code_hash(code)
        self.valid_until = timezone.now() + dt.timedelta(seconds=valid_secs)
        if commit:
            self.save()
        return code

    def verify_token(self, token) -> bool:
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        verified = super().verify_token(self.code_hash(str(token).strip()))
        if verified:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return verified

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_SMS_THROTTLE_FACTOR", 1)
