"""Services for the back office's records of timesheets: hour types, expense types, CAO schemes
and their versions, changed or deleted on their admin pages (new schemes also come in through
``services.cao_scheme_import``). One scoped service for each write, on the kernel's
``flexportal.records``: active staff of the agency, the row locked, ``full_clean``."""

from collections.abc import Iterable, Mapping
from typing import TypeVar

from django.db import models

from accounts.models import User
from agencies.models import Agency
from flexportal.records import record_delete, record_save
from timesheets.models import CaoScheme, CaoSchemeVersion, ExpenseType, HourType

TIMESHEETS_RECORDS: tuple[type[models.Model], ...] = (
    HourType,
    ExpenseType,
    CaoScheme,
    CaoSchemeVersion,
)
TimesheetsRecord = HourType | ExpenseType | CaoScheme | CaoSchemeVersion
_R = TypeVar("_R", HourType, ExpenseType, CaoScheme, CaoSchemeVersion)


def timesheets_record_save(
    *,
    agency: Agency,
    actor: User,
    record: _R,
    exclude: Iterable[str] = (),
    many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
) -> _R:
    """Save a new or changed hour type, expense type, CAO scheme or scheme version from the back
    office (``flexportal.records``: active staff, the row locked, ``full_clean``; a version's
    document is checked by the engine). Changing a version's date moves that version."""
    return record_save(
        agency=agency,
        actor=actor,
        record=record,
        models_allowed=TIMESHEETS_RECORDS,
        exclude=exclude,
        many_to_many=many_to_many,
    )


def timesheets_record_delete(*, agency: Agency, actor: User, record: TimesheetsRecord) -> None:
    """Delete an hour type, expense type, CAO scheme (with its versions) or scheme version."""
    record_delete(agency=agency, actor=actor, record=record, models_allowed=TIMESHEETS_RECORDS)
