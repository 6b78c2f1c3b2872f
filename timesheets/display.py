"""How werkbriefjes read on the screens: bucket names and percentages, the engine's reasons in
the person's language, and the deadline in words.

FORMAT.md, "What the portal shows": the unravelled buckets appear per day and per week with each
bucket's name and percentage, so everyone can see why an hour counts as 125 %. The engine gives
every reason a stable code with parameters; the common ones are translated here, the rest keep
the engine's English sentence.
"""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Protocol

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from timesheets.choices import Absence
from timesheets.hours import MAX_DAY_MINUTES, format_clock, format_minutes
from timesheets.unravel import Explanation, Reason

NORMAL = "normal"  # the bucket of normal hours where hours are entered by hand (services)


class HourTypeLike(Protocol):
    """What the names of hand-entered buckets need of an hour type (timesheets.models.HourType)."""

    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def percentage(self) -> int: ...
    @property
    def kind(self) -> str: ...


class DayLike(Protocol):
    """A day's hours as typed or stored (timesheets.services.DayInput)."""

    date: dt.date
    start: int | None
    end: int | None
    break_minutes: int
    total: int | None
    absence: str
    absence_minutes: int
    note: str
    manual: dict


@dataclass(frozen=True)
class BucketInfo:
    label: str
    pct: float | None
    is_supplement: bool


@dataclass(frozen=True)
class BucketLine:
    code: str
    label: str
    pct: str  # "125 %" or "+30 %"
    minutes: int
    is_supplement: bool

    @property
    def hours(self) -> str:
        return format_minutes(self.minutes)


@dataclass
class DayExplanation:
    """Why one day's minutes went where they went: its stretches and notes, in words."""

    segments: list[tuple[str, str, list[str]]] = field(default_factory=list)  # from, to, why
    notes: list[str] = field(default_factory=list)


def _pct(value: float | Decimal) -> str:
    value = float(value)
    return str(int(value)) if value.is_integer() else f"{value:g}"


def bucket_infos_for_scheme(document: dict) -> dict[str, BucketInfo]:
    """Names for the buckets of a cao-ontrafel/1 document, from their role in the scheme."""
    normal = document.get("normal_bucket")
    call = (document.get("minimum_call") or {}).get("bucket")
    infos = {}
    for code, bucket in (document.get("buckets") or {}).items():
        supplement = bucket.get("kind") == "supplement"
        if code == normal:
            label = _("Normal hours")
        elif code == call:
            label = _("Minimum call top-up")
        elif supplement:
            label = _("Irregular hours allowance (ORT)")
        else:
            label = _("Overtime")
        infos[code] = BucketInfo(label, bucket.get("pct"), supplement)
    return infos


def bucket_infos_for_hour_types(hour_types: Iterable[HourTypeLike]) -> dict[str, BucketInfo]:
    """Names for hand-entered buckets: normal hours and the agency's hour types."""
    infos = {NORMAL: BucketInfo(_("Normal hours"), 100, False)}
    for hour_type in hour_types:
        infos[hour_type.code] = BucketInfo(
            hour_type.name, hour_type.percentage, hour_type.kind == "supplement"
        )
    return infos


def bucket_lines(buckets: dict[str, int], infos: dict[str, BucketInfo]) -> list[BucketLine]:
    """The non-empty buckets, hours first (by percentage), then supplements."""
    lines = []
    for code, minutes in buckets.items():
        if not minutes:
            continue
        info = infos.get(code, BucketInfo(code, None, False))
        if info.pct is None:
            pct = ""
        elif info.is_supplement:
            pct = f"+{_pct(info.pct)} %"
        else:
            pct = f"{_pct(info.pct)} %"
        lines.append(BucketLine(code, info.label, pct, minutes, info.is_supplement))
    return sorted(lines, key=lambda b: (b.is_supplement, float(b.pct.strip("+ %") or 0), b.code))


def day_in_words(
    *,
    start: int | None,
    end: int | None,
    break_minutes: int,
    total: int | None,
    absence: str,
    absence_minutes: int,
    note: str,
    manual: list[tuple[str, int]],
) -> str:
    """One day's hours in a line ("07:00–17:00, break 30 min · Overuren 1:00"), for typed and
    saved hours side by side after a conflict. ``absence`` is the absence's label."""
    parts = []
    if start is not None and end is not None:
        times = f"{format_clock(start)}–{format_clock(end % MAX_DAY_MINUTES)}"
        if break_minutes:
            times += ", " + _("break %(minutes)s min") % {"minutes": break_minutes}
        parts.append(times)
    elif total:
        parts.append(format_minutes(total))
    if absence:
        parts.append(f"{absence} {format_minutes(absence_minutes)}" if absence_minutes else absence)
    parts += [f"{name} {format_minutes(minutes)}" for name, minutes in manual if minutes]
    if note.strip():
        parts.append(f"“{note.strip()}”")
    return " · ".join(parts) or _("no hours")


def same_day(a: DayLike, b: DayLike) -> bool:
    """Whether two days (services.DayInput, typed or stored) hold the same hours."""
    return _day_key(a) == _day_key(b)


def _day_key(day: DayLike) -> tuple:
    return (
        day.start,
        None if day.end is None else day.end % MAX_DAY_MINUTES,
        day.break_minutes,
        day.total or 0,
        day.absence,
        day.absence_minutes,
        day.note.strip(),
        {k: v for k, v in day.manual.items() if v},
    )


@dataclass(frozen=True)
class TypedAndSaved:
    date: dt.date
    typed: str
    saved: str


def typed_against_saved(
    *, saved: Mapping[dt.date, DayLike], typed: Iterable[DayLike], hour_type_names: dict
) -> list[TypedAndSaved]:
    """The days whose typed hours differ from the saved ones (services.DayInput both), each
    in words: what a person sees after someone else saved the werkbrief in between."""
    absences = dict(Absence.choices)

    def words(day: DayLike) -> str:
        return day_in_words(
            start=day.start,
            end=day.end,
            break_minutes=day.break_minutes,
            total=day.total,
            absence=str(absences.get(day.absence, day.absence)) if day.absence else "",
            absence_minutes=day.absence_minutes,
            note=day.note,
            manual=[(hour_type_names.get(pk, "?"), m) for pk, m in day.manual.items()],
        )

    return [
        TypedAndSaved(day.date, words(day), words(saved[day.date]))
        for day in typed
        if day.date in saved and not same_day(saved[day.date], day)
    ]


# The engine's reasons ----------------------------------------------------------------------------

BREAK_MODES = {
    "fixed": gettext_lazy("at its fixed time"),
    "middle": gettext_lazy("in the middle of the shift"),
    "proportional": gettext_lazy("spread over the shift"),
    "lowest_rate_first": gettext_lazy("on the minutes with the lowest allowance"),
}


def _reason_text(code: str, p: dict) -> str | None:
    """The translated sentence for one reason code: None for a code not translated here, ""
    for a reason that adds nothing to the ones before it."""
    if code == "NORMAL":
        return _("normal hours (%(pct)s %%)") % {"pct": _pct(p["pct"])}
    if code == "DAILY_OVERTIME":
        return _("more than %(threshold)s worked that day: overtime tier %(tier)s, %(pct)s %%") % {
            "threshold": format_minutes(p["threshold_minutes"]),
            "tier": p["tier"],
            "pct": _pct(p["pct"]),
        }
    if code == "WEEKLY_OVERTIME":
        return _("more than %(threshold)s worked that week: overtime tier %(tier)s, %(pct)s %%") % {
            "threshold": format_minutes(p["threshold_minutes"]),
            "tier": p["tier"],
            "pct": _pct(p["pct"]),
        }
    if code == "ORT":
        return _("between %(from)s and %(to)s: irregular hours allowance +%(pct)s %%") % {
            "from": p["from"],
            "to": p["to"],
            "pct": _pct(p["pct"]),
        }
    if code == "RATE_OVERRIDE":
        return _("overtime between %(from)s and %(to)s is paid at %(pct)s %%") % {
            "from": p["from"],
            "to": p["to"],
            "pct": _pct(p["pct"]),
        }
    if code in ("COMBINE_HIGHEST_ORT", "COMBINE_PREFER_ORT"):
        return _(
            "the irregular hours allowance (+%(ort)s %%) is paid instead of overtime (+%(ot)s %%)"
        ) % {"ort": _pct(p["ort_supplement"]), "ot": _pct(p["overtime_supplement"])}
    if code == "COMBINE_HIGHEST_OVERTIME":
        return _(
            "overtime (+%(ot)s %%) is paid instead of the irregular hours allowance (+%(ort)s %%)"
        ) % {"ort": _pct(p["ort_supplement"]), "ot": _pct(p["overtime_supplement"])}
    if code == "COMBINE_ADDITIVE" and len(p["paid"]) > 1:
        return _("overtime (+%(ot)s %%) and the irregular hours allowance (+%(ort)s %%)") % {
            "ort": _pct(p["ort_supplement"]),
            "ot": _pct(p["overtime_supplement"]),
        }
    if code in ("COMBINE_ADDITIVE", "COMBINE_OVERTIME"):
        return ""  # plain overtime: the overtime reason before it says it all
    if code == "HOLIDAY":
        return _("a public holiday")
    if code == "BREAK":
        return _("break")
    if code == "PROPORTIONAL_BREAK":
        return _("%(minutes)s minutes of the break fall in this stretch") % {
            "minutes": p["break_minutes"]
        }
    if code == "BREAK_PLACEMENT":
        return _("The break of %(minutes)s minutes is placed %(how)s.") % {
            "minutes": p["break_minutes"],
            "how": BREAK_MODES[p["mode"]],
        }
    if code == "ATW_BREAK_TOPUP":
        return _(
            "%(worked)s worked needs a break of at least %(required)s minutes (Working Hours "
            "Act): the break counts as %(required)s minutes instead of %(declared)s."
        ) % {
            "worked": format_minutes(p["worked_minutes"]),
            "required": p["required_break_minutes"],
            "declared": p["declared_break_minutes"],
        }
    if code == "ATW_BREAK_SHORT":
        return _(
            "%(worked)s worked needs a break of at least %(required)s minutes (Working Hours "
            "Act); only %(declared)s minutes were taken."
        ) % {
            "worked": format_minutes(p["worked_minutes"]),
            "required": p["required_break_minutes"],
            "declared": p["declared_break_minutes"],
        }
    if code == "MINIMUM_CALL_TOPUP":
        return _(
            "Worked %(worked)s, less than the minimum call of %(minimum)s: %(topup)s minutes "
            "are added."
        ) % {
            "worked": format_minutes(p["worked_minutes"]),
            "minimum": format_minutes(p["minimum_minutes"]),
            "topup": p["topup_minutes"],
        }
    if code == "ZERO_LENGTH_SHIFT":
        return _("The start and end time are the same: this shift counts nothing.")
    return None


def reason_text(reason: Reason) -> str:
    """One engine reason in the person's language; the engine's own text when not translated."""
    try:
        text = _reason_text(reason.code, dict(reason.params))
    except (KeyError, TypeError, ValueError):
        text = None
    return reason.text if text is None else text


def _clock(iso: str) -> str:
    return dt.datetime.fromisoformat(iso).strftime("%H:%M")


def day_explanations(explanation: Explanation | None) -> dict[dt.date, DayExplanation]:
    """The explanation of each day's shift (None without a CAO scheme gives {})."""
    days: dict[dt.date, DayExplanation] = {}
    if explanation is None:
        return days
    for shift in explanation.shifts:
        day = days.setdefault(dt.date.fromisoformat(shift.date), DayExplanation())
        for segment in shift.segments:
            reasons = [text for r in segment.reasons if (text := reason_text(r))]
            day.segments.append((_clock(segment.start), _clock(segment.end), reasons))
        day.notes += [text for r in shift.notes if (text := reason_text(r))]
    return days


UNRAVEL_ERRORS = {
    "BREAK_EXCEEDS_SHIFT": gettext_lazy("A break is longer than its shift."),
    "NONEXISTENT_LOCAL_TIME": gettext_lazy("A time does not exist on that day (clock change)."),
    "OVERLAPPING_SHIFTS": gettext_lazy("Two shifts overlap: a night shift runs into the next day."),
    "BAD_INPUT": gettext_lazy("Some hours cannot be read."),
    "SCHEME_INVALID": gettext_lazy(
        "The CAO scheme of this placement has an error; tell the agency."
    ),
}


def unravel_error_text(code: str) -> str:
    if not code:
        return ""
    if code in UNRAVEL_ERRORS:
        return str(UNRAVEL_ERRORS[code])
    return _("The hours cannot be calculated (%(code)s).") % {"code": code}


CHANGE_FIELDS = {
    "start": gettext_lazy("start"),
    "end": gettext_lazy("end"),
    "break_minutes": gettext_lazy("break (minutes)"),
    "worked_minutes": gettext_lazy("hours"),
    "absence": gettext_lazy("absence"),
    "absence_minutes": gettext_lazy("absence hours"),
    "note": gettext_lazy("note"),
    "expense": gettext_lazy("expense"),
}

MANUAL_PREFIX = "manual:"  # WerkbriefChange.field of a bucket of the clock: manual:<hour type>


def manual_hour_type_ids(names: Iterable[str]) -> set[str]:
    """The hour type ids named by recorded changes of the clock's buckets."""
    return {name.removeprefix(MANUAL_PREFIX) for name in names if name.startswith(MANUAL_PREFIX)}


def change_field_label(name: str, hour_type_names: dict[str, str] | None = None) -> str:
    """The field of a recorded change (WerkbriefChange.field) in words; a bucket of the clock
    by its hour type's name where ``hour_type_names`` (id -> name) knows it."""
    if name.startswith(MANUAL_PREFIX):
        hour_type = (hour_type_names or {}).get(name.removeprefix(MANUAL_PREFIX))
        return hour_type or _("hours by hand")
    return str(CHANGE_FIELDS.get(name, name))


UNRAVEL_WARNINGS = {
    "ATW_BREAK_TOPUP": gettext_lazy(
        "A break was shorter than the Working Hours Act requires: it counts as the minimum."
    ),
    "ATW_BREAK_SHORT": gettext_lazy("A break was shorter than the Working Hours Act requires."),
    "ZERO_LENGTH_SHIFT": gettext_lazy(
        "A shift has the same start and end time: it counts nothing."
    ),
}


def unravel_warning_text(code: str) -> str:
    """A note of the calculation (the engine's warning code) in words."""
    return str(UNRAVEL_WARNINGS.get(code, code))
