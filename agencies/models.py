"""The tenant: an Agency (a staffing agency on its own subdomain), its settings, branding and
policies (languages, modules, reminder times, two-factor and password rules), and the vocabulary
those policies speak (roles, weekdays, modules).

This is the bottom of the domain: it imports no other domain app. flexportal.tenancy builds on it
(every tenant-owned row points at an Agency).
"""

import datetime as dt
import uuid
import zoneinfo

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from flexportal.colours import BrandPalette, brand_palette
from flexportal.phones import phone_uri
from flexportal.uploads import upload_path
from flexportal.validators import validate_name


class Role(models.TextChoices):
    FLEXWORKER = "flexworker", _("Flexworker")
    CLIENT_CONTACT = "client_contact", _("Client contact")
    STAFF = "staff", _("Back-office staff")


class Weekday(models.IntegerChoices):
    # With a context, so that these labels do not replace Django's own day names in dates
    # (which are lower case inside a sentence in most languages).
    MONDAY = 0, pgettext_lazy("weekday", "Monday")
    TUESDAY = 1, pgettext_lazy("weekday", "Tuesday")
    WEDNESDAY = 2, pgettext_lazy("weekday", "Wednesday")
    THURSDAY = 3, pgettext_lazy("weekday", "Thursday")
    FRIDAY = 4, pgettext_lazy("weekday", "Friday")
    SATURDAY = 5, pgettext_lazy("weekday", "Saturday")
    SUNDAY = 6, pgettext_lazy("weekday", "Sunday")


class Module(models.TextChoices):
    """Portal modules an agency can switch on or off (DOMAIN.md, "Screens")."""

    TIMESHEETS = "timesheets", _("Werkbriefjes")
    EXPENSES = "expenses", _("Expenses")
    PLACEMENTS = "placements", _("Placements")
    DOCUMENTS = "documents", _("Documents")
    PAYSLIPS = "payslips", _("Payslips")
    ANNUAL_STATEMENTS = "annual_statements", _("Annual statements")
    RESERVATIONS = "reservations", _("Reservations")
    PAYMENTS = "payments", _("Payments")
    PLANNING = "planning", _("Planning")
    INVOICES = "invoices", _("Invoices")
    NEWS = "news", _("News")
    CONTACT = "contact", _("Contact form")


def _all_languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _default_modules() -> list[str]:
    return list(Module.values)


def _default_two_factor_roles() -> list[str]:
    return [Role.STAFF, Role.CLIENT_CONTACT]


def _default_worker_reminders() -> list[dict]:
    return [{"weekday": Weekday.MONDAY, "time": "09:00"}]


def _default_client_reminders() -> list[dict]:
    return [
        {"weekday": Weekday.MONDAY, "time": "16:00"},
        {"weekday": Weekday.TUESDAY, "time": "10:00"},
        {"weekday": Weekday.TUESDAY, "time": "13:00"},
    ]


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(_("%(value)s is not a known time zone."), params={"value": value})


def validate_reminder_slots(value) -> None:
    if not isinstance(value, list):
        raise ValidationError(_("Give a list of reminder times."))
    for slot in value:
        if not isinstance(slot, dict) or set(slot) != {"weekday", "time"}:
            raise ValidationError(_('Each reminder is {"weekday": 0-6, "time": "HH:MM"}.'))
        if not isinstance(slot["weekday"], int) or not 0 <= slot["weekday"] <= 6:
            raise ValidationError(_("A reminder weekday is a number from 0 (Monday) to 6."))
        try:
            dt.time.fromisoformat(slot["time"])
        except (TypeError, ValueError):
            raise ValidationError(
                _("%(time)s is not a time like 09:00."), params={"time": slot["time"]}
            ) from None


colour_validator = RegexValidator(r"^#[0-9a-fA-F]{6}$", _("Give a colour like #1f5fa8."))
slug_validator = RegexValidator(
    r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$",
    _("Lower-case letters, digits and hyphens only; it becomes the agency's web address."),
)


def logo_path(instance, filename: str) -> str:
    return upload_path(f"branding/{instance.pk}", filename)


_COMPOSITION_HELP = _(
    "Not recommended: such rules lead to passwords like “Password123!”. Common and easy-to-guess "
    "passwords are refused anyway."
)


class Agency(models.Model):
    """A staffing agency: the tenant. Its slug is its subdomain."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    slug = models.CharField(_("subdomain"), max_length=63, unique=True, validators=[slug_validator])
    name = models.CharField(_("name"), max_length=200, validators=[validate_name])
    is_active = models.BooleanField(_("active"), default=True)

    # Branding
    # Only through flexportal.uploads (checked, re-encoded as PNG) and services.agency_logo_set.
    logo = models.FileField(_("logo"), upload_to=logo_path, blank=True, max_length=200)
    primary_colour = models.CharField(
        _("primary colour"), max_length=7, default="#1f5fa8", validators=[colour_validator]
    )
    accent_colour = models.CharField(
        _("accent colour"), max_length=7, default="#f0a500", validators=[colour_validator]
    )
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    address = models.TextField(_("address"), blank=True)
    website = models.URLField(_("website"), blank=True)

    # Weekly cycle
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Europe/Amsterdam", validators=[validate_timezone]
    )
    client_deadline_weekday = models.PositiveSmallIntegerField(
        _("client approval deadline: day"), choices=Weekday.choices, default=Weekday.TUESDAY
    )
    client_deadline_time = models.TimeField(
        _("client approval deadline: time"), default=dt.time(14, 0)
    )
    worker_deadline_weekday = models.PositiveSmallIntegerField(
        _("worker deadline: day"), choices=Weekday.choices, default=Weekday.MONDAY
    )
    worker_deadline_time = models.TimeField(_("worker deadline: time"), default=dt.time(12, 0))
    worker_reminder_slots = models.JSONField(
        _("worker reminder times"),
        default=_default_worker_reminders,
        validators=[validate_reminder_slots],
        help_text=_('A list like [{"weekday": 0, "time": "09:00"}]; 0 is Monday.'),
    )
    client_reminder_slots = models.JSONField(
        _("client reminder times"),
        default=_default_client_reminders,
        validators=[validate_reminder_slots],
        help_text=_('A list like [{"weekday": 1, "time": "10:00"}]; 0 is Monday.'),
    )
    # The mail "your werkbrief is ready to fill in": once per worker per week, by default on
    # Friday 12:00 of the week itself (it falls in the 7 days before the worker's cut-off).
    ready_notice_weekday = models.PositiveSmallIntegerField(
        _("werkbrief ready notice: day"), choices=Weekday.choices, default=Weekday.FRIDAY
    )
    ready_notice_time = models.TimeField(_("werkbrief ready notice: time"), default=dt.time(12, 0))
    approved_visible_days = models.PositiveSmallIntegerField(
        _("days approved werkbriefjes stay visible"), default=28
    )

    # Languages and modules
    enabled_languages = ArrayField(
        models.CharField(max_length=8, choices=settings.LANGUAGES),
        verbose_name=_("enabled languages"),
        default=_all_languages,
    )
    enabled_modules = ArrayField(
        models.CharField(max_length=32, choices=Module.choices),
        verbose_name=_("enabled modules"),
        default=_default_modules,
    )
    allow_profile_photo = models.BooleanField(_("workers may upload a profile photo"), default=True)

    # Accounts and security
    password_min_length = models.PositiveSmallIntegerField(
        _("minimum password length"),
        default=10,
        validators=[MinValueValidator(8), MaxValueValidator(128)],
    )
    # Off by default (OWASP ASVS 5.0, 6.2.5: composition rules make passwords guessable, not
    # strong); common and guessable passwords are refused whatever these say.
    password_require_letter = models.BooleanField(
        _("password needs a letter"), default=False, help_text=_COMPOSITION_HELP
    )
    password_require_digit = models.BooleanField(
        _("password needs a digit"), default=False, help_text=_COMPOSITION_HELP
    )
    password_require_special = models.BooleanField(
        _("password needs a special character"), default=False, help_text=_COMPOSITION_HELP
    )
    two_factor_roles = ArrayField(
        models.CharField(max_length=20, choices=Role.choices),
        verbose_name=_("roles that must use two-factor authentication"),
        default=_default_two_factor_roles,
        blank=True,
    )
    verify_mobile_on_activation = models.BooleanField(
        _("verify the mobile number by SMS on activation"), default=True
    )
    invitation_valid_days = models.PositiveSmallIntegerField(
        _("days an invitation link stays valid"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(60)],
    )
    session_idle_minutes = models.PositiveIntegerField(
        _("log out after this many idle minutes"),
        default=60,
        validators=[MinValueValidator(5), MaxValueValidator(24 * 60)],
    )
    session_max_hours = models.PositiveIntegerField(
        _("log out after this many hours in any case"),
        default=12,
        validators=[MinValueValidator(1), MaxValueValidator(24 * 30)],
    )

    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    def base_url(self) -> str:
        return f"{settings.FLEXPORTAL_SCHEME}://{self.slug}.{settings.FLEXPORTAL_DOMAIN}"

    def has_module(self, module: str) -> bool:
        return module in self.enabled_modules

    @property
    def palette(self) -> BrandPalette:
        """The primary colour with the text colours that stay readable on it and beside it."""
        return brand_palette(self.primary_colour)

    @property
    def contact_phone_uri(self) -> str:
        """The contact phone as a ``tel:`` link (E.164, no spaces), or "" when it is no number."""
        return phone_uri(self.contact_phone)

    def requires_two_factor(self, role: str) -> bool:
        return role in self.two_factor_roles
