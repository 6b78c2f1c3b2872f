"""Activation: the text-message code that proves the mobile number, and the new account."""

import datetime as dt
import re
import secrets

from django.db import transaction
from django.utils import timezone, translation
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from accounts.models import AccountEventKind, Invitation, User
from accounts.selectors import language_for, mobile_number_on_file
from accounts.services.audit import AccountError, ClientInfo, account_event_record
from notifications.sms import SmsError, send_sms

ACTIVATION_CODE_VALID = dt.timedelta(minutes=10)
ACTIVATION_CODE_COOLDOWN = dt.timedelta(seconds=30)
ACTIVATION_CODES_MAX = 5
ACTIVATION_CODE_ATTEMPTS_MAX = 5


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
