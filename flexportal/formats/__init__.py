"""Date formats per language (FORMAT_MODULE_PATH), on top of Django's own.

Besides Django's standard names (DATE_FORMAT ...), each language defines the portal's own:

- DAY_MONTH_FORMAT: "23 nov", "23. Nov", "nov. 23."; lists and week ranges
- DAY_MONTH_YEAR_FORMAT: "29 nov 2026", "2026. nov. 29."
- WEEKDAY_DAY_MONTH_FORMAT: "maandag 23 november", "november 23., hétfő"; a day's heading
- SHORT_WEEKDAY_DAY_MONTH_FORMAT: "ma 23 nov"; a history line
- DAY_MONTH_TIME_FORMAT: "23 nov 14:05"; when something happened

Templates use the name, never a pattern: ``{{ day|date:"DAY_MONTH_FORMAT" }}``, Python code
``django.utils.formats.date_format(day, "DAY_MONTH_FORMAT")``. A pattern like "j M" writes
English-looking abbreviations ("23 Nov", "3 Dec") and the English order in every language.
"""
