"""Bad input in the back office gets a clear message at its field (or a 400 for nonsense in
the address), never a server error, and nothing is half-saved (issue 11, item 9)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import User
from staffing.models import ClientContact, FlexworkerProfile, Placement
from timesheets.models import CaoScheme, CaoSchemeVersion, HourType, Werkbrief

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"


def _url(name, *args):
    return reverse(name, args=args, urlconf=URLCONF)


@pytest.fixture
def staff(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    client.raise_request_exception = False  # a 500 is a failed assertion, not an exception
    return client


def _field_errors(response, field):
    assert response.status_code == 200, response.status_code
    form = response.context["adminform"].form
    return [str(e) for e in form.errors.get(field, [])]


# Autocomplete fields with a value that is no id ---------------------------------------------------

NOT_IDS = ["abc", "1", "x'--", "%", "00000000-0000-0000-0000-00000000000g"]


@pytest.mark.parametrize("junk", NOT_IDS)
def test_an_autocomplete_field_with_no_id_says_so_at_the_field(tenant_a, staff, junk):
    response = staff.post(
        _url("admin:staffing_placement_add"),
        {
            "worker": junk,
            "department": junk,
            "function": junk,
            "start_date": "2026-01-05",
            "hourly_wage": "15",
        },
    )
    for field in ("worker", "department", "function"):
        assert _field_errors(response, field), field
    with tenant_a.scope():
        assert Placement.objects.count() == 1  # the persona's own


@pytest.mark.parametrize("junk", NOT_IDS)
def test_a_client_autocomplete_with_no_id_says_so_on_every_page_that_has_one(staff, junk):
    department = staff.post(_url("admin:staffing_department_add"), {"client": junk, "name": "X"})
    assert _field_errors(department, "client")
    contact = staff.post(
        _url("admin:staffing_clientcontact_add"),
        {
            "client": junk,
            "email": "nieuw@example.nl",
            "first_name": "N",
            "last_name": "N",
            "language": "nl",
        },
    )
    assert _field_errors(contact, "client")


# Duplicates -------------------------------------------------------------------------------------


def test_a_second_hour_type_with_the_same_code_is_refused_at_the_code(tenant_a, staff):
    with tenant_a.scope():
        HourType.objects.create(
            agency=tenant_a.agency, code="ot125", name="Overuren", kind="hours", percentage=125
        )
    data = {"code": "ot125", "name": "Ander", "kind": "hours", "percentage": "150"}
    response = staff.post(_url("admin:timesheets_hourtype_add"), {**data, "is_active": "on"})
    assert _field_errors(response, "code")
    assert 'value="Ander"' in response.content.decode()  # what was typed stays
    with tenant_a.scope():
        assert HourType.objects.count() == 1


def test_the_same_code_at_another_agency_is_no_duplicate(tenant_a, tenant_b, staff):
    with tenant_b.scope():
        HourType.objects.create(
            agency=tenant_b.agency, code="ot125", name="Overuren", kind="hours", percentage=125
        )
    response = staff.post(
        _url("admin:timesheets_hourtype_add"),
        {"code": "ot125", "name": "Overuren", "kind": "hours", "percentage": "125"},
    )
    assert response.status_code == 302


def test_changing_an_hour_type_to_a_code_in_use_is_refused_at_the_code(tenant_a, staff):
    with tenant_a.scope():
        HourType.objects.create(
            agency=tenant_a.agency, code="ot125", name="A", kind="hours", percentage=125
        )
        other = HourType.objects.create(
            agency=tenant_a.agency, code="ot150", name="B", kind="hours", percentage=150
        )
    url = _url("admin:timesheets_hourtype_change", other.pk)
    data = {"code": "ot125", "name": "B", "kind": "hours", "percentage": "150"}
    assert _field_errors(staff.post(url, data), "code")
    # Saving it unchanged is no duplicate of itself.
    assert staff.post(url, {**data, "code": "ot150"}).status_code == 302


def test_a_second_cao_scheme_with_the_same_name_is_refused_at_the_name(tenant_a, staff):
    with tenant_a.scope():
        CaoScheme.objects.create(agency=tenant_a.agency, name="Bouw")
    response = staff.post(
        _url("admin:timesheets_caoscheme_add"),
        {"name": "Bouw", "versions-TOTAL_FORMS": "0", "versions-INITIAL_FORMS": "0"},
    )
    assert _field_errors(response, "name")
    with tenant_a.scope():
        assert CaoScheme.objects.count() == 1


def _worker_data(**values):
    return {
        "email": "nieuw@example.nl",
        "language": "nl",
        "employee_number": "N1",
        "first_name": "Nina",
        "last_name": "Nieuw",
        "country": "NL",
        "payroll_tax_credit": "apply",
        **values,
    }


def test_an_employee_number_in_use_is_refused_on_the_add_page(tenant_a, staff):
    response = staff.post(
        _url("admin:staffing_flexworkerprofile_add"),
        _worker_data(employee_number=tenant_a.worker.employee_number),
    )
    assert _field_errors(response, "employee_number")
    assert not User.objects.filter(email="nieuw@example.nl").exists()  # nothing half-saved


def test_an_employee_number_in_use_is_refused_on_the_change_page(tenant_a, staff):
    with tenant_a.scope():
        other = FlexworkerProfile.objects.exclude(pk=tenant_a.worker.pk).first()
        if other is None:
            from tests import factories

            other = factories.FlexworkerProfileFactory(agency=tenant_a.agency)
    url = _url("admin:staffing_flexworkerprofile_change", other.pk)
    form = staff.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "bsn"}
    data.update(bsn="", employee_number=tenant_a.worker.employee_number)
    assert _field_errors(staff.post(url, data), "employee_number")


def test_adding_a_worker_who_is_one_already_is_refused_at_the_address(tenant_a, staff):
    response = staff.post(
        _url("admin:staffing_flexworkerprofile_add"),
        _worker_data(email=tenant_a.worker.membership.user.email.upper(), employee_number="N2"),
    )
    assert _field_errors(response, "email")
    with tenant_a.scope():
        assert FlexworkerProfile.objects.count() == 1


def test_adding_a_contact_who_is_one_already_is_refused_at_the_address(tenant_a, staff):
    response = staff.post(
        _url("admin:staffing_clientcontact_add"),
        {
            "client": tenant_a.client.pk,
            "email": tenant_a.contact.membership.user.email,
            "first_name": "A",
            "last_name": "B",
            "language": "nl",
            "sees_all_departments": "on",
        },
    )
    assert _field_errors(response, "email")
    with tenant_a.scope():
        assert ClientContact.objects.count() == 1


# The agency's settings ----------------------------------------------------------------------------


def _agency_data(staff, tenant):
    url = _url("admin:agencies_agency_change", tenant.agency.pk)
    form = staff.get(url).context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None or name == "logo":
            continue
        if isinstance(value, bool):
            if value:
                data[name] = "on"
            continue
        data[name] = value
    return url, data


@pytest.mark.parametrize("field", ["enabled_languages", "enabled_modules", "two_factor_roles"])
@pytest.mark.parametrize("junk", ["%", "%s%", "nl,%", "%(x)s", "%i"])
def test_a_percent_sign_in_a_list_of_choices_is_refused_at_the_field(tenant_a, staff, field, junk):
    url, data = _agency_data(staff, tenant_a)
    response = staff.post(url, {**data, field: [junk]})
    assert _field_errors(response, field)


def test_the_lists_of_choices_are_ticked_and_saved(tenant_a, staff):
    url, data = _agency_data(staff, tenant_a)
    data.update(enabled_languages=["nl", "en"], two_factor_roles=[])
    response = staff.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    tenant_a.agency.refresh_from_db()
    assert tenant_a.agency.enabled_languages == ["nl", "en"]
    assert tenant_a.agency.two_factor_roles == []


# CAO schemes --------------------------------------------------------------------------------------

BAD_JSON = {
    "100,000 nested [": b"[" * 100_000,
    "nested 900 deep": b'{"a": ' + b"[" * 900 + b"]" * 900 + b"}",
    "5,000-digit number": b'{"name": "X", "n": ' + b"1" * 5000 + b"}",
    "5,000-digit number alone": b"9" * 5000,
    "a float beyond Infinity": b'{"name": "X", "n": 1e999}',
    "NaN": b'{"name": "X", "n": NaN}',
    "not UTF-8": b"\xff\xfe{",
}


@pytest.mark.parametrize("content", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_an_unreadable_cao_import_is_refused_at_the_file(tenant_a, staff, content):
    response = staff.post(
        _url("admin:timesheets_caoscheme_import"),
        {"file": SimpleUploadedFile("s.json", content), "valid_from": "2026-01-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["file"]
    with tenant_a.scope():
        assert not CaoScheme.objects.exists()


@pytest.mark.parametrize("content", BAD_JSON.values(), ids=BAD_JSON.keys())
def test_an_unreadable_scheme_version_typed_in_is_refused_at_the_document(tenant_a, staff, content):
    with tenant_a.scope():
        scheme = CaoScheme.objects.create(agency=tenant_a.agency, name="Bouw")
    response = staff.post(
        _url("admin:timesheets_caoscheme_change", scheme.pk),
        {
            "name": "Bouw",
            "versions-TOTAL_FORMS": "1",
            "versions-INITIAL_FORMS": "0",
            "versions-0-valid_from": "2026-01-01",
            "versions-0-document": content.decode("utf-8", "replace"),
        },
    )
    assert response.status_code == 200
    [inline] = response.context["inline_admin_formsets"]
    assert inline.formset.forms[0].errors["document"]
    with tenant_a.scope():
        assert not CaoSchemeVersion.objects.exists()


# Werkbriefjes -------------------------------------------------------------------------------------


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1979-12-31", "3000-01-01"])
def test_a_werkbrief_for_a_week_out_of_range_is_refused_at_the_week(tenant_a, staff, day):
    response = staff.post(
        _url("admin:timesheets_werkbrief_add"), {"placement": tenant_a.placement.pk, "week": day}
    )
    assert _field_errors(response, "week")
    with tenant_a.scope():
        assert not Werkbrief.objects.exists()


# Nonsense in a list's address ---------------------------------------------------------------------

LIST_ADDRESSES = [
    ("timesheets_werkbrief", "week_start__year=99999999999999999999"),
    ("timesheets_werkbrief", "week_start__year=9999"),
    ("timesheets_werkbrief", "week_start__year=9999&week_start__month=12&week_start__day=31"),
    ("timesheets_werkbrief", "week_start__year=2026&week_start__month=99999999999999999999"),
    ("timesheets_werkbrief", "week_start__year=abc"),
    ("staffing_placement", "start_date__year=99999999999999999999"),
    ("accounts_invitation", "created_at__year=99999999999999999999"),
    ("accounts_accountevent", "created_at__year=-1"),
    ("notifications_notification", "created_at__year=99999999999999999999"),
    ("notifications_notification", "week_start=99999-01-01"),
]


@pytest.mark.parametrize(("admin", "query"), LIST_ADDRESSES)
def test_a_nonsense_filter_in_the_address_is_a_400_with_a_way_back(staff, admin, query):
    url = _url(f"admin:{admin}_changelist")
    response = staff.get(f"{url}?{query}")
    assert response.status_code == 400
    assert f'href="{url}"' in response.content.decode()


def test_a_sensible_date_filter_still_works(staff):
    url = _url("admin:timesheets_werkbrief_changelist")
    assert staff.get(f"{url}?week_start__year={dt.date.today().year}").status_code == 200


JUNK_ADDRESSES = [
    "/admin/autocomplete/?app_label=staffing&model_name=placement&field_name=worker&term=%25",
    "/admin/autocomplete/?app_label=staffing&model_name=placement&field_name=worker&page=abc",
    "/admin/autocomplete/?app_label=staffing&model_name=nope&field_name=worker",
    "/admin/autocomplete/",
    "/admin/staffing/placement/?worker__id__exact=abc",
    "/admin/staffing/placement/?department__client__id__exact=abc",
    "/admin/staffing/placement/?start_date__gte=2020-13-45",
    "/admin/timesheets/expense/?expense_type__id__exact=abc",
    "/admin/timesheets/expense/?week=9999-12-31&status=%25",
    "/admin/timesheets/werkbrief/?p=99999999999999999999&o=abc",
    "/admin/timesheets/werkbrief/?q=%00",
    "/admin/notifications/notification/?attempts=99999999999999999999",
    "/admin/staffing/placement/99999999999999999999/change/",
]


@pytest.mark.parametrize("address", JUNK_ADDRESSES)
def test_junk_in_an_address_never_gives_a_server_error(staff, address):
    assert staff.get(address).status_code < 500
