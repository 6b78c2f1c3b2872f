"""Forms of accounts: login and reset (allauth's, adjusted), activation, second factor, e-mail
change. Every error lands at its field; what was typed stays (except passwords)."""

import re

from allauth.account.adapter import get_adapter
from allauth.account.forms import LoginForm as AllauthLoginForm
from allauth.account.forms import ResetPasswordForm as AllauthResetPasswordForm
from allauth.core import context
from django import forms
from django.contrib.auth import password_validation
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts.selectors import user_can_log_in_at
from flexportal.validators import normalise_mobile_number


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


class EmailChangeForm(CurrentPasswordForm):
    email = forms.EmailField(
        label=_("New e-mail address"),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    field_order = ["email", "password"]
