# The portal's own date formats (flexportal/formats/__init__.py says why), in this language's
# order and abbreviations. Every language defines every one: tests/test_formats.py checks.
DAY_MONTH_FORMAT = r"j. M"
DAY_MONTH_YEAR_FORMAT = r"j. M Y"
WEEKDAY_DAY_MONTH_FORMAT = r"l, j. F"
SHORT_WEEKDAY_DAY_MONTH_FORMAT = r"D, j. M"
DAY_MONTH_TIME_FORMAT = r"j. M, H:i"
