"""The isolation sweep: every URL that carries an object id, requested by every persona of agency A
with the ids of agency B's objects, answers 404 and changes nothing.

A new URL pattern with a parameter must be added to FOREIGN_OBJECT_URLS (how to fill it with a
foreign object) or to NOT_OBJECT_URLS (with the reason it carries no object id); otherwise
test_every_url_with_a_parameter_is_covered fails. Admin URLs are covered generically for every
model registered on the back-office site.
"""

import re
from collections.abc import Callable

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from flexportal.admin_sites import backoffice_site
from flexportal.tenancy import TenantModel, scopes_disabled

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"

# name -> kwargs built from the *other* tenant's objects.
FOREIGN_OBJECT_URLS: dict[str, Callable] = {
    "worker:placement_detail": lambda t: {"placement_id": t.placement.pk},
    "client:placement_detail": lambda t: {"placement_id": t.placement.pk},
    "admin:staffing_flexworkerprofile_id_document": lambda t: {"object_id": t.worker.pk},
    "admin:timesheets_werkbrief_correct": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "admin:timesheets_expense_receipt": lambda t: {"expense_id": _expense_of(t).pk},
    # The werkbrief screens of both roles (timesheets/urls.py).
    "worker:werkbrief": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "worker:werkbrief_preview": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "worker:werkbrief_submit": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "worker:expense_add": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "worker:werkbrief_comment": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "worker:werkbrief_correction": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "client:werkbrief": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "client:werkbrief_preview": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "client:werkbrief_approve": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "client:werkbrief_reject": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "client:expense_add": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "client:werkbrief_comment": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "client:werkbrief_correction": lambda t: {"werkbrief_id": _werkbrief_of(t).pk},
    "worker:expense_remove": lambda t: {"expense_id": _expense_of(t).pk},
    "worker:expense_receipt": lambda t: {"expense_id": _expense_of(t).pk},
    "client:expense_remove": lambda t: {"expense_id": _expense_of(t).pk},
    "client:expense_receipt": lambda t: {"expense_id": _expense_of(t).pk},
}


def _werkbrief_of(tenant):
    import datetime as dt

    from timesheets.services import werkbrief_ensure

    with tenant.scope():
        return werkbrief_ensure(
            placement=tenant.placement,
            week_start=tenant.placement.start_date
            - dt.timedelta(tenant.placement.start_date.weekday()),
        )


def _expense_of(tenant):
    """An expense with a receipt on the tenant's werkbrief (the same one on every call)."""
    from django.core.files.base import ContentFile

    from timesheets.models import Expense, ExpenseType

    werkbrief = _werkbrief_of(tenant)
    with tenant.scope():
        expense = Expense.objects.filter(werkbrief=werkbrief).first()
        if expense is None:
            expense_type = ExpenseType.objects.create(agency=tenant.agency, name="Parkeren")
            expense = Expense(
                agency=tenant.agency,
                werkbrief=werkbrief,
                expense_type=expense_type,
                date=werkbrief.week_start,
                amount=5,
                receipt_content_type="application/pdf",
                receipt_name="bon.pdf",
            )
            expense.receipt.save("bon.pdf", ContentFile(b"%PDF-1.4 bon"), save=False)
            expense.save()
    return expense


# name -> why the parameter is not an object id.
NOT_OBJECT_URLS = {
    "admin:app_list": "an app label, the same for every agency",
    # One-time links carry no token in their address (tests/accounts/test_one_time_links.py);
    # two-agency identities and their links: tests/test_isolation_two_agencies.py.
    "account_reset_password_from_key": "only allauth's token-free 'set-password' opens the form",
    "account_confirm_email": "not used by the portal: answers 404 for every key",
}

# Unnamed admin routes: route regex -> why they need no foreign-object check of their own.
NOT_OBJECT_ROUTES = {
    r"^admin/\w+/\w+/<path:object_id>/$": "redirects to .../change/ for any id; that URL is swept",
    r"^admin/\(\?P<url>\.\*\)\$$": "the admin's catch-all for unknown admin URLs",
}

ADMIN_OBJECT_VIEW = re.compile(
    r"^admin:(?P<app>\w+?)_(?P<model>[a-z0-9]+)_(change|delete|history)$"
)


def _walk(patterns, prefix="", namespace=""):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = namespace
            if entry.namespace:
                ns = f"{namespace}{entry.namespace}:"
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield (
                f"{namespace}{entry.name}" if entry.name else None,
                prefix + str(entry.pattern),
                entry,
            )


def _patterns_with_parameters():
    for name, route, entry in _walk(get_resolver(URLCONF).url_patterns):
        if entry.pattern.regex.groups or "<" in route:
            yield name, route


def _admin_object_names():
    names = set()
    for model in backoffice_site._registry:
        label = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        names |= {f"{label}_change", f"{label}_delete", f"{label}_history"}
    return names


def test_every_url_with_a_parameter_is_covered():
    admin_names = _admin_object_names()
    uncovered = []
    for name, route in _patterns_with_parameters():
        if name in FOREIGN_OBJECT_URLS or name in NOT_OBJECT_URLS:
            continue
        if name == "admin:view_on_site" or (name and name in admin_names):
            continue
        if name and ADMIN_OBJECT_VIEW.match(name):
            continue
        if name is None and any(re.match(r, route) for r in NOT_OBJECT_ROUTES):
            continue
        uncovered.append(f"{name or '(unnamed)'}: {route}")
    assert not uncovered, "URLs the isolation sweep does not cover:\n" + "\n".join(uncovered)


def _snapshot(agency):
    """Every tenant row of the agency, with the fields that would change on a write."""
    state = {}
    with scopes_disabled():
        for model in _tenant_models():
            rows = model._base_manager.filter(agency=agency).order_by("pk").values()
            state[model.__name__] = [dict(r) for r in rows]
    return state


def _tenant_models():
    from django.apps import apps

    return [m for m in apps.get_models() if issubclass(m, TenantModel)]


def _foreign_urls(tenant_b):
    urls = []
    for name, builder in FOREIGN_OBJECT_URLS.items():
        urls.append(reverse(name, kwargs=builder(tenant_b), urlconf=URLCONF))
    tenant_b.fill_every_admin()
    with scopes_disabled():
        for model in backoffice_site._registry:
            if model._meta.model_name == "agency":
                obj = tenant_b.agency
            else:
                obj = model._base_manager.filter(agency=tenant_b.agency).first()
            assert obj is not None, f"no {model.__name__} of the other agency: add one"
            label = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            for view in ("change", "delete", "history"):
                urls.append(reverse(f"{label}_{view}", args=[obj.pk], urlconf=URLCONF))
            content_type = ContentType.objects.get_for_model(model)
            urls.append(
                reverse("admin:view_on_site", args=[content_type.pk, obj.pk], urlconf=URLCONF)
            )
    return urls


@pytest.mark.parametrize("persona", ["worker", "contact", "staff"])
def test_every_persona_gets_404_for_every_foreign_object(tenant_a, tenant_b, persona):
    membership = getattr(tenant_a, persona)
    membership = getattr(membership, "membership", membership)
    client = tenant_a.http(membership)
    urls = _foreign_urls(tenant_b)
    before = _snapshot(tenant_b.agency)
    for url in urls:
        assert client.get(url).status_code == 404, f"GET {url} as {persona}"
        assert client.post(url, {"post": "yes", "name": "x"}).status_code == 404, (
            f"POST {url} as {persona}"
        )
    assert _snapshot(tenant_b.agency) == before


def test_the_sweep_reaches_the_own_objects(tenant_a):
    """The same URLs with the agency's own ids work, so the 404s above mean something."""
    worker = tenant_a.http(tenant_a.worker.membership)
    url = reverse("worker:placement_detail", args=[tenant_a.placement.pk], urlconf=URLCONF)
    assert worker.get(url).status_code == 200
    contact = tenant_a.http(tenant_a.contact.membership)
    url = reverse("client:placement_detail", args=[tenant_a.placement.pk], urlconf=URLCONF)
    assert contact.get(url).status_code == 200
    staff = tenant_a.http(tenant_a.staff)
    url = reverse("admin:staffing_placement_change", args=[tenant_a.placement.pk], urlconf=URLCONF)
    assert staff.get(url).status_code == 200
    for role, client in (("worker", worker), ("client", contact)):
        url = reverse(f"{role}:werkbrief", args=[_werkbrief_of(tenant_a).pk], urlconf=URLCONF)
        assert client.get(url).status_code == 200
        url = reverse(f"{role}:expense_receipt", args=[_expense_of(tenant_a).pk], urlconf=URLCONF)
        assert client.get(url).status_code == 200
