"""Flexworkers and client contacts: the person, the membership and the staffing record at once."""

from django.db import transaction

from accounts.services import membership_ensure, user_get_or_create
from agencies.models import Agency, Role
from flexportal.validators import normalise_iban, normalise_mobile_number
from staffing.models import Client, ClientContact, FlexworkerProfile


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
