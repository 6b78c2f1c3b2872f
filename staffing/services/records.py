"""The back office's changes of the staffing organisation's records (a client, a department, a
cost centre, a function, a flexworker's or a client contact's record, a placement): one scoped
service for each write, on the kernel's ``flexportal.records`` (active staff of the agency, the
row locked, ``full_clean``). New people come through ``people`` (they need an identity)."""

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.db import models

from accounts.models import User
from agencies.models import Agency
from flexportal.records import record_delete, record_save
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


def staffing_record_delete(*, agency: Agency, actor: User, record: StaffingRecord) -> None:
    """Delete a record of the staffing organisation (with what cascades from it)."""
    record_delete(agency=agency, actor=actor, record=record, models_allowed=STAFFING_RECORDS)
