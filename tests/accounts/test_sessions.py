"""Sessions: the agency's idle timeout and absolute lifetime; every session of a person ends
when the account is switched off or the password changes; the person sees and ends sessions."""

import time

import pytest
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient

from accounts import auth
from accounts.models import UserSession
from tests.accounts.helpers import nl
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(tenant, email, password=PASSWORD):
    client = HttpClient(HTTP_HOST=tenant.host)
    client.post("/accounts/login/", {"login": email, "password": password})
    return client


def _age(client, *, started=0, seen=0):
    session = client.session
    session[auth.SESSION_STARTED_KEY] -= started
    session[auth.SESSION_SEEN_KEY] -= seen
    session.save()


def test_an_idle_session_is_logged_out_with_a_message(tenant_a):
    tenant_a.agency.session_idle_minutes = 30
    tenant_a.agency.save()
    client = _login(tenant_a, tenant_a.worker.membership.user.email)
    _age(client, seen=29 * 60)
    assert client.get("/worker/").status_code == 200
    _age(client, seen=31 * 60)
    response = client.get("/worker/placements/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/worker/placements/"
    page = client.get(response["Location"])
    assert nl("You were logged out after %(n)d minutes without activity.", n=30) in (
        page.content.decode()
    )
    assert "_auth_user_id" not in client.session


def test_activity_keeps_a_session_alive(tenant_a):
    client = _login(tenant_a, tenant_a.worker.membership.user.email)
    _age(client, started=50 * 60, seen=59 * 60)
    assert client.get("/worker/").status_code == 200
    assert time.time() - client.session[auth.SESSION_SEEN_KEY] < 5


def test_a_session_ends_after_the_agencys_lifetime_in_any_case(tenant_a):
    tenant_a.agency.session_max_hours = 8
    tenant_a.agency.save()
    client = _login(tenant_a, tenant_a.worker.membership.user.email)
    _age(client, started=8 * 3600 + 60)
    response = client.get("/worker/")
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session


def test_switching_an_account_off_ends_its_sessions(tenant_a):
    client = _login(tenant_a, tenant_a.worker.membership.user.email)
    user = tenant_a.worker.membership.user
    user.is_active = False
    user.save()
    assert client.get("/worker/")["Location"].startswith("/accounts/login/")


def test_a_new_password_ends_the_other_sessions_but_not_this_one(tenant_a):
    email = tenant_a.worker.membership.user.email
    here = _login(tenant_a, email)
    elsewhere = _login(tenant_a, email)
    response = here.post(
        "/accounts/password/change/",
        {
            "oldpassword": PASSWORD,
            "password1": "Een-ander-wachtwoord-9",
            "password2": "Een-ander-wachtwoord-9",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/security/"
    assert here.get("/worker/").status_code == 200
    assert elsewhere.get("/worker/").status_code == 302
    with tenant_a.scope():
        assert UserSession.objects.filter(user=tenant_a.worker.membership.user).count() == 1


def test_the_security_page_lists_sessions_and_ends_the_others(tenant_a):
    email = tenant_a.worker.membership.user.email
    here = _login(tenant_a, email)
    elsewhere = _login(tenant_a, email)
    page = here.get("/security/")
    assert len(page.context["sessions"]) == 2
    here.post("/security/", {"action": "end_sessions"})
    assert elsewhere.get("/worker/").status_code == 302
    assert here.get("/worker/").status_code == 200
    assert len(here.get("/security/").context["sessions"]) == 1


def test_logging_out_removes_the_session_from_the_list(tenant_a):
    client = _login(tenant_a, tenant_a.worker.membership.user.email)
    key = client.session.session_key
    client.post("/accounts/logout/")
    with tenant_a.scope():
        assert not UserSession.objects.filter(session_key=key).exists()
    assert not Session.objects.filter(session_key=key).exists()


def test_the_recent_logins_include_failed_ones(tenant_a):
    email = tenant_a.worker.membership.user.email
    HttpClient(HTTP_HOST=tenant_a.host).post(
        "/accounts/login/", {"login": email, "password": "wrong-password"}
    )
    client = _login(tenant_a, email)
    kinds = [event.kind for event in client.get("/security/").context["logins"]]
    assert kinds == ["login", "login_failed"]


def test_failed_logins_of_another_agencys_people_are_not_recorded_here(tenant_a, tenant_b):
    from accounts.models import AccountEvent

    HttpClient(HTTP_HOST=tenant_a.host).post(
        "/accounts/login/", {"login": tenant_b.worker.membership.user.email, "password": PASSWORD}
    )
    with tenant_a.scope():
        assert not AccountEvent.objects.exists()


def test_the_hourly_clean_up_forgets_records_of_expired_sessions(tenant_a):
    from accounts.tasks import clear_expired_sessions

    client = _login(tenant_a, tenant_a.worker.membership.user.email)
    Session.objects.filter(session_key=client.session.session_key).delete()
    clear_expired_sessions()
    with tenant_a.scope():
        assert not UserSession.objects.exists()
