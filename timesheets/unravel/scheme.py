"""Reading and validating a `cao-ontrafel/1` scheme document (FORMAT.md, "Fields").

`validate_scheme` walks the whole document and returns every problem with its JSON path;
`load_scheme` turns a valid document into frozen dataclasses the engine computes with. Nothing
here guesses: a missing field, a wrong type or a value outside the format is a problem, because a
scheme that is silently read differently from what its author meant pays people wrongly.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any
from zoneinfo import ZoneInfo

from .errors import Problem, SchemeInvalid
from .holidays_nl import BEVRIJDINGSDAG_MODES, HOLIDAY_NAMES

FORMAT = "cao-ontrafel/1"
WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
#: Day types (FORMAT.md rule 1): a weekday name, or `holiday` for a holiday of the scheme.
DAY_TYPES: tuple[str, ...] = (*WEEKDAYS, "holiday")
HOURS = "hours"
SUPPLEMENT = "supplement"
COMBINE_MODES = ("highest", "additive", "prefer_ort")
TIE_WINNERS = ("overtime", "ort")
BREAK_MODES = ("fixed", "middle", "proportional", "lowest_rate_first")
ATW_POLICIES = ("enforce", "warn", "ignore")
DAILY_BASES = ("shift", "calendar_day")
AMBIGUOUS_CHOICES = ("earlier", "later")

_HHMM = re.compile(r"(?:[01][0-9]|2[0-3]):[0-5][0-9]|24:00", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_PLAIN_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_]*", re.ASCII)


def parse_hhmm(text: object) -> int | None:
    """`HH:MM` (00:00 to 24:00) as minutes after midnight, or None when malformed."""
    if type(text) is not str or _HHMM.fullmatch(text) is None:
        return None
    return int(text[:2]) * 60 + int(text[3:])


def format_hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


# --------------------------------------------------------------------------------------------
# The parsed scheme. Field names follow the JSON; times are minutes after midnight.


@dataclass(frozen=True)
class Bucket:
    name: str
    kind: str  # "hours" or "supplement"
    pct: float


@dataclass(frozen=True)
class Window:
    """An ORT or rate-override window: on `days` (weekday names and/or `holiday`), wall-clock
    minutes `start <= minute < end` (FORMAT.md rule 3). `index` is its place in the list."""

    index: int
    days: frozenset[str]
    start: int
    end: int
    bucket: str


@dataclass(frozen=True)
class Tier:
    first_minutes: int | None  # None: all the remaining overtime minutes
    bucket: str


@dataclass(frozen=True)
class DailyOvertime:
    basis: str  # "shift" or "calendar_day"
    threshold_minutes: Mapping[str, int]  # per day type
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class WeeklyOvertime:
    threshold_minutes: int
    count_days: frozenset[str]
    count_holidays: bool
    exclude_daily_overtime: bool
    tiers: tuple[Tier, ...]


@dataclass(frozen=True)
class BreakRules:
    mode: str
    fixed_start: int | None  # only for mode "fixed"
    fallback: str | None  # only for mode "fixed"
    atw_policy: str
    atw_rules: tuple[tuple[int, int], ...]  # (worked_over_minutes, min_break_minutes)


@dataclass(frozen=True)
class MinimumCall:
    minutes: int
    bucket: str
    applies_if_contract_hours_below: float
    applies_if_no_fixed_hours: bool
    merge_gap_minutes: int


@dataclass(frozen=True)
class Scheme:
    """A validated `cao-ontrafel/1` scheme. Build it with `load_scheme`."""

    id: str
    name: str
    timezone: str
    ambiguous_local_time: str
    holiday_names: frozenset[str]
    bevrijdingsdag: str
    extra_dates: frozenset[date]
    buckets: Mapping[str, Bucket]
    normal_bucket: str
    ort_windows: tuple[Window, ...]
    daily: DailyOvertime | None
    weekly: WeeklyOvertime | None
    rate_overrides: tuple[Window, ...]
    combine_mode: str
    combine_tie: str
    breaks: BreakRules
    minimum_call: MinimumCall | None  # None when absent or disabled
    #: The engine's precomputed tables and caches (see engine.py); not part of equality.
    compiled: Any = field(default=None, compare=False, repr=False, hash=False)

    def pct(self, bucket: str) -> float:
        return self.buckets[bucket].pct


# --------------------------------------------------------------------------------------------
# Validation


def _key_path(path: str, key: str) -> str:
    return f"{path}.{key}" if _PLAIN_KEY.fullmatch(key) else f"{path}[{key!r}]"


def _type_name(value: object) -> str:
    if value is None:
        return "null"
    return {
        bool: "a boolean",
        int: "a number",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
    }.get(type(value), type(value).__name__)


class _Checker:
    """Collects problems while reading a document; every `get_*` returns None when the value is
    unusable so that checks depending on it are skipped instead of piling up noise."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def problem(self, path: str, reason: str) -> None:
        self.problems.append(Problem(path, reason))

    def obj(
        self, value: object, path: str, known: tuple[str, ...], what: str = "field"
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(path, f"must be an object, not {_type_name(value)}")
            return None
        for key in value:
            if not isinstance(key, str) or key not in known:
                self.problem(
                    _key_path(path, str(key)),
                    f"unknown {what} {key!r}; expected one of: {', '.join(known)}",
                )
        return value

    def field(self, obj: dict[str, Any], key: str, path: str) -> tuple[bool, Any, str]:
        sub = _key_path(path, key)
        if key not in obj:
            self.problem(sub, "missing field")
            return False, None, sub
        return True, obj[key], sub

    def string(self, obj: dict[str, Any], key: str, path: str) -> str | None:
        ok, value, sub = self.field(obj, key, path)
        if not ok:
            return None
        if not isinstance(value, str) or not value.strip():
            self.problem(sub, f"must be a non-empty string, not {_type_name(value)}")
            return None
        return value

    def choice(
        self, obj: dict[str, Any], key: str, path: str, options: tuple[str, ...]
    ) -> str | None:
        ok, value, sub = self.field(obj, key, path)
        if not ok:
            return None
        if not isinstance(value, str) or value not in options:
            self.problem(sub, f"must be one of {', '.join(options)}; got {value!r}")
            return None
        return value

    def boolean(self, obj: dict[str, Any], key: str, path: str) -> bool | None:
        ok, value, sub = self.field(obj, key, path)
        if not ok:
            return None
        if not isinstance(value, bool):
            self.problem(sub, f"must be true or false, not {_type_name(value)}")
            return None
        return value

    def whole(self, value: object, path: str, minimum: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            self.problem(path, f"must be a whole number of minutes, not {_type_name(value)}")
            return None
        if value < minimum:
            self.problem(path, f"must be at least {minimum}; got {value}")
            return None
        return value

    def whole_field(self, obj: dict[str, Any], key: str, path: str, minimum: int) -> int | None:
        ok, value, sub = self.field(obj, key, path)
        return self.whole(value, sub, minimum) if ok else None

    def number(self, obj: dict[str, Any], key: str, path: str) -> float | None:
        ok, value, sub = self.field(obj, key, path)
        if not ok:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
            or value < 0
        ):
            self.problem(sub, f"must be a number of 0 or more; got {value!r}")
            return None
        return value

    def hhmm(self, obj: dict[str, Any], key: str, path: str, allow_24: bool) -> int | None:
        ok, value, sub = self.field(obj, key, path)
        if not ok:
            return None
        minute = parse_hhmm(value)
        if minute is None or (minute == 1440 and not allow_24):
            upper = "24:00" if allow_24 else "23:59"
            self.problem(sub, f"must be a time HH:MM from 00:00 to {upper}; got {value!r}")
            return None
        return minute

    def items(self, obj: dict[str, Any], key: str, path: str) -> tuple[list[Any], str] | None:
        ok, value, sub = self.field(obj, key, path)
        if not ok:
            return None
        if not isinstance(value, list):
            self.problem(sub, f"must be a list, not {_type_name(value)}")
            return None
        return value, sub


def _bucket_ref(
    c: _Checker,
    obj: dict[str, Any],
    key: str,
    path: str,
    buckets: dict[str, Bucket] | None,
    kind: str,
    role: str,
) -> str | None:
    name = c.string(obj, key, path)
    if name is None or buckets is None:
        return name
    sub = _key_path(path, key)
    if name not in buckets:
        c.problem(sub, f"refers to bucket {name!r}, which is not defined in $.buckets")
        return None
    if buckets[name].kind != kind:
        c.problem(
            sub,
            f"{role} must be {'an' if kind == HOURS else 'a'} {kind} bucket, "
            f"but {name!r} is a {buckets[name].kind} bucket",
        )
        return None
    return name


def _buckets(c: _Checker, doc: dict[str, Any]) -> dict[str, Bucket] | None:
    ok, value, path = c.field(doc, "buckets", "$")
    if not ok:
        return None
    if not isinstance(value, dict) or not value:
        c.problem(path, f"must be a non-empty object of buckets, not {_type_name(value)}")
        return None
    out: dict[str, Bucket] = {}
    good = True
    for name, spec in value.items():
        sub = _key_path(path, str(name))
        if not isinstance(name, str) or not name.strip():
            c.problem(sub, "a bucket name must be a non-empty string")
            good = False
            continue
        spec_obj = c.obj(spec, sub, ("kind", "pct"))
        if spec_obj is None:
            good = False
            continue
        kind = c.choice(spec_obj, "kind", sub, (HOURS, SUPPLEMENT))
        pct = c.number(spec_obj, "pct", sub)
        if kind is None or pct is None:
            good = False
            continue
        out[name] = Bucket(name, kind, pct)
    # With a broken bucket, references to it would be reported as "not defined": keep the ones
    # we could read so that other references are still checked.
    return out if (good or out) else None


def _windows(
    c: _Checker,
    items: list[Any],
    path: str,
    buckets: dict[str, Bucket] | None,
    kind: str,
    role: str,
) -> tuple[Window, ...]:
    out = []
    for i, item in enumerate(items):
        sub = f"{path}[{i}]"
        w = c.obj(item, sub, ("days", "from", "to", "bucket"))
        if w is None:
            continue
        days = _day_list(c, w, "days", sub, DAY_TYPES, allow_empty=False)
        start = c.hhmm(w, "from", sub, allow_24=False)
        end = c.hhmm(w, "to", sub, allow_24=True)
        if start is not None and end is not None:
            if end < start:
                c.problem(
                    f"{sub}.to",
                    "the window crosses midnight (to is before from); a window never crosses "
                    "midnight: split it into one window ending at 24:00 and one starting at 00:00",
                )
            elif end == start:
                c.problem(f"{sub}.to", "the window is empty: to must be later than from")
        bucket = _bucket_ref(c, w, "bucket", sub, buckets, kind, role)
        if None not in (days, start, end, bucket) and end > start:  # type: ignore[operator]
            out.append(Window(i, days, start, end, bucket))  # type: ignore[arg-type]
    return tuple(out)


def _day_list(
    c: _Checker,
    obj: dict[str, Any],
    key: str,
    path: str,
    allowed: tuple[str, ...],
    allow_empty: bool,
) -> frozenset[str] | None:
    got = c.items(obj, key, path)
    if got is None:
        return None
    items, sub = got
    if not items and not allow_empty:
        c.problem(sub, "must name at least one day")
        return None
    good = True
    for i, day in enumerate(items):
        if not isinstance(day, str) or day not in allowed:
            hint = ""
            if day == "holiday" and "holiday" not in allowed:
                hint = " (holidays are counted with count_holidays)"
            c.problem(
                f"{sub}[{i}]", f"unknown day {day!r}; expected one of {', '.join(allowed)}{hint}"
            )
            good = False
    return frozenset(items) if good else None


def _tiers(
    c: _Checker, obj: dict[str, Any], path: str, buckets: dict[str, Bucket] | None
) -> tuple[Tier, ...] | None:
    got = c.items(obj, "tiers", path)
    if got is None:
        return None
    items, sub = got
    if not items:
        c.problem(sub, "must hold at least one tier")
        return None
    out = []
    good = True
    for i, item in enumerate(items):
        tpath = f"{sub}[{i}]"
        t = c.obj(item, tpath, ("first_minutes", "bucket"))
        if t is None:
            good = False
            continue
        last = i == len(items) - 1
        ok, first, fpath = c.field(t, "first_minutes", tpath)
        if ok:
            if first is None:
                if not last:
                    c.problem(
                        fpath,
                        "only the last tier may have first_minutes null (all the rest); "
                        "tiers after it could never be reached",
                    )
                    good = False
            elif c.whole(first, fpath, 1) is None:
                good = False
            elif last:
                c.problem(
                    fpath,
                    "the last tier must have first_minutes null (all the rest), otherwise "
                    "overtime beyond the last tier would have no bucket",
                )
                good = False
        else:
            good = False
        bucket = _bucket_ref(c, t, "bucket", tpath, buckets, HOURS, "an overtime tier bucket")
        if bucket is None:
            good = False
        if good and bucket is not None:
            out.append(Tier(first, bucket))
    return tuple(out) if good else None


def _daily(
    c: _Checker, value: object, path: str, buckets: dict[str, Bucket] | None
) -> DailyOvertime | None:
    if value is None:
        return None
    d = c.obj(value, path, ("basis", "threshold_minutes", "tiers"))
    if d is None:
        return None
    basis = c.choice(d, "basis", path, DAILY_BASES)
    thresholds: dict[str, int] | None = None
    ok, raw, tpath = c.field(d, "threshold_minutes", path)
    if ok:
        t_obj = c.obj(raw, tpath, DAY_TYPES, what="day type")
        if t_obj is not None:
            thresholds = {}
            for day in DAY_TYPES:
                minutes = c.whole_field(t_obj, day, tpath, 0)
                if minutes is None:
                    thresholds = None
                    continue
                if thresholds is not None:
                    thresholds[day] = minutes
    tiers = _tiers(c, d, path, buckets)
    if basis is None or thresholds is None or tiers is None:
        return None
    return DailyOvertime(basis, MappingProxyType(thresholds), tiers)


def _weekly(
    c: _Checker, value: object, path: str, buckets: dict[str, Bucket] | None
) -> WeeklyOvertime | None:
    if value is None:
        return None
    w = c.obj(
        value,
        path,
        ("threshold_minutes", "count_days", "count_holidays", "exclude_daily_overtime", "tiers"),
    )
    if w is None:
        return None
    threshold = c.whole_field(w, "threshold_minutes", path, 0)
    days = _day_list(c, w, "count_days", path, WEEKDAYS, allow_empty=True)
    count_holidays = c.boolean(w, "count_holidays", path)
    exclude = c.boolean(w, "exclude_daily_overtime", path)
    tiers = _tiers(c, w, path, buckets)
    if None in (threshold, days, count_holidays, exclude, tiers):
        return None
    return WeeklyOvertime(threshold, days, count_holidays, exclude, tiers)  # type: ignore[arg-type]


def _breaks(c: _Checker, doc: dict[str, Any]) -> BreakRules | None:
    ok, value, path = c.field(doc, "breaks", "$")
    if not ok:
        return None
    b = c.obj(value, path, ("placement", "atw_minimum"))
    if b is None:
        return None
    mode = fixed_start = fallback = None
    ok, raw, ppath = c.field(b, "placement", path)
    if ok:
        p = c.obj(raw, ppath, ("mode", "start", "fallback"))
        if p is not None:
            mode = c.choice(p, "mode", ppath, BREAK_MODES)
            if mode == "fixed":
                fixed_start = c.hhmm(p, "start", ppath, allow_24=False)
                fallback = c.choice(p, "fallback", ppath, tuple(m for m in BREAK_MODES[1:]))
                if fixed_start is None or fallback is None:
                    mode = None
            elif mode is not None:
                for extra in ("start", "fallback"):
                    if extra in p:
                        c.problem(f"{ppath}.{extra}", f"only allowed with mode fixed, not {mode}")
                        mode = None
    policy = None
    rules: list[tuple[int, int]] | None = None
    ok, raw, apath = c.field(b, "atw_minimum", path)
    if ok:
        a = c.obj(raw, apath, ("policy", "rules"))
        if a is not None:
            policy = c.choice(a, "policy", apath, ATW_POLICIES)
            got = c.items(a, "rules", apath)
            if got is not None:
                items, rpath = got
                rules = []
                for i, item in enumerate(items):
                    sub = f"{rpath}[{i}]"
                    r = c.obj(item, sub, ("worked_over_minutes", "min_break_minutes"))
                    if r is None:
                        rules = None
                        continue
                    over = c.whole_field(r, "worked_over_minutes", sub, 0)
                    minimum = c.whole_field(r, "min_break_minutes", sub, 0)
                    if over is None or minimum is None:
                        rules = None
                        continue
                    if minimum > over:
                        # Otherwise an enforced break could be longer than the shift itself.
                        c.problem(
                            f"{sub}.min_break_minutes",
                            "a rule may not require a break longer than the work it applies to: "
                            f"min_break_minutes ({minimum}) exceeds worked_over_minutes ({over})",
                        )
                        rules = None
                        continue
                    if rules is not None:
                        rules.append((over, minimum))
    if mode is None or policy is None or rules is None:
        return None
    return BreakRules(mode, fixed_start, fallback, policy, tuple(rules))


def _minimum_call(
    c: _Checker, doc: dict[str, Any], buckets: dict[str, Bucket] | None
) -> MinimumCall | None:
    ok, value, path = c.field(doc, "minimum_call", "$")
    if not ok or value is None:
        return None
    known = (
        "enabled",
        "minutes",
        "bucket",
        "applies_if_contract_hours_below",
        "applies_if_no_fixed_hours",
        "merge_gap_minutes",
    )
    m = c.obj(value, path, known)
    if m is None:
        return None
    enabled = c.boolean(m, "enabled", path)
    if enabled is False and set(m) <= {"enabled"}:
        return None  # {"enabled": false} alone switches the rule off
    minutes = c.whole_field(m, "minutes", path, 1)
    bucket = _bucket_ref(c, m, "bucket", path, buckets, HOURS, "the minimum-call bucket")
    below = c.number(m, "applies_if_contract_hours_below", path)
    no_fixed = c.boolean(m, "applies_if_no_fixed_hours", path)
    gap = c.whole_field(m, "merge_gap_minutes", path, 0)
    if not enabled or None in (minutes, bucket, below, no_fixed, gap):
        return None
    return MinimumCall(minutes, bucket, below, no_fixed, gap)  # type: ignore[arg-type]


def _timezone(c: _Checker, doc: dict[str, Any]) -> str | None:
    name = c.string(doc, "timezone", "$")
    if name is None:
        return None
    try:
        ZoneInfo(name)
    except Exception:  # ZoneInfo raises several kinds (not found, bad key, not a file...)
        c.problem("$.timezone", f"{name!r} is not a known IANA time zone such as Europe/Amsterdam")
        return None
    return name


def _holidays(
    c: _Checker, doc: dict[str, Any]
) -> tuple[frozenset[str], str, frozenset[date]] | None:
    ok, value, path = c.field(doc, "holidays", "$")
    if not ok:
        return None
    h = c.obj(value, path, ("include", "bevrijdingsdag", "extra_dates"))
    if h is None:
        return None
    include = _day_list(c, h, "include", path, HOLIDAY_NAMES, allow_empty=True)
    bevrijdingsdag = c.choice(h, "bevrijdingsdag", path, BEVRIJDINGSDAG_MODES)
    extra: set[date] | None = None
    got = c.items(h, "extra_dates", path)
    if got is not None:
        items, epath = got
        extra = set()
        for i, item in enumerate(items):
            day = None
            if isinstance(item, str) and _ISO_DATE.fullmatch(item):
                try:
                    day = date.fromisoformat(item)
                except ValueError:
                    day = None
            if day is None:
                c.problem(f"{epath}[{i}]", f"must be a date YYYY-MM-DD; got {item!r}")
                extra = None
            elif extra is not None:
                extra.add(day)
    if include is None or bevrijdingsdag is None or extra is None:
        return None
    return include, bevrijdingsdag, frozenset(extra)


_TOP_LEVEL = (
    "format",
    "id",
    "name",
    "modelled_on",
    "timezone",
    "ambiguous_local_time",
    "holidays",
    "buckets",
    "normal_bucket",
    "ort",
    "overtime",
    "combine",
    "breaks",
    "minimum_call",
)


def _read(doc: object) -> tuple[list[Problem], Scheme | None]:
    c = _Checker()
    top = c.obj(doc, "$", _TOP_LEVEL)
    if top is None:
        return c.problems, None
    ok, fmt, _ = c.field(top, "format", "$")
    if ok and fmt != FORMAT:
        c.problem("$.format", f"must be {FORMAT!r}; got {fmt!r}")
    scheme_id = c.string(top, "id", "$")
    name = c.string(top, "name", "$")
    tz = _timezone(c, top)
    ambiguous = c.choice(top, "ambiguous_local_time", "$", AMBIGUOUS_CHOICES)
    holidays = _holidays(c, top)
    buckets = _buckets(c, top)
    normal = _bucket_ref(c, top, "normal_bucket", "$", buckets, HOURS, "the normal bucket")

    ort_windows: tuple[Window, ...] | None = None
    ok, raw, opath = c.field(top, "ort", "$")
    if ok:
        o = c.obj(raw, opath, ("overlap", "windows"))
        if o is not None:
            c.choice(o, "overlap", opath, ("max",))
            got = c.items(o, "windows", opath)
            if got is not None:
                ort_windows = _windows(
                    c, got[0], got[1], buckets, SUPPLEMENT, "an ORT window bucket"
                )

    daily = weekly = None
    overrides: tuple[Window, ...] | None = None
    ok, raw, otpath = c.field(top, "overtime", "$")
    if ok:
        ot = c.obj(raw, otpath, ("daily", "weekly", "rate_overrides"))
        if ot is not None:
            ok_d, raw_d, dpath = c.field(ot, "daily", otpath)
            daily = _daily(c, raw_d, dpath, buckets) if ok_d else None
            ok_w, raw_w, wpath = c.field(ot, "weekly", otpath)
            weekly = _weekly(c, raw_w, wpath, buckets) if ok_w else None
            got = c.items(ot, "rate_overrides", otpath)
            if got is not None:
                overrides = _windows(c, got[0], got[1], buckets, HOURS, "a rate override bucket")

    mode = tie = None
    ok, raw, cpath = c.field(top, "combine", "$")
    if ok:
        cb = c.obj(raw, cpath, ("mode", "tie"))
        if cb is not None:
            mode = c.choice(cb, "mode", cpath, COMBINE_MODES)
            if mode == "highest" or "tie" in cb:
                tie = c.choice(cb, "tie", cpath, TIE_WINNERS)
            else:
                tie = "overtime"  # only `highest` looks at the tie rule

    breaks = _breaks(c, top)
    minimum_call = _minimum_call(c, top, buckets)

    if c.problems:
        return c.problems, None
    assert holidays is not None and buckets is not None
    scheme = Scheme(
        id=scheme_id,  # type: ignore[arg-type]
        name=name,  # type: ignore[arg-type]
        timezone=tz,  # type: ignore[arg-type]
        ambiguous_local_time=ambiguous,  # type: ignore[arg-type]
        holiday_names=holidays[0],
        bevrijdingsdag=holidays[1],
        extra_dates=holidays[2],
        buckets=MappingProxyType(buckets),
        normal_bucket=normal,  # type: ignore[arg-type]
        ort_windows=ort_windows,  # type: ignore[arg-type]
        daily=daily,
        weekly=weekly,
        rate_overrides=overrides,  # type: ignore[arg-type]
        combine_mode=mode,  # type: ignore[arg-type]
        combine_tie=tie,  # type: ignore[arg-type]
        breaks=breaks,  # type: ignore[arg-type]
        minimum_call=minimum_call,
    )
    return [], scheme


def validate_scheme(doc: object) -> list[Problem]:
    """Every problem of a `cao-ontrafel/1` document, each with its JSON path; [] when valid."""
    return _read(doc)[0]


def parse_scheme(doc: object) -> Scheme:
    """Parse a `cao-ontrafel/1` document, or raise `SchemeInvalid` listing every problem; not yet
    compiled (`engine.load_scheme` parses and compiles)."""
    problems, scheme = _read(doc)
    if scheme is None:
        raise SchemeInvalid(problems)
    return scheme
