"""Validators for names and Dutch contact and identity data (mobile numbers, IBAN, BSN), shared by
every app."""

import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy
from stdnum import iban as stdnum_iban
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.nl import bsn as stdnum_bsn

# Unicode categories that have no place in a name: control characters (line breaks, tabs, DEL),
# format characters (zero-width spaces and joiners, right-to-left overrides, soft hyphens),
# line and paragraph separators, surrogates, private-use and unassigned code points.
HIDDEN_CATEGORIES = {"Cc", "Cf", "Zl", "Zp", "Cs", "Co", "Cn"}


def validate_name(value: str) -> None:
    """A name (of a person, an agency, a client, a department...) is one line of visible text.

    Names go into mail headers (a line break there stops every mail), other people's screens and
    PDFs (a right-to-left override turns "Jansen" around, a zero-width space makes a look-alike
    of another name), so control and invisible format characters are refused, not stripped.
    """
    hidden = next((c for c in value or "" if unicodedata.category(c) in HIDDEN_CATEGORIES), None)
    if hidden is not None:
        raise ValidationError(
            gettext_lazy(
                "Use visible characters only: this contains a line break, tab or invisible "
                "character (%(code)s). Type it again without it."
            ),
            code="hidden_character",
            params={"code": f"U+{ord(hidden):04X}"},
        )


def normalise_mobile_number(value: str, region: str = "NL") -> str:
    """Parse 06... and international numbers; return E.164 (+31612345678) or raise.

    An extension ("ext 99", "x12") is refused rather than dropped: text messages reach the
    number itself, and silently losing part of what was typed is worse than asking."""
    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        raise ValidationError(
            gettext_lazy("Enter a phone number like 06 12345678 or +48 600 123 456."),
            code="invalid_phone",
        ) from None
    if number.extension:
        raise ValidationError(
            gettext_lazy(
                "Leave out the extension (%(extension)s): codes and reminders go by text "
                "message to a mobile number, which has none."
            ),
            code="phone_extension",
            params={"extension": number.extension},
        )
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(
            gettext_lazy("This phone number does not exist; check the digits."),
            code="invalid_phone",
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_mobile_number(value: str) -> None:
    if value:
        normalise_mobile_number(value)


def normalise_iban(value: str) -> str:
    try:
        return stdnum_iban.validate(value)
    except StdnumError:
        raise ValidationError(
            gettext_lazy("This is not a valid IBAN; check the letters and digits."),
            code="invalid_iban",
        ) from None


def validate_iban(value: str) -> None:
    if value:
        normalise_iban(value)


def validate_bsn(value: str) -> None:
    if value and not stdnum_bsn.is_valid(value):
        raise ValidationError(
            gettext_lazy("This is not a valid BSN (it fails the eleven test)."), code="invalid_bsn"
        )


def mask_mobile_number(number: str) -> str:
    """+31612345678 -> +316•••••678: enough to recognise, not enough to read off."""
    if len(number) < 8:
        return number
    return number[:4] + "•" * (len(number) - 7) + number[-3:]
