"""The isolation sweep for one person at two agencies (one identity, a membership at each).

A session belongs to the host where it logged in: presented at another agency, or at the
platform domain, it is no session at all (every page answers as to an anonymous visitor) and it
is not destroyed either. A one-time link (password reset, invitation, new e-mail address) works
only at the agency that sent it.
"""

import re

import pytest
from django.conf import settings
from django.contrib.sessions.models import Session
from django.test import Client as HttpClient
from django.urls import URLPattern, URLResolver, get_resolver
from django_otp.oath import totp

from accounts.models import AccountEvent, AuthenticatorDevice, User, UserSession
from agencies.models import Role
from flexportal.tenancy import scopes_disabled
from tests import factories
from tests.accounts.helpers import open_link
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Heel-ander-wachtwoord-7"


@pytest.fixture
def person(tenant_a, tenant_b):
    """Agency B's worker, who works through agency A as well."""
    user = tenant_b.worker.membership.user
    with tenant_a.scope():
        factories.FlexworkerProfileFactory(agency=tenant_a.agency, membership__user=user)
    return user


def _login(host, email, password=PASSWORD):
    client = HttpClient(HTTP_HOST=host)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    assert response.status_code == 302, f"login at {host} failed"
    return client


def _same_cookie_at(client, host):
    """What an attacker (or a misconfigured cookie domain) does: the session cookie of one host
    sent to another."""
    other = HttpClient(HTTP_HOST=host)
    name = settings.SESSION_COOKIE_NAME
    other.cookies[name] = client.cookies[name].value
    return other


def _session_row(client):
    key = client.cookies[settings.SESSION_COOKIE_NAME].value
    return Session.objects.filter(session_key=key).values_list("session_data", flat=True).first()


def _paths_without_parameters(urlconf):
    def walk(patterns, prefix=""):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                yield from walk(entry.url_patterns, prefix + str(entry.pattern))
            elif isinstance(entry, URLPattern):
                route = prefix + str(entry.pattern)
                if not entry.pattern.regex.groups and "<" not in route and "^" not in route:
                    yield "/" + route

    return sorted(set(walk(get_resolver(urlconf).url_patterns)))


def _answer(response):
    return response.status_code, response.get("Location", "")


def _sweep(replayed, anonymous, urlconf):
    """Every page without a parameter, GET and POST: the replayed session gets what an anonymous
    visitor gets, and is never signed in."""
    differences = []
    for path in _paths_without_parameters(urlconf):
        for method in ("get", "post"):
            theirs = getattr(replayed, method)(path, {"action": "end_sessions"})
            assert not theirs.wsgi_request.user.is_authenticated, f"{method.upper()} {path}"
            ours = getattr(anonymous, method)(path, {"action": "end_sessions"})
            if _answer(theirs) != _answer(ours):
                differences.append(f"{method.upper()} {path}: {_answer(theirs)} != {_answer(ours)}")
    assert not differences, "\n".join(differences)


def test_a_session_made_at_one_agency_is_no_session_at_the_other(tenant_a, tenant_b, person):
    at_b = _login(tenant_b.host, person.email)
    assert at_b.get("/worker/").status_code == 200
    row = _session_row(at_b)
    replayed = _same_cookie_at(at_b, tenant_a.host)
    response = replayed.get("/worker/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    _sweep(replayed, HttpClient(HTTP_HOST=tenant_a.host), settings.ROOT_URLCONF)
    # Not destroyed either: B's session works at B as before, its data untouched.
    assert _session_row(at_b) == row
    assert at_b.get("/worker/").status_code == 200


def test_ending_the_other_sessions_at_one_agency_leaves_the_other_agency_alone(
    tenant_a, tenant_b, person
):
    at_a = _login(tenant_a.host, person.email)
    at_b = _login(tenant_b.host, person.email)
    at_a.post("/security/", {"action": "end_sessions"})
    assert at_b.get("/worker/").status_code == 200
    # And B's cookie at A is no session, so there is nothing of B's for A to end or list.
    assert _same_cookie_at(at_b, tenant_a.host).get("/security/").status_code == 302
    with tenant_a.scope():
        assert UserSession.objects.filter(user=person).count() == 1


def test_a_cookie_of_a_non_member_does_not_end_the_session_it_came_from(tenant_a, tenant_b):
    at_b = _login(tenant_b.host, tenant_b.worker.membership.user.email)
    row = _session_row(at_b)
    replayed = _same_cookie_at(at_b, tenant_a.host)
    assert replayed.get("/worker/").status_code == 302
    assert replayed.post("/accounts/logout/").status_code == 302
    assert _session_row(at_b) == row
    assert at_b.get("/worker/").status_code == 200


def test_an_anonymous_session_of_one_agency_carries_nothing_to_another(
    tenant_a, tenant_b, mailoutbox, django_capture_on_commit_callbacks
):
    """Half-finished flows (an activation, a reset) live in the anonymous session: another
    agency neither sees nor spoils them."""
    from accounts import services

    with tenant_b.scope(), django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(membership=tenant_b.contact.membership)
    at_b = HttpClient(HTTP_HOST=tenant_b.host)
    open_link(at_b, _link_in(mailoutbox[-1], tenant_b.host))
    assert at_b.get("/activate/").status_code == 200
    replayed = _same_cookie_at(at_b, tenant_a.host)
    assert replayed.get("/activate/").status_code == 404
    assert at_b.get("/activate/").status_code == 200


def _superuser_with_app():
    root = User.objects.create_superuser("root@flexportal.nl", PASSWORD)
    device = AuthenticatorDevice.objects.create(user=root, name="app", confirmed=True)
    return root, device


def _code(device):
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_the_platform_session_is_no_session_at_an_agency_and_the_other_way_round(tenant_a):
    root, device = _superuser_with_app()
    with tenant_a.scope():
        factories.MembershipFactory(agency=tenant_a.agency, user=root, role=Role.STAFF)
    platform = _login("localhost", root.email)
    platform.post("/two-factor/", {"action": "verify", "code": _code(device)})
    assert platform.get("/admin/").status_code == 200
    at_agency = _same_cookie_at(platform, tenant_a.host)
    assert at_agency.get("/admin/").status_code == 302
    assert not at_agency.get("/admin/").wsgi_request.user.is_authenticated
    assert platform.get("/admin/").status_code == 200

    agency = _login(tenant_a.host, root.email)
    with scopes_disabled():
        device.refresh_from_db()
    device.last_t = -1
    device.save()
    agency.post("/two-factor/", {"action": "verify", "code": _code(device)})
    assert agency.get("/admin/").status_code == 200
    at_platform = _same_cookie_at(agency, "localhost")
    response = at_platform.get("/admin/")
    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated
    assert agency.get("/admin/").status_code == 200


# One-time links ---------------------------------------------------------------------------------


def _link_in(message, host):
    return re.search(rf"http://{re.escape(host)}(/\S+)", message.body).group(1)


def _ask_reset(host, email, mailoutbox, capture):
    with capture(execute=True):
        HttpClient(HTTP_HOST=host).post("/accounts/password/reset/", {"email": email})
    return _link_in(mailoutbox[-1], host)


def test_a_reset_link_of_one_agency_does_nothing_at_the_other(
    tenant_a, tenant_b, person, mailoutbox, django_capture_on_commit_callbacks
):
    tenant_b.agency.password_min_length = 8
    tenant_b.agency.save()
    link = _ask_reset(tenant_a.host, person.email, mailoutbox, django_capture_on_commit_callbacks)
    at_b = HttpClient(HTTP_HOST=tenant_b.host)
    assert open_link(at_b, link).context["token_fail"]
    person.refresh_from_db()
    assert person.check_password(PASSWORD)
    with tenant_b.scope():
        assert not AccountEvent.objects.filter(kind="password_changed").exists()
    # At the agency that sent it, the same link works.
    at_a = HttpClient(HTTP_HOST=tenant_a.host)
    form_url = open_link(at_a, link)["Location"]
    at_a.post(form_url, {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    person.refresh_from_db()
    assert person.check_password(NEW_PASSWORD)


def test_a_reset_key_of_one_agency_is_refused_at_the_other_in_any_form(
    tenant_a, tenant_b, person, mailoutbox, django_capture_on_commit_callbacks
):
    """Also the key straight in allauth's address, and allauth's XHR variant of it."""
    link = _ask_reset(tenant_a.host, person.email, mailoutbox, django_capture_on_commit_callbacks)
    key = link.rsplit("#", 1)[-1]
    path = f"/accounts/password/reset/key/{key}/"
    at_b = HttpClient(HTTP_HOST=tenant_b.host)
    assert at_b.get(path).context["token_fail"]
    at_b.post(
        path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    person.refresh_from_db()
    assert person.check_password(PASSWORD)


def test_a_reset_link_of_the_platform_does_nothing_at_an_agency(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    root, _device = _superuser_with_app()
    with tenant_a.scope():
        factories.MembershipFactory(agency=tenant_a.agency, user=root, role=Role.STAFF)
    link = _ask_reset("localhost", root.email, mailoutbox, django_capture_on_commit_callbacks)
    at_a = HttpClient(HTTP_HOST=tenant_a.host)
    assert open_link(at_a, link).context["token_fail"]
    root.refresh_from_db()
    assert root.check_password(PASSWORD)


def test_an_invitation_of_one_agency_opens_nothing_at_the_other(
    tenant_a, tenant_b, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts import services

    with tenant_b.scope(), django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(membership=tenant_b.contact.membership)
    link = _link_in(mailoutbox[-1], tenant_b.host)
    at_a = HttpClient(HTTP_HOST=tenant_a.host)
    response = open_link(at_a, link)
    assert response.status_code == 404
    assert at_a.get("/activate/").status_code == 404


def test_a_new_address_link_of_one_agency_changes_nothing_at_the_other(
    tenant_a, tenant_b, person, mailoutbox, django_capture_on_commit_callbacks
):
    at_b = tenant_b.http(tenant_b.worker.membership)
    with django_capture_on_commit_callbacks(execute=True):
        at_b.post("/email/", {"email": "ander@example.nl", "password": PASSWORD})
    link = _link_in(mailoutbox[-1], tenant_b.host)
    at_a = tenant_a.http()
    assert open_link(at_a, link).status_code == 410
    assert at_a.post("/email/confirm/").status_code == 410
    person.refresh_from_db()
    assert person.email != "ander@example.nl"
