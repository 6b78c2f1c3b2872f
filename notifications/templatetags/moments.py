"""Dates and times in mails and text messages, written the way each language writes them.

Django's one DATE_FORMAT per language does not fit "before Monday 16 November 12:00": German
wants "Montag, 16. November, 12:00 Uhr", Polish the genitive month ("16 listopada"), and day
and month names are lower case inside a sentence except in English and German. The value is
shown in the current time zone (mails render in the agency's).
"""

import datetime as dt

from django import template
from django.utils import timezone, translation
from django.utils.dateformat import format as date_format

register = template.Library()

# A day, date and time: deadlines and "on <moment> your bank account was changed".
LONG = {
    "en": "l j F H:i",
    "nl": "l j F H:i",
    "de": r"l, j. F, H:i \U\h\r",
    "pl": "l, j E, H:i",
    "ro": r"l, j F, \o\r\a H:i",
    "pt": r"l, j \d\e F, \à\s H:i",
    "hu": "F j. (l) H:i",
    "bg": "l, j F, H:i",  # no "ч.": a sentence's own full stop often follows
}
# A day and time, for a subject line within the week: "before Tuesday 14:00".
WEEKDAY_TIME = {
    "en": "l H:i",
    "nl": "l H:i",
    "de": r"l, H:i \U\h\r",
    "pl": "l, H:i",
    "ro": r"l, \o\r\a H:i",
    "pt": r"l, \à\s H:i",
    "hu": "l H:i",
    "bg": "l, H:i",
}
# Digits only, for text messages: short, and no ambiguous abbreviation.
SHORT = {
    "en": "d/m H:i",
    "nl": "d-m H:i",
    "de": "d.m. H:i",
    "pl": "d.m H:i",
    "ro": "d.m H:i",
    "pt": "d/m H:i",
    "hu": "m.d. H:i",
    "bg": "d.m H:i",
}
CAPITALISED = {"en", "de"}


def _format(value, formats: dict[str, str]) -> str:
    if not value:
        return ""
    if not isinstance(value, dt.datetime):  # a date has no time to show
        return date_format(value, "DATE_FORMAT")
    if timezone.is_aware(value):
        value = timezone.localtime(value)
    language = (translation.get_language() or "en").split("-")[0]
    text = date_format(value, formats.get(language, formats["en"]))
    return text if language in CAPITALISED else text.lower()


@register.filter
def moment(value) -> str:
    """“Monday 16 November 12:00”, “poniedziałek, 16 listopada, 12:00”."""
    return _format(value, LONG)


@register.filter
def weekday_time(value) -> str:
    """“Tuesday 14:00”, “Dienstag, 14:00 Uhr”."""
    return _format(value, WEEKDAY_TIME)


@register.filter
def moment_short(value) -> str:
    """“16-11 12:00”: for text messages."""
    return _format(value, SHORT)
