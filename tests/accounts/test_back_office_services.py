"""The back office calls the services the portal and seed_demo use: adding a flexworker, a client
contact or a colleague, and deactivating a membership, which records the event and ends the
person's sessions at this agency at once."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import reverse

from accounts import services
from accounts.models import AccountEvent, Membership, UserSession
from staffing import services as staffing_services
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

URLCONF = "flexportal.urls"


def _url(name, *args):
    return reverse(name, args=args, urlconf=URLCONF)


def _logged_in(tenant, membership) -> HttpClient:
    """A real login (it records the session the back office can end)."""
    client = HttpClient(HTTP_HOST=tenant.host)
    client.post("/accounts/login/", {"login": membership.user.email, "password": PASSWORD})
    return client


def _spy(monkeypatch, module, name) -> list:
    calls = []
    real = getattr(module, name)

    def spy(**kwargs):
        calls.append(kwargs)
        return real(**kwargs)

    monkeypatch.setattr(module, name, spy)
    return calls


def test_deactivating_a_membership_records_it_and_ends_the_sessions_here(tenant_a):
    worker = tenant_a.worker.membership
    browser = _logged_in(tenant_a, worker)
    assert browser.get("/worker/").status_code == 200
    with tenant_a.scope():
        keys = list(
            UserSession.objects.filter(user=worker.user).values_list("session_key", flat=True)
        )
    assert keys

    with tenant_a.scope():
        services.membership_deactivate(membership=worker, actor=tenant_a.staff.user)

    assert not Session.objects.filter(session_key__in=keys).exists()
    with tenant_a.scope():
        assert not UserSession.objects.filter(user=worker.user).exists()
        worker.refresh_from_db()
        (event,) = AccountEvent.objects.filter(kind="membership_deactivated")
    assert not worker.is_active
    assert (event.user, event.actor) == (worker.user, tenant_a.staff.user)
    assert event.data == {"role": "flexworker", "count": len(keys)}


def test_the_deactivate_action_goes_through_the_service(tenant_a, monkeypatch):
    calls = _spy(monkeypatch, services, "membership_deactivate")
    worker = tenant_a.worker.membership
    browser = _logged_in(tenant_a, worker)
    assert browser.get("/worker/").status_code == 200

    staff = tenant_a.http(tenant_a.staff)
    response = staff.post(
        _url("admin:accounts_membership_changelist"),
        {"action": "deactivate", "_selected_action": [str(worker.pk)]},
        follow=True,
    )

    assert response.status_code == 200
    assert [c["membership"].pk for c in calls] == [worker.pk]
    assert calls[0]["actor"] == tenant_a.staff.user
    with tenant_a.scope():
        assert AccountEvent.objects.filter(kind="membership_deactivated", user=worker.user).exists()
        assert not UserSession.objects.filter(user=worker.user).exists()
        assert not Membership.objects.get(pk=worker.pk).is_active
    assert browser.get("/worker/").status_code == 302  # signed out at once


def test_adding_a_flexworker_in_the_back_office_uses_flexworker_create(tenant_a, monkeypatch):
    calls = _spy(monkeypatch, staffing_services, "flexworker_create")
    response = tenant_a.http(tenant_a.staff).post(
        _url("admin:staffing_flexworkerprofile_add"),
        {
            "email": "piotr@example.pl",
            "language": "pl",
            "employee_number": "N0009",
            "first_name": "Piotr",
            "last_name": "Nowak",
            "country": "NL",
            "phone": "+48 600 123 456",
            "payroll_tax_credit": "apply",
        },
    )
    assert response.status_code == 302
    assert len(calls) == 1
    assert (calls[0]["agency"], calls[0]["email"]) == (tenant_a.agency, "piotr@example.pl")


def test_adding_a_client_contact_in_the_back_office_uses_client_contact_create(
    tenant_a, monkeypatch
):
    calls = _spy(monkeypatch, staffing_services, "client_contact_create")
    response = tenant_a.http(tenant_a.staff).post(
        _url("admin:staffing_clientcontact_add"),
        {
            "email": "nieuw.contact@example.nl",
            "first_name": "Nel",
            "last_name": "Nieuw",
            "language": "nl",
            "client": str(tenant_a.client.pk),
            "departments": [str(tenant_a.department.pk)],
            "can_approve_hours": "on",
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert len(calls) == 1
    assert calls[0]["client"] == tenant_a.client
    assert list(calls[0]["departments"]) == [tenant_a.department]


def test_adding_a_colleague_in_the_back_office_uses_colleague_create(tenant_a, monkeypatch):
    calls = _spy(monkeypatch, services, "colleague_create")
    response = tenant_a.http(tenant_a.staff).post(
        _url("admin:accounts_membership_add"),
        {"email": "cor@alpha.nl", "first_name": "Cor", "last_name": "Collega", "language": "en"},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert len(calls) == 1
    assert calls[0]["email"] == "cor@alpha.nl"


def test_deactivating_a_membership_twice_records_one_event(tenant_a):
    with tenant_a.scope():
        worker = tenant_a.worker.membership
        services.membership_deactivate(membership=worker, actor=tenant_a.staff.user)
        services.membership_deactivate(membership=worker, actor=tenant_a.staff.user)
        assert (
            AccountEvent.objects.filter(kind="membership_deactivated", user=worker.user).count()
            == 1
        )


def test_nobody_switches_off_their_own_back_office_access(tenant_a):
    staff = tenant_a.staff
    refused = pytest.raises(services.AccountError, match="je eigen toegang tot de backoffice")
    with tenant_a.scope(), refused:
        services.membership_deactivate(membership=staff, actor=staff.user)
    with tenant_a.scope():
        staff.refresh_from_db()
    assert staff.is_active


def test_the_agencys_last_active_back_office_access_stays_on(tenant_a):
    refused = pytest.raises(services.AccountError, match="laatste actieve backoffice-toegang")
    with tenant_a.scope(), refused:
        services.membership_deactivate(membership=tenant_a.staff, actor=None)
    with tenant_a.scope():
        assert Membership.objects.get(pk=tenant_a.staff.pk).is_active


def test_the_deactivate_action_on_ones_own_access_says_why_and_changes_nothing(tenant_a):
    client = tenant_a.http(tenant_a.staff)
    response = client.post(
        reverse("admin:accounts_membership_changelist", urlconf="flexportal.urls"),
        {"action": "deactivate", "_selected_action": [str(tenant_a.staff.pk)]},
        follow=True,
    )
    assert response.status_code == 200
    assert "je eigen toegang tot de backoffice" in response.content.decode()
    with tenant_a.scope():
        assert Membership.objects.get(pk=tenant_a.staff.pk).is_active


def test_deleting_a_flexworkers_record_ends_their_access(tenant_a):
    worker = tenant_a.worker.membership
    with tenant_a.scope():
        profile = staffing_services.flexworker_create(
            agency=tenant_a.agency,
            email="weg@alpha.nl",
            employee_number="W-999",
            first_name="Wim",
            last_name="Weg",
        )
        staffing_services.staffing_record_delete(
            agency=tenant_a.agency, actor=tenant_a.staff.user, record=profile
        )
        membership = Membership.objects.get(pk=profile.membership_id)
        assert not membership.is_active
        assert AccountEvent.objects.filter(
            kind="membership_deactivated", user=membership.user
        ).exists()
        assert Membership.objects.get(pk=worker.pk).is_active  # nobody else's
