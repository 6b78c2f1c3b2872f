"""Forms of "my details": what a flexworker or client contact changes about themselves. Every
error lands at its field; what was typed stays (except passwords)."""

import re

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.forms import CurrentPasswordForm
from flexportal import uploads
from flexportal.validators import normalise_iban, normalise_mobile_number, validate_name
from staffing.models import ClientContact, FlexworkerProfile, PayrollTaxCredit


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
