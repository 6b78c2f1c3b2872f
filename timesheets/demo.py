"""Demo werkbriefjes for `manage.py seed_demo`: a few past weeks in every status.

Deterministic and idempotent: only empty werkbriefjes still to report are filled, and which ones
follows from the worker's employee number, so a second run changes nothing.
"""

import datetime as dt

from accounts.models import ClientContact, HoursEnteredBy
from timesheets import services
from timesheets.deadlines import week_start_of
from timesheets.models import Status, Werkbrief
from timesheets.services import DayInput, WerkbriefError


def seed_werkbrieven(*, agency, staff, today: dt.date) -> None:
    services.werkbrieven_generate(agency=agency, today=today)
    this_week = week_start_of(today)
    contacts = {
        c.client_id: c.membership
        for c in ClientContact.objects.filter(can_approve_hours=True).select_related("membership")
    }
    sheets = (
        Werkbrief.objects.filter(
            status=Status.RAPPORTEER,
            worked_minutes=0,
            week_start__gte=this_week - dt.timedelta(weeks=3),
            week_start__lt=this_week,
        )
        .select_related("placement__worker__membership", "placement__department")
        .order_by("week_start", "placement__worker__employee_number")
    )
    for wb in sheets:
        weeks_ago = (this_week - wb.week_start).days // 7
        number = int("".join(c for c in wb.placement.worker.employee_number if c.isdigit()) or 0)
        if weeks_ago == 1 and number % 3 == 0:
            continue  # some of last week's hours are still missing
        contact = contacts.get(wb.placement.department.client_id)
        if contact is None:
            continue
        by_client = wb.placement.hours_entered_by == HoursEnteredBy.CLIENT
        writer = contact if by_client else wb.placement.worker.membership
        days = [
            DayInput(date=d.date, start=7 * 60 + 30 * (number % 3), end=16 * 60, break_minutes=30)
            for d in wb.days.all()
            if d.date.weekday() < 5
        ]
        try:
            wb = services.werkbrief_save_hours(
                werkbrief=wb, membership=writer, version=wb.version, days=days
            )
            if not by_client:
                wb = services.werkbrief_submit(werkbrief=wb, membership=writer, version=wb.version)
            if weeks_ago == 1 and number % 3 == 1:
                continue  # submitted, waiting for the client
            if weeks_ago == 1 and number % 3 == 2 and not by_client:
                services.werkbrief_reject(
                    werkbrief=wb,
                    membership=contact,
                    version=wb.version,
                    reason="Vrijdag was een halve dag, graag aanpassen.",
                )
                continue
            wb = services.werkbrief_approve(werkbrief=wb, membership=contact, version=wb.version)
            if weeks_ago >= 2:
                wb = services.werkbrief_transition(
                    werkbrief=wb, membership=staff, action="close", version=wb.version
                )
            if weeks_ago >= 3:
                services.werkbrief_transition(
                    werkbrief=wb, membership=staff, action="process", version=wb.version
                )
        except WerkbriefError:
            continue  # e.g. a placement that ended mid-week: leave it for the person to fill


__all__ = ["seed_werkbrieven"]
