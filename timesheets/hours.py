"""The hours parser: what people type for a duration or a time of day, to whole minutes.

Pure Python (no Django), so it can be tested and fuzzed alone. The manuals write hours as
hours.minutes: `7.30` is 7 h 30 min, `0.15` a quarter of an hour, `7:15` the same as `7.15`
(worker-manual-flexportal, client-manual-flexportal). Errors are codes with parameters; the
forms turn them into translated messages at the field.
"""

import datetime as dt
import re
from dataclasses import dataclass, field

MAX_DAY_MINUTES = 24 * 60

# Separators people use between hours and minutes: 7:30, 7.30, 7,30, 7u30 (Dutch "uur").
_DURATION = re.compile(r"^(?P<h>\d{1,2})(?:\s*[:.,uh]\s*(?P<m>\d{1,2}))?$")
_CLOCK = re.compile(r"^(?P<h>\d{1,2})(?:\s*[:.,u]\s*(?P<m>\d{2}))?$|^(?P<hh>\d{2})(?P<mm>\d{2})$")


@dataclass(frozen=True)
class HoursError(Exception):
    """A typed value that is not a valid duration or time; ``code`` names the problem."""

    code: str
    params: dict = field(default_factory=dict)

    def __str__(self) -> str:
        return self.code


def _clean(text: object) -> str:
    if text is None:
        return ""
    if not isinstance(text, str):
        raise HoursError("not_text")
    return text.strip().lower().removesuffix("uur").removesuffix("h").strip()


def parse_duration(text: object) -> int | None:
    """`7:30`, `7.30`, `7` or `0.15` to minutes; None for an empty field.

    Codes: ``negative``, ``minutes_too_large`` (7.75: minutes must be below 60),
    ``one_digit_minutes`` (7.5 is ambiguous), ``too_long`` (more than 24 hours), ``invalid``.
    """
    value = _clean(text)
    if value == "":
        return None
    if value.startswith("-"):
        raise HoursError("negative")
    match = _DURATION.match(value)
    if match is None:
        raise HoursError("invalid", {"value": str(text)[:20]})
    hours = int(match["h"])
    minutes_text = match["m"]
    if minutes_text is not None and len(minutes_text) == 1:
        raise HoursError("one_digit_minutes", {"value": str(text)[:20]})
    minutes = int(minutes_text or 0)
    if minutes >= 60:
        raise HoursError("minutes_too_large", {"minutes": minutes})
    total = hours * 60 + minutes
    if total > MAX_DAY_MINUTES:
        raise HoursError("too_long")
    return total


def parse_clock(text: object, *, allow_24: bool = False) -> int | None:
    """A time of day (`07:00`, `7.00`, `0700`) to minutes after midnight; None when empty.

    ``allow_24`` admits `24:00` (the end of the day) for an end time.
    """
    value = _clean(text)
    if value == "":
        return None
    match = _CLOCK.match(value)
    if match is None:
        raise HoursError("invalid_time", {"value": str(text)[:20]})
    hours = int(match["h"] if match["h"] is not None else match["hh"])
    minutes = int(match["m"] or match["mm"] or 0)
    if minutes >= 60:
        raise HoursError("minutes_too_large", {"minutes": minutes})
    if hours == 24 and minutes == 0 and allow_24:
        return MAX_DAY_MINUTES
    if hours >= 24:
        raise HoursError("invalid_time", {"value": str(text)[:20]})
    return hours * 60 + minutes


def minute_of_day(value: dt.time | None) -> int | None:
    """A stored time of day as minutes after midnight (07:30 -> 450); None stays None.

    The one conversion of a time to minutes: forms, services, selectors and the back office
    all come here (tests/timesheets/test_one_hours_form.py looks for a second copy)."""
    return None if value is None else value.hour * 60 + value.minute


def time_of_day(minute: int | None) -> dt.time | None:
    """Minutes after midnight as a time to store; 24:00 (the end of the day) is 00:00."""
    if minute is None:
        return None
    return dt.time((minute // 60) % 24, minute % 60)


def format_minutes(minutes: int | None) -> str:
    """Minutes as the manuals write them: 450 -> '7:30'."""
    if minutes is None:
        return ""
    sign = "-" if minutes < 0 else ""
    minutes = abs(minutes)
    return f"{sign}{minutes // 60}:{minutes % 60:02d}"


def format_clock(minute: int | None) -> str:
    """Minutes after midnight as a time of day: 450 -> '07:30'."""
    if minute is None:
        return ""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def shift_minutes(start: int, end: int) -> int:
    """Wall-clock length from start to end; an end at or before the start is the next day."""
    if end <= start:
        end += MAX_DAY_MINUTES
    return end - start
