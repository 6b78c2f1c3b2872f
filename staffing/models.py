"""The staffing organisation of an agency: clients with their departments, cost centres and
job functions, client contacts, flexworker profiles and placements.
"""

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Membership
from agencies.models import Role
from flexportal.fields import EncryptedCharField, Unreadable
from flexportal.tenancy import TenantModel
from flexportal.uploads import upload_path
from flexportal.validators import validate_bsn, validate_iban, validate_mobile_number, validate_name


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
