"""The back office (Django admin on the agency's subdomain) never reaches another agency's rows.

test_every_registered_admin_is_agency_scoped fails when someone registers an admin without the
scoping mixin; the other tests check the behaviour on real pages.
"""

import pytest
from django.contrib import admin as django_admin
from django.urls import reverse

from agencies.admin import AgencySettingsAdmin
from agencies.models import Agency
from flexportal.admin_forms import AgencyScopedModelForm
from flexportal.admin_sites import (
    AgencyScopedAdmin,
    AgencyScopedMixin,
    backoffice_site,
    platform_site,
)
from flexportal.tenancy import TenantModel, scopes_disabled
from staffing.models import Client, Department, Placement

pytestmark = pytest.mark.django_db

# Admins of models without an agency, each scoped in its own way (and tested below).
SPECIAL_ADMINS = {Agency: AgencySettingsAdmin}


def test_every_registered_admin_is_agency_scoped():
    for model, model_admin in backoffice_site._registry.items():
        if model in SPECIAL_ADMINS:
            assert type(model_admin) is SPECIAL_ADMINS[model]
            continue
        assert issubclass(model, TenantModel), f"{model.__name__} has no agency"
        assert isinstance(model_admin, AgencyScopedAdmin), f"{model.__name__} admin is not scoped"
        for inline in model_admin.inlines:
            assert issubclass(inline, AgencyScopedMixin), f"{inline.__name__} is not scoped"
            assert issubclass(inline.model, TenantModel)


def test_every_back_office_form_checks_uniqueness_within_the_agency(tenant_a):
    """The agency is never a field of the form, so Django skips the unique constraints that
    hold it; AgencyScopedModelForm checks them (a duplicate was an IntegrityError, a 500)."""
    tenant_a.fill_every_admin()
    client = tenant_a.http(tenant_a.staff)
    for model in backoffice_site._registry:
        if model in SPECIAL_ADMINS:
            continue
        with scopes_disabled():
            obj = model._base_manager.filter(agency=tenant_a.agency).first()
        pages = [reverse(f"{_admin_urls(model)}_change", args=[obj.pk], urlconf="flexportal.urls")]
        pages.append(reverse(f"{_admin_urls(model)}_add", urlconf="flexportal.urls"))
        for url in pages:
            response = client.get(url)
            if response.status_code == 403:  # no adding here (the mail log, the audit trail)
                continue
            form = response.context["adminform"].form
            assert isinstance(form, AgencyScopedModelForm), f"{url}: {type(form).__mro__}"
            assert form.agency == tenant_a.agency


def test_the_default_admin_site_is_not_served(client):
    # Third-party apps register on django.contrib.admin.site; it has no URL here.
    assert django_admin.site not in (backoffice_site, platform_site)
    urls = [p.pattern for p in __import__("flexportal.urls").urls.urlpatterns]
    assert all("django.contrib.admin.sites" not in repr(u) for u in urls)


def _admin_urls(model):
    opts = model._meta
    return f"admin:{opts.app_label}_{opts.model_name}"


def test_the_changelists_show_only_own_rows(tenant_a, tenant_b):
    tenant_a.fill_every_admin()
    tenant_b.fill_every_admin()
    client = tenant_a.http(tenant_a.staff)
    for model in backoffice_site._registry:
        url = reverse(f"{_admin_urls(model)}_changelist", urlconf="flexportal.urls")
        response = client.get(url)
        assert response.status_code == 200, url
        for obj in response.context["cl"].result_list:
            owner = obj.pk if model is Agency else obj.agency_id
            assert owner == tenant_a.agency.pk, f"{model.__name__} leaks {obj!r}"


def _foreign_objects(tenant_b):
    tenant_b.fill_every_admin()
    with scopes_disabled():
        return {
            model: (
                tenant_b.agency
                if model is Agency
                else model._base_manager.filter(agency=tenant_b.agency).first()
            )
            for model in backoffice_site._registry
        }


def test_another_agencys_objects_are_404_in_every_admin(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    for model, obj in _foreign_objects(tenant_b).items():
        assert obj is not None, f"no {model.__name__} of the other agency: add one"
        for view in ("change", "delete", "history"):
            url = reverse(f"{_admin_urls(model)}_{view}", args=[obj.pk], urlconf="flexportal.urls")
            assert client.get(url).status_code == 404, url
            assert client.post(url, {"post": "yes"}).status_code == 404, url
    with scopes_disabled():
        assert Client.objects.filter(pk=tenant_b.client.pk).exists()
        assert Agency.objects.filter(pk=tenant_b.agency.pk).exists()


def test_foreign_key_choices_hold_only_own_rows(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    response = client.get(reverse("admin:staffing_placement_add", urlconf="flexportal.urls"))
    form = response.context["adminform"].form
    for name in ("worker", "department", "function", "cao_scheme"):
        agencies = {obj.agency_id for obj in form.fields[name].queryset}
        assert agencies <= {tenant_a.agency.pk}, name


def test_the_autocomplete_returns_only_own_rows(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:autocomplete", urlconf="flexportal.urls")
    response = client.get(
        url,
        {
            "app_label": "staffing",
            "model_name": "placement",
            "field_name": "department",
            "term": "",
        },
    )
    assert response.status_code == 200
    ids = {row["id"] for row in response.json()["results"]}
    assert ids == {str(tenant_a.department.pk)}


def test_a_list_filter_offers_only_own_choices(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    response = client.get(
        reverse("admin:staffing_department_changelist", urlconf="flexportal.urls")
    )
    html = response.content.decode()
    assert tenant_a.client.name in html
    assert tenant_b.client.name not in html


def test_saving_a_new_row_puts_it_in_the_staff_members_agency(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:staffing_department_add", urlconf="flexportal.urls")
    response = client.post(url, {"client": tenant_a.client.pk, "name": "Nieuwe afdeling"})
    assert response.status_code == 302
    with scopes_disabled():
        department = Department.objects.get(name="Nieuwe afdeling")
    assert department.agency_id == tenant_a.agency.pk


def test_a_foreign_key_to_another_agency_is_refused_on_save(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:staffing_department_add", urlconf="flexportal.urls")
    response = client.post(url, {"client": tenant_b.client.pk, "name": "Sneaky"})
    assert response.status_code == 200
    assert "client" in response.context["adminform"].form.errors
    with scopes_disabled():
        assert not Department.objects.filter(name="Sneaky").exists()


def test_a_bulk_action_never_touches_foreign_rows(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:accounts_membership_changelist", urlconf="flexportal.urls")
    client.post(
        url,
        {"action": "deactivate", "_selected_action": [str(tenant_b.worker.membership.pk)]},
    )
    tenant_b.worker.membership.refresh_from_db()
    assert tenant_b.worker.membership.is_active


def test_staff_change_only_their_own_agency_settings(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.staff)
    own = reverse(
        "admin:agencies_agency_change", args=[tenant_a.agency.pk], urlconf="flexportal.urls"
    )
    assert client.get(own).status_code == 200
    assert (
        client.get(reverse("admin:agencies_agency_add", urlconf="flexportal.urls")).status_code
        == 403
    )


def test_staff_add_a_flexworker_with_a_new_identity(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:staffing_flexworkerprofile_add", urlconf="flexportal.urls")
    response = client.post(
        url,
        {
            "email": "Nieuw@Example.nl",
            "language": "pl",
            "employee_number": "N0001",
            "first_name": "Piotr",
            "last_name": "Nowak",
            "country": "NL",
            "iban": "nl91 abna 0417 1643 00",
            "bsn": "123456782",
            "phone": "06 12345678",
            "payroll_tax_credit": "apply",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    with tenant_a.scope():
        placement_count = Placement.objects.count()
        from staffing.models import FlexworkerProfile

        profile = FlexworkerProfile.objects.get(employee_number="N0001")
    assert placement_count == 1
    assert profile.iban == "NL91ABNA0417164300"
    assert profile.phone == "+31612345678"
    assert profile.membership.user.email == "nieuw@example.nl"
    assert profile.membership.user.preferred_language == "pl"


def test_a_bad_bsn_and_iban_get_messages_at_the_fields(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:staffing_flexworkerprofile_add", urlconf="flexportal.urls")
    response = client.post(
        url,
        {
            "email": "x@example.nl",
            "language": "nl",
            "employee_number": "N0002",
            "first_name": "X",
            "last_name": "Y",
            "country": "NL",
            "iban": "NL00XXXX",
            "bsn": "123456789",
            "payroll_tax_credit": "apply",
        },
    )
    errors = response.context["adminform"].form.errors
    assert "iban" in errors and "bsn" in errors
    assert 'value="NL00XXXX"' in response.content.decode()
