"""Agencies (the tenants), people, memberships, clients and placements.

The Agency and the User are the only models without an agency: an agency is the tenant itself, and
a person has one identity across agencies (one e-mail, one password) with a Membership per agency
and role. Everything else derives from TenantModel and is scoped (see flexportal.tenancy).
"""

import base64
import datetime as dt
import hashlib
import secrets
import uuid
import zoneinfo
from binascii import unhexlify

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.crypto import pbkdf2, salted_hmac
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from django_otp.models import Device, SideChannelDevice, ThrottlingMixin, TimestampMixin
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex, random_number_token

from accounts.validators import validate_bsn, validate_iban, validate_mobile_number, validate_name
from flexportal.colours import BrandPalette, brand_palette
from flexportal.fields import EncryptedCharField, Unreadable
from flexportal.phones import phone_uri
from flexportal.tenancy import TenantModel
from flexportal.uploads import upload_path


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


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra):
        extra.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra)

    def create_superuser(self, email: str, password: str | None = None, **extra):
        extra["is_superuser"] = True
        extra["is_staff"] = True
        return self._create_user(email, password, **extra)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """One identity across agencies: logs in by e-mail; reaches an agency through a Membership.

    ``is_staff`` is only for platform operators on the bare domain; back-office access to an
    agency's admin comes from a staff Membership of that agency.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(
        _("first name"), max_length=100, blank=True, validators=[validate_name]
    )
    last_name = models.CharField(
        _("last name"), max_length=150, blank=True, validators=[validate_name]
    )
    preferred_language = models.CharField(
        _("language"), max_length=8, choices=settings.LANGUAGES, default="nl"
    )
    mobile_number = models.CharField(
        _("mobile number"),
        max_length=20,
        blank=True,
        validators=[validate_mobile_number],
        help_text=_("Stored in international format, e.g. +31612345678."),
    )
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform operator"), default=False)
    date_joined = models.DateTimeField(_("joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("people")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()

    def get_full_name(self) -> str:
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self) -> str:
        return self.first_name or self.email


class Membership(TenantModel):
    """A person's access to one agency in one role."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("person")
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    is_active = models.BooleanField(_("active"), default=True)
    # The person's choice on "my details": reminders by text message as well as by e-mail.
    sms_reminders = models.BooleanField(_("reminders by text message too"), default=False)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "user", "role"], name="membership_unique_role_per_agency"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()})"


class Client(TenantModel):
    """An opdrachtgever: the company that hires the agency's flexworkers."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_name])
    kvk_number = models.CharField(
        _("Chamber of Commerce number"),
        max_length=8,
        blank=True,
        validators=[RegexValidator(r"^\d{8}$", _("A KvK number has 8 digits."))],
    )
    address = models.TextField(_("address"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    invoice_email = models.EmailField(_("invoice e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("client")
        verbose_name_plural = _("clients")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CostCentre(TenantModel):
    """A kostenplaats of a client, used on invoices and in filters."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="cost_centres", verbose_name=_("client")
    )
    code = models.CharField(_("code"), max_length=32, validators=[validate_name])
    name = models.CharField(_("name"), max_length=200, validators=[validate_name])

    class Meta:
        verbose_name = _("cost centre")
        verbose_name_plural = _("cost centres")
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["client", "code"], name="costcentre_code_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.code} ({self.name})"


class Department(TenantModel):
    """An afdeling of a client; placements and client contacts' visibility hang off it."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="departments", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=200, validators=[validate_name])
    cost_centre = models.ForeignKey(
        CostCentre,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="departments",
        verbose_name=_("cost centre"),
    )
    address = models.TextField(_("work address"), blank=True)

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["client__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="department_name_per_client")
        ]

    def __str__(self) -> str:
        return f"{self.client.name} - {self.name}"

    def clean(self):
        if self.cost_centre_id and self.cost_centre.client_id != self.client_id:
            raise ValidationError({"cost_centre": _("This cost centre belongs to another client.")})


class JobFunction(TenantModel):
    """A functie at a client (order picker, baker...): planning and totals group by it."""

    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="functions", verbose_name=_("client")
    )
    name = models.CharField(_("name"), max_length=120, validators=[validate_name])

    class Meta:
        verbose_name = _("job function")
        verbose_name_plural = _("job functions")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["client", "name"], name="function_name_per_client")
        ]

    def __str__(self) -> str:
        return self.name


class ClientContact(TenantModel):
    """A person at a client who uses the portal, with the departments they see and their rights."""

    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="client_contact",
        verbose_name=_("membership"),
    )
    client = models.ForeignKey(
        Client, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("client")
    )
    job_title = models.CharField(
        _("job title"), max_length=120, blank=True, validators=[validate_name]
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    sees_all_departments = models.BooleanField(_("sees all departments"), default=True)
    departments = models.ManyToManyField(
        Department, blank=True, related_name="contacts", verbose_name=_("departments")
    )
    can_approve_hours = models.BooleanField(_("may approve hours"), default=True)
    can_see_planning = models.BooleanField(_("may see the planning"), default=True)
    can_see_invoices = models.BooleanField(_("may see invoices"), default=False)
    can_manage_users = models.BooleanField(_("may manage the client's users"), default=False)
    can_sign_documents = models.BooleanField(_("may sign documents"), default=False)

    class Meta:
        verbose_name = _("client contact")
        verbose_name_plural = _("client contacts")

    def __str__(self) -> str:
        return f"{self.membership.user} - {self.client.name}"

    def clean(self):
        if self.membership_id and self.membership.role != Role.CLIENT_CONTACT:
            raise ValidationError({"membership": _("This membership is not a client contact's.")})


class PayrollTaxCredit(models.TextChoices):
    APPLY = "apply", _("Yes, apply the payroll tax credit")
    DO_NOT_APPLY = "do_not_apply", _("No, do not apply it")


def id_document_path(instance, filename: str) -> str:
    """Private and unguessable: never served by URL, only through a view that checks access."""
    return upload_path(f"private/{instance.agency_id}/id-documents", filename)


def profile_photo_path(instance, filename: str) -> str:
    return upload_path(f"private/{instance.agency_id}/photos", filename)


class FlexworkerProfile(TenantModel):
    """What an agency knows of one of its flexworkers (NAW, bank, BSN, tax choice)."""

    membership = models.OneToOneField(
        Membership,
        on_delete=models.CASCADE,
        related_name="flexworker_profile",
        verbose_name=_("membership"),
    )
    employee_number = models.CharField(_("employee number"), max_length=20)
    first_name = models.CharField(_("first name"), max_length=100, validators=[validate_name])
    infix = models.CharField(
        _("infix"),
        max_length=20,
        blank=True,
        help_text=_("e.g. van, de"),
        validators=[validate_name],
    )
    last_name = models.CharField(_("last name"), max_length=150, validators=[validate_name])
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    street = models.CharField(_("street"), max_length=200, blank=True)
    house_number = models.CharField(_("house number"), max_length=20, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    country = models.CharField(_("country"), max_length=2, default="NL")
    phone = models.CharField(
        _("phone"), max_length=20, blank=True, validators=[validate_mobile_number]
    )
    iban = models.CharField(_("IBAN"), max_length=34, blank=True, validators=[validate_iban])
    bsn = EncryptedCharField(_("BSN"), max_length=9, blank=True, validators=[validate_bsn])
    payroll_tax_credit = models.CharField(
        _("payroll tax credit"),
        max_length=20,
        choices=PayrollTaxCredit.choices,
        default=PayrollTaxCredit.DO_NOT_APPLY,
    )
    id_document = models.FileField(
        _("ID document"), upload_to=id_document_path, blank=True, max_length=200
    )
    id_document_name = models.CharField(_("ID document file name"), max_length=200, blank=True)
    id_document_uploaded_at = models.DateTimeField(_("ID document uploaded"), null=True, blank=True)
    photo = models.FileField(
        _("profile photo"), upload_to=profile_photo_path, blank=True, max_length=200
    )

    class Meta:
        verbose_name = _("flexworker")
        verbose_name_plural = _("flexworkers")
        ordering = ["last_name", "first_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["agency", "employee_number"], name="employee_number_per_agency"
            )
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.infix, self.last_name) if p)

    @property
    def bsn_masked(self) -> str:
        if isinstance(self.bsn, Unreadable):
            return str(Unreadable.label)
        return f"*****{self.bsn[-4:]}" if self.bsn else ""

    def clean(self):
        if self.membership_id and self.membership.role != Role.FLEXWORKER:
            raise ValidationError({"membership": _("This membership is not a flexworker's.")})


class Phase(models.TextChoices):
    """Phases of the ABU/NBBU staffing CAOs; fixed-term contracts from B / 3 on."""

    A = "A", _("Phase A")
    B = "B", _("Phase B")
    C = "C", _("Phase C")
    P12 = "1-2", _("Phase 1-2")
    P3 = "3", _("Phase 3")
    P4 = "4", _("Phase 4")


class HoursEnteredBy(models.TextChoices):
    WORKER = "worker", _("The flexworker")
    CLIENT = "client", _("The client")


class TimeEntry(models.TextChoices):
    TOTAL = "total", _("A total per day")
    TIMES = "times", _("Start, end and break")


class Placement(TenantModel):
    """A flexworker placed at a client department, with the terms that pay and bill the hours."""

    worker = models.ForeignKey(
        FlexworkerProfile,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("flexworker"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("department"),
    )
    function = models.ForeignKey(
        JobFunction,
        on_delete=models.PROTECT,
        related_name="placements",
        verbose_name=_("function"),
    )
    shift_team = models.CharField(_("shift team"), max_length=60, blank=True)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    phase = models.CharField(_("phase"), max_length=3, choices=Phase.choices, default=Phase.A)
    hourly_wage = models.DecimalField(
        _("hourly wage (EUR)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    client_rate = models.DecimalField(
        _("client rate per hour (EUR)"),
        max_digits=8,
        decimal_places=2,
        validators=[MinValueValidator(0)],
    )
    contract_minutes_per_week = models.PositiveIntegerField(
        _("contract minutes per week"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(7 * 24 * 60)],
        help_text=_("Empty for an on-call contract without fixed hours."),
    )
    fixed_times = models.BooleanField(_("fixed working times"), default=False)
    hours_entered_by = models.CharField(
        _("hours are entered by"),
        max_length=10,
        choices=HoursEnteredBy.choices,
        default=HoursEnteredBy.WORKER,
    )
    # The worker manual: "we set whether you get an invitation and/or a reminder to enter
    # your hours" — the weekly "your werkbrief is ready" mail and the reminders before the
    # cut-off are switched apart.
    hour_invitations = models.BooleanField(
        _("worker gets the weekly invitation to enter hours"), default=True
    )
    hour_reminders = models.BooleanField(_("worker gets hour reminders"), default=True)
    time_entry = models.CharField(
        _("hours are entered as"),
        max_length=10,
        choices=TimeEntry.choices,
        default=TimeEntry.TIMES,
    )
    cao_scheme = models.ForeignKey(
        "timesheets.CaoScheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="placements",
        verbose_name=_("CAO scheme"),
    )

    class Meta:
        verbose_name = _("placement")
        verbose_name_plural = _("placements")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__isnull=True)
                | models.Q(end_date__gte=models.F("start_date")),
                name="placement_end_after_start",
            )
        ]

    def __str__(self) -> str:
        return f"{self.worker} @ {self.department}"

    def clean(self):
        errors = {}
        if self.end_date and self.start_date and self.end_date < self.start_date:
            errors["end_date"] = _("The end date lies before the start date.")
        if (
            self.function_id
            and self.department_id
            and self.function.client_id != self.department.client_id
        ):
            errors["function"] = _("This function belongs to another client.")
        if errors:
            raise ValidationError(errors)

    def is_active_on(self, day: dt.date) -> bool:
        return self.start_date <= day and (self.end_date is None or day <= self.end_date)


# Invitations, audit, sessions and second factors -----------------------------------------------


class InvitationStatus(models.TextChoices):
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    ACTIVATED = "activated", _("Activated")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")


class Invitation(TenantModel):
    """An activation link mailed to a person for one membership: single use, valid for the
    agency's ``invitation_valid_days``; only a hash of the token is stored."""

    membership = models.ForeignKey(
        Membership,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("membership"),
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    expires_at = models.DateTimeField(_("valid until"))
    sent_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("sent by"),
    )
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    # The SMS check of the mobile number on activation (where the agency wants it).
    mobile_verified_at = models.DateTimeField(_("mobile number verified"), null=True, blank=True)
    sms_code_hash = models.CharField(max_length=128, blank=True, editable=False)
    sms_code_valid_until = models.DateTimeField(null=True, blank=True, editable=False)
    sms_code_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    sms_code_attempts = models.PositiveSmallIntegerField(default=0, editable=False)
    sms_codes_sent = models.PositiveSmallIntegerField(default=0, editable=False)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.membership.user.email} ({self.get_status_display()})"

    @property
    def status(self) -> str:
        if self.revoked_at:
            return InvitationStatus.REVOKED
        if self.activated_at:
            return InvitationStatus.ACTIVATED
        if self.expires_at <= timezone.now():
            return InvitationStatus.EXPIRED
        if self.opened_at:
            return InvitationStatus.OPENED
        return InvitationStatus.SENT

    def get_status_display(self) -> str:
        return InvitationStatus(self.status).label

    @property
    def is_usable(self) -> bool:
        return self.status in (InvitationStatus.SENT, InvitationStatus.OPENED)


class AccountEventKind(models.TextChoices):
    INVITATION_SENT = "invitation_sent", _("Invitation sent")
    INVITATION_OPENED = "invitation_opened", _("Invitation opened")
    INVITATION_ACTIVATED = "invitation_activated", _("Account activated")
    INVITATION_REVOKED = "invitation_revoked", _("Invitation revoked")
    MOBILE_VERIFIED = "mobile_verified", _("Mobile number verified")
    LOGIN = "login", _("Logged in")
    LOGIN_FAILED = "login_failed", _("Failed login")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    TWO_FACTOR_ADDED = "two_factor_added", _("Two-factor method added")
    TWO_FACTOR_REMOVED = "two_factor_removed", _("Two-factor method removed")
    TWO_FACTOR_RESET = "two_factor_reset", _("Second factor reset by the back office")
    BACKUP_CODES_CREATED = "backup_codes_created", _("Backup codes created")
    TWO_FACTOR_LOCKED = "two_factor_locked", _("Locked after wrong codes")
    DEVICES_FORGOTTEN = "devices_forgotten", _("Remembered devices forgotten")
    SESSIONS_ENDED = "sessions_ended", _("Other sessions logged out")
    EMAIL_CHANGE_REQUESTED = "email_change_requested", _("E-mail change requested")
    EMAIL_CHANGED = "email_changed", _("E-mail address changed")
    IBAN_CHANGED = "iban_changed", _("Bank account changed")
    DETAILS_CHANGED = "details_changed", _("Details changed")
    # A context of its own: the same words label the profile's upload date ("uploaded on").
    ID_DOCUMENT_UPLOADED = (
        "id_document_uploaded",
        pgettext_lazy("account event", "ID document uploaded"),
    )
    PHOTO_CHANGED = "photo_changed", _("Profile photo changed")


class AccountEvent(TenantModel):
    """The audit trail of accounts at one agency: invitations, logins, security and bank changes.

    The back office reads it in the admin; a person sees their own logins on the security page.
    """

    user = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("person"),
    )
    actor = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    kind = models.CharField(_("event"), max_length=40, choices=AccountEventKind.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=255, blank=True)
    data = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("account event")
        verbose_name_plural = _("account events")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["agency", "user", "kind", "-created_at"])]

    def __str__(self) -> str:
        from django.utils import timezone
        from django.utils.formats import date_format

        when = date_format(timezone.localtime(self.created_at), "SHORT_DATETIME_FORMAT")
        return f"{self.get_kind_display()} ({when})"


class UserSession(TenantModel):
    """A signed-in session at this agency, so a person can see and end their sessions."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    session_key = models.CharField(max_length=40, unique=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=255, blank=True)
    last_seen_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["-last_seen_at"]


class TrustedDevice(TenantModel):
    """A browser where the person ticked "remember this device": no second factor for 30 days.

    The browser holds a signed cookie with the token; only its hash is stored here. The cookie
    also carries a fingerprint of the password hash, so a new password voids every device.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    token_hash = models.CharField(max_length=64, unique=True)
    otp_device_id = models.CharField(max_length=100)
    user_agent = models.CharField(max_length=255, blank=True)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("remembered device")
        verbose_name_plural = _("remembered devices")
        ordering = ["-created_at"]


def _new_totp_key() -> str:
    return random_hex(20)


class AuthenticatorDevice(TimestampMixin, ThrottlingMixin, Device):
    """An authenticator app (TOTP: Google Authenticator, Duo, Authy) whose secret is encrypted
    at rest with the BSN's key ring (flexportal.fields), unlike django-otp's TOTPDevice.

    The fields and the verification are django-otp's TOTPDevice's (one step either side,
    drift, each code once, throttling after wrong codes); only the key's storage differs.
    A secret no configured key opens verifies nothing.
    """

    key = EncryptedCharField(max_length=80, default=_new_totp_key)
    step = models.PositiveSmallIntegerField(default=30)
    t0 = models.BigIntegerField(default=0)
    digits = models.PositiveSmallIntegerField(choices=[(6, 6), (8, 8)], default=6)
    tolerance = models.PositiveSmallIntegerField(default=1)
    drift = models.SmallIntegerField(default=0)
    last_t = models.BigIntegerField(default=-1)

    class Meta(Device.Meta):
        verbose_name = _("authenticator app")
        verbose_name_plural = _("authenticator apps")

    @property
    def bin_key(self) -> bytes:
        return unhexlify(self.key.encode())

    def verify_token(self, token) -> bool:
        if isinstance(self.key, Unreadable) or not self.key:
            return False
        return TOTPDevice.verify_token(self, token)

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_TOTP_THROTTLE_FACTOR", 1)


# Backup codes: 10 characters of base32 (50 bits), stored as a slow, salted hash in django-otp's
# StaticToken (its 16-character column holds the first 80 bits of PBKDF2-SHA256, base32). Only
# accounts.services makes and checks them, hashing the typed code first.
BACKUP_CODE_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"
BACKUP_CODE_LENGTH = 10
BACKUP_CODE_HASH_ITERATIONS = 10_000


def backup_code_new() -> str:
    return "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))


def backup_code_hash(*, device_id: int, code: str) -> str:
    """What is stored for a backup code of the sheet ``device_id`` (salted by the sheet)."""
    digest = pbkdf2(
        code.lower(),
        f"flexportal-backup-code:{device_id}",
        BACKUP_CODE_HASH_ITERATIONS,
        digest=hashlib.sha256,
    )
    return base64.b32encode(digest[:10]).decode().lower()


class SmsDevice(TimestampMixin, ThrottlingMixin, SideChannelDevice):
    """A django-otp device that receives one-time codes by SMS (sent by accounts.services).

    Like the other OTP devices it belongs to the person, not to one agency: one identity, one
    set of second factors. Only a keyed hash of the code in flight is stored (``token``).
    """

    number = models.CharField(
        _("mobile number"), max_length=20, validators=[validate_mobile_number]
    )

    class Meta(SideChannelDevice.Meta):
        verbose_name = _("SMS device")
        verbose_name_plural = _("SMS devices")

    def code_hash(self, code: str) -> str:
        # Keyed (SECRET_KEY): six digits are no secret against a plain hash. A code lives five
        # minutes, so a new SECRET_KEY voids at most the codes in flight.
        return salted_hmac("accounts.sms_code", f"{self.pk}:{code}").hexdigest()[:16]

    def generate_token(self, length=6, valid_secs=300, commit=True) -> str:
        """A new code: its hash is stored, the code itself is returned to be sent."""
        code = random_number_token(length)
        self.token = self.code_hash(code)
        self.valid_until = timezone.now() + dt.timedelta(seconds=valid_secs)
        if commit:
            self.save()
        return code

    def verify_token(self, token) -> bool:
        allowed, _data = self.verify_is_allowed()
        if not allowed:
            return False
        verified = super().verify_token(self.code_hash(str(token).strip()))
        if verified:
            self.throttle_reset(commit=False)
            self.set_last_used_timestamp(commit=False)
            self.save()
        else:
            self.throttle_increment()
        return verified

    def get_throttle_factor(self) -> int:
        return getattr(settings, "OTP_SMS_THROTTLE_FACTOR", 1)
