"""Amounts of money as each language writes them: the one way to show euros.

"€ 0,23" in Dutch, "0,23 €" in German, Polish, Romanian, Hungarian, Portuguese and Bulgarian,
"€0.23" in English; thousands grouped the locale's way. The patterns are CLDR's, through Babel.
Templates use the ``money`` filter (a built-in, no {% load %}), Python code ``money()``.
"""

from decimal import Decimal

from babel.numbers import format_currency
from django import template
from django.conf import settings
from django.utils import translation

# Django's language codes mapped to the CLDR locale whose conventions the portal follows;
# Django's "pt" is European Portuguese.
CLDR_LOCALES = {"nl": "nl_NL", "en": "en_GB", "pt": "pt_PT"}
CURRENCY = "EUR"


def money(amount: Decimal | int | float | str | None, *, language: str | None = None) -> str:
    """``amount`` euros in ``language`` (default: the active one); "" for no amount."""
    if amount is None or amount == "":
        return ""
    language = (language or translation.get_language() or settings.LANGUAGE_CODE).split("-")[0]
    locale = CLDR_LOCALES.get(language, language)
    return format_currency(Decimal(str(amount)), CURRENCY, locale=locale)


register = template.Library()


@register.filter(name="money")
def money_filter(amount: Decimal | int | float | str | None) -> str:
    """``{{ expense.amount|money }}`` → "€ 12,50" (nl), "12,50 €" (de)."""
    return money(amount)
