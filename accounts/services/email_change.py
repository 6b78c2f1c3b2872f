"""A new e-mail address, confirmed by a link mailed to it."""

import datetime as dt

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import AccountEventKind, User
from accounts.services.audit import AccountError, ClientInfo, account_event_record
from agencies.models import Agency
from notifications.models import Kind as MailKind
from notifications.services import (
    MailFailure,
    account_mail_send,
    mail_failed,
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
    failure = mail_failed(row=row)
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
        data = signing.loads(token, salt=EMAIL_CHANGE_SALT, max_age=EMAIL_CHANGE_MAX_AGE)
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
