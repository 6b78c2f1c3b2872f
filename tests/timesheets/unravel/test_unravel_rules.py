"""One rule of FORMAT.md at a time, with hand-computed expectations. Dates: 2026-06-08 is a
Monday; 2026-03-29 and 2026-10-25 are the Dutch DST Sundays."""

from __future__ import annotations

from typing import Any

import pytest
from oracle import oracle_unravel
from unravel_helpers import error, example_scheme, ok, plain_scheme, shift, week

from timesheets.unravel import load_scheme, unravel

ALL_DAY_TYPES = ["mon", "tue", "wed", "thu", "fri", "sat", "sun", "holiday"]


def run(scheme_doc: dict[str, Any], doc: Any) -> dict[str, Any]:
    """The engine's answer; the oracle must agree with every hand-computed case too."""
    result = unravel(load_scheme(scheme_doc), doc)
    assert result == oracle_unravel(scheme_doc, doc)
    return result


def window(days: list[str], start: str, end: str, bucket: str) -> dict[str, Any]:
    return {"days": days, "from": start, "to": end, "bucket": bucket}


def with_ort(*windows: dict[str, Any], **overrides: Any) -> dict[str, Any]:
    return plain_scheme(ort={"overlap": "max", "windows": list(windows)}, **overrides)


def daily(
    basis: str = "shift", tiers: list[tuple[int | None, str]] | None = None, **thresholds: int
) -> dict[str, Any]:
    return {
        "basis": basis,
        "threshold_minutes": {d: thresholds.get(d, 480) for d in ALL_DAY_TYPES},
        "tiers": [
            {"first_minutes": n, "bucket": b}
            for n, b in (tiers or [(120, "ot_125"), (None, "ot_150")])
        ],
    }


def overtime(
    daily_rule: Any = None, weekly_rule: Any = None, overrides: Any = ()
) -> dict[str, Any]:
    return {"daily": daily_rule, "weekly": weekly_rule, "rate_overrides": list(overrides)}


def weekly(
    threshold: int,
    days: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri"),
    count_holidays: bool = False,
    exclude_daily_overtime: bool = True,
    bucket: str = "ot_125",
) -> dict[str, Any]:
    return {
        "threshold_minutes": threshold,
        "count_days": list(days),
        "count_holidays": count_holidays,
        "exclude_daily_overtime": exclude_daily_overtime,
        "tiers": [{"first_minutes": None, "bucket": bucket}],
    }


def breaks(placement: dict[str, Any], policy: str = "ignore") -> dict[str, Any]:
    rules = [
        {"worked_over_minutes": 330, "min_break_minutes": 30},
        {"worked_over_minutes": 600, "min_break_minutes": 45},
    ]
    return {"placement": placement, "atw_minimum": {"policy": policy, "rules": rules}}


# --- Rule 1: real minutes, day types -------------------------------------------------------


def test_a_night_over_the_spring_dst_change_counts_420_minutes() -> None:
    assert run(plain_scheme(), week(shift("2026-03-28", "22:00", "06:00"))) == ok({"normal": 420})


def test_a_night_over_the_autumn_dst_change_counts_540_minutes() -> None:
    assert run(plain_scheme(), week(shift("2026-10-24", "22:00", "06:00"))) == ok({"normal": 540})


def test_the_autumn_night_splits_its_ort_by_real_minutes_on_each_date() -> None:
    # Scheme C: Saturday 22-24 = 120 (+50 %), Sunday 00:00-06:00 = 420 real minutes (+100 %).
    result = run(example_scheme("C"), week(shift("2026-10-24", "22:00", "06:00")))
    assert result == ok({"normal_100": 540, "sat_50": 120, "sun_100": 420}, "ATW_BREAK_SHORT")


def test_a_shift_starting_in_the_spring_gap_is_a_nonexistent_local_time() -> None:
    doc = week(shift("2026-03-29", "02:30", "06:00"))
    assert run(plain_scheme(), doc) == error("NONEXISTENT_LOCAL_TIME")


def test_a_shift_ending_in_the_spring_gap_is_a_nonexistent_local_time() -> None:
    doc = week(shift("2026-03-28", "22:00", "02:00"))
    assert run(plain_scheme(), doc) == error("NONEXISTENT_LOCAL_TIME")


def test_a_shift_ending_right_after_the_spring_gap_is_fine() -> None:
    assert run(plain_scheme(), week(shift("2026-03-29", "00:00", "03:00"))) == ok({"normal": 120})


def test_an_ambiguous_autumn_time_means_the_earlier_instant_with_earlier() -> None:
    # 02:30 CEST (00:30 UTC) to 03:30 CET (02:30 UTC)
    doc = week(shift("2026-10-25", "02:30", "03:30"))
    assert run(plain_scheme(ambiguous_local_time="earlier"), doc) == ok({"normal": 120})


def test_an_ambiguous_autumn_time_means_the_later_instant_with_later() -> None:
    doc = week(shift("2026-10-25", "02:30", "03:30"))
    assert run(plain_scheme(ambiguous_local_time="later"), doc) == ok({"normal": 60})


def test_an_ambiguous_end_follows_the_same_choice() -> None:
    doc = week(shift("2026-10-25", "01:30", "02:30"))
    assert run(plain_scheme(ambiguous_local_time="earlier"), doc) == ok({"normal": 60})
    assert run(plain_scheme(ambiguous_local_time="later"), doc) == ok({"normal": 120})


def test_end_equal_to_start_is_a_zero_length_shift_not_24_hours() -> None:
    doc = week(shift("2026-06-09", "08:00", "08:00"), shift("2026-06-10", "08:00", "09:00"))
    assert run(plain_scheme(), doc) == ok({"normal": 60}, "ZERO_LENGTH_SHIFT")


def test_00_00_to_24_00_is_a_whole_day() -> None:
    assert run(plain_scheme(), week(shift("2026-06-09", "00:00", "24:00"))) == ok({"normal": 1440})


def test_the_whole_autumn_dst_sunday_has_1500_minutes() -> None:
    assert run(plain_scheme(), week(shift("2026-10-25", "00:00", "24:00"))) == ok({"normal": 1500})


def test_an_end_before_the_start_runs_into_the_next_day() -> None:
    scheme = with_ort(window(["wed"], "00:00", "24:00", "ort_50"))
    result = run(scheme, week(shift("2026-06-09", "20:00", "04:00")))  # Tue 20:00 - Wed 04:00
    assert result == ok({"normal": 480, "ort_50": 240})


def test_a_start_of_24_00_is_midnight_at_the_end_of_the_date() -> None:
    scheme = with_ort(window(["wed"], "00:00", "24:00", "ort_50"))
    result = run(scheme, week(shift("2026-06-09", "24:00", "06:00")))  # Wed 00:00 - 06:00
    assert result == ok({"normal": 360, "ort_50": 360})


def test_a_holiday_monday_has_day_type_holiday_not_mon() -> None:
    scheme = with_ort(
        window(["mon"], "00:00", "24:00", "ort_25"),
        window(["holiday"], "00:00", "24:00", "ort_100"),
        holidays={"include": ["tweede_paasdag"], "bevrijdingsdag": "never", "extra_dates": []},
    )
    result = run(scheme, week(shift("2026-04-06", "08:00", "12:00")))
    assert result == ok({"normal": 240, "ort_100": 240})


def holiday_scheme(include: list[str], bevrijdingsdag: str = "never", extra: tuple = ()) -> dict:
    return with_ort(
        window(["holiday"], "00:00", "24:00", "ort_100"),
        holidays={"include": include, "bevrijdingsdag": bevrijdingsdag, "extra_dates": list(extra)},
    )


def test_koningsdag_is_26_april_when_the_27th_is_a_sunday() -> None:
    scheme = holiday_scheme(["koningsdag"])
    assert run(scheme, week(shift("2025-04-26", "08:00", "09:00"))) == ok(
        {"normal": 60, "ort_100": 60}
    )
    assert run(scheme, week(shift("2025-04-27", "08:00", "09:00"))) == ok({"normal": 60})
    assert run(scheme, week(shift("2026-04-27", "08:00", "09:00"))) == ok(
        {"normal": 60, "ort_100": 60}
    )


@pytest.mark.parametrize(
    ("mode", "day", "is_holiday"),
    [
        ("lustrum", "2025-05-05", True),
        ("lustrum", "2026-05-05", False),
        ("yearly", "2026-05-05", True),
        ("never", "2025-05-05", False),
    ],
)
def test_bevrijdingsdag_follows_its_lustrum_yearly_or_never_setting(
    mode: str, day: str, is_holiday: bool
) -> None:
    result = run(holiday_scheme(["bevrijdingsdag"], mode), week(shift(day, "08:00", "09:00")))
    assert result == ok({"normal": 60, "ort_100": 60} if is_holiday else {"normal": 60})


def test_bevrijdingsdag_counts_only_when_included() -> None:
    result = run(holiday_scheme([], "yearly"), week(shift("2026-05-05", "08:00", "09:00")))
    assert result == ok({"normal": 60})


@pytest.mark.parametrize(
    ("name", "day"),
    [
        ("nieuwjaarsdag", "2027-01-01"),
        ("goede_vrijdag", "2026-04-03"),
        ("eerste_paasdag", "2026-04-05"),
        ("tweede_paasdag", "2026-04-06"),
        ("hemelvaartsdag", "2026-05-14"),
        ("eerste_pinksterdag", "2026-05-24"),
        ("tweede_pinksterdag", "2026-05-25"),
        ("eerste_kerstdag", "2026-12-25"),
        ("tweede_kerstdag", "2026-12-26"),
    ],
)
def test_each_named_holiday_falls_on_its_date(name: str, day: str) -> None:
    assert run(holiday_scheme([name]), week(shift(day, "08:00", "09:00"))) == ok(
        {"normal": 60, "ort_100": 60}
    )
    others = [n for n in ["nieuwjaarsdag", "eerste_kerstdag"] if n != name]
    assert run(holiday_scheme(others), week(shift(day, "08:00", "09:00"))) == ok({"normal": 60})


def test_extra_dates_count_as_holidays() -> None:
    scheme = holiday_scheme([], extra=("2026-06-09",))
    assert run(scheme, week(shift("2026-06-09", "23:00", "01:00"))) == ok(
        {"normal": 120, "ort_100": 60}
    )


# --- Rule 2: errors, the Arbeidstijdenwet, break placement -------------------------------


def test_a_break_longer_than_the_shift_is_an_error() -> None:
    doc = week(shift("2026-06-09", "09:00", "10:00", 61))
    assert run(plain_scheme(), doc) == error("BREAK_EXCEEDS_SHIFT")


def test_a_break_as_long_as_the_shift_leaves_nothing_worked() -> None:
    assert run(plain_scheme(), week(shift("2026-06-09", "09:00", "10:00", 60))) == ok({})


def test_a_break_on_a_zero_length_shift_exceeds_it() -> None:
    doc = week(shift("2026-06-09", "09:00", "09:00", 15))
    assert run(plain_scheme(), doc) == error("BREAK_EXCEEDS_SHIFT")


def test_the_spring_night_break_is_compared_with_real_minutes() -> None:
    # 22:00-06:00 over 29 March is 420 real minutes, not 480.
    doc = week(shift("2026-03-28", "22:00", "06:00", 450))
    assert run(plain_scheme(), doc) == error("BREAK_EXCEEDS_SHIFT")


def test_overlapping_shifts_are_an_error() -> None:
    doc = week(shift("2026-06-09", "08:00", "12:00"), shift("2026-06-09", "11:59", "13:00"))
    assert run(plain_scheme(), doc) == error("OVERLAPPING_SHIFTS")


def test_a_night_shift_overlapping_the_next_mornings_shift_is_an_error() -> None:
    doc = week(shift("2026-06-10", "06:00", "10:00"), shift("2026-06-09", "22:00", "07:00"))
    assert run(plain_scheme(), doc) == error("OVERLAPPING_SHIFTS")


def test_shifts_that_touch_do_not_overlap() -> None:
    doc = week(shift("2026-06-09", "08:00", "12:00"), shift("2026-06-09", "12:00", "13:00"))
    assert run(plain_scheme(), doc) == ok({"normal": 300})


def test_a_zero_length_shift_inside_another_does_not_overlap_it() -> None:
    doc = week(shift("2026-06-09", "08:00", "12:00"), shift("2026-06-09", "10:00", "10:00"))
    assert run(plain_scheme(), doc) == ok({"normal": 240}, "ZERO_LENGTH_SHIFT")


def test_the_autumn_repeated_hour_can_hold_two_shifts_that_do_not_overlap() -> None:
    # With `earlier` the first shift ends at the first 02:30 (CEST); 03:00 (CET) is 90 real
    # minutes later.
    doc = week(shift("2026-10-25", "01:00", "02:30"), shift("2026-10-25", "03:00", "04:00"))
    assert run(plain_scheme(), doc) == ok({"normal": 150})


def test_the_most_basic_error_wins_whatever_the_order_of_the_shifts() -> None:
    doc = week(
        shift("2026-06-09", "09:00", "10:00", 90),  # BREAK_EXCEEDS_SHIFT
        shift("2026-03-29", "02:15", "05:00"),  # NONEXISTENT_LOCAL_TIME
        shift("2026-06-09", "09:30", "11:00"),  # overlaps the first
    )
    assert run(plain_scheme(), doc) == error("NONEXISTENT_LOCAL_TIME")
    doc["shifts"].append(shift("2026-06-09", "9:00", "10:00"))
    assert run(plain_scheme(), doc) == error("BAD_INPUT")


def test_the_atw_minimum_is_topped_up_under_enforce() -> None:
    # 09:00-15:00 with 0 break: W = 360 > 330, so 30 minutes of break are taken, in the middle.
    scheme = plain_scheme(breaks=breaks({"mode": "middle"}, "enforce"))
    result = run(scheme, week(shift("2026-06-09", "09:00", "15:00")))
    assert result == ok({"normal": 330}, "ATW_BREAK_TOPUP")


def test_the_atw_minimum_takes_the_largest_rule_that_applies() -> None:
    # W = 720 - 30 = 690 > 600: 45 minutes required.
    scheme = plain_scheme(breaks=breaks({"mode": "middle"}, "enforce"))
    result = run(scheme, week(shift("2026-06-09", "07:00", "19:00", 30)))
    assert result == ok({"normal": 675}, "ATW_BREAK_TOPUP")


def test_the_atw_minimum_only_warns_under_warn() -> None:
    scheme = plain_scheme(breaks=breaks({"mode": "middle"}, "warn"))
    result = run(scheme, week(shift("2026-06-09", "09:00", "15:00")))
    assert result == ok({"normal": 360}, "ATW_BREAK_SHORT")


def test_the_atw_minimum_is_silent_under_ignore() -> None:
    scheme = plain_scheme(breaks=breaks({"mode": "middle"}, "ignore"))
    assert run(scheme, week(shift("2026-06-09", "09:00", "15:00"))) == ok({"normal": 360})


def test_exactly_330_worked_minutes_need_no_break() -> None:
    scheme = plain_scheme(breaks=breaks({"mode": "middle"}, "enforce"))
    assert run(scheme, week(shift("2026-06-09", "09:00", "14:30"))) == ok({"normal": 330})


# The break placement is made visible with an ORT window: the supplement only counts worked
# minutes inside the window.


def placed(placement: dict[str, Any], ort_from: str, ort_to: str) -> dict[str, Any]:
    return with_ort(window(ALL_DAY_TYPES, ort_from, ort_to, "ort_25"), breaks=breaks(placement))


FIXED_NOON = {"mode": "fixed", "start": "12:00", "fallback": "middle"}


def test_a_fixed_break_starts_at_its_wall_clock_time() -> None:
    result = run(
        placed(FIXED_NOON, "12:00", "13:00"), week(shift("2026-06-09", "08:00", "17:00", 30))
    )
    assert result == ok({"normal": 510, "ort_25": 30})


def test_a_fixed_break_falls_back_when_the_shift_does_not_reach_its_time() -> None:
    # 13:00-17:00: no 12:00; middle: D=240, B=30 -> minutes 105..134 = 14:45-15:15.
    result = run(
        placed(FIXED_NOON, "14:00", "15:00"), week(shift("2026-06-09", "13:00", "17:00", 30))
    )
    assert result == ok({"normal": 210, "ort_25": 45})


def test_a_fixed_break_falls_back_when_it_would_run_past_the_end() -> None:
    # 08:00-12:20 (D=260): 12:00 + 30 > end, so middle: minutes 115..144 = 09:55-10:25.
    result = run(
        placed(FIXED_NOON, "10:00", "11:00"), week(shift("2026-06-09", "08:00", "12:20", 30))
    )
    assert result == ok({"normal": 230, "ort_25": 35})


def test_a_fixed_break_may_fall_on_the_next_day_of_a_long_night() -> None:
    # Tue 13:00 - Wed 12:45: the first 12:00 is Wednesday's; only 12:30-12:45 is worked.
    result = run(
        placed(FIXED_NOON, "12:00", "13:00"), week(shift("2026-06-09", "13:00", "12:45", 30))
    )
    assert result == ok({"normal": 1395, "ort_25": 15})


def test_a_fixed_break_at_a_repeated_autumn_time_takes_the_first_occurrence() -> None:
    placement = {"mode": "fixed", "start": "02:30", "fallback": "middle"}
    # 01:00-04:00 on 25 October: 240 real minutes; the first 02:30 is minute 90.
    scheme = with_ort(window(["sun"], "02:00", "03:00", "ort_25"), breaks=breaks(placement))
    result = run(scheme, week(shift("2026-10-25", "01:00", "04:00", 30)))
    # 02:00-03:00 happens twice (120 real minutes), 30 of them are the break.
    assert result == ok({"normal": 210, "ort_25": 90})


def test_a_fixed_break_may_end_exactly_at_the_end_of_the_shift() -> None:
    # 08:00-12:30 with 30 minutes: 12:00 + 30 = the end, so no fallback to 10:00-10:30.
    result = run(
        placed(FIXED_NOON, "10:00", "11:00"), week(shift("2026-06-09", "08:00", "12:30", 30))
    )
    assert result == ok({"normal": 240, "ort_25": 60})


def test_a_middle_break_starts_at_half_of_the_remaining_minutes() -> None:
    # D=480, B=30: minutes 225..254 = 11:45-12:15.
    result = run(
        placed({"mode": "middle"}, "11:00", "12:00"),
        week(shift("2026-06-09", "08:00", "16:00", 30)),
    )
    assert result == ok({"normal": 450, "ort_25": 45})


def test_a_middle_break_rounds_its_start_down() -> None:
    # D=481, B=30: floor(451 / 2) = 225 -> 11:45-12:15 again.
    result = run(
        placed({"mode": "middle"}, "11:00", "12:00"),
        week(shift("2026-06-09", "08:00", "16:01", 30)),
    )
    assert result == ok({"normal": 451, "ort_25": 45})


def test_a_proportional_break_removes_every_sixteenth_minute_of_480() -> None:
    # D=480, B=30: minute m is removed iff (m+1) % 16 == 0; 08:00-09:00 loses m = 15, 31, 47.
    result = run(
        placed({"mode": "proportional"}, "08:00", "09:00"),
        week(shift("2026-06-09", "08:00", "16:00", 30)),
    )
    assert result == ok({"normal": 450, "ort_25": 57})


def test_a_proportional_break_follows_the_exact_floor_formula() -> None:
    # D=100, B=7: removed m where floor((m+1)*7/100) > floor(m*7/100): m = 14, 28, 42, 57,
    # 71, 85, 99. The window 08:00-08:43 (m < 43) loses 14, 28 and 42.
    result = run(
        placed({"mode": "proportional"}, "08:00", "08:43"),
        week(shift("2026-06-09", "08:00", "09:40", 7)),
    )
    assert result == ok({"normal": 93, "ort_25": 40})


def test_lowest_rate_first_takes_the_unpaid_minutes_earliest_first() -> None:
    scheme = with_ort(
        window(["tue"], "06:00", "07:00", "ort_50"),
        window(["tue"], "09:00", "10:00", "ort_25"),
        breaks=breaks({"mode": "lowest_rate_first"}),
    )
    result = run(scheme, week(shift("2026-06-09", "06:00", "10:00", 30)))
    assert result == ok({"normal": 210, "ort_50": 60, "ort_25": 60})


def test_lowest_rate_first_moves_on_to_the_next_lowest_rate() -> None:
    scheme = with_ort(
        window(["tue"], "06:00", "07:00", "ort_50"),
        window(["tue"], "09:00", "10:00", "ort_25"),
        breaks=breaks({"mode": "lowest_rate_first"}),
    )
    result = run(scheme, week(shift("2026-06-09", "06:00", "10:00", 150)))
    assert result == ok({"normal": 90, "ort_50": 60, "ort_25": 30})


def test_lowest_rate_first_takes_the_earliest_of_equal_rates() -> None:
    scheme = plain_scheme(
        buckets={
            "normal": {"kind": "hours", "pct": 100},
            "late": {"kind": "supplement", "pct": 25},
            "night": {"kind": "supplement", "pct": 25},
        },
        ort={
            "overlap": "max",
            "windows": [
                window(ALL_DAY_TYPES, "22:00", "24:00", "late"),
                window(ALL_DAY_TYPES, "00:00", "02:00", "night"),
            ],
        },
        breaks=breaks({"mode": "lowest_rate_first"}),
    )
    result = run(scheme, week(shift("2026-06-09", "22:00", "02:00", 30)))
    assert result == ok({"normal": 210, "late": 90, "night": 120})


# --- Rule 3: ORT --------------------------------------------------------------------------


def test_where_ort_windows_overlap_the_highest_pct_applies() -> None:
    scheme = with_ort(
        window(ALL_DAY_TYPES, "00:00", "24:00", "ort_25"),
        window(["tue"], "22:00", "24:00", "ort_50"),
    )
    result = run(scheme, week(shift("2026-06-09", "20:00", "24:00")))
    assert result == ok({"normal": 240, "ort_25": 120, "ort_50": 120})


def test_of_overlapping_windows_with_equal_pct_the_first_listed_applies() -> None:
    buckets = {
        "normal": {"kind": "hours", "pct": 100},
        "a": {"kind": "supplement", "pct": 25},
        "b": {"kind": "supplement", "pct": 25},
    }
    early = window(["tue"], "08:00", "12:00", "b")
    late = window(["tue"], "10:00", "16:00", "a")
    doc = week(shift("2026-06-09", "08:00", "16:00"))
    first_early = plain_scheme(buckets=buckets, ort={"overlap": "max", "windows": [early, late]})
    assert run(first_early, doc) == ok({"normal": 480, "b": 240, "a": 240})
    first_late = plain_scheme(buckets=buckets, ort={"overlap": "max", "windows": [late, early]})
    assert run(first_late, doc) == ok({"normal": 480, "b": 120, "a": 360})


def test_a_window_to_24_00_includes_the_last_minute_of_the_day() -> None:
    scheme = with_ort(window(["tue"], "23:59", "24:00", "ort_25"))
    assert run(scheme, week(shift("2026-06-09", "23:00", "01:00"))) == ok(
        {"normal": 120, "ort_25": 1}
    )


# --- Rule 4: daily overtime ---------------------------------------------------------------


def test_after_the_daily_threshold_the_tiers_fill_in_order() -> None:
    scheme = plain_scheme(overtime=overtime(daily()))
    result = run(scheme, week(shift("2026-06-09", "07:00", "18:00")))
    assert result == ok({"normal": 480, "ot_125": 120, "ot_150": 60})


def test_a_holiday_uses_the_holiday_threshold() -> None:
    scheme = plain_scheme(
        overtime=overtime(daily(holiday=0)),
        holidays={"include": ["tweede_paasdag"], "bevrijdingsdag": "never", "extra_dates": []},
    )
    result = run(scheme, week(shift("2026-04-06", "08:00", "12:00")))
    assert result == ok({"ot_125": 120, "ot_150": 120})


def test_a_night_shift_uses_the_threshold_of_the_day_it_starts_on() -> None:
    scheme = plain_scheme(overtime=overtime(daily(sat=0)))
    result = run(scheme, week(shift("2026-06-12", "22:00", "08:00")))  # Fri 22:00 - Sat 08:00
    assert result == ok({"normal": 480, "ot_125": 120})


def test_calendar_day_overtime_counts_per_local_date() -> None:
    scheme = plain_scheme(overtime=overtime(daily("calendar_day", sat=0)))
    result = run(scheme, week(shift("2026-06-12", "22:00", "08:00")))
    assert result == ok({"normal": 120, "ot_125": 120, "ot_150": 360})


def test_calendar_day_overtime_adds_up_the_shifts_of_one_date() -> None:
    doc = week(shift("2026-06-09", "06:00", "10:00"), shift("2026-06-09", "14:00", "19:00"))
    by_date = plain_scheme(overtime=overtime(daily("calendar_day")))
    assert run(by_date, doc) == ok({"normal": 480, "ot_125": 60})
    by_shift = plain_scheme(overtime=overtime(daily("shift")))
    assert run(by_shift, doc) == ok({"normal": 540})


def test_break_minutes_do_not_count_towards_the_daily_threshold() -> None:
    scheme = plain_scheme(overtime=overtime(daily()))
    result = run(scheme, week(shift("2026-06-09", "07:00", "16:00", 45)))
    assert result == ok({"normal": 480, "ot_125": 15})


# --- Rule 5: weekly overtime --------------------------------------------------------------


def test_weekly_overtime_starts_after_the_threshold_on_counted_days() -> None:
    scheme = plain_scheme(overtime=overtime(weekly_rule=weekly(600)))
    doc = week(
        *(shift(f"2026-06-{d:02d}", "08:00", "12:00") for d in (8, 9, 10, 11, 13))
    )  # Mon-Thu and Saturday, 240 each
    assert run(scheme, doc) == ok({"normal": 840, "ot_125": 360})


def test_holidays_count_towards_the_week_only_with_count_holidays() -> None:
    holidays = {"include": ["hemelvaartsdag"], "bevrijdingsdag": "never", "extra_dates": []}
    doc = week(*(shift(f"2026-05-{d}", "08:00", "12:00") for d in (11, 12, 13, 14, 15)))
    without = plain_scheme(holidays=holidays, overtime=overtime(weekly_rule=weekly(720)))
    assert run(without, doc) == ok({"normal": 960, "ot_125": 240})
    counted = plain_scheme(
        holidays=holidays, overtime=overtime(weekly_rule=weekly(720, count_holidays=True))
    )
    assert run(counted, doc) == ok({"normal": 720, "ot_125": 480})


def test_a_holiday_on_an_uncounted_weekday_is_not_counted_even_with_count_holidays() -> None:
    holidays = {"include": ["tweede_kerstdag"], "bevrijdingsdag": "never", "extra_dates": []}
    scheme = plain_scheme(
        holidays=holidays, overtime=overtime(weekly_rule=weekly(0, count_holidays=True))
    )
    # 26 December 2026 is a Saturday, not in count_days.
    assert run(scheme, week(shift("2026-12-26", "08:00", "12:00"))) == ok({"normal": 240})


def test_weekly_overtime_excludes_daily_overtime_minutes_when_asked() -> None:
    scheme = plain_scheme(
        overtime=overtime(
            daily(tiers=[(None, "ot_150")]),
            weekly(600, days=tuple(ALL_DAY_TYPES[:7]), exclude_daily_overtime=True),
        )
    )
    doc = week(shift("2026-06-08", "07:00", "17:00"), shift("2026-06-09", "07:00", "17:00"))
    assert run(scheme, doc) == ok({"normal": 600, "ot_125": 360, "ot_150": 240})


def test_a_daily_overtime_minute_beyond_the_weekly_threshold_takes_the_weekly_bucket() -> None:
    scheme = plain_scheme(
        overtime=overtime(
            daily(tiers=[(None, "ot_150")]),
            weekly(600, days=tuple(ALL_DAY_TYPES[:7]), exclude_daily_overtime=False),
        )
    )
    doc = week(shift("2026-06-08", "07:00", "17:00"), shift("2026-06-09", "07:00", "17:00"))
    # Monday: 480 normal + 120 daily (count reaches 600). Tuesday: all 600 beyond the week.
    assert run(scheme, doc) == ok({"normal": 480, "ot_150": 120, "ot_125": 600})


def test_weekly_overtime_counts_per_iso_week_of_the_minutes_local_date() -> None:
    scheme = plain_scheme(overtime=overtime(weekly_rule=weekly(480, days=tuple(ALL_DAY_TYPES[:7]))))
    # Sunday 20:00 - Monday 06:00: 240 in one ISO week, 360 in the next.
    assert run(scheme, week(shift("2026-06-14", "20:00", "06:00"))) == ok({"normal": 600})
    # ... whereas within one week the same 600 minutes pass 480.
    assert run(scheme, week(shift("2026-06-09", "20:00", "06:00"))) == ok(
        {"normal": 480, "ot_125": 120}
    )


def test_weekly_overtime_counts_in_time_order_not_input_order() -> None:
    scheme = plain_scheme(overtime=overtime(weekly_rule=weekly(240)))
    doc = week(shift("2026-06-10", "08:00", "12:00"), shift("2026-06-09", "06:00", "10:00"))
    # Tuesday's shift comes first in time; Wednesday's is all overtime.
    scheme["ort"]["windows"] = [window(["wed"], "00:00", "24:00", "ort_25")]
    scheme["combine"] = {"mode": "additive"}
    assert run(scheme, doc) == ok({"normal": 240, "ot_125": 240, "ort_25": 240})


# --- Rules 6 and 7: overrides and combining -------------------------------------------------


def test_the_first_matching_rate_override_wins() -> None:
    scheme = plain_scheme(
        overtime=overtime(
            daily(sat=0, tiers=[(None, "ot_125")]),
            overrides=[
                window(["sat"], "06:00", "12:00", "ot_150"),
                window(["sat"], "00:00", "24:00", "ot_200"),
            ],
        )
    )
    result = run(scheme, week(shift("2026-06-13", "04:00", "14:00")))
    assert result == ok({"ot_200": 240, "ot_150": 360})


def test_rate_overrides_do_not_touch_normal_minutes() -> None:
    scheme = plain_scheme(
        overtime=overtime(daily(), overrides=[window(["tue"], "00:00", "24:00", "ot_200")])
    )
    result = run(scheme, week(shift("2026-06-09", "08:00", "17:00")))
    assert result == ok({"normal": 480, "ot_200": 60})


def combining(mode: str, tie: str = "overtime") -> dict[str, Any]:
    return with_ort(
        window(["tue"], "08:00", "10:00", "ort_25"),
        window(["tue"], "10:00", "12:00", "ort_50"),
        overtime=overtime(daily(tue=0, tiers=[(None, "ot_125")])),
        combine={"mode": mode, "tie": tie},
    )


DAY_08_13 = week(shift("2026-06-09", "08:00", "13:00"))


def test_highest_pays_the_larger_supplement_and_a_tie_to_overtime() -> None:
    assert run(combining("highest", "overtime"), DAY_08_13) == ok(
        {"ot_125": 180, "normal": 120, "ort_50": 120}
    )


def test_highest_with_tie_ort_pays_ort_on_equal_supplements() -> None:
    assert run(combining("highest", "ort"), DAY_08_13) == ok(
        {"normal": 240, "ort_25": 120, "ort_50": 120, "ot_125": 60}
    )


def test_additive_pays_both_overtime_and_ort() -> None:
    assert run(combining("additive"), DAY_08_13) == ok(
        {"ot_125": 300, "ort_25": 120, "ort_50": 120}
    )


def test_prefer_ort_pays_ort_wherever_there_is_some() -> None:
    assert run(combining("prefer_ort"), DAY_08_13) == ok(
        {"normal": 240, "ort_25": 120, "ort_50": 120, "ot_125": 60}
    )


def test_highest_compares_with_the_overridden_overtime_bucket() -> None:
    scheme = combining("highest")
    scheme["overtime"]["rate_overrides"] = [window(["tue"], "10:00", "11:00", "ot_200")]
    # 10:00-11:00: overtime +100 % beats ORT +50 %.
    assert run(scheme, DAY_08_13) == ok({"ot_125": 180, "ot_200": 60, "normal": 60, "ort_50": 60})


def test_a_zero_pct_ort_window_is_counted_on_normal_minutes_but_never_beats_overtime() -> None:
    scheme = with_ort(
        window(["tue"], "08:00", "12:00", "ort_0"),
        overtime=overtime(daily(tue=120, tiers=[(None, "ot_125")])),
        combine={"mode": "prefer_ort"},
    )
    scheme["buckets"]["ort_0"] = {"kind": "supplement", "pct": 0}
    result = run(scheme, week(shift("2026-06-09", "08:00", "12:00")))
    assert result == ok({"normal": 120, "ort_0": 120, "ot_125": 120})


# --- Rule 8: minimum call -------------------------------------------------------------------


def calling(**overrides: Any) -> dict[str, Any]:
    rule = {
        "enabled": True,
        "minutes": 180,
        "bucket": "call",
        "applies_if_contract_hours_below": 15,
        "applies_if_no_fixed_hours": True,
        "merge_gap_minutes": 60,
    }
    rule.update(overrides)
    return plain_scheme(minimum_call=rule)


def two_calls(gap_end: str) -> list[dict[str, Any]]:
    return [shift("2026-06-10", "09:00", "11:00"), shift("2026-06-10", gap_end, "13:00")]


def test_a_shift_within_the_merge_gap_joins_the_previous_call() -> None:
    result = run(calling(), week(*two_calls("12:00"), hours_per_week=None))
    assert result == ok({"normal": 180})


def test_a_shift_beyond_the_merge_gap_starts_a_new_call() -> None:
    result = run(calling(), week(*two_calls("12:01"), hours_per_week=None))
    assert result == ok({"normal": 179, "call": 60 + 121})


def test_touching_shifts_form_one_call_even_with_merge_gap_0() -> None:
    doc = week(
        shift("2026-06-10", "10:00", "11:00"),
        shift("2026-06-10", "09:00", "10:00"),
        hours_per_week=None,
    )
    assert run(calling(merge_gap_minutes=0), doc) == ok({"normal": 120, "call": 60})


def test_a_call_is_measured_in_worked_minutes() -> None:
    doc = week(shift("2026-06-10", "09:00", "12:00", 30), hours_per_week=None)
    assert run(calling(), doc) == ok({"normal": 150, "call": 30})


def test_a_call_with_nothing_worked_gets_no_top_up() -> None:
    doc = week(shift("2026-06-10", "09:00", "09:30", 30), hours_per_week=None)
    assert run(calling(), doc) == ok({})


@pytest.mark.parametrize(
    ("hours", "fixed_times", "no_fixed_hours_rule", "applies"),
    [
        (None, False, True, True),
        (None, True, True, True),
        (None, False, False, False),
        (12, False, True, True),
        (12, True, True, False),
        (14.99, False, False, True),
        (15, False, True, False),
        (40, False, True, False),
    ],
)
def test_the_minimum_call_applies_by_the_contract(
    hours: float | None, fixed_times: bool, no_fixed_hours_rule: bool, applies: bool
) -> None:
    scheme = calling(applies_if_no_fixed_hours=no_fixed_hours_rule)
    doc = week(shift("2026-06-10", "09:00", "10:00"), hours_per_week=hours, fixed_times=fixed_times)
    assert run(scheme, doc) == ok({"normal": 60, "call": 120} if applies else {"normal": 60})


def test_a_disabled_minimum_call_adds_nothing() -> None:
    doc = week(shift("2026-06-10", "09:00", "10:00"), hours_per_week=None)
    assert run(calling(enabled=False), doc) == ok({"normal": 60})


# --- Input and output -----------------------------------------------------------------------


def test_warnings_are_distinct_and_sorted() -> None:
    scheme = plain_scheme(breaks=breaks({"mode": "middle"}, "enforce"))
    doc = week(
        shift("2026-06-09", "08:00", "08:00"),
        shift("2026-06-10", "08:00", "08:00"),
        shift("2026-06-11", "08:00", "15:00"),
    )
    assert run(scheme, doc) == ok({"normal": 390}, "ATW_BREAK_TOPUP", "ZERO_LENGTH_SHIFT")


def test_an_empty_week_gives_empty_buckets() -> None:
    assert run(plain_scheme(), week()) == ok({})


def test_extra_keys_in_a_shift_are_ignored() -> None:
    entry = {**shift("2026-06-09", "08:00", "09:00"), "id": "abc", "note": None}
    assert run(plain_scheme(), week(entry)) == ok({"normal": 60})


def bad(**changes: Any) -> dict[str, Any]:
    entry = shift("2026-06-09", "08:00", "12:00")
    entry.update(changes)
    return week(entry)


@pytest.mark.parametrize(
    "doc",
    [
        None,
        [],
        {},
        {"worker": {"contract": {"hours_per_week": 40, "fixed_times": True}}},
        {"shifts": [], "worker": {}},
        {"shifts": [], "worker": {"contract": {"fixed_times": True}}},
        week(hours_per_week="40"),
        week(hours_per_week=True),
        week(hours_per_week=-1),
        week(hours_per_week=float("nan")),
        week(fixed_times=None),
        {**week(), "shifts": {}},
        {**week(), "shifts": ["2026-06-09 08:00-12:00"]},
        bad(break_minutes=-1),
        bad(break_minutes=30.0),
        bad(break_minutes=True),
        bad(break_minutes=None),
        bad(start="8:00"),
        bad(start="08:60"),
        bad(start="24:01"),
        bad(start="25:00"),
        bad(end="12:00:00"),
        bad(end=" 12:00"),
        bad(end="١٢:٠٠"),
        bad(end=1200),
        bad(date="2026-02-30"),
        bad(date="20260609"),
        bad(date="2026-W24-2"),
        bad(date="1979-12-31"),
        bad(date="3000-01-01"),
        bad(date=None),
        {**week(), "shifts": [{"date": "2026-06-09", "start": "08:00", "end": "12:00"}]},
    ],
)
def test_malformed_input_is_bad_input(doc: Any) -> None:
    assert run(plain_scheme(), doc) == error("BAD_INPUT")


# --- Scheme A/B/C spot checks beyond the examples -------------------------------------------


def test_scheme_a_saturday_is_all_overtime_and_ort_35_wins_over_overtime_25() -> None:
    # Saturday 07:00-13:00 with no break: the ATW tops it up to 30 minutes at 12:00, so 330
    # worked, all overtime (threshold 0). The first 180 (tier 125, +25 %) lose to ORT +35 %;
    # the other 150 (tier 150, +50 %) beat it.
    result = run(example_scheme("A"), week(shift("2026-06-13", "07:00", "13:00")))
    assert result == ok({"normal_100": 180, "ort_35": 180, "ot_150": 150}, "ATW_BREAK_TOPUP")


def test_scheme_a_sunday_overtime_is_overridden_to_200() -> None:
    result = run(example_scheme("A"), week(shift("2026-06-14", "08:00", "12:00")))
    assert result == ok({"ot_200": 240})
