"""Validation of `cao-ontrafel/1` documents: every problem is reported, each with its JSON
path and a reason in plain English."""

from __future__ import annotations

from typing import Any

import pytest
from unravel_helpers import example_scheme, plain_scheme

from timesheets.unravel import Problem, Scheme, SchemeInvalid, load_scheme, validate_scheme


def paths(doc: Any) -> list[str]:
    return [p.path for p in validate_scheme(doc)]


def reason_at(doc: Any, path: str) -> str:
    found = [p.reason for p in validate_scheme(doc) if p.path == path]
    assert found, f"no problem at {path}: {validate_scheme(doc)}"
    return found[0]


@pytest.mark.parametrize("scheme_id", ["A", "B", "C"])
def test_the_example_schemes_are_valid(scheme_id: str) -> None:
    assert validate_scheme(example_scheme(scheme_id)) == []
    assert isinstance(load_scheme(example_scheme(scheme_id)), Scheme)


def test_load_scheme_raises_with_every_problem_listed() -> None:
    doc = example_scheme("A")
    doc["timezone"] = "Mars/Olympus_Mons"
    doc["normal_bucket"] = "ort_30"
    doc["ort"]["windows"][1]["to"] = "05:00"
    with pytest.raises(SchemeInvalid) as caught:
        load_scheme(doc)
    assert [p.path for p in caught.value.problems] == [
        "$.timezone",
        "$.normal_bucket",
        "$.ort.windows[1].to",
    ]
    assert "$.ort.windows[1].to" in str(caught.value)


def test_a_document_that_is_not_an_object_is_refused_at_the_root() -> None:
    assert validate_scheme([1, 2]) == [Problem("$", "must be an object, not a list")]


def test_a_wrong_format_is_refused() -> None:
    assert paths(plain_scheme(format="cao-ontrafel/2")) == ["$.format"]


def test_every_missing_top_level_field_is_listed() -> None:
    assert paths({"format": "cao-ontrafel/1"}) == [
        "$.id",
        "$.name",
        "$.timezone",
        "$.ambiguous_local_time",
        "$.holidays",
        "$.buckets",
        "$.normal_bucket",
        "$.ort",
        "$.overtime",
        "$.combine",
        "$.breaks",
        "$.minimum_call",
    ]
    assert reason_at({}, "$.timezone") == "missing field"


def test_an_unknown_field_is_refused_so_that_a_typo_is_not_silently_ignored() -> None:
    doc = plain_scheme(combine={"mode": "highest", "tie": "ort", "tei": "ort"})
    assert paths(doc) == ["$.combine.tei"]
    assert "unknown field 'tei'" in reason_at(doc, "$.combine.tei")


def test_a_bad_timezone_is_refused() -> None:
    assert "not a known IANA time zone" in reason_at(
        plain_scheme(timezone="Europe/Amsterdamm"), "$.timezone"
    )
    assert paths(plain_scheme(timezone="../../etc/passwd")) == ["$.timezone"]
    assert paths(plain_scheme(timezone=3)) == ["$.timezone"]


def test_a_bad_ambiguous_local_time_choice_is_refused() -> None:
    assert "earlier, later" in reason_at(
        plain_scheme(ambiguous_local_time="first"), "$.ambiguous_local_time"
    )


def test_an_unknown_holiday_name_is_refused_with_its_path() -> None:
    doc = plain_scheme(
        holidays={
            "include": ["koningsdag", "sinterklaas"],
            "bevrijdingsdag": "sometimes",
            "extra_dates": ["2026-02-30", "2026-07-01"],
        }
    )
    assert paths(doc) == [
        "$.holidays.include[1]",
        "$.holidays.bevrijdingsdag",
        "$.holidays.extra_dates[0]",
    ]
    assert "unknown day 'sinterklaas'" in reason_at(doc, "$.holidays.include[1]")


def test_buckets_need_a_kind_and_a_pct() -> None:
    doc = plain_scheme()
    doc["buckets"]["ot_125"] = {"kind": "hour", "pct": -5}
    doc["buckets"]["ort_25"] = {"pct": True}
    assert paths(doc) == [
        "$.buckets.ot_125.kind",
        "$.buckets.ot_125.pct",
        "$.buckets.ort_25.kind",
        "$.buckets.ort_25.pct",
    ]


def test_an_unknown_bucket_reference_is_refused() -> None:
    doc = plain_scheme(normal_bucket="normaal")
    assert "'normaal', which is not defined in $.buckets" in reason_at(doc, "$.normal_bucket")


def test_the_normal_bucket_must_be_an_hours_bucket() -> None:
    doc = plain_scheme(normal_bucket="ort_25")
    assert reason_at(doc, "$.normal_bucket") == (
        "the normal bucket must be an hours bucket, but 'ort_25' is a supplement bucket"
    )


def window(days: list[str], start: str, end: str, bucket: str) -> dict[str, Any]:
    return {"days": days, "from": start, "to": end, "bucket": bucket}


def test_ort_window_problems_are_reported_per_window_with_their_paths() -> None:
    doc = plain_scheme(
        ort={
            "overlap": "max",
            "windows": [
                window(["sat"], "07:00", "19:00", "ort_25"),
                window(["sat", "zat"], "00:00", "24:00", "ort_50"),
                window(["fri"], "22:00", "06:00", "ort_50"),
                window(["fri"], "10:00", "10:00", "ort_50"),
                window(["mon"], "24:00", "25:00", "ot_125"),
                window([], "7:00", "08:00", "nope"),
                {"days": ["sun"], "bucket": "ort_100"},
            ],
        }
    )
    assert paths(doc) == [
        "$.ort.windows[1].days[1]",
        "$.ort.windows[2].to",
        "$.ort.windows[3].to",
        "$.ort.windows[4].from",
        "$.ort.windows[4].to",
        "$.ort.windows[4].bucket",
        "$.ort.windows[5].days",
        "$.ort.windows[5].from",
        "$.ort.windows[5].bucket",
        "$.ort.windows[6].from",
        "$.ort.windows[6].to",
    ]
    assert "crosses midnight" in reason_at(doc, "$.ort.windows[2].to")
    assert "empty" in reason_at(doc, "$.ort.windows[3].to")
    assert reason_at(doc, "$.ort.windows[4].bucket") == (
        "an ORT window bucket must be a supplement bucket, but 'ot_125' is a hours bucket"
    )


def test_the_only_ort_overlap_rule_is_max() -> None:
    assert paths(plain_scheme(ort={"overlap": "sum", "windows": []})) == ["$.ort.overlap"]


def test_overtime_tiers_and_overrides_need_hours_buckets() -> None:
    doc = plain_scheme(
        overtime={
            "daily": {
                "basis": "shift",
                "threshold_minutes": dict.fromkeys(
                    ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"], 480
                ),
                "tiers": [
                    {"first_minutes": 60, "bucket": "ort_50"},
                    {"first_minutes": None, "bucket": "ot_150"},
                ],
            },
            "weekly": None,
            "rate_overrides": [window(["sun"], "00:00", "24:00", "ort_100")],
        }
    )
    assert paths(doc) == [
        "$.overtime.daily.tiers[0].bucket",
        "$.overtime.rate_overrides[0].bucket",
    ]
    assert "overtime tier bucket must be an hours bucket" in reason_at(
        doc, "$.overtime.daily.tiers[0].bucket"
    )


def test_daily_overtime_needs_a_threshold_for_every_day_type() -> None:
    doc = plain_scheme(
        overtime={
            "daily": {
                "basis": "week",
                "threshold_minutes": {"mon": 480, "tue": "8h", "maandag": 1},
                "tiers": [],
            },
            "weekly": None,
            "rate_overrides": [],
        }
    )
    assert paths(doc) == [
        "$.overtime.daily.basis",
        "$.overtime.daily.threshold_minutes.maandag",
        "$.overtime.daily.threshold_minutes.tue",
        "$.overtime.daily.threshold_minutes.wed",
        "$.overtime.daily.threshold_minutes.thu",
        "$.overtime.daily.threshold_minutes.fri",
        "$.overtime.daily.threshold_minutes.sat",
        "$.overtime.daily.threshold_minutes.sun",
        "$.overtime.daily.threshold_minutes.holiday",
        "$.overtime.daily.tiers",
    ]
    assert "unknown day type 'maandag'" in reason_at(
        doc, "$.overtime.daily.threshold_minutes.maandag"
    )


def test_tiers_end_with_one_null_tier() -> None:
    doc = plain_scheme(
        overtime={
            "daily": None,
            "weekly": {
                "threshold_minutes": 2400,
                "count_days": ["mon", "holiday"],
                "count_holidays": "yes",
                "exclude_daily_overtime": True,
                "tiers": [
                    {"first_minutes": None, "bucket": "ot_125"},
                    {"first_minutes": 0, "bucket": "ot_150"},
                    {"first_minutes": 60, "bucket": "ot_200"},
                ],
            },
            "rate_overrides": [],
        }
    )
    assert paths(doc) == [
        "$.overtime.weekly.count_days[1]",
        "$.overtime.weekly.count_holidays",
        "$.overtime.weekly.tiers[0].first_minutes",
        "$.overtime.weekly.tiers[1].first_minutes",
        "$.overtime.weekly.tiers[2].first_minutes",
    ]
    assert "count_holidays" in reason_at(doc, "$.overtime.weekly.count_days[1]")
    assert "must be at least 1" in reason_at(doc, "$.overtime.weekly.tiers[1].first_minutes")


def test_combine_needs_a_known_mode_and_with_highest_a_tie_rule() -> None:
    assert paths(plain_scheme(combine={"mode": "max"})) == ["$.combine.mode"]
    assert paths(plain_scheme(combine={"mode": "highest"})) == ["$.combine.tie"]
    assert paths(plain_scheme(combine={"mode": "additive"})) == []


def test_break_placement_and_atw_rules_are_checked() -> None:
    doc = plain_scheme(
        breaks={
            "placement": {"mode": "fixed", "start": "24:00", "fallback": "fixed"},
            "atw_minimum": {
                "policy": "strict",
                "rules": [
                    {"worked_over_minutes": 330, "min_break_minutes": 30},
                    {"worked_over_minutes": 20, "min_break_minutes": 30},
                    {"worked_over_minutes": 1.5, "min_break_minutes": 15},
                ],
            },
        }
    )
    assert paths(doc) == [
        "$.breaks.placement.start",
        "$.breaks.placement.fallback",
        "$.breaks.atw_minimum.policy",
        "$.breaks.atw_minimum.rules[1].min_break_minutes",
        "$.breaks.atw_minimum.rules[2].worked_over_minutes",
    ]
    assert "longer than the work it applies to" in reason_at(
        doc, "$.breaks.atw_minimum.rules[1].min_break_minutes"
    )
    assert "whole number" in reason_at(doc, "$.breaks.atw_minimum.rules[2].worked_over_minutes")


def test_start_and_fallback_belong_to_fixed_placement_only() -> None:
    doc = plain_scheme(
        breaks={
            "placement": {"mode": "middle", "start": "12:00"},
            "atw_minimum": {"policy": "ignore", "rules": []},
        }
    )
    assert paths(doc) == ["$.breaks.placement.start"]


def test_an_enabled_minimum_call_needs_all_its_fields_and_an_hours_bucket() -> None:
    doc = plain_scheme(minimum_call={"enabled": True, "minutes": 180, "bucket": "ort_25"})
    assert paths(doc) == [
        "$.minimum_call.bucket",
        "$.minimum_call.applies_if_contract_hours_below",
        "$.minimum_call.applies_if_no_fixed_hours",
        "$.minimum_call.merge_gap_minutes",
    ]
    assert "minimum-call bucket must be an hours bucket" in reason_at(doc, "$.minimum_call.bucket")


def test_a_disabled_or_null_minimum_call_needs_nothing_more() -> None:
    assert validate_scheme(plain_scheme(minimum_call=None)) == []
    assert validate_scheme(plain_scheme(minimum_call={"enabled": False})) == []


def test_bucket_names_that_are_not_identifiers_are_quoted_in_paths() -> None:
    doc = plain_scheme()
    doc["buckets"]["toeslag 50%"] = {"kind": "supplement", "pct": "50"}
    assert paths(doc) == ["$.buckets['toeslag 50%'].pct"]
