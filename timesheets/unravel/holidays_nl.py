"""The Dutch public holidays a `cao-ontrafel/1` scheme can name (FORMAT.md, "holidays.include").

Computed here rather than taken from the `holidays` package because the format fixes its own
rules, which differ from the law of some years: `koningsdag` is always 27 April (26 April when
the 27th is a Sunday), also before 2014, and `bevrijdingsdag` follows the scheme's own
`lustrum` / `yearly` / `never` setting.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache

HOLIDAY_NAMES: tuple[str, ...] = (
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
)

BEVRIJDINGSDAG_MODES: tuple[str, ...] = ("lustrum", "yearly", "never")

#: Name given to a scheme's `holidays.extra_dates` in explanations.
EXTRA_DATE = "extra_date"


def easter_sunday(year: int) -> date:
    """Easter Sunday by the Gregorian computus (the anonymous algorithm of Meeus/Jones/Butcher)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month, day = divmod(h + el - 7 * m + 114, 31)
    return date(year, month, day + 1)


@lru_cache(maxsize=4096)
def _all_holidays(year: int) -> tuple[tuple[str, date | None], ...]:
    """Every named holiday of `year`; bevrijdingsdag is given unconditionally (its mode is
    applied by `dutch_holidays`)."""
    easter = easter_sunday(year)
    koningsdag = date(year, 4, 27)
    if koningsdag.weekday() == 6:  # the 27th is a Sunday: celebrated on Saturday the 26th
        koningsdag = date(year, 4, 26)
    return (
        ("nieuwjaarsdag", date(year, 1, 1)),
        ("goede_vrijdag", easter - timedelta(days=2)),
        ("eerste_paasdag", easter),
        ("tweede_paasdag", easter + timedelta(days=1)),
        ("koningsdag", koningsdag),
        ("bevrijdingsdag", date(year, 5, 5)),
        ("hemelvaartsdag", easter + timedelta(days=39)),
        ("eerste_pinksterdag", easter + timedelta(days=49)),
        ("tweede_pinksterdag", easter + timedelta(days=50)),
        ("eerste_kerstdag", date(year, 12, 25)),
        ("tweede_kerstdag", date(year, 12, 26)),
    )


def dutch_holidays(
    year: int, include: frozenset[str] | set[str], bevrijdingsdag: str
) -> dict[date, tuple[str, ...]]:
    """The holidays of `year` that a scheme includes, as date -> names (two names can fall on
    one date, e.g. koningsdag and tweede_paasdag in some years).

    `bevrijdingsdag` counts only when it is in `include` and its mode allows the year:
    `lustrum` = years divisible by 5, `yearly` = every year, `never` = not at all.
    """
    out: dict[date, tuple[str, ...]] = {}
    for name, day in _all_holidays(year):
        if name not in include or day is None:
            continue
        if name == "bevrijdingsdag" and not (
            bevrijdingsdag == "yearly" or (bevrijdingsdag == "lustrum" and year % 5 == 0)
        ):
            continue
        out[day] = (*out.get(day, ()), name)
    return out
