"""Deadlines in mails read as each language writes them, in the agency's time zone, with day
and month names in lower case inside a sentence (except in English and German)."""

import datetime as dt
import zoneinfo

import pytest
from django.utils import timezone, translation

from notifications.templatetags.moments import moment, moment_short, weekday_time

AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
# Monday 16 November 2026, 12:00 in Amsterdam, stored in UTC.
DEADLINE = dt.datetime(2026, 11, 16, 11, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Monday 16 November 12:00"),
        ("nl", "maandag 16 november 12:00"),
        ("de", "Montag, 16. November, 12:00 Uhr"),
        ("pl", "poniedziałek, 16 listopada, 12:00"),
        ("ro", "luni, 16 noiembrie, ora 12:00"),
        ("pt", "segunda-feira, 16 de novembro, às 12:00"),
        ("hu", "november 16. (hétfő) 12:00"),
        ("bg", "понеделник, 16 ноември, 12:00"),
    ],
)
def test_a_deadline_reads_naturally_in_each_language(language, expected):
    with translation.override(language), timezone.override(AMSTERDAM):
        assert moment(DEADLINE) == expected


def test_the_subject_and_the_text_message_have_shorter_forms():
    with translation.override("nl"), timezone.override(AMSTERDAM):
        assert weekday_time(DEADLINE) == "maandag 12:00"
        assert moment_short(DEADLINE) == "16-11 12:00"
    with translation.override("de"), timezone.override(AMSTERDAM):
        assert weekday_time(DEADLINE) == "Montag, 12:00 Uhr"


def test_the_weekday_choices_of_the_settings_do_not_change_the_day_names_in_dates():
    from django.utils.formats import date_format

    from agencies.models import Weekday

    with translation.override("nl"):
        assert str(Weekday.MONDAY.label) == "Maandag"  # a choice in a list: capitalised
        assert date_format(dt.date(2026, 11, 16), "l j F") == "maandag 16 november"


def test_bulgarian_dates_with_a_time_are_written_the_bulgarian_way():
    from django.utils.formats import date_format

    with translation.override("bg"), timezone.override(AMSTERDAM):
        moment_local = timezone.localtime(DEADLINE)
        assert date_format(moment_local, "DATETIME_FORMAT") == "16.11.2026, 12:00 ч."


class _Person:
    def get_short_name(self) -> str:
        return "Ana"


class _Agency:
    name = "Alpha Uitzendbureau"


@pytest.mark.parametrize("kind", ["iban_changed", "two_factor_reset"])
@pytest.mark.parametrize("language", ["nl", "en", "de", "pl", "ro", "bg", "hu", "pt"])
def test_a_sentence_with_a_moment_in_it_still_starts_with_a_capital(kind, language):
    from django.template.loader import render_to_string

    context = {
        "agency": _Agency(),
        "user": _Person(),
        "iban_masked": "NL20 **** 4567",
        "changed_at": DEADLINE,
        "link": "https://alpha.flexportal.nl/accounts/login/",
    }
    with translation.override(language), timezone.override(AMSTERDAM):
        text = render_to_string(f"notifications/{kind}.txt", context)
    for line in filter(None, (line.strip() for line in text.splitlines())):
        first = line[0]
        assert not first.isalpha() or first.isupper() or line.startswith("http"), line
