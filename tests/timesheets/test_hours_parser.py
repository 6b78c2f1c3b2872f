"""The hours parser: what people type, to exact minutes, or a clear error code."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timesheets.hours import HoursError, format_minutes, parse_clock, parse_duration, shift_minutes


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("7:30", 450),
        ("7.30", 450),
        ("7,30", 450),
        ("7u30", 450),
        (" 7:15 ", 435),
        ("0.15", 15),
        ("0.30", 30),
        ("0.45", 45),
        ("6.15", 375),
        ("3.45", 225),
        ("8", 480),
        ("24:00", 1440),
        ("0", 0),
        ("7:30 uur", 450),
    ],
)
def test_the_manuals_notations_give_exact_minutes(typed, minutes):
    assert parse_duration(typed) == minutes


def test_an_empty_field_is_no_value():
    assert parse_duration("") is None
    assert parse_duration("   ") is None
    assert parse_duration(None) is None


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("7.75", "minutes_too_large"),
        ("7:60", "minutes_too_large"),
        ("7.5", "one_digit_minutes"),
        ("-1", "negative"),
        ("-0:30", "negative"),
        ("abc", "invalid"),
        ("7:30:00", "invalid"),
        ("25", "too_long"),
        ("24:01", "too_long"),
        ("1e3", "invalid"),
    ],
)
def test_wrong_input_gets_an_error_code(typed, code):
    with pytest.raises(HoursError) as raised:
        parse_duration(typed)
    assert raised.value.code == code


@pytest.mark.parametrize(
    ("typed", "minute"), [("07:00", 420), ("7.00", 420), ("0700", 420), ("23:59", 1439), ("0", 0)]
)
def test_times_of_day_are_read(typed, minute):
    assert parse_clock(typed) == minute


def test_24_00_is_only_an_end_time():
    assert parse_clock("24:00", allow_24=True) == 1440
    with pytest.raises(HoursError):
        parse_clock("24:00")


def test_a_night_shift_ends_the_next_day():
    assert shift_minutes(22 * 60, 6 * 60) == 480
    assert shift_minutes(7 * 60, 15 * 60 + 30) == 510


def test_minutes_are_written_as_the_manuals_do():
    assert format_minutes(450) == "7:30"
    assert format_minutes(15) == "0:15"


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.text(max_size=12), st.none(), st.integers(), st.floats()))
def test_random_strings_give_minutes_or_a_clear_error_never_an_exception(value):
    for parse in (parse_duration, parse_clock):
        try:
            result = parse(value)
        except HoursError as error:
            assert error.code
        else:
            assert result is None or (isinstance(result, int) and 0 <= result <= 1440)


@settings(max_examples=1000, deadline=None)
@given(st.integers(0, 24), st.integers(0, 59))
def test_every_valid_duration_round_trips(hours, minutes):
    if hours * 60 + minutes > 1440:
        return
    assert parse_duration(f"{hours}:{minutes:02d}") == hours * 60 + minutes
    assert parse_duration(format_minutes(hours * 60 + minutes)) == hours * 60 + minutes
