"""Werkbriefjes and CAO unravelling schemes."""

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.text import Truncator
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from flexportal.tenancy import TenantModel
from flexportal.uploads import upload_path
from flexportal.validators import validate_name
from timesheets import workflow
from timesheets.choices import Absence
from timesheets.display import change_field_label


class CaoScheme(TenantModel):
    """An agency's unravelling scheme (cao-ontrafel/1); its rules live in dated versions."""

    name = models.CharField(_("name"), max_length=200, validators=[validate_name])
    description = models.TextField(_("description"), blank=True)
    is_example = models.BooleanField(_("example scheme"), default=False)

    class Meta:
        verbose_name = _("CAO scheme")
        verbose_name_plural = _("CAO schemes")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "name"], name="cao_scheme_name_per_agency")
        ]

    def __str__(self) -> str:
        return self.name


class CaoSchemeVersion(TenantModel):
    """The scheme's JSON document, valid from a date until the next version's."""

    scheme = models.ForeignKey(
        CaoScheme, on_delete=models.CASCADE, related_name="versions", verbose_name=_("CAO scheme")
    )
    valid_from = models.DateField(_("valid from"))
    document = models.JSONField(_("scheme document (cao-ontrafel/1)"))

    class Meta:
        verbose_name = _("CAO scheme version")
        verbose_name_plural = _("CAO scheme versions")
        ordering = ["scheme", "-valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "valid_from"], name="cao_version_one_per_date"
            )
        ]

    def __str__(self) -> str:
        return f"{self.scheme} ({self.valid_from:%Y-%m-%d})"

    def clean(self):
        """A version must be a valid cao-ontrafel/1 document: every problem is listed by path."""
        from django.core.exceptions import ValidationError

        from timesheets.unravel import validate_scheme

        problems = validate_scheme(self.document)
        if problems:
            raise ValidationError(
                {
                    "document": [
                        ValidationError(
                            _("%(path)s: %(reason)s"),
                            code="scheme_invalid",
                            params={"path": p.path, "reason": p.reason},
                        )
                        for p in problems
                    ]
                }
            )

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Never store a scheme the engine cannot run, whichever way it is saved.
        self.clean()
        super().save(*args, **kwargs)


class Status(models.TextChoices):
    """The statuses of a werkbrief, as the manuals name them (DOMAIN.md, "Statuses")."""

    # The values and what they mean for whom: timesheets.workflow.
    RAPPORTEER = workflow.RAPPORTEER, _("To report")
    INGEDIEND = workflow.INGEDIEND, _("Submitted")
    GOEDGEKEURD = workflow.GOEDGEKEURD, _("Approved")
    AFGEWEZEN = workflow.AFGEWEZEN, _("Rejected")
    AFGEROND = workflow.AFGEROND, _("Closed")
    VERWERKT = workflow.VERWERKT, _("Processed")


class HourType(TenantModel):
    """A pay bucket the agency lets people enter by hand where no CAO scheme unravels the hours
    (the manuals' "clock"): overtime 125 %, ORT 150 %..."""

    class Kind(models.TextChoices):
        HOURS = "hours", _("Hours (paid instead of normal hours)")
        SUPPLEMENT = "supplement", _("Supplement (paid on top)")

    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=100, validators=[validate_name])
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    percentage = models.PositiveSmallIntegerField(_("percentage"))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("hour type")
        verbose_name_plural = _("hour types")
        ordering = ["percentage", "name"]
        constraints = [
            models.UniqueConstraint(fields=["agency", "code"], name="hour_type_code_per_agency")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.percentage}%)"


class ExpenseType(TenantModel):
    """A one-off allowance a worker may declare on a werkbrief (varying travel costs, meals...)."""

    class Kind(models.TextChoices):
        AMOUNT = "amount", _("An amount")
        KILOMETRES = "km", _("Kilometres times a rate")

    name = models.CharField(_("name"), max_length=100, validators=[validate_name])
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices, default=Kind.AMOUNT)
    rate = models.DecimalField(
        _("rate per km (EUR)"), max_digits=6, decimal_places=2, null=True, blank=True
    )
    max_amount = models.DecimalField(
        _("maximum amount (EUR)"), max_digits=8, decimal_places=2, null=True, blank=True
    )
    requires_receipt = models.BooleanField(_("needs a receipt"), default=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("expense type")
        verbose_name_plural = _("expense types")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        from django.core.exceptions import ValidationError

        if self.kind == self.Kind.KILOMETRES and not self.rate:
            raise ValidationError({"rate": _("A kilometre allowance needs a rate.")})


class Werkbrief(TenantModel):
    """The timesheet of one placement for one ISO week."""

    placement = models.ForeignKey(
        "staffing.Placement",
        on_delete=models.PROTECT,
        related_name="werkbrieven",
        verbose_name=_("placement"),
    )
    week_start = models.DateField(_("week (Monday)"))
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.RAPPORTEER
    )
    # Optimistic concurrency: every write checks and bumps it (see services).
    version = models.PositiveIntegerField(_("version"), default=1)
    worked_minutes = models.PositiveIntegerField(_("worked minutes"), default=0)
    buckets = models.JSONField(_("unravelled buckets"), default=dict, blank=True)
    unravel_warnings = models.JSONField(_("notes of the calculation"), default=list, blank=True)
    unravel_error = models.CharField(_("calculation error"), max_length=40, blank=True)
    cao_version = models.ForeignKey(
        CaoSchemeVersion,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("CAO scheme version used"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    rejection_reason = models.TextField(_("reason for rejection"), blank=True)
    payroll_week = models.DateField(
        _("payroll run (Monday)"),
        null=True,
        blank=True,
        help_text=_("The week of the payroll run the approved hours land in."),
    )
    created_by_hand = models.BooleanField(_("added by hand"), default=False)

    class Meta:
        verbose_name = _("werkbrief")
        verbose_name_plural = _("werkbriefjes")
        ordering = ["-week_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["placement", "week_start"], name="werkbrief_one_per_placement_week"
            ),
            models.CheckConstraint(
                condition=models.Q(week_start__week_day=2), name="werkbrief_week_starts_monday"
            ),
        ]
        indexes = [
            models.Index(fields=["agency", "status", "week_start"]),
            # The client's list and dashboard read one week, or the open weeks, at a time.
            models.Index(fields=["agency", "week_start"], name="werkbrief_agency_week"),
        ]

    def __str__(self) -> str:
        return f"{self.placement.worker} · {self.iso_label}"

    @property
    def iso_year_week(self) -> tuple[int, int]:
        year, week, _day = self.week_start.isocalendar()
        return year, week

    @property
    def iso_label(self) -> str:
        year, week = self.iso_year_week
        return f"{year}-W{week:02d}"


class WerkbriefDay(TenantModel):
    """One day of a werkbrief: a total, or start, end and break; or an absence."""

    werkbrief = models.ForeignKey(
        Werkbrief, on_delete=models.CASCADE, related_name="days", verbose_name=_("werkbrief")
    )
    date = models.DateField(_("date"))
    start = models.TimeField(_("start"), null=True, blank=True)
    end = models.TimeField(_("end"), null=True, blank=True)
    break_minutes = models.PositiveIntegerField(_("break (minutes)"), default=0)
    worked_minutes = models.PositiveIntegerField(_("worked minutes"), default=0)
    absence = models.CharField(
        _("absence"), max_length=20, choices=Absence.choices, blank=True, default=Absence.NONE
    )
    absence_minutes = models.PositiveIntegerField(_("absence minutes"), default=0)
    note = models.CharField(_("note"), max_length=500, blank=True)
    buckets = models.JSONField(_("unravelled buckets"), default=dict, blank=True)

    class Meta:
        verbose_name = _("werkbrief day")
        verbose_name_plural = _("werkbrief days")
        ordering = ["date"]
        constraints = [
            models.UniqueConstraint(fields=["werkbrief", "date"], name="werkbrief_day_unique")
        ]

    def __str__(self) -> str:
        return f"{self.werkbrief} {self.date}"


class ManualHours(TenantModel):
    """Minutes entered by hand in one hour type on one day (no CAO scheme on the placement)."""

    day = models.ForeignKey(
        WerkbriefDay, on_delete=models.CASCADE, related_name="manual_hours", verbose_name=_("day")
    )
    hour_type = models.ForeignKey(
        HourType, on_delete=models.PROTECT, related_name="+", verbose_name=_("hour type")
    )
    minutes = models.PositiveIntegerField(_("minutes"))

    class Meta:
        verbose_name = _("hours by hand")
        verbose_name_plural = _("hours by hand")
        constraints = [
            models.UniqueConstraint(fields=["day", "hour_type"], name="manual_hours_unique")
        ]


def receipt_upload_to(instance, filename: str) -> str:
    # Private storage: the name carries no personal data and is served only through a view.
    return upload_path(f"private/{instance.agency_id}/receipts", filename)


class Expense(TenantModel):
    werkbrief = models.ForeignKey(
        Werkbrief, on_delete=models.CASCADE, related_name="expenses", verbose_name=_("werkbrief")
    )
    expense_type = models.ForeignKey(
        ExpenseType, on_delete=models.PROTECT, related_name="+", verbose_name=_("type")
    )
    date = models.DateField(_("date"))
    kilometres = models.PositiveIntegerField(_("kilometres"), null=True, blank=True)
    amount = models.DecimalField(_("amount (EUR)"), max_digits=8, decimal_places=2)
    description = models.CharField(_("description"), max_length=200, blank=True)
    receipt = models.FileField(_("receipt"), upload_to=receipt_upload_to, blank=True)
    receipt_content_type = models.CharField(_("receipt type"), max_length=40, blank=True)
    receipt_name = models.CharField(_("receipt file name"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("expense")
        verbose_name_plural = _("expenses")
        ordering = ["date"]

    def __str__(self) -> str:
        return _("%(type)s of %(date)s") % {
            "type": self.expense_type,
            "date": date_format(self.date, "SHORT_DATE_FORMAT"),
        }


class WerkbriefTransition(TenantModel):
    """Every status change: who, when, from, to and why (the audit trail)."""

    werkbrief = models.ForeignKey(
        Werkbrief, on_delete=models.CASCADE, related_name="transitions", verbose_name=_("werkbrief")
    )
    from_status = models.CharField(
        pgettext_lazy("status change", "from"), max_length=12, choices=Status.choices
    )
    to_status = models.CharField(
        pgettext_lazy("status change", "to"), max_length=12, choices=Status.choices
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    comment = models.TextField(_("comment"), blank=True)

    class Meta:
        verbose_name = _("status change")
        verbose_name_plural = _("status changes")
        ordering = ["at"]

    def __str__(self) -> str:
        return _("%(from)s → %(to)s") % {
            "from": self.get_from_status_display(),
            "to": self.get_to_status_display(),
        }


class WerkbriefChange(TenantModel):
    """A change of hours after submission, or an expense added or removed, with the value
    before and after."""

    werkbrief = models.ForeignKey(
        Werkbrief, on_delete=models.CASCADE, related_name="changes", verbose_name=_("werkbrief")
    )
    date = models.DateField(_("day"), null=True, blank=True)
    # A day's field ("end"), a bucket of the clock ("manual:<hour type uuid>", 43 characters)
    # or "expense"; room to spare so no change is ever refused for its name.
    field = models.CharField(_("what"), max_length=80)
    before = models.CharField(_("before"), max_length=200, blank=True)
    after = models.CharField(_("after"), max_length=200, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    reason = models.TextField(_("reason"), blank=True)
    # A correction after the werkbrief was processed (Verwerkt) is paid in a later payroll run
    # than the werkbrief itself: this one (timesheets.deadlines.correction_payroll_week).
    payroll_week = models.DateField(
        _("payroll run of the correction (Monday)"),
        null=True,
        blank=True,
        help_text=_("Only for corrections after the werkbrief was processed."),
    )

    class Meta:
        verbose_name = _("change of hours")
        verbose_name_plural = _("changes of hours")
        ordering = ["at"]

    def __str__(self) -> str:
        return _("%(what)s: %(before)s → %(after)s") % {
            "what": change_field_label(self.field),
            "before": self.before or "—",
            "after": self.after or "—",
        }


class WerkbriefComment(TenantModel):
    """A comment on a werkbrief, visible to the worker, the client and the agency."""

    werkbrief = models.ForeignKey(
        Werkbrief, on_delete=models.CASCADE, related_name="comments", verbose_name=_("werkbrief")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("author"),
    )
    text = models.TextField(_("comment"), max_length=2000)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return Truncator(self.text).chars(60)


class CorrectionRequest(TenantModel):
    """After approval only the agency changes hours: the client or worker asks for it here."""

    class State(models.TextChoices):
        OPEN = "open", _("Open")
        HANDLED = "handled", _("Handled")

    werkbrief = models.ForeignKey(
        Werkbrief,
        on_delete=models.CASCADE,
        related_name="correction_requests",
        verbose_name=_("werkbrief"),
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("requested by"),
    )
    message = models.TextField(_("what should change"), max_length=4000)
    state = models.CharField(_("status"), max_length=10, choices=State.choices, default=State.OPEN)
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("handled by"),
    )
    handled_at = models.DateTimeField(_("handled at"), null=True, blank=True)

    class Meta:
        verbose_name = _("correction request")
        verbose_name_plural = _("correction requests")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return _("Correction of %(werkbrief)s") % {"werkbrief": self.werkbrief}
