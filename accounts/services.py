"""Writes of accounts: people, memberships, agencies, invitations and activation, second
factors, sessions and "my details". Keyword-only, named <thing>_<verb>."""

import contextlib
import datetime as dt
import functools
import logging
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.contrib.sessions.models import Session
from django.core import signing
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from accounts.models import (
    AccountEvent,
    AccountEventKind,
    Agency,
    AuthenticatorDevice,
    Client,
    ClientContact,
    FlexworkerProfile,
    Invitation,
    Membership,
    Role,
    SmsDevice,
    TrustedDevice,
    User,
    UserSession,
    backup_code_hash,
    backup_code_new,
)
from accounts.selectors import (
    BACKUP_CODES_DEVICE_NAME,
    language_for,
    mobile_number_on_file,
    otp_device_get,
    otp_lock_key,
    token_hash,
    two_factor_lock_until,
)
from accounts.validators import mask_mobile_number, normalise_iban, normalise_mobile_number
from flexportal.tenancy import agency_scope, scopes_disabled
from flexportal.uploads import CheckedFile
from notifications.models import Kind as MailKind
from notifications.models import Status as NotificationStatus
from notifications.services import (
    MailFailure,
    account_mail_send,
    invitation_record,
    mail_failed,
    notification_deliver,
)
from notifications.sms import SmsError, send_sms

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}

logger = logging.getLogger(__name__)


def user_set_language(*, user: User, language: str) -> None:
    if language in LANGUAGE_CODES and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def user_get_or_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "nl",
    mobile_number: str = "",
) -> User:
    """One identity per e-mail address across all agencies."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(
            email=email,
            first_name=first_name,
            last_name=last_name,
            preferred_language=language,
            mobile_number=normalise_mobile_number(mobile_number) if mobile_number else "",
        )
        user.set_unusable_password()
        user.save()
    return user


def membership_ensure(*, agency: Agency, user: User, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(agency=agency, user=user, role=role)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    return membership


@transaction.atomic
def flexworker_create(
    *,
    agency: Agency,
    email: str,
    employee_number: str,
    first_name: str,
    last_name: str,
    infix: str = "",
    language: str = "nl",
    **profile_fields,
) -> FlexworkerProfile:
    """A flexworker at an agency: the identity (new or existing), a membership and a profile."""
    mobile = profile_fields.get("phone", "")
    user = user_get_or_create(
        email=email,
        first_name=first_name,
        last_name=last_name,
        language=language,
        mobile_number=mobile,
    )
    membership = membership_ensure(agency=agency, user=user, role=Role.FLEXWORKER)
    if profile_fields.get("iban"):
        profile_fields["iban"] = normalise_iban(profile_fields["iban"])
    if mobile:
        profile_fields["phone"] = normalise_mobile_number(mobile)
    profile, _created = FlexworkerProfile.objects.update_or_create(
        agency=agency,
        membership=membership,
        defaults={
            "employee_number": employee_number,
            "first_name": first_name,
            "infix": infix,
            "last_name": last_name,
            **profile_fields,
        },
    )
    return profile


@transaction.atomic
def client_contact_create(
    *,
    agency: Agency,
    client: Client,
    email: str,
    first_name: str,
    last_name: str,
    language: str = "nl",
    departments=(),
    **rights,
) -> ClientContact:
    user = user_get_or_create(
        email=email, first_name=first_name, last_name=last_name, language=language
    )
    membership = membership_ensure(agency=agency, user=user, role=Role.CLIENT_CONTACT)
    contact, _created = ClientContact.objects.update_or_create(
        agency=agency,
        membership=membership,
        defaults={"client": client, "sees_all_departments": not departments, **rights},
    )
    if departments:
        contact.departments.set(departments)
    return contact


# Audit ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for the audit trail and the session list."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request) -> "ClientInfo":
        from flexportal.client_ip import client_ip

        return cls(
            ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")[:255]
        )


def account_event_record(
    *,
    agency: Agency | None,
    kind: str,
    user: User | None = None,
    actor: User | None = None,
    client: ClientInfo | None = None,
    **data,
) -> AccountEvent:
    client = client or ClientInfo()
    if agency is None:
        # The platform domain (superusers) has no agency to file the event under.
        logger.info("platform account event %s for %s", kind, getattr(user, "pk", None))
        return None
    return AccountEvent.objects.create(
        agency=agency,
        kind=kind,
        user=user,
        actor=actor,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        data=data,
    )


class AccountError(Exception):
    """A refusal with a message for the person (already in their language)."""

    def __init__(self, message: str, *, code: str = ""):
        super().__init__(message)
        self.message = message
        self.code = code


# Invitations and activation ---------------------------------------------------------------------

ACTIVATION_CODE_VALID = dt.timedelta(minutes=10)
ACTIVATION_CODE_COOLDOWN = dt.timedelta(seconds=30)
ACTIVATION_CODES_MAX = 5
ACTIVATION_CODE_ATTEMPTS_MAX = 5


def invitation_path(token: str) -> str:
    """The invitation's link: the token after '#', never sent to a server (views, "One-time
    links")."""
    return f"{reverse('activation_start', urlconf=settings.ROOT_URLCONF)}#{token}"


@transaction.atomic
def invitation_send(
    *, membership: Membership, sent_by: User | None = None, client: ClientInfo | None = None
) -> Invitation:
    """Mail a new activation link for ``membership``.

    The raw token exists only in the mail (and on the returned object as ``token``); the
    database keeps its SHA-256. The mail goes out when the transaction commits; only once it
    is sent do earlier open links stop working. A mail that fails voids the new link instead,
    so the person keeps the link they had (``invitation_send_failure`` says what went wrong).
    """
    membership = Membership.objects.select_related("user", "agency").get(pk=membership.pk)
    agency, user = membership.agency, membership.user
    if not membership.is_active or not user.is_active:
        raise AccountError(
            _("%(person)s has no active access to this agency; activate it first.")
            % {"person": user.email},
            code="inactive",
        )
    if Invitation.objects.filter(
        agency=agency, membership=membership, activated_at__isnull=False
    ).exists():
        raise AccountError(
            _("%(person)s has already activated this account.") % {"person": user.email},
            code="activated",
        )
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        agency=agency,
        membership=membership,
        token_hash=token_hash(token),
        expires_at=now + dt.timedelta(days=agency.invitation_valid_days),
        sent_by=sent_by,
    )
    # Through the mail log like every notification; the link with the token exists only in
    # this one delivery (the log keeps no token), right after commit.
    notification = invitation_record(
        agency=agency,
        membership=membership,
        invitation=invitation,
        context={
            "role": membership.role,
            "valid_days": agency.invitation_valid_days,
            "has_account": user.has_usable_password(),
        },
    )
    transaction.on_commit(
        functools.partial(
            _invitation_deliver,
            agency=agency,
            invitation_id=invitation.pk,
            notification_id=notification.pk,
            link_path=invitation_path(token),
            actor=sent_by,
            client=client,
        )
    )
    invitation.token = token
    invitation.notification = notification
    return invitation


def _invitation_deliver(
    *, agency: Agency, invitation_id, notification_id, link_path: str, actor, client
) -> None:
    """Right after the commit: send the invitation, then settle which link works. Sent: the
    earlier open links stop working. Not sent: the new link reached no one and is removed,
    and the earlier link keeps working (the mail log keeps the failed mail and its error)."""
    outcome = notification_deliver(
        agency=agency, notification_id=notification_id, link_path=link_path
    )
    with agency_scope(agency), transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("membership__user")
            .filter(agency=agency, pk=invitation_id)
            .first()
        )
        if invitation is None:
            return
        if outcome.status != NotificationStatus.SENT:
            invitation.delete()
            return
        superseded = (
            Invitation.objects.filter(
                agency=agency,
                membership=invitation.membership_id,
                activated_at__isnull=True,
                revoked_at__isnull=True,
            )
            .exclude(pk=invitation.pk)
            .update(revoked_at=timezone.now())
        )
        account_event_record(
            agency=agency,
            kind=AccountEventKind.INVITATION_SENT,
            user=invitation.membership.user,
            actor=actor,
            client=client,
            invitation=str(invitation.pk),
            role=invitation.membership.role,
            resent=bool(superseded),
        )


def invitation_send_failure(*, invitation: Invitation) -> str | None:
    """Why the mail of a just-sent invitation did not go out, in words for the back office;
    None when it went out (or goes out after the commit of the caller's transaction)."""
    failure = mail_failed(invitation.notification)
    if failure is None:
        return None
    person = invitation.membership.user.email
    if failure == MailFailure.REFUSED:
        return _(
            "The mail server refuses mail to %(person)s: check the address. An earlier "
            "invitation link still works."
        ) % {"person": person}
    return _(
        "The invitation to %(person)s could not be sent just now (the mail log has the "
        "error). An earlier invitation link still works; try again later."
    ) % {"person": person}


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, actor: User | None = None, client: ClientInfo | None = None
) -> bool:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("membership__user", "membership__agency")
        .get(pk=invitation.pk)
    )
    if not invitation.is_usable:
        return False
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    account_event_record(
        agency=invitation.membership.agency,
        kind=AccountEventKind.INVITATION_REVOKED,
        user=invitation.membership.user,
        actor=actor,
        client=client,
        invitation=str(invitation.pk),
    )
    return True


def invitation_open(*, invitation: Invitation, client: ClientInfo | None = None) -> None:
    """The first time the link is opened is recorded (the audit's "opened")."""
    updated = Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    if updated:
        invitation.refresh_from_db(fields=["opened_at"])
        account_event_record(
            agency=invitation.membership.agency,
            kind=AccountEventKind.INVITATION_OPENED,
            user=invitation.membership.user,
            client=client,
            invitation=str(invitation.pk),
        )


def _activation_code_hash(invitation: Invitation, code: str) -> str:
    return salted_hmac("accounts.activation_code", f"{invitation.pk}:{code}").hexdigest()


def invitation_sms_code_send(*, invitation: Invitation) -> str:
    """Text a six-digit code to the mobile number on file; returns that number.

    Raises AccountError when there is no number, when a code went out less than 30 seconds
    ago, after five codes for one link, or when the SMS provider fails.
    """
    error = None
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("membership__user", "membership__agency")
            .get(pk=invitation.pk)
        )
        agency, user = invitation.membership.agency, invitation.membership.user
        number = mobile_number_on_file(membership=invitation.membership)
        now = timezone.now()
        if not number:
            error = AccountError(
                _(
                    "We do not have your mobile number. Ask %(agency)s to add it, then open "
                    "the link in the invitation again."
                )
                % {"agency": agency.name},
                code="no_number",
            )
        elif invitation.sms_code_sent_at and now - invitation.sms_code_sent_at < (
            ACTIVATION_CODE_COOLDOWN
        ):
            error = AccountError(
                _("We sent a code less than 30 seconds ago. Wait a moment before asking again."),
                code="cooldown",
            )
        elif invitation.sms_codes_sent >= ACTIVATION_CODES_MAX:
            error = AccountError(
                _("We have sent the most codes we can for this link. Ask %(agency)s for help.")
                % {"agency": agency.name},
                code="too_many_codes",
            )
        else:
            code = f"{secrets.randbelow(1_000_000):06d}"
            with translation.override(language_for(user=user, agency=agency)):
                body = _(
                    "%(code)s is your code to activate your account at %(agency)s. "
                    "It is valid for 10 minutes."
                ) % {"code": code, "agency": agency.name}
            try:
                send_sms(to=number, body=body)
            except SmsError:
                error = AccountError(
                    _("We could not send the text message just now. Try again in a few minutes."),
                    code="sms_failed",
                )
            else:
                invitation.sms_code_hash = _activation_code_hash(invitation, code)
                invitation.sms_code_valid_until = now + ACTIVATION_CODE_VALID
                invitation.sms_code_sent_at = now
                invitation.sms_codes_sent += 1
                invitation.sms_code_attempts = 0
                invitation.save(
                    update_fields=[
                        "sms_code_hash",
                        "sms_code_valid_until",
                        "sms_code_sent_at",
                        "sms_codes_sent",
                        "sms_code_attempts",
                        "updated_at",
                    ]
                )
    if error:
        raise error
    return number


def invitation_sms_code_verify(
    *, invitation: Invitation, code: str, client: ClientInfo | None = None
) -> None:
    """Check the activation code; five wrong tries void it. Raises AccountError."""
    code = re.sub(r"\D", "", code or "")
    error = None
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("membership__user", "membership__agency")
            .get(pk=invitation.pk)
        )
        now = timezone.now()
        if not invitation.sms_code_hash:
            error = AccountError(_("Ask for a code first."), code="no_code")
        elif invitation.sms_code_attempts >= ACTIVATION_CODE_ATTEMPTS_MAX:
            error = AccountError(
                _("This code was entered wrongly too often. Ask for a new code."),
                code="too_many_attempts",
            )
        elif invitation.sms_code_valid_until is None or invitation.sms_code_valid_until <= now:
            error = AccountError(
                _("This code has expired. Ask for a new code."), code="code_expired"
            )
        elif not constant_time_compare(
            _activation_code_hash(invitation, code), invitation.sms_code_hash
        ):
            invitation.sms_code_attempts += 1
            invitation.save(update_fields=["sms_code_attempts", "updated_at"])
            error = AccountError(
                _("This code is not right. Check the text message and try again."),
                code="code_wrong",
            )
        else:
            invitation.mobile_verified_at = now
            invitation.sms_code_hash = ""
            invitation.sms_code_valid_until = None
            invitation.save(
                update_fields=[
                    "mobile_verified_at",
                    "sms_code_hash",
                    "sms_code_valid_until",
                    "updated_at",
                ]
            )
            account_event_record(
                agency=invitation.membership.agency,
                kind=AccountEventKind.MOBILE_VERIFIED,
                user=invitation.membership.user,
                client=client,
                invitation=str(invitation.pk),
            )
    if error:
        raise error


@transaction.atomic
def invitation_activate(
    *, invitation: Invitation, password: str | None, client: ClientInfo | None = None
) -> User:
    """Finish the activation: a new identity sets its password (validated by the form before);
    an identity that already exists at another agency keeps its password (``password=None``).
    The link is used up."""
    invitation = (
        Invitation.objects.select_for_update()
        .select_related("membership__user", "membership__agency")
        .get(pk=invitation.pk)
    )
    membership = invitation.membership
    agency, user = membership.agency, membership.user
    if not invitation.is_usable:
        raise AccountError(_("This invitation link can no longer be used."), code="unusable")
    if not membership.is_active or not user.is_active:
        raise AccountError(
            _("Your access to %(agency)s has been switched off. Contact them if this is wrong.")
            % {"agency": agency.name},
            code="inactive",
        )
    if agency.verify_mobile_on_activation and invitation.mobile_verified_at is None:
        raise AccountError(_("Verify your mobile number first."), code="mobile_unverified")
    if password is not None:
        user.set_password(password)
    if invitation.mobile_verified_at and not user.mobile_number:
        user.mobile_number = mobile_number_on_file(membership=membership)
    user.save()
    invitation.activated_at = timezone.now()
    invitation.save(update_fields=["activated_at", "updated_at"])
    account_event_record(
        agency=agency,
        kind=AccountEventKind.INVITATION_ACTIVATED,
        user=user,
        actor=user,
        client=client,
        invitation=str(invitation.pk),
        new_identity=password is not None,
    )
    return user


# My details -------------------------------------------------------------------------------------

FLEXWORKER_EDITABLE = [
    "first_name",
    "infix",
    "last_name",
    "street",
    "house_number",
    "postal_code",
    "city",
    "country",
    "phone",
    "payroll_tax_credit",
]


@transaction.atomic
def flexworker_details_update(
    *, profile: FlexworkerProfile, actor: User, client: ClientInfo | None = None, **fields
) -> list[str]:
    """Save what a flexworker may change themselves; returns the names of changed fields.

    Not the e-mail address (confirmed by mail), the IBAN (asks the password), nor the BSN (the
    back office changes it).
    """
    unknown = set(fields) - set(FLEXWORKER_EDITABLE) - {"language", "sms_reminders"}
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    language = fields.pop("language", None)
    sms_reminders = fields.pop("sms_reminders", None)
    if fields.get("phone"):
        fields["phone"] = normalise_mobile_number(fields["phone"])
    changed = [name for name, value in fields.items() if getattr(profile, name) != value]
    for name in changed:
        setattr(profile, name, fields[name])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    user = profile.membership.user
    user_fields = []
    if "phone" in changed and fields["phone"]:
        user.mobile_number = fields["phone"]
        user_fields.append("mobile_number")
    if {"first_name", "infix", "last_name"} & set(changed):
        user.first_name = profile.first_name
        user.last_name = " ".join(p for p in (profile.infix, profile.last_name) if p)
        user_fields += ["first_name", "last_name"]
    if language and language != user.preferred_language:
        user.preferred_language = language
        user_fields.append("preferred_language")
        changed.append("language")
    if user_fields:
        user.save(update_fields=user_fields)
    return _details_changed(
        membership=profile.membership,
        changed=changed,
        sms_reminders=sms_reminders,
        actor=actor,
        client=client,
    )


def _details_changed(
    *,
    membership: Membership,
    changed: list[str],
    sms_reminders: bool | None,
    actor: User,
    client: ClientInfo | None,
) -> list[str]:
    """The end of every "my details" update: the choice of reminders by text message too, and
    one audit event naming what changed. Returns the changed fields."""
    if sms_reminders is not None and membership.sms_reminders != sms_reminders:
        membership.sms_reminders = sms_reminders
        membership.save(update_fields=["sms_reminders", "updated_at"])
        changed.append("sms_reminders")
    if changed:
        account_event_record(
            agency=membership.agency,
            kind=AccountEventKind.DETAILS_CHANGED,
            user=membership.user,
            actor=actor,
            client=client,
            fields=changed,
        )
    return changed


@transaction.atomic
def client_contact_details_update(
    *,
    contact: ClientContact,
    actor: User,
    client: ClientInfo | None = None,
    first_name: str,
    last_name: str,
    job_title: str,
    phone: str,
    language: str,
    sms_reminders: bool | None = None,
) -> list[str]:
    user = contact.membership.user
    changed = []
    for obj, name, value in [
        (user, "first_name", first_name),
        (user, "last_name", last_name),
        (user, "preferred_language", language),
        (contact, "job_title", job_title),
        (contact, "phone", phone),
    ]:
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    user_fields = [n for n in changed if n in ("first_name", "last_name", "preferred_language")]
    if user_fields:
        user.save(update_fields=user_fields)
    contact_fields = [n for n in changed if n in ("job_title", "phone")]
    if contact_fields:
        contact.save(update_fields=[*contact_fields, "updated_at"])
    return _details_changed(
        membership=contact.membership,
        changed=changed,
        sms_reminders=sms_reminders,
        actor=actor,
        client=client,
    )


def iban_masked(iban: str) -> str:
    return f"{iban[:4]} **** {iban[-4:]}" if len(iban) > 8 else iban


@transaction.atomic
def flexworker_iban_change(
    *, profile: FlexworkerProfile, iban: str, actor: User, client: ClientInfo | None = None
) -> bool:
    """Change the bank account (the view asked the password first): logged for the back office,
    and the person is mailed so a change they did not make does not go unnoticed."""
    new = normalise_iban(iban)
    old = profile.iban
    if new == old:
        return False
    profile.iban = new
    profile.save(update_fields=["iban", "updated_at"])
    user = profile.membership.user
    agency = profile.membership.agency
    account_event_record(
        agency=agency,
        kind=AccountEventKind.IBAN_CHANGED,
        user=user,
        actor=actor,
        client=client,
        old=old,
        new=new,
    )
    account_mail_send(
        agency=agency,
        user=user,
        kind=MailKind.IBAN_CHANGED,
        context={"iban_masked": iban_masked(new)},
        deep_link_path=reverse("worker:details"),
    )
    return True


def _replace_file(field, *, stem: str, upload: CheckedFile | None) -> str:
    """Store a checked upload in ``field`` under a fresh private name the portal makes (or empty
    the field); returns the old name, for `_delete_file_later`."""
    old = field.name
    if upload is None:
        setattr(field.instance, field.field.name, "")
    else:
        field.save(upload.storage_name(stem), upload.file, save=False)
    return old


def _delete_file_later(storage, name: str) -> None:
    """Remove a replaced file once the change is committed (a rollback keeps it in use)."""
    if name:
        transaction.on_commit(lambda: storage.delete(name))


@transaction.atomic
def agency_logo_set(*, agency: Agency, logo: CheckedFile | None) -> None:
    """Replace the agency's logo with one checked by ``uploads.LOGO`` (a re-encoded PNG), or
    remove it with ``logo=None``; the old file is removed from storage."""
    storage = agency.logo.storage
    old = _replace_file(agency.logo, stem="logo", upload=logo)
    agency.save(update_fields=["logo"])
    _delete_file_later(storage, old)


@transaction.atomic
def flexworker_id_document_upload(
    *,
    profile: FlexworkerProfile,
    upload: CheckedFile,
    actor: User,
    client: ClientInfo | None = None,
) -> None:
    """Store the ID document (checked by ``uploads.DOCUMENT`` in the form)."""
    storage = profile.id_document.storage
    old = _replace_file(profile.id_document, stem="id", upload=upload)
    profile.id_document_name = upload.uploaded_name
    profile.id_document_uploaded_at = timezone.now()
    profile.save(
        update_fields=["id_document", "id_document_name", "id_document_uploaded_at", "updated_at"]
    )
    _delete_file_later(storage, old)
    account_event_record(
        agency=profile.membership.agency,
        kind=AccountEventKind.ID_DOCUMENT_UPLOADED,
        user=profile.membership.user,
        actor=actor,
        client=client,
    )


@transaction.atomic
def flexworker_photo_set(
    *,
    profile: FlexworkerProfile,
    upload: CheckedFile | None = None,
    actor: User,
    client: ClientInfo | None = None,
) -> None:
    """Set the profile photo (checked by ``uploads.PHOTO``), or remove it with ``upload=None``."""
    if upload is not None and not profile.membership.agency.allow_profile_photo:
        raise AccountError(_("Your agency does not use profile photos."), code="no_photos")
    storage = profile.photo.storage
    old = _replace_file(profile.photo, stem="photo", upload=upload)
    profile.save(update_fields=["photo", "updated_at"])
    _delete_file_later(storage, old)
    account_event_record(
        agency=profile.membership.agency,
        kind=AccountEventKind.PHOTO_CHANGED,
        user=profile.membership.user,
        actor=actor,
        client=client,
        removed=upload is None,
    )


# E-mail address change (confirmed by mail) ------------------------------------------------------

EMAIL_CHANGE_SALT = "accounts.email_change"
EMAIL_CHANGE_MAX_AGE = dt.timedelta(days=3)


def _email_taken(email: str, *, by_other_than: User) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=by_other_than.pk).exists()


def email_change_request(
    *, agency: Agency, user: User, new_email: str, client: ClientInfo | None = None
) -> str:
    """Mail a confirmation link to the new address; the address changes only when it is used."""
    new_email = User.objects.normalize_email(new_email).lower()
    if new_email == user.email:
        raise ValidationError(_("This is already your e-mail address."), code="same_email")
    if _email_taken(new_email, by_other_than=user):
        raise ValidationError(
            _("Another account uses this e-mail address. Choose another one."),
            code="email_taken",
        )
    token = signing.dumps(
        {"u": str(user.pk), "a": str(agency.pk), "o": user.email, "n": new_email},
        salt=EMAIL_CHANGE_SALT,
        compress=True,
    )
    row = account_mail_send(
        agency=agency,
        user=user,
        kind=MailKind.EMAIL_CHANGE,
        to_email=new_email,
        context={"new_email": new_email, "valid_days": EMAIL_CHANGE_MAX_AGE.days},
        link_path=f"{reverse('email_change_link')}#{token}",
    )
    failure = mail_failed(row)
    if failure == MailFailure.REFUSED:
        raise ValidationError(
            _("The mail server refuses mail to this address. Check the address."),
            code="mail_refused",
        )
    if failure:
        # Outside a transaction the link went out (or not) just now; say so at the field.
        raise ValidationError(
            _("We could not send the e-mail just now. Try again in a few minutes."),
            code="mail_failed",
        )
    account_event_record(
        agency=agency,
        kind=AccountEventKind.EMAIL_CHANGE_REQUESTED,
        user=user,
        actor=user,
        client=client,
        new=new_email,
    )
    return new_email


def email_change_read(*, agency: Agency, token: str) -> tuple[User, str]:
    """The person and new address a confirmation link stands for; raises AccountError."""
    try:
        data = signing.loads(
            token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE.total_seconds()
        )
    except signing.SignatureExpired:
        raise AccountError(
            _("This link has expired. Ask for the change again on your details page."),
            code="expired",
        ) from None
    except signing.BadSignature:
        raise AccountError(_("This link is not valid."), code="invalid") from None
    if data.get("a") != str(agency.pk):
        raise AccountError(_("This link is not valid."), code="invalid")
    user = User.objects.filter(pk=data.get("u")).first()
    if user is None or user.email != data.get("o"):
        raise AccountError(
            _("This link has been used already, or your e-mail address changed since."),
            code="used",
        )
    return user, data["n"]


@transaction.atomic
def email_change_confirm(*, agency: Agency, token: str, client: ClientInfo | None = None) -> User:
    user, new_email = email_change_read(agency=agency, token=token)
    user = User.objects.select_for_update().get(pk=user.pk)
    if _email_taken(new_email, by_other_than=user):
        raise AccountError(
            _("Another account uses this e-mail address by now. Choose another one."),
            code="email_taken",
        )
    old = user.email
    if old != new_email:
        from allauth.account.models import EmailAddress

        user.email = new_email
        user.save(update_fields=["email"])
        # allauth may know the old address too; it must no longer log anyone in.
        EmailAddress.objects.filter(user=user).delete()
    account_event_record(
        agency=agency,
        kind=AccountEventKind.EMAIL_CHANGED,
        user=user,
        actor=user,
        client=client,
        old=old,
        new=new_email,
    )
    account_mail_send(
        agency=agency,
        user=user,
        kind=MailKind.EMAIL_CHANGED,
        to_email=old,
        context={"new_email": new_email},
    )
    return user


# Second factor ----------------------------------------------------------------------------------

TWO_FACTOR_LOCK_AFTER = 10
TWO_FACTOR_LOCK = dt.timedelta(minutes=15)
SMS_OTP_VALID_SECONDS = 5 * 60
SMS_OTP_COOLDOWN_SECONDS = 30
SMS_OTP_PER_HOUR = 10
BACKUP_CODE_COUNT = 10
REMEMBER_DEVICE_DAYS = 30
TRUSTED_DEVICE_SALT = "accounts.trusted_device"


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
    *, agency: Agency, user: User, device, token: str, client: ClientInfo | None = None
):
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


def _second_factor_mail(*, agency: Agency | None, user: User, kind: str, device) -> None:
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


def _otp_device_added(*, agency: Agency, user: User, device, client) -> None:
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
    return AuthenticatorDevice.objects.create(user=user, name="authenticator-app", confirmed=False)


def otp_device_confirm(*, agency: Agency, user: User, device, token: str, client=None):
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
    return SmsDevice.objects.create(user=user, name=f"sms-{number}", number=number, confirmed=False)


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
def backup_codes_generate(*, agency: Agency, user: User, client=None) -> list[str]:
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
    *, agency: Agency, user: User, persistent_id: str, required: bool, client=None
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


def two_factor_methods(*, user: User) -> list:
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
    for at in agencies or [None]:
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


def password_fingerprint(user: AbstractBaseUser) -> str:
    """Changes whenever the password does: a remembered device holds it and dies with it."""
    return salted_hmac(TRUSTED_DEVICE_SALT, user.password or "").hexdigest()[:24]


def trusted_device_remember(
    *, agency: Agency, user: User, otp_device, client: ClientInfo | None = None
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
        {"u": str(user.pk), "t": token, "p": password_fingerprint(user)}, salt=TRUSTED_DEVICE_SALT
    )


def trusted_device_use(*, agency: Agency, user: User, cookie_value: str):
    """The OTP device a remembered-device cookie stands for, or None when it is void."""
    try:
        data = signing.loads(
            cookie_value,
            salt=TRUSTED_DEVICE_SALT,
            max_age=dt.timedelta(days=REMEMBER_DEVICE_DAYS).total_seconds(),
        )
    except signing.BadSignature:
        return None
    if data.get("u") != str(user.pk) or not constant_time_compare(
        data.get("p", ""), password_fingerprint(user)
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


def trusted_devices_forget(*, agency: Agency, user: User, client=None) -> int:
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


# Sessions ---------------------------------------------------------------------------------------


def session_record(
    *, agency: Agency, user: User, session_key: str, client: ClientInfo | None = None
) -> UserSession:
    client = client or ClientInfo()
    record, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "agency": agency,
            "user": user,
            "ip_address": client.ip_address,
            "user_agent": client.user_agent,
            "last_seen_at": timezone.now(),
        },
    )
    return record


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def sessions_end_others(
    *, agency: Agency, user: User, keep_session_key: str | None, client=None
) -> int:
    """Log out the person's other sessions at this agency."""
    records = UserSession.objects.filter(agency=agency, user=user).exclude(
        session_key=keep_session_key or ""
    )
    keys = list(records.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    records.delete()
    account_event_record(
        agency=agency,
        kind=AccountEventKind.SESSIONS_ENDED,
        user=user,
        actor=user,
        client=client,
        count=len(keys),
    )
    return len(keys)


def sessions_end_all(*, user: User, keep_session_key: str | None = None) -> int:
    """End the person's sessions at every agency (after a password change or a reset).

    Django already refuses those sessions once the password hash changed; deleting them keeps
    the session lists honest. Crossing agencies is the point here, hence scopes_disabled.
    """
    with scopes_disabled():
        records = UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
        keys = list(records.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        records.delete()
    return len(keys)


@transaction.atomic
def password_changed_record(
    *,
    agency: Agency | None,
    user: User,
    keep_session_key: str | None = None,
    reset: bool = False,
    client: ClientInfo | None = None,
) -> None:
    """After a new password: every other session ends (and remembered devices are void, as
    their cookies carry the old password's fingerprint), and the person is mailed."""
    sessions_end_all(user=user, keep_session_key=keep_session_key)
    if agency is not None:
        account_event_record(
            agency=agency,
            kind=AccountEventKind.PASSWORD_CHANGED,
            user=user,
            actor=user,
            client=client,
            reset=reset,
        )
        account_mail_send(
            agency=agency,
            user=user,
            kind=MailKind.PASSWORD_CHANGED,
            context={"reset": reset},
            deep_link_path=reverse("account_login", urlconf=settings.ROOT_URLCONF),
        )


def session_records_prune() -> int:
    """Forget session records whose session expired, and remembered devices past their date.
    Run hourly by Celery beat with clearsessions; it crosses agencies on purpose."""
    with scopes_disabled():
        live = Session.objects.values("session_key")
        stale, _detail = UserSession.objects.exclude(session_key__in=live).delete()
        TrustedDevice.objects.filter(expires_at__lte=timezone.now()).delete()
    return stale
