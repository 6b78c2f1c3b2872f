"""Text-message reminders fit the fewest parts a language allows: one part (160 GSM-7
characters), in Dutch, English and German always, at most two (134 UCS-2 characters) where the
alphabet needs UCS-2, with a long agency name and a real address; no HTML entities."""

import datetime as dt
import zoneinfo

import pytest
from django.conf import settings
from django.template.loader import render_to_string
from django.utils import timezone, translation

GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡"
    "ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
AMSTERDAM = zoneinfo.ZoneInfo("Europe/Amsterdam")
LANGUAGES = [code for code, _name in settings.LANGUAGES]


class _Agency:
    name = "Van der Heijden & Zn. Uitzend"  # 29 characters, with an ampersand

    def base_url(self) -> str:
        return "https://vanderheijden.flexportal.nl"


def _render(kind: str, language: str) -> str:
    context = {
        "agency": _Agency(),
        "week": dt.date(2026, 11, 16),
        "deadline": dt.datetime(2026, 11, 24, 14, 0, tzinfo=AMSTERDAM),
        "waiting_count": 12,
        "link": "https://vanderheijden.flexportal.nl/client/",  # the client's deep link
    }
    with translation.override(language), timezone.override(AMSTERDAM):
        text = render_to_string(f"notifications/{kind}.sms.txt", context)
    return " ".join(text.split())


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("kind", ["worker_reminder", "client_reminder"])
def test_a_reminder_by_text_message_is_short(kind, language):
    text = _render(kind, language)
    assert "&amp;" not in text and "Van der Heijden & Zn. Uitzend" in text
    # The role's own dashboard (someone with two roles must not land on the other one).
    role = "worker" if kind == "worker_reminder" else "client"
    assert text.endswith(f"https://vanderheijden.flexportal.nl/{role}/")
    if language in ("nl", "en", "de"):
        assert set(text) <= GSM7, set(text) - GSM7
    # One part of 160 GSM-7 characters, or two parts of 67 UCS-2 characters.
    assert len(text) <= (160 if set(text) <= GSM7 else 134), f"{len(text)}: {text}"


def test_the_deadline_in_a_text_message_is_digits_in_the_agencys_time():
    assert "24-11 14:00" in _render("worker_reminder", "nl")
    assert "11.24. 14:00" in _render("worker_reminder", "hu")
