"""Forms of the werkbrief screens: they parse what people type and say what is wrong at the field.

Hours go through timesheets.hours (7:30, 7.30 and 7,30 are all 7 h 30 min; 7.75 is an error);
its error codes become translated messages here. The rules about whole days (a break longer
than the shift, a day outside the werkbrief) live in the services; their errors come back with
``add_service_errors`` and land at the same fields.
"""

import datetime as dt
import re
import uuid
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.formats import date_format
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from flexportal import uploads
from flexportal.formatting import money
from staffing.models import TimeEntry
from timesheets.hours import (
    HoursError,
    format_clock,
    format_minutes,
    minute_of_day,
    parse_clock,
    parse_duration,
)
from timesheets.models import Absence, ExpenseType, Status
from timesheets.services import DayInput

DAY_PREFIX = re.compile(r"^d(\d{8})-")


def hours_error_message(error: HoursError) -> str:
    """The translated message for an hours parser error code."""
    params = error.params
    messages = {
        "negative": _("Hours cannot be negative."),
        "minutes_too_large": _(
            "%(minutes)s minutes is not possible: minutes go up to 59. "
            "Write 7.45 for 7 hours and 45 minutes."
        )
        % {"minutes": params.get("minutes", "")},
        "one_digit_minutes": _(
            "Write the minutes with two digits: 7.30 is 7 hours and 30 minutes, 7.05 is 7 hours "
            "and 5 minutes."
        ),
        "too_long": _("A day has at most 24 hours."),
        "invalid": _(
            "“%(value)s” is not a number of hours. Write hours and minutes, like 7:30 or 7.30."
        )
        % {"value": params.get("value", "")},
        "invalid_time": _("“%(value)s” is not a time. Write it like 07:00 or 7.00.")
        % {"value": params.get("value", "")},
    }
    return messages.get(error.code, _("This value cannot be read."))


class _HoursInput(forms.TextInput):
    def __init__(self, attrs=None):
        base = {
            "inputmode": "decimal",
            "autocomplete": "off",
            "class": "input-hours",
            "maxlength": "20",
        }
        super().__init__({**base, **(attrs or {})})


class DurationField(forms.CharField):
    """Hours and minutes (7:30, 7.30, 0.15) to whole minutes; None when empty."""

    widget = _HoursInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_duration(value)
        except HoursError as error:
            raise ValidationError(hours_error_message(error), code=error.code) from None


class ClockField(forms.CharField):
    """A time of day (07:00, 7.00, 0700) to minutes after midnight; None when empty."""

    widget = _HoursInput

    def __init__(self, *, allow_24=False, **kwargs):
        self.allow_24 = allow_24
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        try:
            return parse_clock(value, allow_24=self.allow_24)
        except HoursError as error:
            raise ValidationError(hours_error_message(error), code=error.code) from None


class BreakField(forms.CharField):
    """A break in minutes (30), or as hours and minutes (0:30, 0.30); 0 when empty."""

    widget = _HoursInput

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def to_python(self, value):
        value = (super().to_python(value) or "").strip()
        if value == "":
            return 0
        if value.startswith("-"):
            raise ValidationError(_("A break cannot be negative."), code="negative")
        # isdecimal, not isdigit: "²" and "①" are digits that int() cannot read. Any
        # script's decimal digits are fine; a string of thousands is simply too long.
        if value.isdecimal():
            if len(value.lstrip("0")) > 4 or int(value) >= 24 * 60:
                raise ValidationError(_("A break is shorter than a day."), code="too_long")
            return int(value)
        try:
            return parse_duration(value) or 0
        except HoursError as error:
            if error.code == "invalid":
                raise ValidationError(
                    _("Write the break in minutes, like 30."), code="invalid"
                ) from None
            raise ValidationError(hours_error_message(error), code=error.code) from None


class DayForm(forms.Form):
    """One day of a werkbrief: start, end and break, or a total; absence; note; the "clock"."""

    start = ClockField(label=gettext_lazy("Start"))
    end = ClockField(label=gettext_lazy("End"), allow_24=True)
    break_minutes = BreakField(label=gettext_lazy("Break (min)"))
    total = DurationField(label=gettext_lazy("Hours"))
    absence = forms.ChoiceField(
        label=gettext_lazy("Absence"), choices=Absence.choices, required=False
    )
    absence_minutes = DurationField(label=gettext_lazy("Absence hours"))
    note = forms.CharField(
        label=gettext_lazy("Note"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )

    def __init__(self, *args, day, time_entry, hour_types=(), prefix_format="d{:%Y%m%d}", **kwargs):
        self.day = day
        self.date = day.date
        prefix = prefix_format.format(day.date)
        super().__init__(*args, prefix=prefix, initial=_initial(day), **kwargs)
        if time_entry == TimeEntry.TIMES:
            del self.fields["total"]
        else:
            for name in ("start", "end", "break_minutes"):
                del self.fields[name]
        self.manual_names = {}
        manual = {m.hour_type_id: m.minutes for m in day.manual_hours.all()}
        for hour_type in hour_types:
            name = f"manual_{hour_type.pk.hex}"
            self.fields[name] = DurationField(
                label=_hour_type_label(hour_type),
                initial=format_minutes(manual.get(hour_type.pk)),
            )
            self.manual_names[name] = hour_type

    @property
    def uses_times(self) -> bool:
        return "start" in self.fields

    def time_fields(self):
        names = ("start", "end", "break_minutes") if self.uses_times else ("total",)
        return [self[name] for name in names]

    def more_fields(self):
        return [self["absence"], self["absence_minutes"], self["note"]]

    def has_more(self) -> bool:
        """Whether absence or note hold anything (or an error): then they are shown open."""
        return any(bf.errors or bf.value() for bf in self.more_fields())

    def manual_fields(self):
        return [self[name] for name in self.manual_names]

    def has_manual_hours(self) -> bool:
        """Whether the "clock" holds anything (the manuals colour it then) or an error."""
        return any(bf.errors or bf.value() for bf in self.manual_fields())

    def is_empty(self) -> bool:
        data = self.cleaned_data
        worked = data.get("start") is not None or data.get("total")
        return not (worked or data.get("absence"))

    def day_input(self) -> DayInput:
        data = self.cleaned_data
        return DayInput(
            date=self.date,
            start=data.get("start"),
            end=data.get("end"),
            break_minutes=data.get("break_minutes") or 0,
            total=data.get("total"),
            absence=data.get("absence") or "",
            absence_minutes=data.get("absence_minutes") or 0,
            note=data.get("note") or "",
            manual={
                hour_type.pk: data.get(name) or 0 for name, hour_type in self.manual_names.items()
            },
        )

    def first_field_name(self) -> str:
        return "start" if self.uses_times else "total"


def _hour_type_label(hour_type) -> str:
    """The clock's label of an hour type, Overuren (125 %); a name that says its percentage
    already (Overuren 125%) stays as it is."""
    if re.search(rf"(?<!\d){hour_type.percentage}\s*%", hour_type.name):
        return hour_type.name
    return f"{hour_type.name} ({hour_type.percentage} %)"


def _initial(day) -> dict:
    def clock(value: dt.time | None) -> str:
        return format_clock(minute_of_day(value))

    return {
        "start": clock(day.start),
        "end": clock(day.end),
        "break_minutes": str(day.break_minutes) if day.break_minutes else "",
        "total": format_minutes(day.worked_minutes) if day.worked_minutes else "",
        "absence": day.absence,
        "absence_minutes": format_minutes(day.absence_minutes) if day.absence_minutes else "",
        "note": day.note,
    }


SERVICE_FIELDS = {
    "start": "start",
    "end": "end",
    "break_minutes": "break_minutes",
    "total": "total",
    "absence": "absence",
    "absence_minutes": "absence_minutes",
}


def _manual_name(service_field: str) -> str:
    """The DayForm field of a bucket of the clock, from the service's "manual:<hour type>"."""
    try:
        return f"manual_{uuid.UUID(service_field.removeprefix('manual:')).hex}"
    except ValueError:
        return ""


class WerkbriefHoursForm(forms.Form):
    """The hours of a whole werkbrief: one DayForm per day, and the version the person saw.

    The one hours form: the worker's and the client's werkbrief page use it, and the back
    office's correction (timesheets.admin.CorrectionForm) is a thin subclass of it, so a typed
    hour is read and refused with the same words wherever it is typed."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    day_prefix = "d{:%Y%m%d}"  # the names of a day's fields: d20260302-start

    def __init__(self, data=None, *, werkbrief, days, hour_types=(), submitting=False):
        super().__init__(data, initial={"version": werkbrief.version})
        self.werkbrief = werkbrief
        self.submitting = submitting
        time_entry = werkbrief.placement.time_entry
        self.days = [
            DayForm(
                data,
                day=day,
                time_entry=time_entry,
                hour_types=hour_types,
                prefix_format=self.day_prefix,
            )
            for day in days
        ]

    def clean(self):
        cleaned = super().clean()
        own = {f"{d.date:%Y%m%d}" for d in self.days}
        stray = sorted(
            {m[1] for key in (self.data or {}) if (m := DAY_PREFIX.match(key)) and m[1] not in own}
        )
        for stamp in stray:
            day = dt.datetime.strptime(stamp, "%Y%m%d").date()
            raise ValidationError(
                _("%(date)s is not a day of this werkbrief: the placement does not run then.")
                % {"date": date_format(day, "DATE_FORMAT")},
                code="stray_day",
            )
        return cleaned

    def is_valid(self) -> bool:
        valid = super().is_valid()
        valid = all([day.is_valid() for day in self.days]) and valid  # noqa: C419 - validate every day
        if valid and self.submitting and self.days and all(d.is_empty() for d in self.days):
            first = self.days[0]
            first.add_error(
                first.first_field_name(),
                _("Enter the hours you worked, or an absence, before you submit."),
            )
            self.add_error(None, _("There are no hours to submit yet."))
            return False
        return valid

    @property
    def seen_version(self) -> int:
        """The version of the werkbrief the person saw when the page was loaded."""
        return self.cleaned_data["version"]

    def day_inputs(self) -> list[DayInput]:
        return [day.day_input() for day in self.days]

    def has_errors(self) -> bool:
        return bool(self.errors) or any(day.errors for day in self.days)

    def add_service_errors(self, errors: dict) -> None:
        """Put the errors of HoursInvalid at their fields (date, field) -> messages."""
        by_date = {day.date: day for day in self.days}
        for (date, name), messages in errors.items():
            day = by_date.get(date)
            for message in messages:
                if day is None:
                    self.add_error(None, str(message))
                elif name.startswith("manual:") and _manual_name(name) in day.fields:
                    day.add_error(_manual_name(name), str(message))
                elif name.startswith("manual") and day.manual_names:
                    day.add_error(next(iter(day.manual_names)), str(message))
                elif name in SERVICE_FIELDS and SERVICE_FIELDS[name] in day.fields:
                    day.add_error(SERVICE_FIELDS[name], str(message))
                elif name == "total" and day.uses_times:
                    day.add_error("end", str(message))
                else:
                    day.add_error(None, str(message))


# Expenses, comments, corrections, rejections -----------------------------------------------------


class MoneyField(forms.DecimalField):
    """An amount in euros; "12,50" (the Dutch comma) and "12.50" both work."""

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip().replace("€", "").strip()
            if "," in value:
                value = value.replace(".", "").replace(",", ".")
        return super().to_python(value)


def _expense_type_label(expense_type: ExpenseType) -> str:
    label = expense_type.name
    if expense_type.kind == ExpenseType.Kind.KILOMETRES:
        label += " · " + _("%(rate)s per km") % {"rate": money(expense_type.rate)}
    if expense_type.requires_receipt:
        label += " · " + _("receipt needed")
    return label


class ExpenseForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    expense_type = forms.ModelChoiceField(
        label=gettext_lazy("Kind of expense"), queryset=ExpenseType.objects.none()
    )
    date = forms.TypedChoiceField(label=gettext_lazy("Day"), coerce=dt.date.fromisoformat)
    amount = MoneyField(
        label=gettext_lazy("Amount (EUR)"),
        help_text=gettext_lazy("Not for a kilometre allowance: that is kilometres times the rate."),
        required=False,
        min_value=Decimal("0.01"),
        max_digits=8,
        decimal_places=2,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    kilometres = forms.IntegerField(
        label=gettext_lazy("Kilometres"),
        required=False,
        min_value=1,
        max_value=5000,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    description = forms.CharField(label=gettext_lazy("Description"), max_length=200, required=False)
    receipt = forms.FileField(
        label=gettext_lazy("Receipt (PDF, JPEG or PNG, at most 5 MB)"),
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": ".pdf,.jpg,.jpeg,.png"}),
    )

    def __init__(self, *args, werkbrief, expense_types, days, **kwargs):
        kwargs.setdefault("initial", {"version": werkbrief.version})
        super().__init__(*args, **kwargs)
        self.fields["expense_type"].queryset = ExpenseType.objects.filter(
            pk__in=[t.pk for t in expense_types]
        )
        # Reuse the list already read, so rendering the choices costs no query.
        self.fields["expense_type"].choices = [("", "---------")] + [
            (t.pk, _expense_type_label(t)) for t in expense_types
        ]
        self.fields["date"].choices = [
            (d.date.isoformat(), capfirst(date_format(d.date, "WEEKDAY_DAY_MONTH_FORMAT")))
            for d in days
        ]

    def clean(self):
        data = super().clean()
        expense_type = data.get("expense_type")
        if expense_type is None:
            return data
        if expense_type.kind == ExpenseType.Kind.KILOMETRES:
            if not data.get("kilometres") and "kilometres" not in self.errors:
                self.add_error("kilometres", _("Enter the number of kilometres."))
        else:
            amount = data.get("amount")
            if amount is None and "amount" not in self.errors:
                self.add_error("amount", _("Enter the amount."))
            elif amount is not None and amount > (expense_type.max_amount or amount):
                self.add_error(
                    "amount",
                    _("The maximum for %(type)s is %(max)s.")
                    % {"type": expense_type.name, "max": money(expense_type.max_amount)},
                )
        receipt = data.get("receipt")
        if receipt:
            try:
                data["receipt"] = uploads.validate_upload(receipt, uploads.DOCUMENT)
            except ValidationError as error:
                self.add_error("receipt", error)
        elif expense_type.requires_receipt and "receipt" not in self.errors:
            self.add_error("receipt", _("Add the receipt: this kind of expense needs one."))
        return data


class CommentForm(forms.Form):
    text = forms.CharField(
        label=gettext_lazy("Comment"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Write a comment first.")},
    )


class RejectForm(forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    reason = forms.CharField(
        label=gettext_lazy("Why do you reject it?"),
        help_text=gettext_lazy("The worker sees this and fixes the hours."),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Say why you reject it, so the worker knows what to fix.")
        },
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError(self.fields["reason"].error_messages["required"])
        return reason


class CorrectionForm(forms.Form):
    message = forms.CharField(
        label=gettext_lazy("What should be corrected?"),
        help_text=gettext_lazy("The agency corrects approved hours and lets you know."),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Describe what should be corrected.")},
    )


# Lists -------------------------------------------------------------------------------------------

PERIODS = [
    ("", gettext_lazy("All (no period filter)")),
    ("4", gettext_lazy("Last 4 weeks")),
    ("13", gettext_lazy("Last 13 weeks")),
    ("26", gettext_lazy("Last 26 weeks")),
    ("52", gettext_lazy("Last 52 weeks")),
]


class WerkbriefFilterForm(forms.Form):
    """The filters of the werkbrief lists: status and period (the manuals' "periode")."""

    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *Status.choices],
    )
    period = forms.ChoiceField(label=gettext_lazy("Period"), required=False, choices=PERIODS)

    def filter(self, queryset, *, today: dt.date):
        if not self.is_valid():
            return queryset
        if status := self.cleaned_data["status"]:
            queryset = queryset.filter(status=status)
        if period := self.cleaned_data["period"]:
            since = today - dt.timedelta(weeks=int(period))
            queryset = queryset.filter(week_start__gte=since - dt.timedelta(days=since.weekday()))
        return queryset

    def active_filters(self) -> list[str]:
        """The labels of the filters in use, shown above the list."""
        if not self.is_valid():
            return []
        active = []
        for name in ("status", "period"):
            value = self.cleaned_data[name]
            if value:
                active.append(str(dict(self.fields[name].choices)[value]))
        return active


class ClientWeekFilterForm(forms.Form):
    """The filters of the client's werkbrief list, which shows one week at a time (the manuals'
    "declaraties per week"): the week, the status, and only what waits for the contact."""

    week = forms.DateField(
        label=gettext_lazy("Week of"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=gettext_lazy("Any day of the week."),
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Status"),
        required=False,
        choices=[("", gettext_lazy("All statuses")), *Status.choices],
    )
    waiting = forms.BooleanField(label=gettext_lazy("Only what waits for me"), required=False)

    def week_start(self, default: dt.date) -> dt.date:
        """The Monday of the chosen week; ``default`` when none (or no valid one) is chosen."""
        if self.is_valid() and self.cleaned_data["week"]:
            day = self.cleaned_data["week"]
            return day - dt.timedelta(days=day.weekday())
        return default

    def status_and_waiting(self) -> tuple[str, bool]:
        """The status chosen ("" for all) and whether only what waits for the contact."""
        if not self.is_valid():
            return "", False
        return self.cleaned_data["status"], self.cleaned_data["waiting"]

    def active_filters(self) -> list[str]:
        """The labels of the filters in use (the week is the list's heading)."""
        if not self.is_valid():
            return []
        active = []
        if status := self.cleaned_data["status"]:
            active.append(str(dict(self.fields["status"].choices)[status]))
        if self.cleaned_data["waiting"]:
            active.append(str(self.fields["waiting"].label))
        return active
