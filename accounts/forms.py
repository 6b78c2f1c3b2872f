"""Forms of accounts: login and reset (allauth's, adjusted), activation, second factor and
"my details". Every error lands at its field; what was typed stays (except passwords)."""

import re

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.core import context
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.models import ClientContact, FlexworkerProfile, PayrollTaxCredit
from accounts.selectors import user_can_log_in_at
from accounts.validators import normalise_iban, normalise_mobile_number, validate_name
from flexportal import uploads


class LoginForm(AllauthLoginForm):
    """allauth's login form; the "forgot password" link is on the page, not in the help text."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["password"].help_text = ""
        self.fields["password"].widget.attrs.pop("aria-describedby", None)
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)


class ResetPasswordForm(AllauthResetPasswordForm):
    """A reset link goes only to people who may log in on this subdomain; the page says the
    same for everyone, so it reveals nothing about who has an account."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.pop("placeholder", None)

    def clean_email(self):
        email = super().clean_email()
        request = getattr(context, "request", None)
        agency = getattr(request, "agency", None)
        # Someone who never activated their invitation has no password to reset: the
        # invitation (with its SMS check) is the way in.
        self.users = [
            user
            for user in self.users
            if user.has_usable_password()
            and (
                user.is_superuser
                if agency is None
                else user_can_log_in_at(agency=agency, user=user)
            )
        ]
        return email


def _code_field():
    return forms.CharField(
        label=_("One-time code"),
        max_length=20,
        widget=forms.TextInput(
            attrs={
                "inputmode": "numeric",
                "autocomplete": "one-time-code",
                "autocapitalize": "off",
                "spellcheck": "false",
                "class": "input-code",
            }
        ),
    )


class OneTimeCodeForm(forms.Form):
    code = _code_field()

    def clean_code(self):
        code = re.sub(r"[\s-]", "", self.cleaned_data["code"])
        if not code:
            raise ValidationError(_("Enter the code."), code="required")
        return code


class PasswordPolicyMixin:
    """Validates ``password1`` with Django's validators and the agency's policy."""

    agency = None
    user = None

    def clean_password1(self):
        password = self.cleaned_data["password1"]
        self.user._policy_agency = self.agency
        password_validation.validate_password(password, self.user)
        return password

    def clean(self):
        cleaned = super().clean()
        one, two = cleaned.get("password1"), cleaned.get("password2")
        if one and two and one != two:
            self.add_error("password2", _("The two passwords differ. Type the same one twice."))
        return cleaned


class ActivationPasswordForm(PasswordPolicyMixin, forms.Form):
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Confirm your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, user, agency, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.agency = agency


class CurrentPasswordForm(forms.Form):
    """Asks the password again before a sensitive change."""

    password = forms.CharField(
        label=_("Your current password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user

    def clean_password(self):
        """Through allauth's authenticate where there is a request, so wrong passwords count
        towards the same rate limit as the login's."""
        password = self.cleaned_data["password"]
        request = getattr(context, "request", None)
        if request is None:
            correct = self.user.check_password(password)
        else:
            user = get_adapter(request).authenticate(
                request, email=self.user.email, password=password
            )
            correct = user is not None and user.pk == self.user.pk
        if not correct:
            raise ValidationError(_("This is not your current password."), code="wrong_password")
        return password


class TwoFactorCodeForm(OneTimeCodeForm):
    remember = forms.BooleanField(label=_("Remember this device for 30 days"), required=False)


class SmsNumberForm(forms.Form):
    number = forms.CharField(
        label=_("Mobile number"),
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        help_text=_("A Dutch 06 number or an international one, like +48 600 123 456."),
    )

    def clean_number(self):
        return normalise_mobile_number(self.cleaned_data["number"])


def _language_field():
    return forms.ChoiceField(label=_("Language"), choices=[])


def _language_choices(agency):
    enabled = set(agency.enabled_languages) if agency else None
    return [(c, n) for c, n in settings.LANGUAGES if enabled is None or c in enabled]


DUTCH_POSTAL_CODE = re.compile(r"^\s*(\d{4})\s*([A-Za-z]{2})\s*$")


def _sms_reminders_field():
    return forms.BooleanField(
        label=_("Also remind me by text message"),
        required=False,
        help_text=_("Reminders always come by e-mail; tick this to get them on your phone too."),
    )


class FlexworkerDetailsForm(forms.ModelForm):
    """What the flexworker changes on "Mijn gegevens" (not e-mail, IBAN or BSN: see there)."""

    language = _language_field()
    sms_reminders = _sms_reminders_field()

    class Meta:
        model = FlexworkerProfile
        fields = [
            "first_name",
            "infix",
            "last_name",
            "street",
            "house_number",
            "postal_code",
            "city",
            "country",
            "phone",
            "payroll_tax_credit",
        ]
        widgets = {
            "payroll_tax_credit": forms.RadioSelect,
            "phone": forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
            "first_name": forms.TextInput(attrs={"autocomplete": "given-name"}),
            "last_name": forms.TextInput(attrs={"autocomplete": "family-name"}),
            "street": forms.TextInput(attrs={"autocomplete": "address-line1"}),
            "postal_code": forms.TextInput(attrs={"autocomplete": "postal-code"}),
            "city": forms.TextInput(attrs={"autocomplete": "address-level2"}),
            "country": forms.TextInput(attrs={"autocomplete": "country", "size": 2}),
        }
        help_texts = {
            "payroll_tax_credit": _(
                "The payroll tax credit (loonheffingskorting) lowers the tax taken from your "
                "wage. Apply it with one employer at a time only; with two, you would pay too "
                "little tax during the year and have to pay it back later."
            ),
            "country": _("Two letters, like NL, PL or DE."),
        }

    def __init__(self, *args, agency, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _language_choices(agency)
        self.fields["language"].initial = user.preferred_language
        self.fields["sms_reminders"].initial = self.instance.membership.sms_reminders
        self.fields["payroll_tax_credit"].choices = PayrollTaxCredit.choices
        self.fields["phone"].required = True

    def clean_phone(self):
        return normalise_mobile_number(self.cleaned_data["phone"])

    def clean_country(self):
        country = self.cleaned_data["country"].strip().upper()
        if not re.fullmatch(r"[A-Z]{2}", country):
            raise ValidationError(_("Use the two-letter country code, like NL."), code="country")
        return country

    def clean(self):
        cleaned = super().clean()
        postal_code = cleaned.get("postal_code", "")
        if cleaned.get("country") == "NL" and postal_code:
            match = DUTCH_POSTAL_CODE.match(postal_code)
            if match is None:
                self.add_error("postal_code", _("A Dutch postal code looks like 1234 AB."))
            else:
                cleaned["postal_code"] = f"{match[1]} {match[2].upper()}"
        return cleaned


class ClientContactDetailsForm(forms.Form):
    first_name = forms.CharField(
        label=_("First name"),
        max_length=100,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    last_name = forms.CharField(
        label=_("Last name"),
        max_length=150,
        validators=[validate_name],
        widget=forms.TextInput(attrs={"autocomplete": "family-name"}),
    )
    job_title = forms.CharField(
        label=_("Job title"), max_length=120, required=False, validators=[validate_name]
    )
    phone = forms.CharField(
        label=_("Phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    language = _language_field()
    sms_reminders = _sms_reminders_field()

    def __init__(self, *args, agency, contact: ClientContact, **kwargs):
        user = contact.membership.user
        kwargs.setdefault(
            "initial",
            {
                "first_name": user.first_name,
                "last_name": user.last_name,
                "job_title": contact.job_title,
                "phone": contact.phone,
                "language": user.preferred_language,
                "sms_reminders": contact.membership.sms_reminders,
            },
        )
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = _language_choices(agency)

    def clean_phone(self):
        phone = self.cleaned_data["phone"]
        return normalise_mobile_number(phone) if phone else ""


class EmailChangeForm(CurrentPasswordForm):
    email = forms.EmailField(
        label=_("New e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email", "password"]


class IbanChangeForm(CurrentPasswordForm):
    iban = forms.CharField(
        label=_("IBAN"),
        max_length=42,
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
        help_text=_("Your bank account number, like NL91 ABNA 0417 1643 00."),
    )
    field_order = ["iban", "password"]

    def clean_iban(self):
        return normalise_iban(self.cleaned_data["iban"])


class UploadForm(forms.Form):
    """One file, checked by flexportal.uploads for size and for what it really is (not what its
    name says); ``cleaned_data["file"]`` is the `CheckedFile` to store."""

    rules: uploads.UploadRules
    file = forms.FileField(label=_("File"))

    def clean_file(self) -> uploads.CheckedFile:
        return uploads.validate_upload(self.cleaned_data["file"], self.rules)


class IdDocumentForm(UploadForm):
    rules = uploads.DOCUMENT
    file = forms.FileField(
        label=_("ID document"),
        help_text=_("A PDF, JPEG or PNG of your passport or ID card, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )


class PhotoForm(UploadForm):
    rules = uploads.PHOTO
    file = forms.FileField(
        label=_("Profile photo"),
        help_text=_("A JPEG or PNG, at most 5 MB."),
        widget=forms.FileInput(attrs={"accept": ".jpg,.jpeg,.png"}),
    )


BAD_REMINDER_LINE = _("Line %(number)d, “%(line)s”: write a day and a time, like “%(example)s”.")


def _weekday_names() -> dict[str, int]:
    """Day names and abbreviations in the reader's language, English and Dutch → 0-6."""
    names: dict[str, int] = {}
    for language in (translation.get_language() or "nl", "en", "nl"):
        with translation.override(language):
            for number in range(7):
                for name in (WEEKDAYS[number], WEEKDAYS_ABBR[number]):
                    names.setdefault(str(name).lower().rstrip("."), number)
    for number in range(7):
        names.setdefault(str(number), number)
    return names


class ReminderSlotsField(forms.CharField):
    """Reminder times typed one per line as “Monday 09:00” (the reader's language, English or
    Dutch; “mon 9.00” works too). The model keeps [{"weekday": 0-6, "time": "HH:MM"}]."""

    widget = forms.Textarea(attrs={"rows": 4, "cols": 28})
    LINE = re.compile(r"(?P<day>[^\d\s]+\.?|\d)\s+(?P<hour>\d{1,2})[:.](?P<minute>\d{2})")

    def __init__(self, **kwargs):
        kwargs.setdefault(
            "help_text",
            _("One per line: a day and a time, like “Monday 09:00”. Empty: no reminders."),
        )
        kwargs["required"] = False
        super().__init__(**kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):
            return "\n".join(
                f"{capfirst(str(WEEKDAYS[slot['weekday']]))} {slot['time']}"
                for slot in sorted(value, key=lambda s: (s["weekday"], s["time"]))
            )
        return value

    def to_python(self, value):
        if isinstance(value, list):  # the stored value: the same order and no repeats
            unique = {(slot["weekday"], slot["time"]): slot for slot in value}
            return [unique[key] for key in sorted(unique)]
        names = _weekday_names()
        slots, errors = [], []
        for number, line in enumerate((value or "").splitlines(), start=1):
            line = " ".join(line.split())
            if not line:
                continue
            found = self.LINE.fullmatch(line)
            day = names.get(found["day"].lower().rstrip(".")) if found else None
            hour, minute = (int(found["hour"]), int(found["minute"])) if found else (99, 99)
            if day is None or hour > 23 or minute > 59:
                errors.append(
                    ValidationError(
                        BAD_REMINDER_LINE,
                        code="reminder_time",
                        params={
                            "number": number,
                            "line": line,
                            "example": f"{capfirst(str(WEEKDAYS[0]))} 09:00",
                        },
                    )
                )
                continue
            slot = {"weekday": day, "time": f"{hour:02d}:{minute:02d}"}
            if slot not in slots:
                slots.append(slot)
        if errors:
            raise ValidationError(errors)
        return sorted(slots, key=lambda s: (s["weekday"], s["time"]))

    def has_changed(self, initial, data):
        try:
            return self.to_python(initial or []) != self.to_python(data)
        except ValidationError:
            return True
