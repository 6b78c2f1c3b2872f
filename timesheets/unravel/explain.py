"""Explanations: why each stretch of a shift went to the buckets it went to.

FORMAT.md, "What the portal shows": everyone must be able to see why an hour counts as 125 %.
Each reason is structured (a code and JSON-friendly params) so that the Django layer can
translate it, and carries a default English sentence.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields
from datetime import date
from types import MappingProxyType
from typing import Any

from . import errors as E
from .engine import TracedPart, TracedShift, run, utc_minute_to_local
from .scheme import Scheme, format_hhmm

DAY_NAMES = {
    "mon": "Monday",
    "tue": "Tuesday",
    "wed": "Wednesday",
    "thu": "Thursday",
    "fri": "Friday",
    "sat": "Saturday",
    "sun": "Sunday",
    "holiday": "holiday",
}


@dataclass(frozen=True)
class Reason:
    """`code` (stable, for translations), `params` (JSON-friendly) and a default English `text`."""

    code: str
    params: Mapping[str, Any]
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": dict(self.params), "text": self.text}


@dataclass(frozen=True)
class SegmentExplanation:
    """A stretch of a shift, `start` to `end` as local ISO datetimes with their UTC offset."""

    start: str
    end: str
    minutes: int  # real minutes, breaks included
    worked_minutes: int
    date: str  # local date of the stretch
    day_type: str  # mon..sun or holiday
    is_break: bool
    buckets: Mapping[str, int]
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["buckets"] = dict(self.buckets)
        d["reasons"] = [r.to_dict() for r in self.reasons]
        return d


@dataclass(frozen=True)
class ShiftExplanation:
    index: int  # position of the shift in the input's `shifts`
    date: str  # as entered
    start: str
    end: str
    starts_at: str  # local ISO datetime with UTC offset
    ends_at: str
    real_minutes: int
    declared_break_minutes: int
    break_minutes: int  # after the Arbeidstijdenwet top-up, if any
    worked_minutes: int
    buckets: Mapping[str, int]  # this shift's share, the minimum-call top-up included
    warnings: tuple[str, ...]
    notes: tuple[Reason, ...]  # about the shift as a whole: ATW, break placement, minimum call
    segments: tuple[SegmentExplanation, ...]

    def to_dict(self) -> dict[str, Any]:
        d = {f.name: getattr(self, f.name) for f in fields(self)}
        d["buckets"] = dict(self.buckets)
        d["warnings"] = list(self.warnings)
        d["notes"] = [r.to_dict() for r in self.notes]
        d["segments"] = [s.to_dict() for s in self.segments]
        return d


@dataclass(frozen=True)
class Explanation:
    """The result `unravel` gives, and per shift (in input order) how it came about. On an
    error, `shifts` is empty."""

    result: Mapping[str, Any]
    shifts: tuple[ShiftExplanation, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"result": dict(self.result), "shifts": [s.to_dict() for s in self.shifts]}


def _pct(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _duration(minutes: int) -> str:
    return f"{minutes // 60}:{minutes % 60:02d}"


def _iso(scheme: Scheme, utc_minute: int) -> str:
    return utc_minute_to_local(scheme, utc_minute).isoformat()


def _clock(scheme: Scheme, utc_minute: int) -> str:
    return utc_minute_to_local(scheme, utc_minute).strftime("%H:%M")


def _day_label(day_type: str, ordinal: int) -> str:
    return f"{DAY_NAMES[day_type]} {date.fromordinal(ordinal).isoformat()}"


def _segment_reasons(scheme: Scheme, shift: TracedShift, part: TracedPart) -> tuple[Reason, ...]:
    day, band = part.day, part.band
    reasons = []
    if day.holidays:
        names = list(day.holidays)
        reasons.append(
            Reason(
                "HOLIDAY",
                {"date": date.fromordinal(day.ordinal).isoformat(), "holidays": names},
                f"{date.fromordinal(day.ordinal).isoformat()} is a holiday ({', '.join(names)})",
            )
        )
    ot_bucket = None
    if part.weekly_tier >= 0:
        weekly = scheme.weekly
        assert weekly is not None
        tier = weekly.tiers[part.weekly_tier]
        ot_bucket = tier.bucket
        year, week, _ = date.fromordinal(day.week_key).isocalendar()
        reasons.append(
            Reason(
                "WEEKLY_OVERTIME",
                {
                    "iso_week": f"{year}-W{week:02d}",
                    "threshold_minutes": weekly.threshold_minutes,
                    "tier": part.weekly_tier + 1,
                    "bucket": tier.bucket,
                    "pct": scheme.pct(tier.bucket),
                    "overtime_minute": part.weekly_ordinal,
                },
                f"after {_duration(weekly.threshold_minutes)} counted in ISO week "
                f"{year}-W{week:02d}: weekly overtime tier {part.weekly_tier + 1}, "
                f"{_pct(scheme.pct(tier.bucket))} %",
            )
        )
    elif part.daily_tier >= 0:
        daily = scheme.daily
        assert daily is not None
        tier = daily.tiers[part.daily_tier]
        ot_bucket = tier.bucket
        if daily.basis == "shift":
            first = shift.first_day
            threshold = daily.threshold_minutes[first.day_type]
            where = f"in a {DAY_NAMES[first.day_type]} shift"
            day_type = first.day_type
        else:
            threshold = day.daily_threshold
            where = f"on {_day_label(day.day_type, day.ordinal)}"
            day_type = day.day_type
        reasons.append(
            Reason(
                "DAILY_OVERTIME",
                {
                    "basis": daily.basis,
                    "day_type": day_type,
                    "threshold_minutes": threshold,
                    "tier": part.daily_tier + 1,
                    "bucket": tier.bucket,
                    "pct": scheme.pct(tier.bucket),
                    "overtime_minute": part.daily_ordinal,
                },
                f"after {_duration(threshold)} worked {where}: overtime tier "
                f"{part.daily_tier + 1}, {_pct(scheme.pct(tier.bucket))} %",
            )
        )
    window_label = None
    if band.ort is not None:
        w = band.ort
        window_label = f"{DAY_NAMES[day.day_type]} {format_hhmm(w.start)}-{format_hhmm(w.end)}"
    if ot_bucket is not None and band.override is not None:
        o = band.override
        reasons.append(
            Reason(
                "RATE_OVERRIDE",
                {
                    "window": o.index,
                    "from": format_hhmm(o.start),
                    "to": format_hhmm(o.end),
                    "bucket": o.bucket,
                    "pct": scheme.pct(o.bucket),
                },
                f"overtime in {DAY_NAMES[day.day_type]} {format_hhmm(o.start)}-"
                f"{format_hhmm(o.end)} is paid as {o.bucket} ({_pct(scheme.pct(o.bucket))} %)",
            )
        )
        ot_bucket = o.bucket
    if ot_bucket is None:
        if band.ort is not None:
            reasons.append(_ort_reason(scheme, band, window_label))
        reasons.append(
            Reason(
                "NORMAL",
                {"bucket": scheme.normal_bucket, "pct": scheme.pct(scheme.normal_bucket)},
                f"normal hours ({scheme.normal_bucket}, "
                f"{_pct(scheme.pct(scheme.normal_bucket))} %)",
            )
        )
        return tuple(reasons)
    if band.ort is not None:
        reasons.append(_ort_reason(scheme, band, window_label))
    reasons.append(_combine_reason(scheme, band, ot_bucket, part.adds, window_label))
    return tuple(reasons)


def _ort_reason(scheme: Scheme, band: Any, label: str | None) -> Reason:
    w = band.ort
    return Reason(
        "ORT",
        {
            "window": w.index,
            "from": format_hhmm(w.start),
            "to": format_hhmm(w.end),
            "bucket": w.bucket,
            "pct": scheme.pct(w.bucket),
        },
        f"{label}: ORT +{_pct(scheme.pct(w.bucket))} % ({w.bucket})",
    )


def _combine_reason(
    scheme: Scheme, band: Any, ot_bucket: str, adds: tuple[str, ...], label: str | None
) -> Reason:
    """FORMAT.md rule 7, in words."""
    ot_supplement = scheme.pct(ot_bucket) - 100
    ort_supplement = band.ort_pct
    ort_won = ot_bucket not in adds
    params = {
        "mode": scheme.combine_mode,
        "overtime_bucket": ot_bucket,
        "overtime_supplement": ot_supplement,
        "ort_bucket": band.ort.bucket if band.ort else None,
        "ort_supplement": ort_supplement,
        "paid": list(adds),
    }
    ot_text = f"overtime +{_pct(ot_supplement)} %"
    ort_text = f"ORT +{_pct(ort_supplement)} %"
    where = f"{label}: " if label else ""
    mode = scheme.combine_mode
    if mode == "additive":
        text = (
            f"{where}{ot_text} and {ort_text} are both paid (additive)"
            if len(adds) > 1
            else f"overtime {_pct(scheme.pct(ot_bucket))} % ({ot_bucket})"
        )
        return Reason("COMBINE_ADDITIVE", params, text)
    if mode == "prefer_ort":
        if ort_won:
            return Reason(
                "COMBINE_PREFER_ORT",
                params,
                f"{where}{ort_text} is paid instead of overtime (ORT preferred)",
            )
        return Reason(
            "COMBINE_OVERTIME",
            params,
            f"overtime {_pct(scheme.pct(ot_bucket))} % ({ot_bucket}), no ORT here",
        )
    if ort_won:
        tie = " (equal: the tie goes to ORT)" if ort_supplement == ot_supplement else ""
        return Reason(
            "COMBINE_HIGHEST_ORT",
            params,
            f"{where}{ort_text} wins over {ot_text}{tie}",
        )
    if band.ort is None:
        return Reason(
            "COMBINE_OVERTIME",
            params,
            f"overtime {_pct(scheme.pct(ot_bucket))} % ({ot_bucket}), no ORT here",
        )
    tie = " (equal: the tie goes to overtime)" if ort_supplement == ot_supplement else ""
    return Reason("COMBINE_HIGHEST_OVERTIME", params, f"{where}{ot_text} wins over {ort_text}{tie}")


def _shift_notes(scheme: Scheme, t: TracedShift) -> tuple[Reason, ...]:
    notes = []
    s = t.shift
    if E.ZERO_LENGTH_SHIFT in t.warnings:
        notes.append(
            Reason(
                E.ZERO_LENGTH_SHIFT,
                {"start": s.start, "end": s.end},
                f"start and end are both {s.start}: a zero-length shift, it counts nothing",
            )
        )
        return tuple(notes)
    worked_declared = t.real_minutes - s.break_minutes
    if E.ATW_BREAK_TOPUP in t.warnings:
        notes.append(
            Reason(
                E.ATW_BREAK_TOPUP,
                {
                    "worked_minutes": worked_declared,
                    "declared_break_minutes": s.break_minutes,
                    "required_break_minutes": t.atw_required,
                },
                f"{_duration(worked_declared)} worked needs a break of {t.atw_required} minutes "
                f"(Arbeidstijdenwet): break raised from {s.break_minutes} to {t.atw_required}",
            )
        )
    if E.ATW_BREAK_SHORT in t.warnings:
        notes.append(
            Reason(
                E.ATW_BREAK_SHORT,
                {
                    "worked_minutes": worked_declared,
                    "declared_break_minutes": s.break_minutes,
                    "required_break_minutes": t.atw_required,
                },
                f"{_duration(worked_declared)} worked needs a break of {t.atw_required} minutes "
                f"(Arbeidstijdenwet), only {s.break_minutes} taken",
            )
        )
    if t.break_minutes:
        configured = scheme.breaks.mode
        params: dict[str, Any] = {"mode": t.break_mode, "break_minutes": t.break_minutes}
        if configured == "fixed" and t.break_mode != "fixed":
            params["fixed_start"] = format_hhmm(scheme.breaks.fixed_start or 0)
            lead = (
                f"the break cannot start at {params['fixed_start']} within this shift, so the "
                f"fallback applies: "
            )
        else:
            lead = ""
        how = {
            "fixed": "at its fixed time",
            "middle": "in the middle of the shift",
            "proportional": "spread proportionally over the shift",
            "lowest_rate_first": "on the minutes with the lowest ORT rate, earliest first",
        }[t.break_mode]
        notes.append(
            Reason(
                "BREAK_PLACEMENT",
                params,
                f"{lead}break of {t.break_minutes} minutes placed {how}",
            )
        )
    if t.call_topup:
        mc = scheme.minimum_call
        assert mc is not None
        notes.append(
            Reason(
                "MINIMUM_CALL_TOPUP",
                {
                    "call_from": _iso(scheme, t.call_start_utc),
                    "call_to": _iso(scheme, t.call_end_utc),
                    "worked_minutes": t.call_worked,
                    "minimum_minutes": mc.minutes,
                    "topup_minutes": t.call_topup,
                    "bucket": mc.bucket,
                },
                f"call {_clock(scheme, t.call_start_utc)}-{_clock(scheme, t.call_end_utc)} "
                f"worked {_duration(t.call_worked)}, less than the minimum call of "
                f"{_duration(mc.minutes)}: {t.call_topup} minutes added to {mc.bucket}",
            )
        )
    return tuple(notes)


def _segments(scheme: Scheme, t: TracedShift) -> tuple[SegmentExplanation, ...]:
    out = []
    for part in t.parts or ():
        u_from, u_to = t.start_utc + part.start, t.start_utc + part.end
        day = part.day
        common = {
            "start": _iso(scheme, u_from),
            "end": _iso(scheme, u_to),
            "minutes": part.end - part.start,
            "worked_minutes": part.worked,
            "date": date.fromordinal(day.ordinal).isoformat(),
            "day_type": day.day_type,
        }
        if part.band is None:
            clock = f"{_clock(scheme, u_from)}-{_clock(scheme, u_to)}"
            out.append(
                SegmentExplanation(
                    **common,
                    is_break=True,
                    buckets=MappingProxyType({}),
                    reasons=(
                        Reason(
                            "BREAK",
                            {"from": clock[:5], "to": clock[6:], "mode": t.break_mode},
                            f"break {clock}",
                        ),
                    ),
                )
            )
            continue
        reasons = _segment_reasons(scheme, t, part) if part.worked else ()
        unworked = part.end - part.start - part.worked
        if unworked:
            reasons = (
                *reasons,
                Reason(
                    "PROPORTIONAL_BREAK",
                    {"break_minutes": unworked},
                    f"{unworked} break minutes spread proportionally over this stretch",
                ),
            )
        out.append(
            SegmentExplanation(
                **common,
                is_break=part.worked == 0,
                buckets=MappingProxyType(dict.fromkeys(part.adds, part.worked)),
                reasons=reasons,
            )
        )
    return tuple(out)


def explain(scheme: Scheme, input_doc: object) -> Explanation:
    """Unravel `input_doc` like `unravel` does and explain every shift, segment by segment."""
    trace: list[TracedShift] = []
    result = run(scheme, input_doc, trace)
    if result["error"] is not None:
        return Explanation(MappingProxyType(result), ())
    shifts = []
    for t in sorted(trace, key=lambda t: t.shift.index):
        s = t.shift
        segments = _segments(scheme, t)
        buckets: dict[str, int] = {}
        for seg in segments:
            for name, minutes in seg.buckets.items():
                buckets[name] = buckets.get(name, 0) + minutes
        if t.call_topup:
            mc = scheme.minimum_call
            assert mc is not None
            buckets[mc.bucket] = buckets.get(mc.bucket, 0) + t.call_topup
        shifts.append(
            ShiftExplanation(
                index=s.index,
                date=s.date,
                start=s.start,
                end=s.end,
                starts_at=_iso(scheme, t.start_utc),
                ends_at=_iso(scheme, t.end_utc),
                real_minutes=t.real_minutes,
                declared_break_minutes=s.break_minutes,
                break_minutes=t.break_minutes,
                worked_minutes=t.real_minutes - t.break_minutes,
                buckets=MappingProxyType(dict(sorted(buckets.items()))),
                warnings=t.warnings,
                notes=_shift_notes(scheme, t),
                segments=segments,
            )
        )
    return Explanation(MappingProxyType(result), tuple(shifts))
