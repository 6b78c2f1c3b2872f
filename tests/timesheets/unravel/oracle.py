"""The minute-by-minute ORACLE: FORMAT.md's semantics applied literally, one real minute at a
time, to check the interval-based engine against.

Deliberately naive and independent of `timesheets.unravel`: it reads the raw scheme dict, uses
zoneinfo for every minute, its own Easter algorithm (Gauss's, not the engine's Meeus) and no
caching. It assumes the scheme is valid (the engine's validation is tested separately). It is
slow (a few microseconds per minute); that is the point.

The choices FORMAT.md leaves open are made the same way as in the engine (see the engine's
report): error priority BAD_INPUT > NONEXISTENT_LOCAL_TIME > BREAK_EXCEEDS_SHIFT >
OVERLAPPING_SHIFTS; ORT ties go to the first listed window; basis `shift` uses the day type of
the local date the shift starts on (differs from `date` only for a start of 24:00); weekly
counting needs the weekday in count_days and, on a holiday, count_holidays; shift dates must
lie in 1980..2999.
"""

from __future__ import annotations

import math
import re
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_TIME = re.compile(r"([0-9]{2}):([0-9]{2})", re.ASCII)
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class _Error(Exception):
    pass


def gauss_easter(year: int) -> date:
    """Easter Sunday by Gauss's algorithm with its two exceptions."""
    a, b, c = year % 19, year % 4, year % 7
    k = year // 100
    p = (13 + 8 * k) // 25
    q = k // 4
    m = (15 - p + k - q) % 30
    n = (4 + k - q) % 7
    d = (19 * a + m) % 30
    e = (2 * b + 4 * c + 6 * d + n) % 7
    if d == 29 and e == 6:
        return date(year, 4, 19)
    if d == 28 and e == 6 and (11 * m + 11) % 30 < 19:
        return date(year, 4, 18)
    march_day = 22 + d + e
    return date(year, 3, march_day) if march_day <= 31 else date(year, 4, march_day - 31)


def holiday_dates(scheme: dict, year: int) -> set[date]:
    h = scheme["holidays"]
    easter = gauss_easter(year)
    april27 = date(year, 4, 27)
    candidates = {
        "nieuwjaarsdag": date(year, 1, 1),
        "goede_vrijdag": easter - timedelta(days=2),
        "eerste_paasdag": easter,
        "tweede_paasdag": easter + timedelta(days=1),
        "koningsdag": april27 if april27.weekday() != 6 else date(year, 4, 26),
        "hemelvaartsdag": easter + timedelta(days=39),
        "eerste_pinksterdag": easter + timedelta(days=49),
        "tweede_pinksterdag": easter + timedelta(days=50),
        "eerste_kerstdag": date(year, 12, 25),
        "tweede_kerstdag": date(year, 12, 26),
    }
    out = {day for name, day in candidates.items() if name in h["include"]}
    mode = h["bevrijdingsdag"]
    if "bevrijdingsdag" in h["include"] and (
        mode == "yearly" or (mode == "lustrum" and year % 5 == 0)
    ):
        out.add(date(year, 5, 5))
    out |= {date.fromisoformat(x) for x in h["extra_dates"] if date.fromisoformat(x).year == year}
    return out


def hhmm(text: str) -> int:
    h, m = text.split(":")
    return int(h) * 60 + int(m)


class _Rules:
    """The scheme's windows with their times read once, and day types memoised per date: the
    oracle looks both up for every minute."""

    def __init__(self, scheme: dict) -> None:
        self.scheme = scheme
        self.pct = {name: b["pct"] for name, b in scheme["buckets"].items()}
        self.ort = [
            (set(w["days"]), hhmm(w["from"]), hhmm(w["to"]), w["bucket"])
            for w in scheme["ort"]["windows"]
        ]
        self.overrides = [
            (set(w["days"]), hhmm(w["from"]), hhmm(w["to"]), w["bucket"])
            for w in scheme["overtime"]["rate_overrides"]
        ]
        self._day_types: dict[date, str] = {}

    def day_type(self, d: date) -> str:
        """FORMAT.md rule 1: `holiday` on a holiday of the scheme, else the weekday."""
        if d not in self._day_types:
            holiday = d in holiday_dates(self.scheme, d.year)
            self._day_types[d] = "holiday" if holiday else DAYS[d.weekday()]
        return self._day_types[d]

    def ort_of(self, dtype: str, wall: int) -> str | None:
        """Rule 3: the matching window with the highest pct (the first of equals)."""
        best = None
        for days, start, end, bucket in self.ort:
            matches = dtype in days and start <= wall < end
            if matches and (best is None or self.pct[bucket] > self.pct[best]):
                best = bucket
        return best

    def override_of(self, dtype: str, wall: int) -> str | None:
        """Rule 6: the first matching rate-override window."""
        for days, start, end, bucket in self.overrides:
            if dtype in days and start <= wall < end:
                return bucket
        return None


def tier_bucket(tiers: list[dict], ordinal: int) -> str:
    for tier in tiers:
        if tier["first_minutes"] is None or ordinal <= tier["first_minutes"]:
            return tier["bucket"]
        ordinal -= tier["first_minutes"]
    raise AssertionError("valid schemes end with a null tier")


def _check_input(inp: object) -> tuple[object, bool, list]:
    if not isinstance(inp, dict) or not isinstance(inp.get("worker"), dict):
        raise _Error("BAD_INPUT")
    contract = inp["worker"].get("contract")
    if not isinstance(contract, dict) or "hours_per_week" not in contract:
        raise _Error("BAD_INPUT")
    hours = contract["hours_per_week"]
    if hours is not None:
        if isinstance(hours, bool) or not isinstance(hours, int | float):
            raise _Error("BAD_INPUT")
        if not math.isfinite(hours) or hours < 0:
            raise _Error("BAD_INPUT")
    if not isinstance(contract.get("fixed_times"), bool):
        raise _Error("BAD_INPUT")
    shifts = inp.get("shifts")
    if not isinstance(shifts, list):
        raise _Error("BAD_INPUT")
    for s in shifts:
        if not isinstance(s, dict):
            raise _Error("BAD_INPUT")
        b = s.get("break_minutes")
        if isinstance(b, bool) or not isinstance(b, int) or b < 0:
            raise _Error("BAD_INPUT")
        d = s.get("date")
        if not isinstance(d, str) or not _DATE.fullmatch(d):
            raise _Error("BAD_INPUT")
        try:
            parsed = date.fromisoformat(d)
        except ValueError:
            raise _Error("BAD_INPUT") from None
        if not 1980 <= parsed.year <= 2999:
            raise _Error("BAD_INPUT")
        for key in ("start", "end"):
            t = s.get(key)
            match = _TIME.fullmatch(t) if isinstance(t, str) else None
            if not match:
                raise _Error("BAD_INPUT")
            h, m = int(match[1]), int(match[2])
            if not (h < 24 and m < 60) and not (h == 24 and m == 0):
                raise _Error("BAD_INPUT")
    return hours, contract["fixed_times"], shifts


def _to_utc(scheme: dict, tz: ZoneInfo, naive: datetime) -> datetime:
    fold = 0 if scheme["ambiguous_local_time"] == "earlier" else 1
    instant = naive.replace(tzinfo=tz, fold=fold).astimezone(UTC)
    if instant.astimezone(tz).replace(tzinfo=None) != naive:
        raise _Error("NONEXISTENT_LOCAL_TIME")
    return instant


def oracle_unravel(scheme: dict, inp: object) -> dict:
    try:
        return _oracle(scheme, inp)
    except _Error as exc:
        return {"buckets": {}, "warnings": [], "error": str(exc)}


def _oracle(scheme: dict, inp: object) -> dict:
    hours, fixed_times, shifts = _check_input(inp)
    tz = ZoneInfo(scheme["timezone"])
    rules = _Rules(scheme)
    pct = rules.pct
    day_type = rules.day_type

    # Rule 1: real start and end of every shift.
    resolved = []
    for s in shifts:
        d = date.fromisoformat(s["date"])
        start_min, end_min = hhmm(s["start"]), hhmm(s["end"])
        start_local = datetime(d.year, d.month, d.day) + timedelta(minutes=start_min)
        end_day = d + timedelta(days=1) if end_min < start_min else d
        end_local = datetime(end_day.year, end_day.month, end_day.day) + timedelta(minutes=end_min)
        resolved.append((s, _to_utc(scheme, tz, start_local), _to_utc(scheme, tz, end_local)))
    lengths = []
    for s, start, end in resolved:
        if hhmm(s["start"]) == hhmm(s["end"]):
            lengths.append(0)
        else:
            length = int((end - start).total_seconds()) // 60
            if length <= 0:
                raise _Error("BAD_INPUT")
            lengths.append(length)
    for (s, _, _), length in zip(resolved, lengths, strict=True):
        if s["break_minutes"] > length:
            raise _Error("BREAK_EXCEEDS_SHIFT")
    real = [(r, n) for r, n in zip(resolved, lengths, strict=True) if n > 0]
    for i, ((_, a0, a1), _) in enumerate(real):
        for (_, b0, b1), _ in real[i + 1 :]:
            if a0 < b1 and b0 < a1:
                raise _Error("OVERLAPPING_SHIFTS")
    warnings = {"ZERO_LENGTH_SHIFT"} if any(n == 0 for n in lengths) else set()

    # Rule 2: every real minute of every shift; breaks; the worked minutes.
    atw = scheme["breaks"]["atw_minimum"]
    placement = scheme["breaks"]["placement"]
    worked = []  # (utc, shift number, local date, wall minute, day type)
    worked_per_shift = []  # (start utc, end utc, worked minutes)
    for number, ((s, start, end), length) in enumerate(real):
        minutes = []
        for m in range(length):
            local = (start + timedelta(minutes=m)).astimezone(tz)
            local_date = local.date()
            minutes.append(
                (start + timedelta(minutes=m), local_date, local.hour * 60 + local.minute)
            )
        declared = s["break_minutes"]
        required = max(
            [
                r["min_break_minutes"]
                for r in atw["rules"]
                if length - declared > r["worked_over_minutes"]
            ],
            default=0,
        )
        brk = declared
        if required > declared:
            if atw["policy"] == "enforce":
                brk = required
                warnings.add("ATW_BREAK_TOPUP")
            elif atw["policy"] == "warn":
                warnings.add("ATW_BREAK_SHORT")

        def ort_pct(m: int) -> float:
            _, d, wall = minutes[m]  # noqa: B023 - used right away
            bucket = rules.ort_of(day_type(d), wall)
            return pct[bucket] if bucket else 0

        mode = placement["mode"]
        removed: set[int] = set()
        if mode == "fixed":
            at = hhmm(placement["start"])
            first = next((m for m in range(length) if minutes[m][2] == at), None)
            if first is not None and first + brk <= length:
                removed = set(range(first, first + brk))
            else:
                mode = placement["fallback"]
        if mode == "middle":
            first = (length - brk) // 2
            removed = set(range(first, first + brk))
        elif mode == "proportional":
            removed = {m for m in range(length) if (m + 1) * brk // length > m * brk // length}
        elif mode == "lowest_rate_first":
            removed = set(sorted(range(length), key=lambda m: (ort_pct(m), m))[:brk])
        assert len(removed) == brk
        for m in range(length):
            if m not in removed:
                t, d, wall = minutes[m]
                worked.append((t, number, d, wall, day_type(d)))
        worked_per_shift.append((start, end, length - brk))

    worked.sort()
    # Rule 4: daily overtime -> {index in `worked`: tier bucket}
    overtime: dict[int, str] = {}
    daily = scheme["overtime"]["daily"]
    if daily is not None:
        counters: dict[object, int] = {}
        for i, (_, number, d, _, dtype) in enumerate(worked):
            if daily["basis"] == "shift":
                key: object = number
                start_date = real[number][0][1].astimezone(tz).date()
                threshold = daily["threshold_minutes"][day_type(start_date)]
            else:
                key = d
                threshold = daily["threshold_minutes"][dtype]
            counters[key] = counters.get(key, 0) + 1
            if counters[key] > threshold:
                overtime[i] = tier_bucket(daily["tiers"], counters[key] - threshold)
    # Rule 5: weekly overtime
    weekly = scheme["overtime"]["weekly"]
    if weekly is not None:
        counts: dict[tuple[int, int], int] = {}
        for i, (_, _, d, _, dtype) in enumerate(worked):
            if DAYS[d.weekday()] not in weekly["count_days"]:
                continue
            if dtype == "holiday" and not weekly["count_holidays"]:
                continue
            if i in overtime and weekly["exclude_daily_overtime"]:
                continue
            week = d.isocalendar()[:2]
            counts[week] = counts.get(week, 0) + 1
            if counts[week] > weekly["threshold_minutes"]:
                overtime[i] = tier_bucket(
                    weekly["tiers"], counts[week] - weekly["threshold_minutes"]
                )

    # Rules 6 and 7
    buckets: dict[str, int] = {}

    def add(name: str) -> None:
        buckets[name] = buckets.get(name, 0) + 1

    combine = scheme["combine"]
    for i, (_, _, _, wall, dtype) in enumerate(worked):
        ort = rules.ort_of(dtype, wall)
        supplement = pct[ort] if ort else 0
        if i not in overtime:
            add(scheme["normal_bucket"])
            if ort:
                add(ort)
            continue
        o = overtime[i]
        o = rules.override_of(dtype, wall) or o
        if combine["mode"] == "additive":
            add(o)
            if supplement > 0:
                add(ort)  # type: ignore[arg-type]
        elif combine["mode"] == "highest":
            ot_supplement = pct[o] - 100
            if supplement > ot_supplement or (
                supplement == ot_supplement and supplement > 0 and combine.get("tie") == "ort"
            ):
                add(scheme["normal_bucket"])
                if ort:
                    add(ort)
            else:
                add(o)
        elif supplement > 0:  # prefer_ort
            add(scheme["normal_bucket"])
            add(ort)  # type: ignore[arg-type]
        else:
            add(o)

    # Rule 8: minimum call pay
    mc = scheme.get("minimum_call")
    if mc and mc["enabled"]:
        applies = (hours is None and mc["applies_if_no_fixed_hours"]) or (
            hours is not None and hours < mc["applies_if_contract_hours_below"] and not fixed_times
        )
        if applies:
            calls: list[list] = []  # [end, worked]
            for start, end, minutes_worked in sorted(worked_per_shift, key=lambda x: x[0]):
                gap = (start - calls[-1][0]).total_seconds() / 60 if calls else None
                if gap is not None and gap <= mc["merge_gap_minutes"]:
                    calls[-1][0] = max(calls[-1][0], end)
                    calls[-1][1] += minutes_worked
                else:
                    calls.append([end, minutes_worked])
            for _, minutes_worked in calls:
                if 0 < minutes_worked < mc["minutes"]:
                    buckets[mc["bucket"]] = (
                        buckets.get(mc["bucket"], 0) + mc["minutes"] - minutes_worked
                    )

    return {"buckets": dict(sorted(buckets.items())), "warnings": sorted(warnings), "error": None}
