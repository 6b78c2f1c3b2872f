# The portal's own date formats (flexportal/formats/__init__.py says why), in this language's
# order and abbreviations. Every language defines every one: tests/test_formats.py checks.
DAY_MONTH_FORMAT = r"N j."
DAY_MONTH_YEAR_FORMAT = r"Y. N j."
WEEKDAY_DAY_MONTH_FORMAT = r"F j., l"
SHORT_WEEKDAY_DAY_MONTH_FORMAT = r"N j., D"
DAY_MONTH_TIME_FORMAT = r"N j. H:i"
