"""Names are one line of visible text and mobile numbers have no extension: refused at the field
with a clear message (never stripped silently), in the back office and on the portal alike."""

import pytest
from django.core.exceptions import ValidationError

from flexportal.validators import normalise_mobile_number, validate_name
from notifications.models import Kind
from tests.notifications.conftest import english, mails

pytestmark = pytest.mark.django_db

SETTINGS = "/admin/agencies/agency/{}/change/"

HIDDEN = {
    "a line break": "Alpha\nUitzendbureau",
    "a carriage return": "Alpha\rUitzendbureau",
    "a tab": "Jan\tJansen",
    "DEL": "Jansen\x7f",
    "a zero-width space": "Jan\u200bsen",
    "a zero-width joiner": "Jan\u200dsen",
    "a right-to-left override": "\u202eJansen",
    "a byte-order mark": "\ufeffJansen",
    "a line separator": "Jan\u2028Jansen",
}


@pytest.mark.parametrize("value", HIDDEN.values(), ids=HIDDEN.keys())
def test_a_name_with_a_control_or_invisible_character_is_refused(value):
    with pytest.raises(ValidationError) as refused:
        validate_name(value)
    assert refused.value.code == "hidden_character"


@pytest.mark.parametrize(
    "value", ["Jansen", "van der Berg-Ösztürk", "Łukasz Żółć", "Иванов", "O'Neill & Zn. (B.V.)"]
)
def test_names_in_the_agencys_languages_are_accepted(value):
    validate_name(value)


def _settings_data(form) -> dict:
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name != "logo"
    }
    data = {k: v for k, v in data.items() if v is not False}
    data["worker_reminder_slots"] = "Monday 09:00"
    data["client_reminder_slots"] = "Monday 16:00"
    return data


def test_the_back_office_cannot_give_the_agency_a_name_with_a_line_break(tenant_a):
    english(tenant_a.staff)
    staff = tenant_a.http(tenant_a.staff)
    url = SETTINGS.format(tenant_a.agency.pk)
    data = _settings_data(staff.get(url).context["adminform"].form)
    data["name"] = "Alpha\nUitzendbureau"
    response = staff.post(url, data)
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["name"]
    assert errors == [
        "Use visible characters only: this contains a line break, tab or invisible character "
        "(U+000A). Type it again without it."
    ]
    tenant_a.agency.refresh_from_db()
    assert tenant_a.agency.name == "Alpha Uitzendbureau"
    data["name"] = "Alpha Uitzendbureau B.V."
    assert staff.post(url, data).status_code == 302


def test_an_agency_name_stored_with_a_line_break_still_mails(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    # A row from before the check: its mails go out with the name on one line.
    from accounts import services

    tenant_a.agency.name = "Alpha\nUitzendbureau"
    tenant_a.agency.save()
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(membership=tenant_a.contact.membership)
    (message,) = mails(mailoutbox, Kind.INVITATION)
    assert message.message()["From"].startswith("Alpha Uitzendbureau <")


def _worker_details(tenant, **changes) -> dict:
    profile = tenant.worker
    data = {
        "first_name": profile.first_name,
        "infix": profile.infix,
        "last_name": profile.last_name,
        "street": "Dorpsstraat",
        "house_number": "1",
        "postal_code": "1234 AB",
        "city": "Utrecht",
        "country": "NL",
        "phone": "0612345678",
        "payroll_tax_credit": "apply",
        "language": "en",
    }
    data.update(changes)
    return data


def test_a_worker_cannot_hide_a_zero_width_space_or_a_direction_override_in_their_name(tenant_a):
    english(tenant_a.worker.membership)
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post(
        "/worker/details/edit/",
        _worker_details(tenant_a, first_name="Jan\u200b", last_name="\u202enesnaJ"),
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"first_name", "last_name"}
    assert "(U+200B)" in errors["first_name"][0]
    assert "(U+202E)" in errors["last_name"][0]
    assert "\u202enesnaJ" in response.content.decode()  # what was typed stays
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert "\u200b" not in tenant_a.worker.first_name


def test_a_client_contact_cannot_put_del_in_their_name_or_job_title(tenant_a):
    english(tenant_a.contact.membership)
    client = tenant_a.http(tenant_a.contact.membership)
    response = client.post(
        "/client/details/edit/",
        {
            "first_name": "Kees\x7f",
            "last_name": "Klant",
            "job_title": "Planner\r\nBcc: iemand@example.nl",
            "phone": "",
            "language": "en",
        },
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"first_name", "job_title"}


def test_the_back_office_cannot_add_a_client_with_a_newline_in_its_name(tenant_a):
    english(tenant_a.staff)
    response = tenant_a.http(tenant_a.staff).post(
        "/admin/staffing/client/add/",
        {
            "name": "Bakkerij\nDe Korenschoof",
            "is_active": "on",
            "cost_centres-TOTAL_FORMS": "0",
            "cost_centres-INITIAL_FORMS": "0",
            "departments-TOTAL_FORMS": "0",
            "departments-INITIAL_FORMS": "0",
            "functions-TOTAL_FORMS": "0",
            "functions-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 200
    assert "name" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "typed", ["0612345678 ext 99", "06 12345678 x12", "+31 6 12345678;ext=5", "0612345678#99"]
)
def test_a_mobile_number_with_an_extension_is_refused_not_cut_short(typed):
    with pytest.raises(ValidationError) as refused:
        normalise_mobile_number(typed)
    assert refused.value.code == "phone_extension"


def test_the_worker_is_told_to_leave_out_the_extension(tenant_a):
    english(tenant_a.worker.membership)
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post(
        "/worker/details/edit/", _worker_details(tenant_a, phone="0612345678 ext 99")
    )
    assert response.status_code == 200
    assert response.context["form"].errors["phone"] == [
        "Leave out the extension (99): codes and reminders go by text message to a mobile "
        "number, which has none."
    ]
    assert 'value="0612345678 ext 99"' in response.content.decode()


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        ("HourType", {"code": "OT", "percentage": 125}),
        ("ExpenseType", {}),
        ("CaoScheme", {}),
    ],
)
def test_hour_expense_and_scheme_names_refuse_a_line_break_too(tenant_a, model, fields):
    from timesheets import models

    with tenant_a.scope():
        row = getattr(models, model)(agency=tenant_a.agency, name="Overuren\n125", **fields)
        with pytest.raises(ValidationError) as refused:
            row.full_clean()
    assert "name" in refused.value.error_dict
