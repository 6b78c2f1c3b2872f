"""The werkbrief page's data: one selector, ``werkbrief_page``, returns it as one typed object.

The worker's and the client's werkbrief page (and its confirmation, its parts for HTMX and the
preview while typing) read everything they show from a ``WerkbriefPage``: the werkbrief with its
days, expenses, comments and history loaded in one go (once per request, the access check
included), what this person may do with it, and the buckets of the hours, as saved or as typed.
The views only add the forms; the templates show ``page``.

What only some screens show (the history of changes, the correction requests, the expense
types, the deadline) is read when it is first asked for, so the preview while typing costs no
more queries than it needs.
"""

import datetime as dt
import functools
import uuid
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from accounts.models import Membership
from agencies.models import Agency, Module, Role
from staffing.models import HoursEnteredBy
from timesheets import display, selectors, services
from timesheets.deadlines import DeadlineInfo, deadline_info
from timesheets.models import HourType, Werkbrief, WerkbriefDay
from timesheets.services import DayInput


def manual_hour_types(*, werkbrief: Werkbrief) -> list[HourType]:
    """The hour types of the "clock": only without a CAO scheme on the placement."""
    if werkbrief.placement.cao_scheme_id is not None:
        return []
    return selectors.hour_types_for(agency_id=werkbrief.agency_id)


@dataclass(frozen=True)
class Buckets:
    """The buckets of a week's hours, per day and for the week, with the engine's reasons."""

    day_lines: dict[dt.date, list[display.BucketLine]]
    day_why: dict[dt.date, display.DayExplanation]
    week_lines: list[display.BucketLine]
    worked: int
    unravel_error: str
    # Of typed hours: what the services find wrong with them, (date, field) -> messages.
    errors: dict


@dataclass(frozen=True)
class WerkbriefPage:
    """Everything the werkbrief page shows, for one person."""

    werkbrief: Werkbrief
    membership: Membership
    agency: Agency
    now: dt.datetime
    days: list[WerkbriefDay]
    can_edit: bool
    actions: list[str]
    hour_types: list[HourType]

    @property
    def has_scheme(self) -> bool:
        return self.werkbrief.placement.cao_scheme_id is not None

    @property
    def by_client(self) -> bool:
        return self.werkbrief.placement.hours_entered_by == HoursEnteredBy.CLIENT

    @property
    def for_client(self) -> bool:
        return self.membership.role == Role.CLIENT_CONTACT

    @property
    def done(self) -> bool:
        return self.werkbrief.status in selectors.DONE

    @property
    def absence_minutes(self) -> int:
        return sum(day.absence_minutes for day in self.days)

    @functools.cached_property
    def deadline(self) -> DeadlineInfo:
        return deadline_info(
            self.agency, self.werkbrief.week_start, self.now, for_client=self.for_client
        )

    @functools.cached_property
    def expenses(self) -> list:
        return list(self.werkbrief.expenses.all())

    @property
    def expenses_total(self) -> Decimal:
        return sum((e.amount for e in self.expenses), Decimal("0"))

    @functools.cached_property
    def expense_types(self) -> list:
        """The kinds of expense this person may add now (none where the hours are closed)."""
        if not self.can_edit or not self.agency.has_module(Module.EXPENSES):
            return []
        return selectors.expense_types_for(agency_id=self.werkbrief.agency_id)

    @functools.cached_property
    def comments(self) -> list:
        return list(self.werkbrief.comments.all())

    @functools.cached_property
    def corrections(self) -> list:
        return list(self.werkbrief.correction_requests.all()) if self.done else []

    @functools.cached_property
    def transitions(self) -> list:
        return list(self.werkbrief.transitions.all())

    @functools.cached_property
    def changes(self) -> list:
        """The recorded changes with their fields in words (one more query where the clock's
        buckets changed, for the hour types' names)."""
        changes = list(self.werkbrief.changes.select_related("actor"))
        ids = display.manual_hour_type_ids(change.field for change in changes)
        wb = self.werkbrief
        names = selectors.hour_type_names(agency_id=wb.agency_id, ids=ids) if ids else {}
        return [(change, display.change_field_label(change.field, names)) for change in changes]

    @functools.cached_property
    def saved_buckets(self) -> Buckets:
        """The buckets as saved (what payroll gets), with the engine's explanation per day."""
        wb = self.werkbrief
        explanation = None
        if wb.cao_version_id is not None and any(d.start is not None for d in self.days):
            explanation = services.werkbrief_explain(werkbrief=wb, days=self.days)
        infos = self._bucket_infos(wb.cao_version.document if wb.cao_version else None)
        return Buckets(
            day_lines={d.date: display.bucket_lines(d.buckets, infos) for d in self.days},
            day_why=display.day_explanations(explanation),
            week_lines=display.bucket_lines(wb.buckets, infos),
            worked=wb.worked_minutes,
            unravel_error=display.unravel_error_text(wb.unravel_error),
            errors={},
        )

    def typed_buckets(self, days: list[DayInput]) -> Buckets:
        """The buckets of hours as typed (the days that parse), unravelled without saving."""
        preview = services.werkbrief_preview(werkbrief=self.werkbrief, days=days)
        infos = self._bucket_infos(preview.cao_version.document if preview.cao_version else None)
        return Buckets(
            day_lines={
                d.date: display.bucket_lines(preview.day_buckets.get(d.date, {}), infos)
                for d in self.days
            },
            day_why=display.day_explanations(preview.explanation),
            week_lines=display.bucket_lines(preview.buckets, infos),
            worked=preview.worked_minutes,
            unravel_error=display.unravel_error_text(preview.unravel_error),
            errors=preview.errors,
        )

    def _bucket_infos(self, document: dict | None) -> dict:
        if document is not None:
            return display.bucket_infos_for_scheme(document)
        return display.bucket_infos_for_hour_types(self.hour_types)


def werkbrief_page(
    *,
    membership: Membership,
    agency: Agency,
    werkbrief_id: uuid.UUID,
    now: dt.datetime,
) -> WerkbriefPage:
    """The werkbrief page of one werkbrief, or 404 when the person may not see it: the access
    check and the werkbrief with its details in one query (and the prefetches)."""
    try:
        wb = selectors.with_details(selectors.werkbrieven_visible_to(membership=membership)).get(
            pk=werkbrief_id
        )
    except Werkbrief.DoesNotExist:
        raise Http404 from None
    return page_of(werkbrief=wb, membership=membership, agency=agency, now=now)


def page_of(
    *, werkbrief: Werkbrief, membership: Membership, agency: Agency, now: dt.datetime
) -> WerkbriefPage:
    """The page of a werkbrief the caller has checked access to (a service just returned it,
    or ``werkbrief_page`` loaded it); its details are loaded when they are not yet."""
    wb = selectors.werkbrief_with_details(werkbrief)
    return WerkbriefPage(
        werkbrief=wb,
        membership=membership,
        agency=agency,
        now=now,
        days=list(wb.days.all()),
        can_edit=services.can_edit_hours(werkbrief=wb, membership=membership),
        actions=services.allowed_actions(werkbrief=wb, membership=membership),
        hour_types=manual_hour_types(werkbrief=wb),
    )
