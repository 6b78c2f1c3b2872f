"""Property tests: on random valid schemes and random weeks the interval engine gives exactly
what the minute-by-minute oracle gives, explanations add up to the result, and no input,
however broken, makes the engine raise."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from oracle import oracle_unravel

from timesheets.unravel import explain, load_scheme, unravel

DAY_TYPES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"]
WEEKDAYS = DAY_TYPES[:7]
HOLIDAYS = [
    "nieuwjaarsdag",
    "goede_vrijdag",
    "eerste_paasdag",
    "tweede_paasdag",
    "koningsdag",
    "bevrijdingsdag",
    "hemelvaartsdag",
    "eerste_pinksterdag",
    "tweede_pinksterdag",
    "eerste_kerstdag",
    "tweede_kerstdag",
]
HOURS_BUCKETS = ["normal_100", "ot_125", "ot_150", "ot_200", "low_90", "call_100"]
SUPPLEMENTS = ["s_a", "s_b", "s_c", "s_d"]

# Weeks that hold the tricky days: both Dutch DST changes of 2026, the US and Lord Howe (30
# minutes) DST changes, Easter, koningsdag on Saturday 26 April 2025 (lustrum year, so also
# bevrijdingsdag), Ascension, Christmas, and the turn of the year (ISO week 53 of 2026).
ANCHORS = [
    date(2026, 3, 23),
    date(2026, 10, 19),
    date(2026, 3, 2),
    date(2026, 10, 26),
    date(2026, 3, 30),
    date(2026, 9, 28),
    date(2025, 4, 21),
    date(2025, 5, 1),
    date(2026, 5, 11),
    date(2026, 12, 21),
    date(2026, 12, 28),
    date(2026, 6, 8),
]
ZONES = [
    "Europe/Amsterdam",
    "Europe/Amsterdam",
    "Europe/Amsterdam",
    "America/New_York",
    "Australia/Lord_Howe",
    "UTC",
]


def hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


wall_minutes = st.one_of(
    st.sampled_from([0, 60, 120, 150, 180, 360, 420, 480, 720, 1080, 1140, 1260, 1320, 1440]),
    st.integers(0, 96).map(lambda q: q * 15),
    st.integers(0, 1440),
)
pcts = st.sampled_from([0, 25, 30, 50, 100])


@st.composite
def windows(draw: st.DrawFn, buckets: list[str], max_size: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(0, max_size))):
        start, end = sorted(draw(st.lists(wall_minutes, min_size=2, max_size=2, unique=True)))
        days = draw(st.lists(st.sampled_from(DAY_TYPES), min_size=1, max_size=4, unique=True))
        out.append(
            {
                "days": days,
                "from": hhmm(min(start, 1439)),
                "to": hhmm(max(end, min(start, 1439) + 1)),
                "bucket": draw(st.sampled_from(buckets)),
            }
        )
    return out


@st.composite
def tiers(draw: st.DrawFn) -> list[dict[str, Any]]:
    sizes = draw(st.lists(st.sampled_from([1, 15, 60, 120, 180]), max_size=2))
    names = draw(st.lists(st.sampled_from(HOURS_BUCKETS), min_size=len(sizes) + 1, max_size=3))
    return [
        {"first_minutes": size, "bucket": name}
        for size, name in zip([*sizes, None], names, strict=False)
    ]


@st.composite
def schemes(draw: st.DrawFn) -> dict[str, Any]:
    buckets: dict[str, Any] = {
        "normal_100": {"kind": "hours", "pct": 100},
        "ot_125": {"kind": "hours", "pct": 125},
        "ot_150": {"kind": "hours", "pct": 150},
        "ot_200": {"kind": "hours", "pct": 200},
        "low_90": {"kind": "hours", "pct": 90},
        "call_100": {"kind": "hours", "pct": 100},
    }
    for name in SUPPLEMENTS:
        buckets[name] = {"kind": "supplement", "pct": draw(pcts)}
    thresholds = st.sampled_from([0, 60, 240, 300, 480, 540, 600])
    daily = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "basis": st.sampled_from(["shift", "calendar_day"]),
                "threshold_minutes": st.fixed_dictionaries(dict.fromkeys(DAY_TYPES, thresholds)),
                "tiers": tiers(),
            }
        )
    )
    weekly = draw(
        st.none()
        | st.fixed_dictionaries(
            {
                "threshold_minutes": st.sampled_from([0, 120, 600, 1200, 2280]),
                "count_days": st.lists(st.sampled_from(WEEKDAYS), unique=True),
                "count_holidays": st.booleans(),
                "exclude_daily_overtime": st.booleans(),
                "tiers": tiers(),
            }
        )
    )
    mode = draw(st.sampled_from(["fixed", "middle", "proportional", "lowest_rate_first"]))
    placement: dict[str, Any] = {"mode": mode}
    if mode == "fixed":
        placement["start"] = hhmm(min(draw(wall_minutes), 1439))
        placement["fallback"] = draw(
            st.sampled_from(["middle", "proportional", "lowest_rate_first"])
        )
    rules = []
    for _ in range(draw(st.integers(0, 2))):
        over = draw(st.sampled_from([0, 60, 330, 600]))
        rules.append(
            {"worked_over_minutes": over, "min_break_minutes": draw(st.integers(0, min(over, 60)))}
        )
    minimum_call = draw(
        st.sampled_from([None, {"enabled": False}])
        | st.fixed_dictionaries(
            {
                "enabled": st.just(True),
                "minutes": st.sampled_from([60, 180, 240]),
                "bucket": st.sampled_from(HOURS_BUCKETS),
                "applies_if_contract_hours_below": st.sampled_from([0, 15, 40.5]),
                "applies_if_no_fixed_hours": st.booleans(),
                "merge_gap_minutes": st.sampled_from([0, 30, 120]),
            }
        )
    )
    extra = draw(
        st.lists(st.sampled_from(ANCHORS).map(lambda d: d + timedelta(days=2)), max_size=1)
    )
    return {
        "format": "cao-ontrafel/1",
        "id": "H",
        "name": "hypothesis",
        "timezone": draw(st.sampled_from(ZONES)),
        "ambiguous_local_time": draw(st.sampled_from(["earlier", "later"])),
        "holidays": {
            "include": draw(st.lists(st.sampled_from(HOLIDAYS), unique=True)),
            "bevrijdingsdag": draw(st.sampled_from(["lustrum", "yearly", "never"])),
            "extra_dates": [d.isoformat() for d in extra],
        },
        "buckets": buckets,
        "normal_bucket": draw(st.sampled_from(["normal_100", "normal_100", "low_90"])),
        "ort": {"overlap": "max", "windows": draw(windows(SUPPLEMENTS, 5))},
        "overtime": {
            "daily": daily,
            "weekly": weekly,
            "rate_overrides": draw(windows(HOURS_BUCKETS, 3)),
        },
        "combine": {
            "mode": draw(st.sampled_from(["highest", "additive", "prefer_ort"])),
            "tie": draw(st.sampled_from(["overtime", "ort"])),
        },
        "breaks": {
            "placement": placement,
            "atw_minimum": {
                "policy": draw(st.sampled_from(["enforce", "warn", "ignore"])),
                "rules": rules,
            },
        },
        "minimum_call": minimum_call,
    }


@st.composite
def weeks(draw: st.DrawFn) -> dict[str, Any]:
    """Up to 5 shifts one after the other (in local wall time), at random times around the
    anchor weeks, given in random order."""
    first_day = draw(st.sampled_from(ANCHORS)) + timedelta(days=draw(st.integers(0, 6)))
    cursor = draw(wall_minutes)  # local minutes since first_day 00:00
    shifts = []
    # (hypothesis draws the first element of a list more often than the others)
    for _ in range(draw(st.sampled_from([3, 1, 2, 4, 5, 3, 4, 2, 0]))):
        length = draw(
            st.sampled_from([480, 30, 120, 240, 510, 540, 600, 660, 720, 765, 0])
            | st.integers(1, 900)
        )
        if draw(st.integers(0, 15)) != 7:
            brk = min(length, draw(st.sampled_from([30, 0, 15, 45, 60]) | st.integers(0, 120)))
        else:
            brk = draw(st.integers(0, 1000))  # now and then longer than the shift
        day, start = divmod(cursor, 1440)
        if start == 0 and draw(st.integers(0, 5)) == 3:
            day, start = day - 1, 1440  # midnight written as 24:00 of the day before
        end = (start + length) % 1440
        if start + length == 1440 or (end == 0 and length and draw(st.booleans())):
            end = 1440
        shifts.append(
            {
                "date": (first_day + timedelta(days=day)).isoformat(),
                "start": hhmm(start),
                "end": hhmm(end),
                "break_minutes": brk,
            }
        )
        gap = draw(st.sampled_from([720, 0, 30, 120, 600, 900, 1440, 2000]) | st.integers(0, 3000))
        if draw(st.integers(0, 25)) == 13:  # (not a bound: hypothesis favours those)
            gap = -draw(st.integers(1, 120))  # now and then an overlap
        cursor += length + gap
    return {
        "worker": {
            "contract": {
                "hours_per_week": draw(st.sampled_from([None, 0, 12, 14.5, 40])),
                "fixed_times": draw(st.booleans()),
            }
        },
        "shifts": draw(st.permutations(shifts)),
    }


def _assert_explanation_adds_up(scheme: Any, doc: dict[str, Any], result: dict[str, Any]) -> None:
    explanation = explain(scheme, doc)
    assert dict(explanation.result) == result
    if result["error"]:
        assert explanation.shifts == ()
        return
    total: dict[str, int] = {}
    for shift in explanation.shifts:
        position = shift.starts_at
        for segment in shift.segments:
            assert segment.start == position  # segments are contiguous and in time order
            position = segment.end
        if shift.segments:
            assert position == shift.ends_at
        assert sum(s.worked_minutes for s in shift.segments) == shift.worked_minutes
        for name, minutes in shift.buckets.items():
            total[name] = total.get(name, 0) + minutes
    assert total == result["buckets"]


@settings(
    max_examples=3000,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(scheme_doc=schemes(), doc=weeks())
def test_the_engine_agrees_with_the_minute_by_minute_oracle(
    scheme_doc: dict[str, Any], doc: dict[str, Any]
) -> None:
    scheme = load_scheme(scheme_doc)
    result = unravel(scheme, doc)
    assert result == oracle_unravel(scheme_doc, doc)
    _assert_explanation_adds_up(scheme, doc, result)


json_leaves = (
    st.none()
    | st.booleans()
    | st.integers(-(10**20), 10**20)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
    | st.sampled_from(
        ["24:00", "24:01", "02:30", "7:00", "07:00 ", "٠٧:٠٠", "2026-02-30", "2026-06-09"]
    )
)
json_values = st.recursive(
    json_leaves,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=12,
)


@st.composite
def broken_inputs(draw: st.DrawFn) -> object:
    """Valid-looking weeks with one value somewhere replaced by junk, or junk outright."""
    if draw(st.booleans()):
        return draw(json_values)
    doc = draw(weeks())
    target = draw(
        st.sampled_from(["doc", "worker", "contract", "hours", "fixed", "shifts", "shift"])
    )
    junk = draw(json_values)
    if target == "doc":
        doc[draw(st.sampled_from(["worker", "shifts"]))] = junk
    elif target == "worker":
        doc["worker"] = {"contract": junk}
    elif target == "contract":
        doc["worker"]["contract"] = junk
    elif target == "hours":
        doc["worker"]["contract"]["hours_per_week"] = junk
    elif target == "fixed":
        doc["worker"]["contract"]["fixed_times"] = junk
    elif target == "shifts":
        doc["shifts"] = junk
    elif doc["shifts"]:
        key = draw(st.sampled_from(["date", "start", "end", "break_minutes", None]))
        if key is None:
            doc["shifts"][0] = junk
        else:
            doc["shifts"][0][key] = junk
    return doc


@settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scheme_doc=schemes(), doc=broken_inputs())
def test_junk_input_never_raises_and_agrees_with_the_oracle(
    scheme_doc: dict[str, Any], doc: object
) -> None:
    scheme = load_scheme(scheme_doc)
    result = unravel(scheme, doc)
    assert set(result) == {"buckets", "warnings", "error"}
    assert result == oracle_unravel(scheme_doc, doc)
    explain(scheme, doc)
