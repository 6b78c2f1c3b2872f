"""Dates and amounts in each language's own way: month names and their order through the
localized formats of flexportal/formats, euros through one locale-aware helper (``money``)."""

import datetime as dt
import importlib
import re
from decimal import Decimal
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation

from flexportal.formatting import money

ROOT = Path(__file__).resolve().parents[1]
PORTAL_FORMATS = [
    "DAY_MONTH_FORMAT",
    "DAY_MONTH_YEAR_FORMAT",
    "WEEKDAY_DAY_MONTH_FORMAT",
    "SHORT_WEEKDAY_DAY_MONTH_FORMAT",
    "DAY_MONTH_TIME_FORMAT",
]
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def _render(source: str, language: str, **context) -> str:
    with translation.override(language):
        return Template(source).render(Context(context))


def test_every_language_defines_every_portal_format():
    # A missing name would be taken as a pattern and print letters of the name itself.
    for language in LANGUAGES:
        module = importlib.import_module(f"flexportal.formats.{language}.formats")
        for name in PORTAL_FORMATS:
            assert getattr(module, name, None), f"{language}: {name}"


MONDAY = dt.date(2026, 11, 23)
SUNDAY = dt.date(2026, 11, 29)
THURSDAY = dt.date(2026, 12, 3)


@pytest.mark.parametrize(
    ("language", "week", "day"),
    [
        ("nl", "23 nov – 29 nov 2026", "3 dec"),
        ("en", "23 Nov – 29 Nov 2026", "3 Dec"),
        ("de", "23. Nov – 29. Nov 2026", "3. Dez"),
        ("pl", "23 lis – 29 lis 2026", "3 gru"),
        ("ro", "23 noi – 29 noi 2026", "3 dec"),
        ("bg", "23 ноем – 29 ноем 2026", "3 дек"),
        ("hu", "nov. 23. – 2026. nov. 29.", "dec. 3."),
        ("pt", "23 nov – 29 nov 2026", "3 dez"),
    ],
)
def test_a_week_and_a_day_are_written_the_languages_way(language, week, day):
    source = '{{ a|date:"DAY_MONTH_FORMAT" }} – {{ b|date:"DAY_MONTH_YEAR_FORMAT" }}'
    assert _render(source, language, a=MONDAY, b=SUNDAY) == week
    assert _render('{{ d|date:"DAY_MONTH_FORMAT" }}', language, d=THURSDAY) == day


@pytest.mark.parametrize(
    ("language", "heading"),
    [
        ("nl", "maandag 23 november"),
        ("en", "Monday 23 November"),
        ("de", "Montag, 23. November"),
        ("pl", "Poniedziałek, 23 listopada"),
        ("hu", "november 23., hétfő"),
        ("pt", "Segunda-feira, 23 de Novembro"),
    ],
)
def test_a_days_heading_is_written_the_languages_way(language, heading):
    assert _render('{{ d|date:"WEEKDAY_DAY_MONTH_FORMAT" }}', language, d=MONDAY) == heading


def test_no_template_writes_a_month_with_a_fixed_pattern():
    """Patterns with month letters (M, b, E, F, N) ignore the language's order and names."""
    offenders = []
    for path in (ROOT / "templates").rglob("*.*"):
        for pattern in re.findall(r'\|date:"([^"]*)"', path.read_text()):
            if not pattern.endswith("_FORMAT") and re.search(r"[MbEFN]", pattern):
                offenders.append(f"{path.relative_to(ROOT)}: {pattern}")
    assert offenders == []


NBSP = "\xa0"


@pytest.mark.parametrize(
    ("language", "rate", "total"),
    [
        ("nl", f"€{NBSP}0,23", f"€{NBSP}1.234,50"),
        ("en", "€0.23", "€1,234.50"),
        ("de", f"0,23{NBSP}€", f"1.234,50{NBSP}€"),
        ("pl", f"0,23{NBSP}€", f"1{NBSP}234,50{NBSP}€"),
        ("ro", f"0,23{NBSP}EUR", f"1.234,50{NBSP}EUR"),
        ("bg", f"0,23{NBSP}€", f"1{NBSP}234,50{NBSP}€"),
        ("hu", f"0,23{NBSP}EUR", f"1{NBSP}234,50{NBSP}EUR"),
        ("pt", f"0,23{NBSP}€", f"1{NBSP}234,50{NBSP}€"),
    ],
)
def test_amounts_are_written_the_languages_way(language, rate, total):
    assert money(Decimal("0.23"), language=language) == rate
    with translation.override(language):
        assert money(Decimal("1234.5")) == total
        assert _render("{{ x|money }}", language, x=Decimal("1234.50")) == total


def test_no_amount_is_written_as_nothing():
    assert money(None) == ""
    assert _render("{{ x|money }}", "nl", x=None) == ""


def test_no_template_or_form_writes_a_euro_sign_by_hand():
    offenders = [
        str(path.relative_to(ROOT))
        for folder in ("templates", "timesheets", "accounts", "agencies", "staffing")
        for path in (ROOT / folder).rglob("*")
        if path.suffix in {".html", ".txt", ".py"}
        and "€" in path.read_text()
        and path.name != "forms.py"  # MoneyField strips a typed "€"
    ]
    assert offenders == []
    forms = (ROOT / "timesheets" / "forms.py").read_text()
    assert forms.count("€") == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "amount", "rate", "day"),
    [
        ("nl", f"€{NBSP}50,00", f"€{NBSP}0,23 per km", "maandag"),
        ("de", f"50,00{NBSP}€", f"0,23{NBSP}€ pro km", "Montag"),
        ("hu", f"50,00{NBSP}EUR", f"0,23{NBSP}EUR/km", "hétfő"),
    ],
)
def test_the_werkbrief_page_writes_amounts_in_the_persons_language(
    tenant_a, language, amount, rate, day
):
    from timesheets import services
    from timesheets.deadlines import week_start_of
    from timesheets.models import Expense, ExpenseType

    user = tenant_a.worker.membership.user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    week = week_start_of(dt.date.today()) - dt.timedelta(days=7)
    with tenant_a.scope():
        werkbrief = services.werkbrief_ensure(placement=tenant_a.placement, week_start=week)
        parking = ExpenseType.objects.create(
            agency=tenant_a.agency, name="Parkeren", requires_receipt=False
        )
        ExpenseType.objects.create(
            agency=tenant_a.agency,
            name="Reiskosten",
            kind=ExpenseType.Kind.KILOMETRES,
            rate=Decimal("0.23"),
            requires_receipt=False,
        )
        Expense.objects.create(
            agency=tenant_a.agency,
            werkbrief=werkbrief,
            expense_type=parking,
            date=week,
            amount=Decimal("50.00"),
        )
    html = tenant_a.http(tenant_a.worker.membership).get(f"/worker/werkbrief/{werkbrief.pk}/")
    html = html.content.decode()
    assert amount in html
    assert rate in html
    assert day in html
    assert "€ 50.00" not in html and "€ 0.23" not in html
