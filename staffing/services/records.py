"""The back office's changes of the staffing organisation's records (a client, a department, a
cost centre, a function, a flexworker's or a client contact's record, a placement): one scoped
service for each write, on the kernel's ``flexportal.records`` (active staff of the agency, the
row locked, ``full_clean``). New people come through ``people`` (they need an identity)."""

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.db import models, transaction

from accounts.models import Membership, User
from accounts.services import membership_deactivate
from agencies.models import Agency
from flexportal.records import record_delete, record_save, staff_check
from staffing.models import (
    Client,
    ClientContact,
    CostCentre,
    Department,
    FlexworkerProfile,
    JobFunction,
    Placement,
)

StaffingRecord = (
    Client | Department | CostCentre | JobFunction | FlexworkerProfile | ClientContact | Placement
)
STAFFING_RECORDS: tuple[type[models.Model], ...] = (
    Client,
    Department,
    CostCentre,
    JobFunction,
    FlexworkerProfile,
    ClientContact,
    Placement,
)
R = TypeVar(
    "R", Client, Department, CostCentre, JobFunction, FlexworkerProfile, ClientContact, Placement
)


def staffing_record_save(
    *,
    agency: Agency,
    actor: User,
    record: R,
    exclude: Iterable[str] = (),
    many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
) -> R:
    """Save a new or changed record of the staffing organisation (``many_to_many``: a client
    contact's departments)."""
    return record_save(
        agency=agency,
        actor=actor,
        record=record,
        models_allowed=STAFFING_RECORDS,
        exclude=exclude,
        many_to_many=many_to_many,
    )


@transaction.atomic
def staffing_record_delete(*, agency: Agency, actor: User, record: StaffingRecord) -> None:
    """Delete a record of the staffing organisation (with what cascades from it). The people
    whose record goes (a flexworker, a client contact, the contacts of a deleted client) lose
    their access with it: their membership is switched off, recorded, their sessions end."""
    staff_check(agency=agency, actor=actor)
    people: list[Membership] = []
    if isinstance(record, FlexworkerProfile | ClientContact):
        people = [record.membership]
    elif isinstance(record, Client):
        contacts = ClientContact.objects.filter(agency=agency, client=record)
        people = [contact.membership for contact in contacts.select_related("membership")]
    record_delete(agency=agency, actor=actor, record=record, models_allowed=STAFFING_RECORDS)
    for membership in people:
        membership_deactivate(membership=membership, actor=actor)
