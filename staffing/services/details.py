""" "My details": what a flexworker or client contact changes about themselves (contact details,
bank account, ID document, photo)."""

from typing import TypedDict, Unpack

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccountEventKind, Membership, User
from accounts.services import AccountError, ClientInfo, account_event_record
from flexportal import uploads
from flexportal.uploads import CheckedFile
from flexportal.validators import normalise_iban, normalise_mobile_number
from notifications.models import Kind as MailKind
from notifications.services import (
    account_mail_send,
)
from staffing.models import ClientContact, FlexworkerProfile

# My details -------------------------------------------------------------------------------------


class FlexworkerEditable(TypedDict, total=False):
    """The profile's columns a flexworker may change themselves (any of them, by name)."""

    first_name: str
    infix: str
    last_name: str
    street: str
    house_number: str
    postal_code: str
    city: str
    country: str
    phone: str
    payroll_tax_credit: str


FLEXWORKER_EDITABLE = list(FlexworkerEditable.__annotations__)


@transaction.atomic
def flexworker_details_update(
    *,
    profile: FlexworkerProfile,
    actor: User,
    client: ClientInfo | None = None,
    language: str | None = None,
    sms_reminders: bool | None = None,
    **fields: Unpack[FlexworkerEditable],
) -> list[str]:
    """Save what a flexworker may change themselves; returns the names of changed fields.

    Not the e-mail address (confirmed by mail), the IBAN (asks the password), nor the BSN (the
    back office changes it).
    """
    unknown = set(fields) - set(FLEXWORKER_EDITABLE)
    if unknown:
        raise ValueError(f"Not editable here: {sorted(unknown)}")
    if fields.get("phone"):
        fields["phone"] = normalise_mobile_number(fields["phone"])
    values: dict[str, object] = dict(fields)
    changed = [name for name, value in values.items() if getattr(profile, name) != value]
    for name in changed:
        setattr(profile, name, values[name])
    if changed:
        profile.save(update_fields=[*changed, "updated_at"])
    user = profile.membership.user
    user_fields: list[str] = []
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
    changed: list[str] = []
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


def iban_masked(*, iban: str) -> str:
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
        context={"iban_masked": iban_masked(iban=new)},
        deep_link_path=reverse("worker:details"),
    )
    return True


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
    old = uploads.stored_file_replace(profile.id_document, stem="id", upload=upload)
    profile.id_document_name = upload.uploaded_name
    profile.id_document_uploaded_at = timezone.now()
    profile.save(
        update_fields=["id_document", "id_document_name", "id_document_uploaded_at", "updated_at"]
    )
    uploads.stored_file_delete_later(storage, old)
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
    old = uploads.stored_file_replace(profile.photo, stem="photo", upload=upload)
    profile.save(update_fields=["photo", "updated_at"])
    uploads.stored_file_delete_later(storage, old)
    account_event_record(
        agency=profile.membership.agency,
        kind=AccountEventKind.PHOTO_CHANGED,
        user=profile.membership.user,
        actor=actor,
        client=client,
        removed=upload is None,
    )
