"""Fixtures of the notification tests: a settable clock, the week being reminded about, and a
tick that runs like beat's (tasks run eagerly in tests, mail lands in ``mailoutbox``)."""

import datetime as dt

import pytest
from django.utils import timezone

from notifications import sms, tasks
from notifications.models import Notification
from timesheets import services as timesheet_services
from timesheets.deadlines import week_start_of


class Clock:
    """django.utils.timezone.now, frozen at a moment the test chooses."""

    def __init__(self, monkeypatch):
        self.now = timezone.now()
        monkeypatch.setattr(timezone, "now", lambda: self.now)

    def set(self, moment: dt.datetime) -> dt.datetime:
        self.now = moment
        return moment


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


@pytest.fixture
def monday() -> dt.date:
    """This week's Monday; the week being reminded about on it is last week (``week``)."""
    return week_start_of(dt.date.today())


@pytest.fixture
def week(monday) -> dt.date:
    return monday - dt.timedelta(days=7)


def local(agency, day: dt.date, hhmm: str) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.fromisoformat(hhmm), tzinfo=agency.tzinfo)


def tick(agency, clock=None, at: dt.datetime | None = None) -> int:
    """One tick of beat for the agency at ``at`` (the clock moves there too)."""
    if at is not None and clock is not None:
        clock.set(at)
    return tasks.tick_agency(str(agency.pk), at.isoformat() if at else None)


def werkbrief(tenant, week_start, placement=None):
    with tenant.scope():
        return timesheet_services.werkbrief_ensure(
            placement=placement or tenant.placement, week_start=week_start
        )


def log(tenant, **filters) -> list[Notification]:
    with tenant.scope():
        return list(
            Notification.objects.filter(**filters)
            .select_related("recipient")
            .order_by("created_at")
        )


@pytest.fixture(autouse=True)
def _empty_sms_outbox():
    sms.outbox.clear()
    yield
    sms.outbox.clear()


def fill(wb, membership, *, days: int = 5, minutes: int = 7 * 60 + 42):
    """Hours on the first ``days`` days (7:42 a day: 38:30 in five days), saved, not submitted."""
    day_inputs = [
        timesheet_services.DayInput(
            date=wb.week_start + dt.timedelta(days=i),
            start=8 * 60,
            end=8 * 60 + minutes + 30,
            break_minutes=30,
        )
        for i in range(days)
    ]
    return timesheet_services.werkbrief_save_hours(
        werkbrief=wb, membership=membership, version=wb.version, days=day_inputs
    )


def act(wb, membership, action: str, comment: str = ""):
    return timesheet_services.werkbrief_transition(
        werkbrief=wb, membership=membership, action=action, version=wb.version, comment=comment
    )


def english(*memberships) -> None:
    """The persons read English (the source language), so tests can match the wording."""
    for membership in memberships:
        user = membership.user
        user.preferred_language = "en"
        user.save(update_fields=["preferred_language"])


def mails(outbox, kind: str) -> list:
    return [m for m in outbox if m.extra_headers.get("X-Flexportal-Kind") == kind]
