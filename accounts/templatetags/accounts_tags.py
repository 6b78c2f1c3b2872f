"""Template helpers of accounts: the password policy in words (for allauth's pages too),
masked phone numbers, IBANs in groups and short browser names."""

from django import template
from django.utils.translation import gettext as _

from accounts.selectors import password_rules
from flexportal.validators import mask_mobile_number

register = template.Library()


@register.simple_tag(takes_context=True)
def agency_password_rules(context) -> list[str]:
    request = context.get("request")
    return password_rules(agency=getattr(request, "agency", None))


@register.filter
def masked_number(number: str) -> str:
    return mask_mobile_number(number or "")


@register.filter
def iban_format(iban: str) -> str:
    """NL91ABNA0417164300 -> NL91 ABNA 0417 1643 00, as banks print it."""
    iban = (iban or "").replace(" ", "")
    return " ".join(iban[i : i + 4] for i in range(0, len(iban), 4))


_BROWSERS = [
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chromium"),
    ("Safari/", "Safari"),
]
_SYSTEMS = [
    ("Android", "Android"),
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
]


@register.filter
def browser_label(user_agent: str) -> str:
    """A short name for a browser: "Chrome on Android"; the raw string when unknown."""
    user_agent = user_agent or ""
    browser = next((name for marker, name in _BROWSERS if marker in user_agent), "")
    system = next((name for marker, name in _SYSTEMS if marker in user_agent), "")
    if browser and system:
        return _("%(browser)s on %(system)s") % {"browser": browser, "system": system}
    return browser or system or user_agent[:60] or _("Unknown browser")
