"""Passwords: the agency's policy wherever a password is set, change (asks the current one),
forgotten password by mail (only to people who may log in here), and the rate limits."""

import re

import pytest
from django.test import Client as HttpClient

from notifications.models import Kind, Status
from tests.accounts.helpers import nl, open_link
from tests.factories import PASSWORD
from tests.notifications.conftest import log

pytestmark = pytest.mark.django_db


def _login(tenant, membership):
    client = tenant.http(membership)
    return client


def test_changing_the_password_asks_the_current_one(tenant_a):
    client = _login(tenant_a, tenant_a.worker.membership)
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": "wrong", "password1": "Nieuw-wachtwoord-1", "password2": "x"},
    )
    assert response.status_code == 200
    assert "oldpassword" in response.context["form"].errors


def test_a_new_password_follows_the_agencys_policy(tenant_a):
    tenant_a.agency.password_min_length = 16
    tenant_a.agency.save()
    client = _login(tenant_a, tenant_a.worker.membership)
    page = client.get("/accounts/password/change/")
    assert nl("at least %(n)d characters", n=16) in page.content.decode()
    response = client.post(
        "/accounts/password/change/",
        {"oldpassword": PASSWORD, "password1": "Kortjes-wacht-1", "password2": "Kortjes-wacht-1"},
    )
    assert (
        nl("Use at least %(n)d characters.", n=16) in response.context["form"].errors["password1"]
    )


def test_the_admins_password_change_is_the_portals(tenant_a):
    response = tenant_a.http(tenant_a.staff).get("/admin/password_change/")
    assert response["Location"] == "/accounts/password/change/"


def test_a_reset_mail_goes_through_the_portals_mail_in_the_persons_language(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    user = tenant_a.worker.membership.user
    user.preferred_language = "de"
    user.save()
    with django_capture_on_commit_callbacks(execute=True):
        response = HttpClient(HTTP_HOST=tenant_a.host).post(
            "/accounts/password/reset/", {"email": user.email.upper()}
        )
    assert response.status_code == 302
    (message,) = mailoutbox
    assert message.to == [user.email]
    assert message.extra_headers["Content-Language"] == "de"
    link = re.search(r"http://alpha\.localhost(/accounts/password/reset/link/#\S+)", message.body)
    assert link
    # In the agency's mail log, without the link's one-time key.
    (row,) = log(tenant_a, kind=Kind.PASSWORD_RESET)
    assert row.status == Status.SENT and row.recipient == user
    assert row.deep_link_path == "/accounts/password/reset/"
    key = link.group(1).rsplit("#", 1)[1]
    assert key not in f"{row.context} {row.deep_link_path} {row.slot}"


def test_a_reset_for_someone_of_another_agency_sends_nothing_and_says_the_same(
    tenant_a, tenant_b, mailoutbox
):
    client = HttpClient(HTTP_HOST=tenant_a.host)
    foreign = client.post(
        "/accounts/password/reset/", {"email": tenant_b.worker.membership.user.email}
    )
    unknown = client.post("/accounts/password/reset/", {"email": "niemand@example.nl"})
    assert mailoutbox == []
    assert foreign["Location"] == unknown["Location"] == "/accounts/password/reset/done/"


def test_a_reset_link_sets_a_password_under_the_policy(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    user = tenant_a.worker.membership.user
    client = HttpClient(HTTP_HOST=tenant_a.host)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": user.email})
    link = re.search(r"http://alpha\.localhost(\S+)", mailoutbox[0].body).group(1)
    form_url = open_link(client, link)["Location"]
    response = client.post(form_url, {"password1": "zwak", "password2": "zwak"})
    assert response.status_code == 200
    assert response.context["form"].errors["password1"]
    response = client.post(
        form_url, {"password1": "Sterk-genoeg-12", "password2": "Sterk-genoeg-12"}
    )
    assert response["Location"] == "/accounts/password/reset/key/done/"
    user.refresh_from_db()
    assert user.check_password("Sterk-genoeg-12")
    assert open_link(client, link).context["token_fail"]


def test_logins_are_rate_limited(tenant_a):
    email = tenant_a.worker.membership.user.email
    client = HttpClient(HTTP_HOST=tenant_a.host)
    for _attempt in range(5):
        client.post("/accounts/login/", {"login": email, "password": "wrong"})
    response = client.post("/accounts/login/", {"login": email, "password": PASSWORD})
    assert response.status_code in (200, 429)
    assert "_auth_user_id" not in client.session


def test_a_staff_member_of_one_agency_gets_neither_the_portal_nor_the_admin_of_another(
    tenant_a, tenant_b
):
    client = HttpClient(HTTP_HOST=tenant_a.host)
    response = client.get("/admin/")
    login_url = client.get(response["Location"])["Location"]
    response = client.post(login_url, {"login": tenant_b.staff.user.email, "password": PASSWORD})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    assert client.get("/admin/").status_code == 302
