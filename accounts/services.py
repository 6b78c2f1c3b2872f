"""Writes of accounts: people, memberships, agencies. Keyword-only, named <thing>_<verb>."""

from django.conf import settings
from django.db import transaction

from accounts.models import (
    Agency,
    Client,
    ClientContact,
    FlexworkerProfile,
    Membership,
    Role,
    User,
)
from accounts.validators import normalise_iban, normalise_mobile_number

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


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


def staff_member_add(*, agency: Agency, email: str, first_name: str, last_name: str) -> Membership:
    user = user_get_or_create(email=email, first_name=first_name, last_name=last_name)
    return membership_ensure(agency=agency, user=user, role=Role.STAFF)
