"""Login by e-mail and password on the agency's subdomain; each role lands on its home page."""

import pytest
from django.test import Client as HttpClient

from agencies.models import Role
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

HOMES = {"worker": "/worker/", "contact": "/client/", "staff": "/admin/"}


def _login(tenant, email, password=PASSWORD, host=None):
    client = HttpClient(HTTP_HOST=host or tenant.host)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response


@pytest.mark.parametrize("persona", ["worker", "contact", "staff"])
def test_each_role_lands_on_its_home_page(tenant_a, persona):
    # Without a second factor required; test_two_factor.py covers the login with one.
    tenant_a.agency.two_factor_roles = []
    tenant_a.agency.save()
    membership = getattr(tenant_a, persona)
    membership = getattr(membership, "membership", membership)
    client, response = _login(tenant_a, membership.user.email)
    assert response.status_code == 302
    home = client.get(response["Location"])
    assert home.status_code == 302
    assert home["Location"] == HOMES[persona]
    assert client.get(HOMES[persona]).status_code == 200


def test_a_person_of_another_agency_cannot_log_in(tenant_a, tenant_b):
    _client, response = _login(tenant_a, tenant_b.worker.membership.user.email)
    assert response.status_code == 200
    assert "_auth_user_id" not in _client.session


def test_the_refusal_looks_like_a_wrong_password(tenant_a, tenant_b):
    _c, foreign = _login(tenant_a, tenant_b.staff.user.email)
    _c, wrong = _login(tenant_a, tenant_a.staff.user.email, password="Wrong-password-9")
    assert foreign.context["form"].errors == wrong.context["form"].errors


def test_a_deactivated_membership_cannot_log_in(tenant_a):
    with tenant_a.scope():
        tenant_a.worker.membership.is_active = False
        tenant_a.worker.membership.save()
    client, _response = _login(tenant_a, tenant_a.worker.membership.user.email)
    assert "_auth_user_id" not in client.session


def test_a_session_whose_membership_ends_is_logged_out(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    assert client.get("/worker/").status_code == 200
    with tenant_a.scope():
        tenant_a.worker.membership.is_active = False
        tenant_a.worker.membership.save()
    response = client.get("/worker/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_session_cookie_of_one_agency_does_not_open_another(tenant_a, tenant_b):
    client, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    cookie = client.cookies["sessionid"].value
    other = HttpClient(HTTP_HOST=tenant_b.host)
    other.cookies["sessionid"] = cookie
    response = other.get("/worker/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


def test_the_platform_domain_admits_only_superusers(tenant_a, django_user_model):
    django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    client = HttpClient(HTTP_HOST="localhost")
    response = client.post(
        "/accounts/login/", {"login": tenant_a.staff.user.email, "password": PASSWORD}
    )
    assert "_auth_user_id" not in client.session
    response = client.post(
        "/accounts/login/", {"login": "root@flexportal.nl", "password": PASSWORD}
    )
    assert response.status_code == 302
    # Then the second factor (tests/accounts/test_platform_two_factor.py), before the admin.
    assert client.get("/admin/")["Location"].startswith("/two-factor/")


def test_a_superuser_without_membership_cannot_log_in_at_an_agency(tenant_a, django_user_model):
    django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    client, _ = _login(tenant_a, "root@flexportal.nl")
    assert "_auth_user_id" not in client.session


def test_the_admin_login_goes_through_the_portal_login(tenant_a):
    response = tenant_a.http().get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = tenant_a.http().get(response["Location"])
    assert response["Location"].startswith("/accounts/login/")


def test_a_worker_cannot_open_the_back_office(tenant_a):
    response = tenant_a.http(tenant_a.worker.membership).get("/admin/")
    assert response.status_code == 404


def test_a_person_with_two_roles_can_switch(tenant_a):
    from tests.factories import MembershipFactory

    user = tenant_a.worker.membership.user
    with tenant_a.scope():
        staff = MembershipFactory(agency=tenant_a.agency, user=user, role=Role.STAFF)
    client = tenant_a.http(staff)
    assert client.get("/")["Location"] == "/admin/"
    client.post("/role/", {"role": Role.FLEXWORKER})
    assert client.get("/")["Location"] == "/worker/"
