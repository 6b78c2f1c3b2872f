"""The unravelling engine: splits a week of shifts into pay buckets exactly as FORMAT.md
("Semantics") defines it, minute for minute, but computing with intervals.

How it stays exact without looking at single minutes:

* A shift is cut into *segments* of real time at local midnights, DST changes, the edges of the
  ORT and rate-override windows of the day type, and the edges of the break. Inside one segment
  every minute has the same local date, day type, ORT window and override window.
* Overtime only depends on *how many* worked minutes came before (rules 4 and 5), so a segment
  is split by counting: of its n worked minutes, the first x are below the threshold, the next y
  in tier 1, and so on. No position is needed for the buckets; `explain` derives positions.
* The proportional break removes minute m iff floor((m+1)B/D) > floor(mB/D) (rule 2); that sum
  telescopes, so [a, b) holds floor(bB/D) - floor(aB/D) break minutes.

Per-scheme tables (day-type profiles, the buckets each combination adds to) and caches (day
information per date, time-zone transitions per year, holidays per year) are built once.
"""

from __future__ import annotations

import itertools
import math
import re
from bisect import bisect_right
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from . import errors as E
from .holidays_nl import EXTRA_DATE, dutch_holidays
from .scheme import DAY_TYPES, WEEKDAYS, Scheme, Tier, Window, parse_scheme

#: Shift dates are accepted from 1980 to 2999: before 1973 some zones had offsets of whole
#: seconds (Africa/Monrovia), which no wall-clock minute can express.
MIN_YEAR = 1980
MAX_YEAR = 2999

_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()
_MINUTE = timedelta(minutes=1)
_NEVER = 1 << 62  # "no further tier edge"
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)
_TIMES: dict[str, int] = {f"{h:02d}:{m:02d}": h * 60 + m for h in range(24) for m in range(60)}
_TIMES["24:00"] = 1440


# --------------------------------------------------------------------------------------------
# Time zones: which UTC minutes belong to which local date and wall-clock minute.


class _Zone:
    """The local days of one IANA zone as *runs*: (wall_from, wall_to, utc_minute_at_wall_from)
    in real-time order. An ordinary day is one run (0, 1440, u); the spring-forward day in
    Amsterdam is (0, 120, u) + (180, 1440, u + 120); the autumn day (0, 180, u) + (120, 1440,
    u + 180), its 02:00-03:00 happening twice. All minutes are counted from 1970-01-01 UTC."""

    def __init__(self, key: str) -> None:
        self.tz = ZoneInfo(key)
        self._transitions: dict[int, list[tuple[int, int]]] = {}
        self._runs: dict[int, tuple[tuple[int, int, int], ...]] = {}

    def offset(self, u: int) -> int:
        """UTC offset in minutes at UTC minute `u`."""
        off = datetime.fromtimestamp(u * 60, self.tz).utcoffset()
        assert off is not None
        return off // _MINUTE

    def transitions(self, year: int) -> list[tuple[int, int]]:
        """(first UTC minute of the new offset, new offset) for the changes in UTC year `year`.

        Sampled every 6 hours, then narrowed down by bisection: no zone changes its offset twice
        within 6 hours."""
        found = self._transitions.get(year)
        if found is not None:
            return found
        start = (date(year, 1, 1).toordinal() - _EPOCH_ORDINAL) * 1440
        end = (date(year + 1, 1, 1).toordinal() - _EPOCH_ORDINAL) * 1440
        found = []
        u, off = start, self.offset(start)
        while u < end:
            nxt = min(u + 360, end)
            target = self.offset(nxt)
            lo = u
            while off != target:  # at least one change in (lo, nxt]
                hi = nxt
                while hi - lo > 1:
                    mid = (lo + hi) // 2
                    if self.offset(mid) == off:
                        lo = mid
                    else:
                        hi = mid
                off = self.offset(hi)
                found.append((hi, off))
                lo = hi
            u = nxt
        self._transitions[year] = found
        return found

    def runs(self, day_number: int) -> tuple[tuple[int, int, int], ...]:
        """The runs of local date `day_number` (days since 1970-01-01)."""
        runs = self._runs.get(day_number)
        if runs is not None:
            return runs
        local_from, local_to = day_number * 1440, (day_number + 1) * 1440
        # UTC offsets lie within -26 h .. +26 h, so these UTC minutes cover the local day.
        lo, hi = local_from - 1560, local_to + 1560
        years = range(
            date.fromordinal(_EPOCH_ORDINAL + lo // 1440).year,
            date.fromordinal(_EPOCH_ORDINAL + hi // 1440).year + 1,
        )
        cuts = [t for y in years for t in self.transitions(y) if lo < t[0] < hi]
        pieces = []
        piece_from, off = lo, self.offset(lo)
        for at, new_off in cuts:
            pieces.append((piece_from, at, off))
            piece_from, off = at, new_off
        pieces.append((piece_from, hi, off))
        out = []
        for u_from, u_to, off in pieces:
            wall_from = max(u_from + off, local_from)
            wall_to = min(u_to + off, local_to)
            if wall_from < wall_to:
                out.append((wall_from - local_from, wall_to - local_from, wall_from - off))
        runs = tuple(out)
        self._runs[day_number] = runs
        return runs


_ZONES: dict[str, _Zone] = {}


def _zone(key: str) -> _Zone:
    zone = _ZONES.get(key)
    if zone is None:
        zone = _ZONES[key] = _Zone(key)
    return zone


# --------------------------------------------------------------------------------------------
# Per-scheme tables


class _Band:
    """A stretch [start, end) of wall-clock minutes of one day type with one ORT window (the
    highest pct, rule 3) and one rate-override window (the first matching, rule 6), and the
    buckets each kind of minute in it adds to (rule 7)."""

    __slots__ = ("end", "normal", "ort", "ort_pct", "override", "overtime", "start")

    def __init__(
        self,
        start: int,
        end: int,
        ort: Window | None,
        override: Window | None,
        normal: tuple[str, ...],
        overtime: dict[str, tuple[str, ...]],
        ort_pct: float,
    ) -> None:
        self.start = start
        self.end = end
        self.ort = ort
        self.override = override
        #: buckets a minute that is not overtime adds 1 to
        self.normal = normal
        #: tier bucket -> buckets an overtime minute of that tier adds 1 to
        self.overtime = overtime
        self.ort_pct = ort_pct


class _Day:
    """Everything about one local date the engine needs, cached per scheme."""

    __slots__ = (
        "band_starts",
        "bands",
        "daily_threshold",
        "day_type",
        "holidays",
        "number",
        "ordinal",
        "runs",
        "u0",
        "week_counted",
        "week_key",
    )

    def __init__(self, compiled: _Compiled, ordinal: int) -> None:
        scheme = compiled.scheme
        self.ordinal = ordinal
        self.number = ordinal - _EPOCH_ORDINAL
        self.runs = compiled.zone.runs(self.number)
        # u0 = UTC minute of local 00:00 when the day is an ordinary 24-hour day, else None.
        r = self.runs
        self.u0 = r[0][2] if len(r) == 1 and r[0][0] == 0 and r[0][1] == 1440 else None
        weekday = (ordinal + 6) % 7  # date.fromordinal(o).weekday(), without building a date
        self.holidays = compiled.holidays_on(ordinal)
        self.day_type = "holiday" if self.holidays else WEEKDAYS[weekday]
        self.band_starts, self.bands = compiled.profiles[self.day_type]
        daily = scheme.daily
        self.daily_threshold = daily.threshold_minutes[self.day_type] if daily else 0
        self.week_key = ordinal - weekday  # the Monday of the ISO week
        weekly = scheme.weekly
        self.week_counted = bool(
            weekly
            and WEEKDAYS[weekday] in weekly.count_days
            and (not self.holidays or weekly.count_holidays)
        )


def _tier_edges(tiers: tuple[Tier, ...]) -> tuple[int, ...]:
    """Cumulative overtime ordinals at which each tier ends: tier i holds ordinals
    (edges[i-1], edges[i]] (rule 4, "the first N overtime minutes go to the first bucket")."""
    edges, total = [], 0
    for tier in tiers:
        total = _NEVER if tier.first_minutes is None else total + tier.first_minutes
        edges.append(total)
    return tuple(edges)


# A piece of a shift: (start, end) as offsets, wall clock at start, its day, its band (None: break).
_Segment = tuple[int, int, int, _Day, _Band | None]


class _Compiled:
    """Precomputed tables of one scheme and its caches (filled lazily, never invalidated: a
    scheme is immutable)."""

    def __init__(self, scheme: Scheme) -> None:
        self.scheme = scheme
        self.zone = _zone(scheme.timezone)
        self.days: dict[int, _Day] = {}
        self._holidays: dict[int, dict[int, tuple[str, ...]]] = {}
        tier_buckets: set[str] = set()
        for ot in (scheme.daily, scheme.weekly):
            if ot is not None:
                tier_buckets.update(t.bucket for t in ot.tiers)
        self.profiles = {t: self._profile(t, tier_buckets) for t in DAY_TYPES}
        self.daily_edges = _tier_edges(scheme.daily.tiers) if scheme.daily else ()
        self.weekly_edges = _tier_edges(scheme.weekly.tiers) if scheme.weekly else ()
        self.daily_buckets = tuple(t.bucket for t in scheme.daily.tiers) if scheme.daily else ()
        self.weekly_buckets = tuple(t.bucket for t in scheme.weekly.tiers) if scheme.weekly else ()

    def day(self, ordinal: int) -> _Day:
        d = self.days.get(ordinal)
        if d is None:
            d = self.days[ordinal] = _Day(self, ordinal)
        return d

    def holidays_on(self, ordinal: int) -> tuple[str, ...]:
        year = date.fromordinal(ordinal).year
        table = self._holidays.get(year)
        if table is None:
            s = self.scheme
            table = {
                d.toordinal(): names
                for d, names in dutch_holidays(year, s.holiday_names, s.bevrijdingsdag).items()
            }
            for d in s.extra_dates:
                if d.year == year:
                    table[d.toordinal()] = (*table.get(d.toordinal(), ()), EXTRA_DATE)
            self._holidays[year] = table
        return table.get(ordinal, ())

    def _profile(
        self, day_type: str, tier_buckets: set[str]
    ) -> tuple[tuple[int, ...], tuple[_Band, ...]]:
        s = self.scheme
        orts = [w for w in s.ort_windows if day_type in w.days]
        overrides = [w for w in s.rate_overrides if day_type in w.days]
        edges = sorted(
            {0, 1440, *(w.start for w in orts + overrides), *(w.end for w in orts + overrides)}
        )
        bands: list[_Band] = []
        for start, end in itertools.pairwise(edges):
            best = None
            for w in orts:  # highest pct wins; of equals the first listed (FORMAT.md is silent)
                if w.start <= start < w.end and (
                    best is None or s.pct(w.bucket) > s.pct(best.bucket)
                ):
                    best = w
            override = next((w for w in overrides if w.start <= start < w.end), None)
            if bands and bands[-1].ort is best and bands[-1].override is override:
                bands[-1].end = end
                continue
            normal, overtime = self._combinations(best, override, tier_buckets)
            ort_pct = s.pct(best.bucket) if best else 0
            bands.append(_Band(start, end, best, override, normal, overtime, ort_pct))
        return tuple(b.start for b in bands), tuple(bands)

    def _combinations(
        self, ort: Window | None, override: Window | None, tier_buckets: set[str]
    ) -> tuple[tuple[str, ...], dict[str, tuple[str, ...]]]:
        """FORMAT.md rules 6 and 7 for one band: the buckets a normal minute adds to, and for
        each tier bucket the buckets an overtime minute adds to."""
        s = self.scheme
        normal_only: tuple[str, ...] = (s.normal_bucket,)
        normal = (*normal_only, ort.bucket) if ort else normal_only
        supplement = s.pct(ort.bucket) if ort else 0
        overtime: dict[str, tuple[str, ...]] = {}
        for tier_bucket in tier_buckets:
            o = override.bucket if override else tier_bucket
            ot_supplement = s.pct(o) - 100
            if s.combine_mode == "additive":
                adds: tuple[str, ...] = (o, ort.bucket) if ort and supplement > 0 else (o,)
            elif s.combine_mode == "prefer_ort":
                adds = normal if supplement > 0 else (o,)
            else:  # highest
                ort_wins = supplement > ot_supplement or (
                    supplement == ot_supplement and supplement > 0 and s.combine_tie == "ort"
                )
                adds = normal if ort_wins else (o,)
            overtime[tier_bucket] = adds
        return normal, overtime


def compile_scheme(scheme: Scheme) -> _Compiled:
    return _Compiled(scheme)


# --------------------------------------------------------------------------------------------
# Reading the input (FORMAT.md "Input and output"; anything malformed is BAD_INPUT)


def _contract(doc: object) -> tuple[float | None, bool]:
    worker = doc.get("worker") if isinstance(doc, dict) else None
    contract = worker.get("contract") if isinstance(worker, dict) else None
    if not isinstance(contract, dict) or "hours_per_week" not in contract:
        raise E.InputError(E.BAD_INPUT)
    hours = contract["hours_per_week"]
    fixed = contract.get("fixed_times")
    if not isinstance(fixed, bool):
        raise E.InputError(E.BAD_INPUT)
    if hours is not None and (
        isinstance(hours, bool)
        or not isinstance(hours, int | float)
        or not math.isfinite(hours)
        or hours < 0
    ):
        raise E.InputError(E.BAD_INPUT)
    return hours, fixed


_DATE_CACHE: dict[str, int] = {}


def _date_ordinal(text: object) -> int:
    if not isinstance(text, str):
        raise E.InputError(E.BAD_INPUT)
    ordinal = _DATE_CACHE.get(text)
    if ordinal is None:
        if _ISO_DATE.fullmatch(text) is None:
            raise E.InputError(E.BAD_INPUT)
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise E.InputError(E.BAD_INPUT) from None
        if not MIN_YEAR <= day.year <= MAX_YEAR:
            raise E.InputError(E.BAD_INPUT)
        ordinal = day.toordinal()
        if len(_DATE_CACHE) > 100_000:
            _DATE_CACHE.clear()
        _DATE_CACHE[text] = ordinal
    return ordinal


def _time(text: object) -> int:
    minute = _TIMES.get(text) if isinstance(text, str) else None
    if minute is None:
        raise E.InputError(E.BAD_INPUT)
    return minute


@dataclass(frozen=True)
class ShiftInput:
    """One shift as entered, read. Times are minutes after midnight (24:00 = 1440)."""

    index: int
    date: str
    start: str
    end: str
    break_minutes: int
    ordinal: int
    start_minute: int
    end_minute: int


def read_shifts(doc: object) -> list[ShiftInput]:
    shifts = doc.get("shifts") if isinstance(doc, dict) else None
    if not isinstance(shifts, list):
        raise E.InputError(E.BAD_INPUT)
    out = []
    for i, s in enumerate(shifts):
        if not isinstance(s, dict):
            raise E.InputError(E.BAD_INPUT)
        brk = s.get("break_minutes")
        if isinstance(brk, bool) or not isinstance(brk, int) or brk < 0:
            raise E.InputError(E.BAD_INPUT)
        d, start, end = s.get("date"), s.get("start"), s.get("end")
        out.append(
            ShiftInput(i, d, start, end, brk, _date_ordinal(d), _time(start), _time(end))  # type: ignore[arg-type]
        )
    return out


# --------------------------------------------------------------------------------------------
# Trace records, filled only when explaining


@dataclass(frozen=True)
class TracedPart:
    """A stretch [start, end) of real minutes (offsets from the shift's start) that went to the
    same buckets for the same reasons."""

    start: int
    end: int
    worked: int
    day: Any  # _Day
    band: Any  # _Band, or None for a break stretch
    daily_tier: int  # -1: not daily overtime
    daily_ordinal: int  # overtime ordinal (k - T) of the part's first minute, if daily tier >= 0
    weekly_tier: int  # -1: not weekly overtime
    weekly_ordinal: int
    adds: tuple[str, ...]


@dataclass
class TracedShift:
    shift: ShiftInput
    first_day: Any  # _Day of the local date the shift starts on
    start_utc: int = 0
    end_utc: int = 0
    real_minutes: int = 0
    break_minutes: int = 0
    atw_required: int = 0
    break_mode: str = ""
    break_spans: tuple[tuple[int, int], ...] = ()
    warnings: tuple[str, ...] = ()
    parts: list[TracedPart] | None = None
    call_topup: int = 0
    call_worked: int = 0
    call_start_utc: int = 0
    call_end_utc: int = 0


# --------------------------------------------------------------------------------------------
# The computation


def _resolve(compiled: _Compiled, ordinal: int, minute: int, later: bool) -> tuple[int, _Day]:
    """UTC minute of local `minute` on date `ordinal` (FORMAT.md rule 1): the earlier or later
    instant of a wall time that occurs twice, NONEXISTENT_LOCAL_TIME inside a gap."""
    if minute == 1440:
        ordinal, minute = ordinal + 1, 0
    day = compiled.day(ordinal)
    if day.u0 is not None:
        return day.u0 + minute, day
    found = [u + minute - wf for wf, wt, u in day.runs if wf <= minute < wt]
    if not found:
        raise E.InputError(E.NONEXISTENT_LOCAL_TIME)
    return (found[-1] if later else found[0]), day


def _split(count: int, n: int, threshold: int, edges: tuple[int, ...]) -> list[tuple[int, int]]:
    """Split n minutes with ordinals count+1 .. count+n into (minutes, tier) runs: tier -1 up to
    the threshold, then tier i for overtime ordinals in (edges[i-1], edges[i]]."""
    out = []
    if count < threshold:
        below = threshold - count
        out.append((below, -1))
        n -= below
        count = threshold
    j, i = count - threshold, 0
    while n > 0:
        while j >= edges[i]:
            i += 1
        take = min(n, edges[i] - j)
        out.append((take, i))
        n -= take
        j += take
    return out


def _first_minute_at(segments: list[_Segment], wall: int) -> int | None:
    """Offset of the first minute of the shift whose wall clock shows `wall` (rule 2, fixed)."""
    for a, b, w0, _day, _band in segments:
        if w0 <= wall < w0 + (b - a):
            return a + wall - w0
    return None


def _lowest_rate_spans(segments: list[_Segment], brk: int) -> list[tuple[int, int]]:
    """The `brk` minutes with the lowest ORT pct, earliest first among equals (rule 2)."""
    spans = []
    # Before the break is cut out every segment has its band.
    by_rate = sorted(segments, key=lambda s: (s[4].ort_pct, s[0]))  # type: ignore[union-attr]
    for a, b, _w0, _day, _band in by_rate:
        if brk <= 0:
            break
        take = min(brk, b - a)
        spans.append((a, a + take))
        brk -= take
    spans.sort()
    return spans


def _cut(segments: list[_Segment], spans: list[tuple[int, int]]) -> list[_Segment]:
    """Cut segments at the break spans; break stretches get band None."""
    out: list[_Segment] = []
    k = 0
    for seg in segments:
        a, b, w0, day, band = seg
        while a < b:
            while k < len(spans) and spans[k][1] <= a:
                k += 1
            if k == len(spans) or spans[k][0] >= b:
                out.append((a, b, w0, day, band))
                break
            s0, s1 = spans[k]
            if a < s0:
                out.append((a, s0, w0, day, band))
                w0 += s0 - a
                a = s0
            end = min(b, s1)
            out.append((a, end, w0, day, None))
            w0 += end - a
            a = end
    return out


def _positions_after(
    a: int, b: int, brk: int, length: int, proportional: bool
) -> Callable[[int], int]:
    """For explaining: the offset just after the k-th worked minute of segment [a, b)."""
    if not proportional:
        return lambda k: a + k

    def worked_before(x: int) -> int:
        return x - (x * brk) // length

    base = worked_before(a)

    def after(k: int) -> int:
        if k <= 0:
            return a
        target = base + k
        x = min(b, -(-target * length // (length - brk)))  # ceil(target * D / (D - B))
        while x > a and worked_before(x - 1) >= target:
            x -= 1
        return x

    return after


def run(scheme: Scheme, doc: object, trace: list[TracedShift] | None = None) -> dict:
    """Unravel one input document (see `unravel`); fill `trace` when given."""
    try:
        return _run(scheme, doc, trace)
    except E.InputError as exc:
        if trace is not None:
            trace.clear()
        return {"buckets": {}, "warnings": [], "error": exc.code}


def _real_shifts(
    compiled: _Compiled, shifts: list[ShiftInput], later: bool, trace: list[TracedShift] | None
) -> tuple[list[tuple[int, int, _Day, ShiftInput]], bool]:
    """FORMAT.md rules 1 and 2 (errors): each shift's real start and end as UTC minutes, in time
    order, zero-length shifts left out. Every shift is checked for NONEXISTENT_LOCAL_TIME before
    any for BREAK_EXCEEDS_SHIFT, and those before OVERLAPPING_SHIFTS, so the error reported does
    not depend on the order the shifts were entered in. Also returns whether a zero-length shift
    was seen."""
    resolved = []
    for s in shifts:
        su, first_day = _resolve(compiled, s.ordinal, s.start_minute, later)
        end_ordinal = s.ordinal + 1 if s.end_minute < s.start_minute else s.ordinal
        eu, _ = _resolve(compiled, end_ordinal, s.end_minute, later)
        resolved.append((su, eu, first_day, s))
    zero_length = False
    work = []
    for su, eu, first_day, s in resolved:
        if s.start_minute == s.end_minute:
            length = 0  # never 24 hours
        else:
            length = eu - su
            if length <= 0:  # cannot happen with real zones; refuse rather than guess
                raise E.InputError(E.BAD_INPUT)
        if s.break_minutes > length:
            raise E.InputError(E.BREAK_EXCEEDS_SHIFT)
        if length:
            work.append((su, eu, first_day, s))
            continue
        zero_length = True
        if trace is not None:
            trace.append(TracedShift(s, first_day, su, eu, 0, warnings=(E.ZERO_LENGTH_SHIFT,)))
    work.sort(key=lambda w: (w[0], w[3].index))
    for prev, cur in itertools.pairwise(work):
        if cur[0] < prev[1]:
            raise E.InputError(E.OVERLAPPING_SHIFTS)
    return work, zero_length


def _atw_break(scheme: Scheme, length: int, declared: int) -> tuple[int, int, tuple[str, ...]]:
    """FORMAT.md rule 2, Arbeidstijdenwet minimum: (break to remove, required break, warnings)."""
    required = 0
    worked = length - declared
    for over, minimum in scheme.breaks.atw_rules:
        if worked > over and minimum > required:
            required = minimum
    if required <= declared:
        return declared, required, ()
    policy = scheme.breaks.atw_policy
    if policy == "enforce":
        return required, required, (E.ATW_BREAK_TOPUP,)
    if policy == "warn":
        return declared, required, (E.ATW_BREAK_SHORT,)
    return declared, required, ()


def _segments(compiled: _Compiled, su: int, eu: int, first_day: _Day) -> list[_Segment]:
    """The shift's real minutes [su, eu) as segments (start, end, wall clock at start, _Day,
    _Band), offsets from su, cut at local midnights, DST changes and band edges."""
    segments: list[_Segment] = []
    day = first_day
    while True:
        for wall_from, wall_to, u_from in day.runs:
            lo = su if su > u_from else u_from
            u_to = u_from + wall_to - wall_from
            hi = eu if eu < u_to else u_to
            if lo >= hi:
                continue
            wall = wall_from + lo - u_from
            starts, bands = day.band_starts, day.bands
            i = bisect_right(starts, wall) - 1
            a = lo - su
            b_end = hi - su
            while a < b_end:
                band = bands[i]
                b = a + band.end - wall
                if b > b_end:
                    b = b_end
                segments.append((a, b, wall, day, band))
                wall += b - a
                a = b
                i += 1
        runs = day.runs  # (a date a zone skipped entirely has no runs)
        if runs and runs[-1][2] + runs[-1][1] - runs[-1][0] >= eu:
            return segments
        day = compiled.day(day.ordinal + 1)


def _place_break(
    scheme: Scheme, segments: list[_Segment], length: int, brk: int
) -> tuple[str, list[tuple[int, int]]]:
    """FORMAT.md rule 2, placement: (mode used, break spans as offsets). `proportional` has no
    spans: its break minutes are counted per segment by the floor formula."""
    mode = scheme.breaks.mode
    if not brk:
        return mode, []
    if mode == "fixed":
        m = _first_minute_at(segments, scheme.breaks.fixed_start)  # type: ignore[arg-type]
        if m is not None and m + brk <= length:
            return mode, [(m, m + brk)]
        mode = scheme.breaks.fallback  # type: ignore[assignment]
    if mode == "middle":
        m = (length - brk) // 2
        return mode, [(m, m + brk)]
    if mode == "lowest_rate_first":
        return mode, _lowest_rate_spans(segments, brk)
    return mode, []


def _minimum_call(
    scheme: Scheme,
    contract: tuple[float | None, bool],
    work: list[tuple[int, int, _Day, ShiftInput]],
    worked_per_shift: list[int],
    buckets: dict[str, int],
    traced_work: list[TracedShift] | None,
) -> None:
    """FORMAT.md rule 8: top up each call of fewer worked minutes than the minimum."""
    mc = scheme.minimum_call
    hours, fixed = contract
    if mc is None or not work:
        return
    applies = (hours is None and mc.applies_if_no_fixed_hours) or (
        hours is not None and hours < mc.applies_if_contract_hours_below and not fixed
    )
    if not applies:
        return
    calls: list[list[int]] = []  # [start, end, worked, index of its last shift]
    for i, ((su, eu, _day, _s), worked) in enumerate(zip(work, worked_per_shift, strict=True)):
        if calls and su - calls[-1][1] <= mc.merge_gap_minutes:
            call = calls[-1]
            call[1], call[2], call[3] = max(call[1], eu), call[2] + worked, i
        else:
            calls.append([su, eu, worked, i])
    for start, end, worked, last in calls:
        if 0 < worked < mc.minutes:
            topup = mc.minutes - worked
            buckets[mc.bucket] = buckets.get(mc.bucket, 0) + topup
            if traced_work is not None:
                t = traced_work[last]
                t.call_topup, t.call_worked = topup, worked
                t.call_start_utc, t.call_end_utc = start, end


def _run(scheme: Scheme, doc: object, trace: list[TracedShift] | None) -> dict:
    compiled: _Compiled = scheme.compiled
    contract = _contract(doc)
    shifts = read_shifts(doc)
    later = scheme.ambiguous_local_time == "later"
    work, zero_length = _real_shifts(compiled, shifts, later, trace)
    warnings = {E.ZERO_LENGTH_SHIFT} if zero_length else set()

    buckets: dict[str, int] = {}
    daily = scheme.daily
    weekly = scheme.weekly
    by_shift = daily is not None and daily.basis == "shift"
    daily_edges, weekly_edges = compiled.daily_edges, compiled.weekly_edges
    daily_buckets, weekly_buckets = compiled.daily_buckets, compiled.weekly_buckets
    weekly_threshold = weekly.threshold_minutes if weekly else 0
    exclude_daily = weekly.exclude_daily_overtime if weekly else True
    per_date: dict[int, int] = {}
    per_week: dict[int, int] = {}
    worked_per_shift = []

    for su, eu, first_day, s in work:
        length = eu - su
        brk, required, shift_warnings = _atw_break(scheme, length, s.break_minutes)
        warnings.update(shift_warnings)
        segments = _segments(compiled, su, eu, first_day)
        mode, spans = _place_break(scheme, segments, length, brk)
        proportional = mode == "proportional" and brk > 0
        if spans:
            segments = _cut(segments, spans)

        traced = None
        if trace is not None:
            traced = TracedShift(
                s,
                first_day,
                su,
                eu,
                length,
                brk,
                required,
                mode,
                tuple(spans),
                shift_warnings,
                [],
            )
            trace.append(traced)

        # Rules 4-7, per segment in time order.
        shift_count = 0
        # Rule 4, basis shift: the threshold of the day type of the date the shift starts on.
        shift_threshold = first_day.daily_threshold if by_shift else 0
        for a, b, _wall, day, band in segments:
            if band is None:
                if traced is not None:
                    traced.parts.append(TracedPart(a, b, 0, day, None, -1, 0, -1, 0, ()))  # type: ignore[union-attr]
                continue
            n = b - a
            if proportional:
                n -= (b * brk) // length - (a * brk) // length
                if n <= 0:
                    if traced is not None:
                        traced.parts.append(TracedPart(a, b, 0, day, band, -1, 0, -1, 0, ()))  # type: ignore[union-attr]
                    continue
            # Rule 4: (minutes, daily tier or -1, overtime ordinal of the first of them).
            if daily is None:
                parts = [(n, -1, 0)]
            else:
                if by_shift:
                    count, threshold = shift_count, shift_threshold
                    shift_count += n
                else:
                    count, threshold = per_date.get(day.ordinal, 0), day.daily_threshold
                    per_date[day.ordinal] = count + n
                if count + n <= threshold:
                    parts = [(n, -1, 0)]
                else:
                    parts = []
                    for k, tier in _split(count, n, threshold, daily_edges):
                        parts.append((k, tier, count - threshold + 1))
                        count += k
            position = 0  # worked minutes of this segment already handed out
            for k, tier, ordinal in parts:
                # Rule 5: counted minutes past the weekly threshold take the weekly tier.
                if weekly is not None and day.week_counted and (tier < 0 or not exclude_daily):
                    counted = per_week.get(day.week_key, 0)
                    per_week[day.week_key] = counted + k
                    if counted + k <= weekly_threshold:
                        pieces = [(k, -1, 0)]
                    else:
                        pieces = []
                        for k2, wtier in _split(counted, k, weekly_threshold, weekly_edges):
                            pieces.append((k2, wtier, counted - weekly_threshold + 1))
                            counted += k2
                else:
                    pieces = [(k, -1, 0)]
                for k2, wtier, wordinal in pieces:
                    # Rules 6 and 7, precomputed per band and tier bucket.
                    if wtier >= 0:
                        adds = band.overtime[weekly_buckets[wtier]]
                    elif tier >= 0:
                        adds = band.overtime[daily_buckets[tier]]
                    else:
                        adds = band.normal
                    for name in adds:
                        buckets[name] = buckets.get(name, 0) + k2
                    if traced is not None:
                        after = _positions_after(a, b, brk, length, proportional)
                        traced.parts.append(  # type: ignore[union-attr]
                            TracedPart(
                                after(position) if position else a,
                                after(position + k2) if position + k2 < n else b,
                                k2,
                                day,
                                band,
                                tier,
                                ordinal,
                                wtier,
                                wordinal,
                                adds,
                            )
                        )
                    position += k2
                    if tier >= 0:
                        ordinal += k2
        worked_per_shift.append(length - brk)

    traced_work = [t for t in trace if t.real_minutes] if trace is not None else None
    _minimum_call(scheme, contract, work, worked_per_shift, buckets, traced_work)
    return {
        "buckets": dict(sorted(buckets.items())),
        "warnings": sorted(warnings),
        "error": None,
    }


def utc_minute_to_local(scheme: Scheme, u: int) -> datetime:
    """A UTC minute (since 1970) as an aware local datetime, for explanations."""
    return datetime.fromtimestamp(u * 60, UTC).astimezone(scheme.compiled.zone.tz)


def load_scheme(doc: object) -> Scheme:
    """Parse a `cao-ontrafel/1` document, or raise `SchemeInvalid` listing every problem; the
    scheme comes back compiled (the engine's tables precomputed)."""
    scheme = parse_scheme(doc)
    object.__setattr__(scheme, "compiled", compile_scheme(scheme))
    return scheme
