"""Flexworkers and client contacts: the person, the membership and the staffing record at once."""

import datetime as dt
from collections.abc import Sequence
from typing import TypedDict, Unpack

from django.db import transaction
from django.db.models import QuerySet

from accounts.services import membership_ensure, user_get_or_create
from agencies.models import Agency, Role
from flexportal.validators import normalise_iban, normalise_mobile_number
from staffing.models import Client, ClientContact, Department, FlexworkerProfile


class FlexworkerProfileFields(TypedDict, total=False):
    """The profile's other columns, any of them by name (the back office passes its form's)."""

    birth_date: dt.date | None
    street: str
    house_number: str
    postal_code: str
    city: str
    country: str
    phone: str
    iban: str
    bsn: str
    payroll_tax_credit: str


class ClientContactFields(TypedDict, total=False):
    """The contact's other columns, any of them by name: job title, phone and rights.
    ``sees_all_departments``, when given, wins over "no departments chosen"."""

    job_title: str
    phone: str
    sees_all_departments: bool
    can_approve_hours: bool
    can_see_planning: bool
    can_see_invoices: bool
    can_manage_users: bool
    can_sign_documents: bool


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
    **profile_fields: Unpack[FlexworkerProfileFields],
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
    departments: Sequence[Department] | QuerySet[Department] = (),
    **rights: Unpack[ClientContactFields],
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
