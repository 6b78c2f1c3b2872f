"""Agencies on subdomains, and fail-closed scoping of tenant-owned rows."""

import pytest
from django.test import Client as HttpClient

from accounts.models import Membership
from flexportal.tenancy import ScopeError, agency_scope, scopes_disabled
from staffing.models import Client, Department
from tests import factories

pytestmark = pytest.mark.django_db


def test_an_unknown_subdomain_gets_a_404_page(tenant_a):
    response = HttpClient(HTTP_HOST="nobody.localhost").get("/accounts/login/")
    assert response.status_code == 404
    assert "portal" in response.content.decode().lower()


def test_an_inactive_agency_gets_a_404_page(tenant_a):
    tenant_a.agency.is_active = False
    tenant_a.agency.save()
    assert tenant_a.http().get("/accounts/login/").status_code == 404


def test_the_agency_comes_from_the_subdomain(tenant_a, tenant_b):
    response = tenant_b.http().get("/accounts/login/")
    assert response.status_code == 200
    assert tenant_b.agency.name in response.content.decode()
    assert tenant_a.agency.name not in response.content.decode()


def test_a_subdomain_of_a_subdomain_is_unknown(tenant_a):
    response = HttpClient(HTTP_HOST=f"x.{tenant_a.agency.slug}.localhost").get("/")
    assert response.status_code == 404


def test_a_query_outside_any_scope_raises(tenant_a):
    with pytest.raises(ScopeError):
        list(Client.objects.all())
    with pytest.raises(ScopeError):
        Client.objects.filter(name="x").exists()
    with pytest.raises(ScopeError):
        Client.objects.count()
    with pytest.raises(ScopeError):
        Client.objects.get(pk=tenant_a.client.pk)
    with pytest.raises(ScopeError):
        Client.objects.update(name="x")


def test_a_scope_sees_only_its_own_agency(tenant_a, tenant_b):
    with agency_scope(tenant_a.agency):
        assert list(Client.objects.all()) == [tenant_a.client]
        assert not Department.objects.filter(pk=tenant_b.department.pk).exists()
        # Reverse relations are scoped too.
        assert list(tenant_a.client.departments.all()) == [tenant_a.department]


def test_a_row_cannot_be_written_into_another_agency(tenant_a, tenant_b):
    with agency_scope(tenant_a.agency), pytest.raises(ScopeError):
        Client(agency=tenant_b.agency, name="Sneaky").save()


def test_a_new_row_takes_the_agency_of_the_scope(tenant_a):
    with agency_scope(tenant_a.agency):
        client = Client(name="Nieuw B.V.")
        client.save()
    assert client.agency_id == tenant_a.agency.pk


def test_agency_scope_refuses_no_agency():
    with pytest.raises(ScopeError), agency_scope(None):
        pass


def test_scopes_disabled_crosses_agencies_when_said_explicitly(tenant_a, tenant_b):
    with scopes_disabled():
        assert Membership.objects.count() == 6


def test_one_person_may_belong_to_two_agencies(tenant_a, tenant_b):
    user = tenant_a.worker.membership.user
    with agency_scope(tenant_b.agency):
        factories.MembershipFactory(agency=tenant_b.agency, user=user)
    for tenant in (tenant_a, tenant_b):
        client = tenant.http(tenant.worker.membership)
        client.force_login(user)
        assert client.get("/", follow=True).status_code == 200
