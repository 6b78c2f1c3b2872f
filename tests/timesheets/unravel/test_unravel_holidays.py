"""The Dutch holidays of FORMAT.md, checked against the `holidays` package and the oracle's
independent Easter algorithm."""

from __future__ import annotations

from datetime import date

import holidays
import pytest
from oracle import gauss_easter

from timesheets.unravel.holidays_nl import HOLIDAY_NAMES, dutch_holidays, easter_sunday

# The `holidays` package's English names for the holidays FORMAT.md names.
PACKAGE_NAMES = {
    "New Year's Day": "nieuwjaarsdag",
    "Good Friday": "goede_vrijdag",
    "Easter Sunday": "eerste_paasdag",
    "Easter Monday": "tweede_paasdag",
    "Ascension Day": "hemelvaartsdag",
    "Pentecost": "eerste_pinksterdag",
    "Whit Sunday": "eerste_pinksterdag",
    "Pentecost Monday": "tweede_pinksterdag",
    "Whit Monday": "tweede_pinksterdag",
    "Christmas Day": "eerste_kerstdag",
    "Second Day of Christmas": "tweede_kerstdag",
}


def test_easter_agrees_with_gauss_for_a_thousand_years() -> None:
    for year in range(1980, 3000):
        assert easter_sunday(year) == gauss_easter(year), year


@pytest.mark.parametrize("year", range(2014, 2036))
def test_the_fixed_and_easter_based_holidays_agree_with_the_holidays_package(year: int) -> None:
    ours = dutch_holidays(year, frozenset(HOLIDAY_NAMES), "never")
    theirs: dict[date, str] = {}
    for day, name in holidays.NL(years=year, language="en_US").items():
        for part in name.split("; "):
            if part in PACKAGE_NAMES:
                theirs[day] = PACKAGE_NAMES[part]
    without_koningsdag = {d: n for d, n in ours.items() if n != ("koningsdag",)}
    assert {d: n[0] for d, n in without_koningsdag.items()} == theirs


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2025, date(2025, 4, 26)),
        (2026, date(2026, 4, 27)),
        (2014, date(2014, 4, 26)),
        (2010, date(2010, 4, 27)),
    ],
)
def test_koningsdag_is_27_april_or_the_26th_when_that_is_a_sunday(
    year: int, expected: date
) -> None:
    found = [d for d, n in dutch_holidays(year, frozenset({"koningsdag"}), "never").items()]
    assert found == [expected]


def test_bevrijdingsdag_needs_both_the_name_and_a_year_its_mode_allows() -> None:
    names = frozenset({"bevrijdingsdag"})
    assert dutch_holidays(2025, names, "lustrum") == {date(2025, 5, 5): ("bevrijdingsdag",)}
    assert dutch_holidays(2026, names, "lustrum") == {}
    assert dutch_holidays(2026, names, "yearly") == {date(2026, 5, 5): ("bevrijdingsdag",)}
    assert dutch_holidays(2025, names, "never") == {}
    assert dutch_holidays(2025, frozenset(), "yearly") == {}


def test_two_holidays_on_one_date_keep_both_names() -> None:
    # In 2016 Easter was 27 March, so hemelvaartsdag fell on 5 May, bevrijdingsdag.
    assert dutch_holidays(2016, frozenset(HOLIDAY_NAMES), "yearly")[date(2016, 5, 5)] == (
        "bevrijdingsdag",
        "hemelvaartsdag",
    )
    found = {
        year: names
        for year in range(1980, 3000)
        for names in dutch_holidays(year, frozenset(HOLIDAY_NAMES), "yearly").values()
        if len(names) > 1
    }
    assert found
    assert all(set(n) <= set(HOLIDAY_NAMES) for n in found.values())
