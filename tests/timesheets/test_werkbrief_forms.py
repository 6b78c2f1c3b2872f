"""The werkbrief forms: what people type becomes minutes, and every mistake gets a clear message
at its field (7.75, 25:00, -1, letters, a break longer than the shift, an empty week, a day
outside the werkbrief, a receipt of the wrong type or size)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation

from flexportal import uploads
from staffing.models import TimeEntry
from tests import uploads as samples
from timesheets import forms as werkbrief_forms
from timesheets.forms import (
    BreakField,
    ClockField,
    DurationField,
    ExpenseForm,
    RejectForm,
    WerkbriefHoursForm,
)
from timesheets.hours import HoursError
from timesheets.models import ExpenseType, HourType

PDF = samples.pdf()
PNG = samples.png()


@pytest.fixture(autouse=True)
def _in_english():
    """The messages are checked in the English source; the catalogs translate them."""
    with translation.override("en"):
        yield


def _field(day, name):
    return f"d{day:%Y%m%d}-{name}"


def _hours_form(werkbrief, data, *, hour_types=(), submitting=False):
    return WerkbriefHoursForm(
        {"version": str(werkbrief.version), **data},
        werkbrief=werkbrief,
        days=list(werkbrief.days.prefetch_related("manual_hours")),
        hour_types=hour_types,
        submitting=submitting,
    )


# The fields ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "minutes"),
    [
        ("7:30", 450),
        ("7.30", 450),
        ("7,30", 450),
        ("0.15", 15),
        ("0.30", 30),
        ("0.45", 45),
        ("8", 480),
    ],
)
def test_hours_are_written_as_hours_dot_minutes(typed, minutes):
    assert DurationField().clean(typed) == minutes


def test_an_empty_duration_is_nothing():
    assert DurationField().clean("") is None


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("7.75", "59"),  # minutes must stay below 60
        ("25:00", "24 hours"),
        ("-3", "negative"),
        ("abc", "“abc”"),
        ("7.5", "two digits"),
    ],
)
def test_a_wrong_duration_says_what_is_wrong(typed, says):
    field = DurationField()
    with pytest.raises(Exception) as raised:
        field.clean(typed)
    assert says in " ".join(raised.value.messages)


def test_times_of_day_in_every_usual_way():
    assert ClockField().clean("07:00") == 420
    assert ClockField().clean("7.00") == 420
    assert ClockField().clean("0700") == 420
    assert ClockField(allow_24=True).clean("24:00") == 1440


def test_a_time_that_does_not_exist_is_refused():
    with pytest.raises(Exception) as raised:
        ClockField().clean("25:00")
    assert "is not a time" in " ".join(raised.value.messages)


@pytest.mark.parametrize(("typed", "minutes"), [("30", 30), ("0:30", 30), ("0.45", 45), ("", 0)])
def test_a_break_in_minutes_or_in_hours_and_minutes(typed, minutes):
    assert BreakField().clean(typed) == minutes


@pytest.mark.parametrize(("typed", "says"), [("-30", "negative"), ("half", "minutes, like 30")])
def test_a_wrong_break_says_what_is_wrong(typed, says):
    with pytest.raises(Exception) as raised:
        BreakField().clean(typed)
    assert says in " ".join(raised.value.messages)


@pytest.mark.parametrize(
    ("typed", "says"),
    [
        ("²", "minutes, like 30"),
        ("1²", "minutes, like 30"),
        ("²³", "minutes, like 30"),
        ("①", "minutes, like 30"),
        ("5" * 5000, "shorter than a day"),
        ("1440", "shorter than a day"),
    ],
)
def test_a_break_of_odd_digits_or_endless_ones_gets_a_message_not_an_error(typed, says):
    with pytest.raises(Exception) as raised:
        BreakField().clean(typed)
    assert says in " ".join(raised.value.messages)


def test_a_break_in_digits_of_another_script_counts_as_those_digits():
    assert BreakField().clean("٣٠") == 30


@pytest.mark.parametrize(
    "code",
    ["negative", "minutes_too_large", "one_digit_minutes", "too_long", "invalid", "invalid_time"],
)
def test_every_code_of_the_hours_parser_has_its_own_message(code):
    fallback = werkbrief_forms.hours_error_message(HoursError("something_else"))
    assert werkbrief_forms.hours_error_message(HoursError(code, {"value": "x"})) != fallback


# The week ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_typed_week_becomes_day_inputs(tenant_a, werkbrief):
    monday = werkbrief.week_start
    with tenant_a.scope():
        form = _hours_form(
            werkbrief,
            {
                _field(monday, "start"): "22:00",
                _field(monday, "end"): "6.00",
                _field(monday, "break_minutes"): "30",
                _field(monday, "note"): "nachtdienst",
            },
        )
        assert form.is_valid()
    day = form.day_inputs()[0]
    assert (day.date, day.start, day.end, day.break_minutes, day.note) == (
        monday,
        22 * 60,
        6 * 60,
        30,
        "nachtdienst",
    )


@pytest.mark.django_db
def test_a_total_per_day_where_the_placement_says_so(tenant_a, werkbrief):
    with tenant_a.scope():
        tenant_a.placement.time_entry = TimeEntry.TOTAL
        tenant_a.placement.save()
        werkbrief.refresh_from_db()
        form = _hours_form(werkbrief, {_field(werkbrief.week_start, "total"): "7.30"})
        assert form.is_valid()
    assert "start" not in form.days[0].fields
    assert form.day_inputs()[0].total == 450


@pytest.mark.django_db
def test_a_day_outside_the_werkbrief_is_refused(tenant_a, werkbrief):
    next_week = werkbrief.week_start + dt.timedelta(days=7)
    with tenant_a.scope():
        form = _hours_form(werkbrief, {_field(next_week, "start"): "08:00"})
        assert not form.is_valid()
    assert "not a day of this werkbrief" in form.non_field_errors()[0]


@pytest.mark.django_db
def test_an_empty_week_cannot_be_submitted_and_the_first_day_says_so(tenant_a, werkbrief):
    with tenant_a.scope():
        form = _hours_form(werkbrief, {}, submitting=True)
        assert not form.is_valid()
    assert "before you submit" in form.days[0].errors["start"][0]


@pytest.mark.django_db
def test_an_empty_week_may_be_saved_as_a_draft(tenant_a, werkbrief):
    with tenant_a.scope():
        assert _hours_form(werkbrief, {}).is_valid()


@pytest.mark.django_db
def test_the_errors_of_the_service_land_at_their_fields(tenant_a, werkbrief):
    monday = werkbrief.week_start
    with tenant_a.scope():
        form = _hours_form(werkbrief, {})
        form.is_valid()
        form.add_service_errors(
            {
                (monday, "break_minutes"): ["The break is longer than the shift."],
                (None, "__all__"): ["Something about the week."],
            }
        )
    assert form.days[0].errors["break_minutes"] == ["The break is longer than the shift."]
    assert form.non_field_errors() == ["Something about the week."]


@pytest.mark.django_db
def test_without_a_scheme_the_clock_has_a_field_per_hour_type(tenant_a, werkbrief):
    with tenant_a.scope():
        overtime = HourType.objects.create(
            agency=tenant_a.agency, code="ot125", name="Overuren", kind="hours", percentage=125
        )
        form = _hours_form(
            werkbrief,
            {
                _field(werkbrief.week_start, "start"): "7:00",
                _field(werkbrief.week_start, "end"): "18:00",
                _field(werkbrief.week_start, f"manual_{overtime.pk.hex}"): "2.30",
            },
            hour_types=[overtime],
        )
        assert form.is_valid()
    assert form.day_inputs()[0].manual == {overtime.pk: 150}
    assert form.days[0].has_manual_hours()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "label"),
    [
        ("Overuren", "Overuren (125 %)"),
        ("Overuren 125%", "Overuren 125%"),
        ("Overuren 125 %", "Overuren 125 %"),
        ("Toeslag 1125%", "Toeslag 1125% (125 %)"),
    ],
)
@pytest.mark.django_db
def test_the_clock_names_each_percentage_once(tenant_a, werkbrief, name, label):
    with tenant_a.scope():
        hour_type = HourType.objects.create(
            agency=tenant_a.agency, code="ot", name=name, kind="hours", percentage=125
        )
        form = _hours_form(werkbrief, {}, hour_types=[hour_type])
    assert form.days[0][f"manual_{hour_type.pk.hex}"].label == label


def test_an_error_is_linked_to_its_input_for_screen_readers(tenant_a, werkbrief):
    with tenant_a.scope():
        form = _hours_form(werkbrief, {_field(werkbrief.week_start, "start"): "7.75"})
        assert not form.is_valid()
    html = str(form.days[0]["start"])
    assert 'aria-invalid="true"' in html
    assert f'aria-describedby="id_{_field(werkbrief.week_start, "start")}_error"' in html


# Expenses and rejections ------------------------------------------------------------------------


def _expense_form(tenant, werkbrief, data, receipt=None, **type_kwargs):
    with tenant.scope():
        expense_type = ExpenseType.objects.create(
            agency=tenant.agency, name=type_kwargs.pop("name", "Parkeren"), **type_kwargs
        )
        form = ExpenseForm(
            {
                "version": werkbrief.version,
                "expense_type": expense_type.pk,
                "date": werkbrief.week_start.isoformat(),
                **data,
            },
            {"receipt": receipt} if receipt else {},
            werkbrief=werkbrief,
            expense_types=[expense_type],
            days=list(werkbrief.days.all()),
        )
        form.is_valid()
    return form


@pytest.mark.django_db
def test_an_amount_with_a_dutch_comma_is_fine(tenant_a, werkbrief):
    form = _expense_form(
        tenant_a, werkbrief, {"amount": "12,50"}, SimpleUploadedFile("bon.pdf", PDF)
    )
    assert form.errors == {}
    assert str(form.cleaned_data["amount"]) == "12.50"
    assert form.cleaned_data["receipt"].kind.name == "PDF"


@pytest.mark.django_db
def test_a_receipt_is_required_where_the_type_needs_one(tenant_a, werkbrief):
    form = _expense_form(tenant_a, werkbrief, {"amount": "5"})
    assert "needs one" in form.errors["receipt"][0]


@pytest.mark.django_db
def test_a_receipt_that_is_not_a_pdf_or_image_is_refused_whatever_its_name(tenant_a, werkbrief):
    fake = SimpleUploadedFile("bon.pdf", b"MZ\x90\x00 an executable")
    form = _expense_form(tenant_a, werkbrief, {"amount": "5"}, fake)
    assert "PDF / JPEG / PNG" in form.errors["receipt"][0]


@pytest.mark.django_db
def test_a_receipt_that_is_too_large_is_refused(tenant_a, werkbrief):
    big = SimpleUploadedFile("bon.png", PNG + b"\0" * uploads.DOCUMENT.max_bytes)
    form = _expense_form(tenant_a, werkbrief, {"amount": "5"}, big)
    assert "limit" in form.errors["receipt"][0]


@pytest.mark.django_db
def test_a_kilometre_allowance_needs_the_kilometres(tenant_a, werkbrief):
    form = _expense_form(
        tenant_a, werkbrief, {}, kind="km", rate="0.23", requires_receipt=False, name="Reiskosten"
    )
    assert "kilometres" in form.errors["kilometres"][0]


@pytest.mark.django_db
def test_an_amount_above_the_types_maximum_is_refused(tenant_a, werkbrief):
    form = _expense_form(
        tenant_a, werkbrief, {"amount": "30"}, max_amount="25.00", requires_receipt=False
    )
    assert "maximum" in form.errors["amount"][0]


def test_a_rejection_without_a_reason_says_why_one_is_needed():
    form = RejectForm({"version": "3", "reason": "   "})
    assert not form.is_valid()
    assert "knows what to fix" in form.errors["reason"][0]
