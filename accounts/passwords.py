"""Password validators (settings.AUTH_PASSWORD_VALIDATORS): the agency's policy and the refusal of
guessable passwords."""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


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
        hints += [hint.replace(" ", "") for hint in hints if " " in hint]
        hints = [h for h in hints if len(h) > 2]
        checked = password[: self.CHECKED_LENGTH]
        guesses = zxcvbn(checked, user_inputs=hints)["guesses_log10"]
        # What is left without the person's own words is what an attacker who knows them must
        # still guess: a long name ("van der Berg-Schimmelpenninck") plus "2024!" is no password.
        rest = checked
        for hint in sorted({h.lower() for h in hints}, key=len, reverse=True):
            rest = re.sub(re.escape(hint), "", rest, flags=re.IGNORECASE)
        if rest != checked:
            guesses = min(guesses, zxcvbn(rest, user_inputs=hints)["guesses_log10"] if rest else 0)
        if guesses < self.MIN_GUESSES_LOG10:
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
