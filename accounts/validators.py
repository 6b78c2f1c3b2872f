"""Validators for Dutch identity and contact data, and the agency's password policy."""

import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
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


class AgencyPasswordPolicyValidator:
    """Minimum length, and letter, digit and special character where the agency asks them.

    OWASP ASVS 5.0 (6.2.5) advises against composition rules: they push people to
    "Password123!". So a new agency asks none (the minimum length and the refusal of common
    and guessable passwords carry the weight); the back office may still switch them on.

    The agency comes from the user's context: Django passes the user; the active request's agency
    is put on the user as ``_policy_agency`` by the forms that set passwords. Without one the
    defaults of a new agency apply.
    """

    DEFAULTS = {"min_length": 10, "letter": False, "digit": False, "special": False}

    def _policy(self, user) -> dict:
        agency = getattr(user, "_policy_agency", None)
        if agency is None:
            return dict(self.DEFAULTS)
        return {
            "min_length": agency.password_min_length,
            "letter": agency.password_require_letter,
            "digit": agency.password_require_digit,
            "special": agency.password_require_special,
        }

    def validate(self, password: str, user=None) -> None:
        policy = self._policy(user)
        errors = []
        if len(password) < policy["min_length"]:
            errors.append(
                ValidationError(
                    _("Use at least %(n)d characters.") % {"n": policy["min_length"]},
                    code="password_too_short",
                )
            )
        if policy["letter"] and not any(c.isalpha() for c in password):
            errors.append(ValidationError(_("Use at least one letter."), code="password_no_letter"))
        if policy["digit"] and not any(c.isdigit() for c in password):
            errors.append(ValidationError(_("Use at least one digit."), code="password_no_digit"))
        if policy["special"] and all(c.isalnum() for c in password):
            errors.append(
                ValidationError(
                    _("Use at least one special character, such as ! ? # or -."),
                    code="password_no_special",
                )
            )
        if errors:
            raise ValidationError(errors)

    def get_help_text(self) -> str:
        return _("Use at least %(n)d characters.") % {"n": self.DEFAULTS["min_length"]}


class GuessablePasswordValidator:
    """Refuses the passwords attackers try first, with zxcvbn (Dropbox's estimator, offline):
    the 30,000 most common passwords of public breaches, English words, names and keyboard
    patterns, also with the usual dressing (a capital, l33t, a year or "123!" added), and the
    person's own name, e-mail address and agency. ``Password123!`` meets every composition rule
    and is among the first guesses; "lamp paraplu fiets" has no digit and is not.

    A password passes at ``MIN_GUESSES_LOG10`` (10^8 guesses, zxcvbn's score 3: safe against
    online guessing and slows an offline attack on the hashes). Nothing leaves the server:
    zxcvbn's lists ship with the package. Only the first ``CHECKED_LENGTH`` characters are
    estimated (the estimate slows on long input; a long password is not guessed by its head).
    """

    MIN_GUESSES_LOG10 = 8
    CHECKED_LENGTH = 100

    def validate(self, password: str, user=None) -> None:
        from zxcvbn import zxcvbn

        hints = ["flexportal"]
        if user is not None:
            email = getattr(user, "email", "") or ""
            hints += [email, email.split("@")[0], user.first_name or "", user.last_name or ""]
            agency = getattr(user, "_policy_agency", None)
            if agency is not None:
                hints += [agency.name, agency.slug]
        # Each word too: "Uitzendbureau2024!" is a word of the agency's name and a year.
        hints += [word for hint in hints for word in re.split(r"[\W_]+", hint)]
        hints = [h for h in hints if len(h) > 2]
        result = zxcvbn(password[: self.CHECKED_LENGTH], user_inputs=hints)
        if result["guesses_log10"] < self.MIN_GUESSES_LOG10:
            raise ValidationError(
                _(
                    "This password is too easy to guess: it is (like) a common or breached "
                    "password, a word or name with a few characters added, or a keyboard "
                    "pattern. A few unrelated words together are strong and easy to remember."
                ),
                code="password_guessable",
            )

    def get_help_text(self) -> str:
        return _("Not a common or easy-to-guess password.")


def mask_mobile_number(number: str) -> str:
    """+31612345678 -> +316•••••678: enough to recognise, not enough to read off."""
    if len(number) < 8:
        return number
    return number[:4] + "•" * (len(number) - 7) + number[-3:]
