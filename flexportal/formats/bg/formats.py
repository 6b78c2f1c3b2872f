# Django's Bulgarian formats leave the date-and-time formats unset, which falls back to the
# American "Nov. 20, 2026, 3:05 p.m."; Bulgarian writes "20.11.2026, 15:05 ч.".
DATETIME_FORMAT = r"d.m.Y, H:i \ч."
SHORT_DATETIME_FORMAT = "d.m.Y H:i"

# The portal's own date formats (flexportal/formats/__init__.py says why), in this language's
# order and abbreviations. Every language defines every one: tests/test_formats.py checks.
DAY_MONTH_FORMAT = r"j b"
DAY_MONTH_YEAR_FORMAT = r"j b Y"
WEEKDAY_DAY_MONTH_FORMAT = r"l, j F"
SHORT_WEEKDAY_DAY_MONTH_FORMAT = r"D, j b"
DAY_MONTH_TIME_FORMAT = r"j b, H:i"
