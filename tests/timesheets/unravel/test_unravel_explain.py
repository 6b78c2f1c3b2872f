"""Explanations: each shift cut into segments with structured reasons and English texts."""

from __future__ import annotations

import json

from unravel_helpers import case_scheme, example_cases, example_scheme, shift, week

from timesheets.unravel import explain, load_scheme, unravel


def case(name: str) -> dict:
    return next(c for c in example_cases() if c["name"] == name)


def summary(explanation, index: int = 0) -> list[tuple]:
    return [
        (s.start[11:16], s.end[11:16], dict(s.buckets), [r.code for r in s.reasons])
        for s in explanation.shifts[index].segments
    ]


def test_an_evening_of_overtime_is_explained_segment_by_segment() -> None:
    c = case("A05_overlap_ot_ort_highest")
    explanation = explain(load_scheme(case_scheme(c)), c["input"])
    assert dict(explanation.result) == c["expected"]
    assert summary(explanation) == [
        ("10:00", "12:00", {"normal_100": 120}, ["NORMAL"]),
        ("12:00", "12:45", {}, ["BREAK"]),
        ("12:45", "18:45", {"normal_100": 360}, ["NORMAL"]),
        ("18:45", "19:00", {"ot_125": 15}, ["DAILY_OVERTIME", "COMBINE_OVERTIME"]),
        (
            "19:00",
            "21:45",
            {"normal_100": 165, "ort_30": 165},
            ["DAILY_OVERTIME", "ORT", "COMBINE_HIGHEST_ORT"],
        ),
        (
            "21:45",
            "22:00",
            {"ot_150": 15},
            ["DAILY_OVERTIME", "ORT", "COMBINE_HIGHEST_OVERTIME"],
        ),
    ]
    texts = [[r.text for r in s.reasons] for s in explanation.shifts[0].segments]
    assert texts[1] == ["break 12:00-12:45"]
    assert texts[3][0] == "after 8:00 worked in a Tuesday shift: overtime tier 1, 125 %"
    assert texts[4][2] == "Tuesday 19:00-24:00: ORT +30 % wins over overtime +25 %"
    assert texts[5][2] == "Tuesday 19:00-24:00: overtime +50 % wins over ORT +30 %"


def test_reasons_carry_codes_and_params_for_translation() -> None:
    c = case("A05_overlap_ot_ort_highest")
    segment = explain(load_scheme(case_scheme(c)), c["input"]).shifts[0].segments[4]
    daily, ort, combine = segment.reasons
    assert dict(daily.params) == {
        "basis": "shift",
        "day_type": "tue",
        "threshold_minutes": 480,
        "tier": 1,
        "bucket": "ot_125",
        "pct": 125,
        "overtime_minute": 16,
    }
    assert dict(ort.params) == {
        "window": 3,
        "from": "19:00",
        "to": "24:00",
        "bucket": "ort_30",
        "pct": 30,
    }
    assert combine.params["paid"] == ["normal_100", "ort_30"]


def test_saturday_ort_winning_over_overtime_reads_as_a_sentence() -> None:
    explanation = explain(
        load_scheme(example_scheme("A")), week(shift("2026-06-13", "07:00", "10:00"))
    )
    (segment,) = explanation.shifts[0].segments
    assert segment.reasons[-1].text == "Saturday 07:00-19:00: ORT +35 % wins over overtime +25 %"


def test_a_proportional_break_is_spread_over_the_segments() -> None:
    c = case("B11_night_into_eerste_kerstdag")
    explanation = explain(load_scheme(case_scheme(c)), c["input"])
    thursday, friday = explanation.shifts[0].segments[-2:]
    assert (thursday.start, thursday.end) == (
        "2026-12-24T22:00:00+01:00",
        "2026-12-25T00:00:00+01:00",
    )
    assert thursday.worked_minutes == 113
    assert thursday.reasons[-1].code == "PROPORTIONAL_BREAK"
    assert thursday.reasons[-1].params == {"break_minutes": 7}
    assert friday.day_type == "holiday"
    assert friday.reasons[0].text == "2026-12-25 is a holiday (eerste_kerstdag)"
    assert dict(friday.buckets) == {"normal_100": 337, "hol_150": 337}


def test_overtime_tiers_split_a_proportional_segment_at_the_right_minute() -> None:
    # Scheme B: 07:00-17:30 with 30 minutes spread over 630: minute m is a break minute iff
    # (m+1) % 21 == 0. Minutes 0..565 hold 26 break minutes and so 540 worked ones: the
    # overtime starts at minute 566 = 16:26 (which is itself a break minute).
    explanation = explain(
        load_scheme(example_scheme("B")), week(shift("2026-06-08", "07:00", "17:30", 30))
    )
    normal, overtime = explanation.shifts[0].segments
    assert normal.end == overtime.start == "2026-06-08T16:26:00+02:00"
    assert (normal.worked_minutes, overtime.worked_minutes) == (540, 60)
    assert (normal.minutes, overtime.minutes) == (566, 64)


def test_the_dst_night_shows_the_offsets_of_both_sides() -> None:
    c = case("C17_dst_spring_forward_29_march")
    shift_explained = explain(load_scheme(case_scheme(c)), c["input"]).shifts[0]
    assert shift_explained.starts_at == "2026-03-28T22:00:00+01:00"
    assert shift_explained.ends_at == "2026-03-29T06:00:00+02:00"
    assert shift_explained.real_minutes == 420
    assert [(s.start, s.end) for s in shift_explained.segments] == [
        ("2026-03-28T22:00:00+01:00", "2026-03-29T00:00:00+01:00"),
        ("2026-03-29T00:00:00+01:00", "2026-03-29T03:00:00+02:00"),
        ("2026-03-29T03:00:00+02:00", "2026-03-29T06:00:00+02:00"),
    ]
    assert [n.code for n in shift_explained.notes] == ["ATW_BREAK_SHORT"]


def test_shift_notes_tell_about_the_atw_top_up_and_the_fallback_placement() -> None:
    explanation = explain(
        load_scheme(example_scheme("A")), week(shift("2026-06-09", "13:00", "20:00"))
    )
    notes = explanation.shifts[0].notes
    assert [n.code for n in notes] == ["ATW_BREAK_TOPUP", "BREAK_PLACEMENT"]
    assert notes[0].text == (
        "7:00 worked needs a break of 30 minutes (Arbeidstijdenwet): break raised from 0 to 30"
    )
    assert notes[1].params == {"mode": "middle", "break_minutes": 30, "fixed_start": "12:00"}


def test_the_minimum_call_top_up_is_explained_on_the_last_shift_of_the_call() -> None:
    c = case("B24_three_hour_minimum_two_calls")
    explanation = explain(load_scheme(case_scheme(c)), c["input"])
    first, second = explanation.shifts
    assert dict(first.buckets) == {"normal_100": 120, "call_topup_100": 60}
    assert dict(second.buckets) == {"normal_100": 60, "call_topup_100": 120}
    assert first.notes[-1].text == (
        "call 09:00-11:00 worked 2:00, less than the minimum call of 3:00: "
        "60 minutes added to call_topup_100"
    )


def test_shifts_are_explained_in_input_order_with_zero_length_ones_included() -> None:
    doc = week(shift("2026-06-10", "08:00", "09:00"), shift("2026-06-09", "08:00", "08:00"))
    explanation = explain(load_scheme(example_scheme("C")), doc)
    assert [s.index for s in explanation.shifts] == [0, 1]
    assert explanation.shifts[1].segments == ()
    assert explanation.shifts[1].warnings == ("ZERO_LENGTH_SHIFT",)


def test_an_error_gives_the_error_result_and_no_shifts() -> None:
    c = case("C23_break_longer_than_shift_error")
    explanation = explain(load_scheme(case_scheme(c)), c["input"])
    assert dict(explanation.result) == c["expected"]
    assert explanation.shifts == ()


def test_an_explanation_is_plain_json() -> None:
    c = case("B13_weekly_38h_plus_daily_over_9h")
    scheme = load_scheme(case_scheme(c))
    data = json.loads(json.dumps(explain(scheme, c["input"]).to_dict()))
    assert data["result"] == unravel(scheme, c["input"])
    friday = data["shifts"][4]
    assert friday["segments"][-1]["reasons"][0]["code"] == "WEEKLY_OVERTIME"
    assert friday["segments"][-1]["reasons"][0]["text"] == (
        "after 38:00 counted in ISO week 2026-W24: weekly overtime tier 1, 125 %"
    )
