"""The back office writes through the services only (issue 12, item 2): every save, inline row,
delete page and "delete selected" of every registered admin reaches a service, never Django's
own ``ModelAdmin.save_model``/``delete_model``/``delete_queryset``/``save_formset``/
``save_related``.

test_no_admin_can_reach_djangos_own_writes walks the admin classes (and fails for a new admin
that could save or delete past the services); the page tests post each admin's change form as a
browser would, and its delete page, with Django's own implementations made to raise.
"""

import contextlib
import datetime as dt
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.test import RequestFactory
from django.urls import reverse

from accounts.models import AccountEvent, AccountEventKind, Membership
from agencies.models import Agency, Role
from flexportal.admin_sites import AgencyScopedAdmin, backoffice_site, platform_site
from flexportal.tenancy import scopes_disabled
from staffing import services as staffing_services
from staffing.models import Client, Department, FlexworkerProfile, JobFunction, Placement
from tests import factories
from tests.cao_examples import EXAMPLES
from timesheets import records
from timesheets.models import (
    CaoScheme,
    CaoSchemeVersion,
    CorrectionRequest,
    ExpenseType,
    HourType,
)

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"
WRITES = ["save_model", "delete_model", "delete_queryset", "save_formset", "save_related"]
# Django's own implementations, and the scoped admin's save_model that only calls Django's.
DJANGO_OWN = {(ModelAdmin, name) for name in WRITES} | {(AgencyScopedAdmin, "save_model")}


def _owner(cls, name):
    """The class whose ``name`` an instance of ``cls`` runs."""
    return next(klass for klass in cls.__mro__ if name in vars(klass))


def _staff_request(tenant):
    request = RequestFactory().get("/", HTTP_HOST=tenant.host)
    request.agency = tenant.agency
    request.user = tenant.staff.user
    request.memberships = [tenant.staff]
    return request


def _superuser_request():
    request = RequestFactory().get("/")
    request.agency = None
    request.user = factories.UserFactory(is_superuser=True)
    request.user.is_verified = lambda: True
    request.memberships = []
    return request


def _reachable_writes(model_admin, request):
    """The write methods a request of the admin's site can reach."""
    can_add = model_admin.has_add_permission(request)
    can_change = model_admin.has_change_permission(request)
    can_delete = model_admin.has_delete_permission(request)
    writes = set()
    if can_add or can_change:
        writes.add("save_model")
        if model_admin.inlines or model_admin.model._meta.many_to_many:
            # Django's save_related writes the many-to-many values and the inlines' rows.
            writes |= {"save_related", "save_formset"}
    if can_delete:
        writes |= {"delete_model", "delete_queryset"}
    return writes


def test_no_admin_can_reach_djangos_own_writes(tenant_a):
    checked = 0
    for site, request in [
        (backoffice_site, _staff_request(tenant_a)),
        (platform_site, _superuser_request()),
    ]:
        for model, model_admin in site._registry.items():
            if site is platform_site and model is not Agency:
                continue  # the platform's people are Django's own user admin (no tenant rows)
            with tenant_a.scope() if site is backoffice_site else scopes_disabled():
                writes = _reachable_writes(model_admin, request)
            for name in writes:
                owner = _owner(type(model_admin), name)
                assert (owner, name) not in DJANGO_OWN, (
                    f"{type(model_admin).__name__}.{name} is Django's own: write through a "
                    "service (ServiceWritesAdmin, or an override that calls one)"
                )
                checked += 1
    assert checked > 30


# The pages, as a browser posts them ---------------------------------------------------------------


class _FormFields(HTMLParser):
    """What a browser sends for the admin's change form: its fields with their values."""

    def __init__(self, form_id):
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data = []
        self._select = None
        self._textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or attrs.get("disabled") is not None:
            return
        name = attrs.get("name")
        if tag == "input" and name:
            kind = attrs.get("type", "text")
            if kind in ("submit", "button", "file", "image"):
                return
            if kind in ("checkbox", "radio") and "checked" not in attrs:
                return
            self.data.append((name, attrs.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and "selected" in attrs:
            self.data.append((self._select, attrs.get("value", "")))
        elif tag == "textarea" and name:
            self._textarea = [name, ""]

    def handle_data(self, data):
        if self._textarea is not None:
            self._textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None:
            self.data.append(tuple(self._textarea))
            self._textarea = None
        elif tag == "form":
            self.inside = False


def _browser_post_data(html, model):
    parser = _FormFields(f"{model._meta.model_name}_form")
    parser.feed(html)
    data = {}
    for name, value in parser.data:
        if name in data:
            data[name] = (
                [*data[name], value] if isinstance(data[name], list) else [data[name], value]
            )
        else:
            data[name] = value
    return data


@contextlib.contextmanager
def _djangos_own_writes_raise():
    def refuse(*args, **kwargs):
        raise AssertionError("the admin wrote past the services")

    own_save_related = ModelAdmin.save_related

    def save_related(self, request, form, formsets, change):
        # Without many-to-many values or inlines it writes nothing: let it run.
        if formsets or form.instance._meta.many_to_many:
            refuse()
        own_save_related(self, request, form, formsets, change)

    with contextlib.ExitStack() as stack:
        for cls, name in DJANGO_OWN:
            replacement = save_related if name == "save_related" else refuse
            stack.enter_context(mock.patch.object(cls, name, replacement))
        yield


def _first_of(tenant, model):
    with scopes_disabled():
        return model._base_manager.filter(agency=tenant.agency).order_by("created_at").first()


CHANGEABLE = [
    model for model, model_admin in backoffice_site._registry.items() if model is not Agency
]


@pytest.mark.parametrize("model", CHANGEABLE, ids=lambda m: m.__name__)
def test_each_change_form_saves_through_a_service(tenant_a, model):
    tenant_a.fill_every_admin()
    with tenant_a.scope():
        CaoSchemeVersion.objects.create(
            agency=tenant_a.agency,
            scheme=CaoScheme.objects.get(name="CAO"),
            valid_from=dt.date(2026, 1, 5),
            document=_scheme_document(),
        )
    client = tenant_a.http(tenant_a.staff)
    obj = _first_of(tenant_a, model)
    opts = model._meta
    url = reverse(
        f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk], urlconf=URLCONF
    )
    page = client.get(url)
    assert page.status_code == 200
    if not page.context["has_change_permission"]:
        return  # a view only (werkbriefjes, the mail log, the audit trail)
    data = _browser_post_data(page.content.decode(), model)
    data["_save"] = "Save"
    with _djangos_own_writes_raise():
        response = client.post(url, data)
    assert response.status_code == 302, page.context["adminform"].form.errors


def test_the_agency_settings_save_through_the_service(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:agencies_agency_change", args=[tenant_a.agency.pk], urlconf=URLCONF)
    data = _browser_post_data(client.get(url).content.decode(), Agency)
    data["name"] = "Alpha Nieuw"
    with _djangos_own_writes_raise():
        response = client.post(url, data)
    assert response.status_code == 302
    tenant_a.agency.refresh_from_db()
    assert tenant_a.agency.name == "Alpha Nieuw"


def _scheme_document():
    return EXAMPLES["schemes"]["A"]


def _unneeded(tenant, model):
    agency = tenant.agency
    makers = {
        Client: lambda: factories.ClientFactory(agency=agency),
        Department: lambda: factories.DepartmentFactory(agency=agency, client=tenant.client),
        JobFunction: lambda: factories.JobFunctionFactory(agency=agency, client=tenant.client),
        FlexworkerProfile: lambda: factories.FlexworkerProfileFactory(agency=agency),
        Placement: lambda: factories.PlacementFactory(
            agency=agency,
            worker=tenant.worker,
            department=tenant.department,
            function=tenant.function,
        ),
        ExpenseType: lambda: ExpenseType.objects.create(agency=agency, name="Parkeren"),
    }
    return makers[model]() if model in makers else None


DELETABLE = [
    model
    for model, model_admin in backoffice_site._registry.items()
    if model is not Agency and model is not Membership
]


@pytest.mark.parametrize("model", DELETABLE, ids=lambda m: m.__name__)
def test_each_delete_page_and_action_deletes_through_a_service(tenant_a, model):
    tenant_a.fill_every_admin()
    client = tenant_a.http(tenant_a.staff)
    with tenant_a.scope():
        # A row nothing else needs (the personas' are kept by their werkbriefjes).
        obj = _unneeded(tenant_a, model) or _first_of(tenant_a, model)
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    page = client.get(reverse(f"{name}_delete", args=[obj.pk], urlconf=URLCONF))
    if page.status_code == 403:
        return  # nothing of this kind is deleted in the back office
    assert not page.context["protected"]
    with _djangos_own_writes_raise():
        response = client.post(
            reverse(f"{name}_delete", args=[obj.pk], urlconf=URLCONF), {"post": "yes"}
        )
    assert response.status_code == 302
    with scopes_disabled():
        assert not model._base_manager.filter(pk=obj.pk).exists()


def test_delete_selected_goes_through_the_service(tenant_a):
    with tenant_a.scope():
        extra = HourType.objects.create(
            agency=tenant_a.agency, code="x", name="X", kind=HourType.Kind.SUPPLEMENT, percentage=5
        )
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_hourtype_changelist", urlconf=URLCONF)
    with _djangos_own_writes_raise():
        response = client.post(
            url, {"action": "delete_selected", "_selected_action": [extra.pk], "post": "yes"}
        )
    assert response.status_code == 302
    with tenant_a.scope():
        assert not HourType.objects.filter(pk=extra.pk).exists()


def test_a_departments_inline_rows_are_added_and_changed_through_the_service(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:staffing_client_change", args=[tenant_a.client.pk], urlconf=URLCONF)
    data = _browser_post_data(client.get(url).content.decode(), Client)
    prefix = "departments"
    total = int(data[f"{prefix}-TOTAL_FORMS"])
    data[f"{prefix}-0-name"] = "Expeditie"
    data[f"{prefix}-{total}-name"] = "Inpak"
    data[f"{prefix}-TOTAL_FORMS"] = str(total + 1)
    with (
        _djangos_own_writes_raise(),
        mock.patch.object(
            staffing_services.records, "record_save", wraps=staffing_services.records.record_save
        ) as saved,
    ):
        response = client.post(url, data)
    assert response.status_code == 302
    with tenant_a.scope():
        names = set(Department.objects.filter(client=tenant_a.client).values_list("name", flat=1))
    assert names == {"Expeditie", "Inpak"}
    # the client, the changed row and the new row
    assert [type(c.kwargs["record"]) for c in saved.call_args_list] == [
        Client,
        Department,
        Department,
    ]


def test_changing_a_versions_date_moves_that_version(tenant_a):
    with tenant_a.scope():
        scheme = CaoScheme.objects.create(agency=tenant_a.agency, name="Bouw")
        version = CaoSchemeVersion.objects.create(
            agency=tenant_a.agency,
            scheme=scheme,
            valid_from=dt.date(2026, 1, 5),
            document=_scheme_document(),
        )
    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:timesheets_caoscheme_change", args=[scheme.pk], urlconf=URLCONF)
    data = _browser_post_data(client.get(url).content.decode(), CaoScheme)
    data["versions-0-valid_from"] = "2026-02-02"
    with _djangos_own_writes_raise():
        response = client.post(url, data)
    assert response.status_code == 302
    with tenant_a.scope():
        assert list(scheme.versions.values_list("pk", "valid_from")) == [
            (version.pk, dt.date(2026, 2, 2))
        ]


def test_a_correction_request_is_not_deleted_in_the_back_office(tenant_a):
    tenant_a.fill_every_admin()
    client = tenant_a.http(tenant_a.staff)
    request = _first_of(tenant_a, CorrectionRequest)
    url = reverse("admin:timesheets_correctionrequest_delete", args=[request.pk], urlconf=URLCONF)
    assert client.post(url, {"post": "yes"}).status_code == 403
    with tenant_a.scope():
        assert CorrectionRequest.objects.filter(pk=request.pk).exists()


def test_switching_a_membership_off_on_its_page_goes_through_membership_deactivate(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    membership = tenant_a.worker.membership
    url = reverse("admin:accounts_membership_change", args=[membership.pk], urlconf=URLCONF)
    data = _browser_post_data(client.get(url).content.decode(), Membership)
    data.pop("is_active", None)
    with _djangos_own_writes_raise():
        assert client.post(url, data).status_code == 302
    with tenant_a.scope():
        membership.refresh_from_db()
        assert not membership.is_active
        assert AccountEvent.objects.filter(
            user=membership.user, kind=AccountEventKind.MEMBERSHIP_DEACTIVATED
        ).exists()


# The services themselves ------------------------------------------------------------------------


def test_the_record_services_refuse_anyone_but_active_staff_of_the_agency(tenant_a, tenant_b):
    with tenant_a.scope():
        client = Client.objects.get(pk=tenant_a.client.pk)
        client.name = "Anders"
        for actor in (tenant_a.worker.membership.user, tenant_a.contact.membership.user):
            with pytest.raises(PermissionDenied):
                staffing_services.staffing_record_save(
                    agency=tenant_a.agency, actor=actor, record=client
                )
        tenant_a.staff.is_active = False
        tenant_a.staff.save(update_fields=["is_active"])
        with pytest.raises(PermissionDenied):
            staffing_services.staffing_record_delete(
                agency=tenant_a.agency, actor=tenant_a.staff.user, record=client
            )
        assert Client.objects.get(pk=client.pk).name != "Anders"
    with tenant_b.scope():
        other = HourType(agency=tenant_b.agency, code="b", name="B", kind=HourType.Kind.SUPPLEMENT)
        with pytest.raises(PermissionDenied):  # staff of A is nobody at B
            records.timesheets_record_save(
                agency=tenant_b.agency, actor=tenant_a.staff.user, record=other
            )


def test_the_record_services_validate_and_save_only_their_own_kinds(tenant_a):
    from django.core.exceptions import ValidationError

    with tenant_a.scope():
        version = CaoSchemeVersion(
            scheme=CaoScheme.objects.create(agency=tenant_a.agency, name="Leeg"),
            valid_from=dt.date(2026, 1, 5),
            document={"not": "a scheme"},
        )
        with pytest.raises(ValidationError):
            records.timesheets_record_save(
                agency=tenant_a.agency, actor=tenant_a.staff.user, record=version
            )
        with pytest.raises(TypeError):
            records.timesheets_record_save(
                agency=tenant_a.agency, actor=tenant_a.staff.user, record=tenant_a.client
            )
        staff = Membership.objects.get(pk=tenant_a.staff.pk)
        assert staff.role == Role.STAFF


def test_a_new_bank_account_typed_in_the_back_office_is_recorded_and_mailed(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    from staffing.models import FlexworkerProfile

    client = tenant_a.http(tenant_a.staff)
    profile = tenant_a.worker
    url = reverse("admin:staffing_flexworkerprofile_change", args=[profile.pk], urlconf=URLCONF)
    data = _browser_post_data(client.get(url).content.decode(), FlexworkerProfile)
    data.update(iban="NL20 INGB 0001 2345 67", _save="Save")
    with _djangos_own_writes_raise(), django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, data).status_code == 302
    with tenant_a.scope():
        profile.refresh_from_db()
        (event,) = AccountEvent.objects.filter(kind=AccountEventKind.IBAN_CHANGED)
    assert profile.iban == "NL20INGB0001234567"
    assert event.actor == tenant_a.staff.user and event.user == profile.membership.user
    assert [m.to for m in mailoutbox] == [[profile.membership.user.email]]


def test_a_rule_the_service_finds_after_the_form_is_said_on_the_page_and_nothing_is_saved(
    tenant_a,
):
    from django.core.exceptions import ValidationError

    from staffing.admin import StaffingAdmin
    from staffing.models import Client

    client = tenant_a.http(tenant_a.staff)
    url = reverse("admin:staffing_client_change", args=[tenant_a.client.pk], urlconf=URLCONF)
    data = _browser_post_data(client.get(url).content.decode(), Client)
    data.update(name="Nieuwe naam B.V.", _save="Save")

    def refuse(**kwargs):
        raise ValidationError("Code 1 is used by another cost centre of this client.")

    with mock.patch.object(StaffingAdmin, "record_save", staticmethod(refuse)):
        response = client.post(url, data, follow=True)
    assert response.status_code == 200
    assert "Code 1 is used by another cost centre" in response.content.decode()
    with tenant_a.scope():
        tenant_a.client.refresh_from_db()
    assert tenant_a.client.name != "Nieuwe naam B.V."
