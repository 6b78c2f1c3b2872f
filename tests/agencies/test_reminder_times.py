"""The back office sets reminder times as lines like “Monday 09:00” in its own language, not as
JSON; a wrong line is named at the field and what was typed stays."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from agencies.forms import ReminderSlotsField
from tests.notifications.conftest import english

pytestmark = pytest.mark.django_db

SETTINGS = "/admin/agencies/agency/{}/change/"


def test_lines_in_dutch_english_or_short_become_the_stored_slots():
    field = ReminderSlotsField()
    with translation.override("nl"):
        assert field.clean("maandag 16:00\n  di 10.00 \n\nTuesday 13:00\ndinsdag 10:00") == [
            {"weekday": 0, "time": "16:00"},
            {"weekday": 1, "time": "10:00"},
            {"weekday": 1, "time": "13:00"},
        ]
    with translation.override("de"):
        assert field.clean("Mittwoch 7:05") == [{"weekday": 2, "time": "07:05"}]
    assert field.clean("") == []


def test_the_stored_slots_show_as_lines_in_the_readers_language():
    field = ReminderSlotsField()
    slots = [{"weekday": 1, "time": "10:00"}, {"weekday": 0, "time": "16:00"}]
    with translation.override("nl"):
        assert field.prepare_value(slots) == "Maandag 16:00\nDinsdag 10:00"
    with translation.override("en"):
        assert field.prepare_value(slots) == "Monday 16:00\nTuesday 10:00"


def test_every_wrong_line_is_named():
    field = ReminderSlotsField()
    with translation.override("en"):
        with pytest.raises(ValidationError) as refused:
            field.clean("Monday 09:00\nMonday 25:00\nFunday 10:00")
        messages = refused.value.messages
    assert messages == [
        "Line 2, “Monday 25:00”: write a day and a time, like “Monday 09:00”.",
        "Line 3, “Funday 10:00”: write a day and a time, like “Monday 09:00”.",
    ]
    with translation.override("nl"), pytest.raises(ValidationError) as refused:
        field.clean("maandag 9:00\nmaanda 10:00")
    with translation.override("nl"):
        assert refused.value.messages == [
            "Regel 2, “maanda 10:00”: schrijf een dag en een tijd, zoals “Maandag 09:00”."
        ]


def test_the_back_office_saves_reminder_times_and_keeps_a_wrong_entry_on_screen(tenant_a):
    english(tenant_a.staff)
    staff = tenant_a.http(tenant_a.staff)
    url = SETTINGS.format(tenant_a.agency.pk)
    page = staff.get(url)
    form = page.context["adminform"].form
    assert "Monday 09:00" in page.content.decode()  # the default worker reminder
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name != "logo"
    }
    data = {k: v for k, v in data.items() if v is not False}
    data["worker_reminder_slots"] = "Sunday 21:55"
    data["client_reminder_slots"] = "Monday 16:00\nTuseday 10:00"
    response = staff.post(url, data)
    assert response.status_code == 200
    text = response.content.decode()
    assert "Line 2, “Tuseday 10:00”: write a day and a time" in text
    assert "Monday 16:00\nTuseday 10:00" in text  # what was typed stays
    tenant_a.agency.refresh_from_db()
    assert tenant_a.agency.worker_reminder_slots == [{"weekday": 0, "time": "09:00"}]
    data["client_reminder_slots"] = "Monday 16:00\nTuesday 10:00"
    assert staff.post(url, data).status_code == 302
    tenant_a.agency.refresh_from_db()
    assert tenant_a.agency.worker_reminder_slots == [{"weekday": 6, "time": "21:55"}]
    assert tenant_a.agency.client_reminder_slots == [
        {"weekday": 0, "time": "16:00"},
        {"weekday": 1, "time": "10:00"},
    ]


def test_a_new_agency_starts_with_the_default_reminder_times_not_an_empty_box():
    from agencies.admin import PlatformAgencyForm

    with translation.override("en"):
        html = str(PlatformAgencyForm()["client_reminder_slots"])
        assert "Monday 16:00\nTuesday 10:00\nTuesday 13:00" in html
        assert "Monday 09:00" in str(PlatformAgencyForm()["worker_reminder_slots"])


def test_the_same_times_in_another_order_or_repeated_are_no_change():
    field = ReminderSlotsField()
    stored = [
        {"weekday": 1, "time": "10:00"},
        {"weekday": 0, "time": "16:00"},
        {"weekday": 0, "time": "16:00"},
    ]
    with translation.override("en"):
        assert not field.has_changed(stored, "Monday 16:00\nTuesday 10:00")
        assert field.has_changed(stored, "Monday 16:00")
