"""One-time links (invitation, password reset, new e-mail address) never put their token in a
request line, so it lands in no access log, proxy log or Referer: the mailed link carries it
after '#', which browsers never send; the page's script posts it, and the flow goes on at an
address without it. A token in a path opens nothing. Links stay single use and agency-bound
(tests/test_isolation_two_agencies.py), and guessing is rate limited per client."""

import re

import pytest
from django.test import Client as HttpClient

from accounts import services
from tests.accounts.helpers import invite, open_link
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zonnebloem-42!"
LINK = re.compile(r"http://alpha\.localhost(/\S*)")


class Recorder:
    """A test client that keeps every request line it sent, as an access log would."""

    def __init__(self, host):
        self.client = HttpClient(HTTP_HOST=host)
        self.lines = []

    def __getattr__(self, name):
        method = getattr(self.client, name)
        if name not in ("get", "post"):
            return method

        def call(path, *args, **kwargs):
            response = method(path, *args, **kwargs)
            self.lines.append(response.wsgi_request.get_full_path())
            return response

        return call


def _token_of(link):
    path, _hash, token = link.partition("#")
    return path, token


def _reset_link(tenant, mailoutbox, capture, email=None):
    with capture(execute=True):
        HttpClient(HTTP_HOST=tenant.host).post(
            "/accounts/password/reset/", {"email": email or tenant.worker.membership.user.email}
        )
    return LINK.search(mailoutbox[-1].body).group(1)


def _invitation_link(tenant, mailoutbox, capture):
    with tenant.scope(), capture(execute=True):
        services.invitation_send(membership=tenant.contact.membership)
    return LINK.search(mailoutbox[-1].body).group(1)


def _email_link(tenant, mailoutbox, capture):
    client = tenant.http(tenant.worker.membership)
    with capture(execute=True):
        client.post("/email/", {"email": "nieuw.adres@example.nl", "password": PASSWORD})
    return client, LINK.search(mailoutbox[-1].body).group(1)


def test_every_mailed_one_time_link_carries_its_token_only_after_the_hash(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    capture = django_capture_on_commit_callbacks
    links = {
        "reset": _reset_link(tenant_a, mailoutbox, capture),
        "invitation": _invitation_link(tenant_a, mailoutbox, capture),
        "email": _email_link(tenant_a, mailoutbox, capture)[1],
    }
    assert {kind: _token_of(link)[0] for kind, link in links.items()} == {
        "reset": "/accounts/password/reset/link/",
        "invitation": "/activate/link/",
        "email": "/email/confirm/link/",
    }
    assert all(len(_token_of(link)[1]) > 20 for link in links.values())


def test_no_request_of_a_password_reset_carries_the_key(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    link = _reset_link(tenant_a, mailoutbox, django_capture_on_commit_callbacks)
    _path, token = _token_of(link)
    browser = Recorder(tenant_a.host)
    response = open_link(browser, link)
    form = browser.get(response["Location"])
    assert form.status_code == 200 and not form.context.get("token_fail")
    response = browser.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/password/reset/key/done/"
    user = tenant_a.worker.membership.user
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    key = token.split("-", 1)[1]
    assert not [line for line in browser.lines if key in line]
    # Single use: the same link again opens nothing.
    assert open_link(HttpClient(HTTP_HOST=tenant_a.host), link).context["token_fail"]


def test_no_request_of_an_activation_carries_the_token(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    tenant_a.agency.verify_mobile_on_activation = False
    tenant_a.agency.save()
    user = tenant_a.contact.membership.user
    user.set_unusable_password()  # a new identity: it chooses its first password
    user.save()
    link = _invitation_link(tenant_a, mailoutbox, django_capture_on_commit_callbacks)
    _path, token = _token_of(link)
    browser = Recorder(tenant_a.host)
    response = open_link(browser, link)
    assert response["Location"] == "/activate/"
    assert browser.get("/activate/").status_code == 200
    response = browser.post("/activate/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert not [line for line in browser.lines if token in line]
    again = open_link(HttpClient(HTTP_HOST=tenant_a.host), link)
    assert again.status_code == 410


def test_no_request_of_a_new_address_confirmation_carries_the_token(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    _client, link = _email_link(tenant_a, mailoutbox, django_capture_on_commit_callbacks)
    _path, token = _token_of(link)
    browser = Recorder(tenant_a.host)
    response = open_link(browser, link)
    assert response["Location"] == "/email/confirm/"
    page = browser.get("/email/confirm/")
    assert "nieuw.adres@example.nl" in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        assert browser.post("/email/confirm/").status_code == 302
    user = tenant_a.worker.membership.user
    user.refresh_from_db()
    assert user.email == "nieuw.adres@example.nl"
    assert not [line for line in browser.lines if token in line]
    assert open_link(HttpClient(HTTP_HOST=tenant_a.host), link).status_code == 410


def test_a_token_in_a_path_opens_nothing(tenant_a, mailoutbox, django_capture_on_commit_callbacks):
    capture = django_capture_on_commit_callbacks
    reset_token = _token_of(_reset_link(tenant_a, mailoutbox, capture))[1]
    _invitation, invitation_token = invite(tenant_a, tenant_a.contact.membership)
    email_token = _token_of(_email_link(tenant_a, mailoutbox, capture)[1])[1]
    client = HttpClient(HTTP_HOST=tenant_a.host)
    assert client.get(f"/activate/{invitation_token}/").status_code == 404
    assert client.get(f"/email/confirm/{email_token}/").status_code == 404
    reset_path = f"/accounts/password/reset/key/{reset_token}/"
    assert client.get(reset_path).context["token_fail"]
    client.post(
        reset_path,
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD},
        HTTP_X_REQUESTED_WITH="XMLHttpRequest",
    )
    user = tenant_a.worker.membership.user
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    # The address from the mail still works.
    assert open_link(client, _reset_link(tenant_a, mailoutbox, capture)).status_code == 302


def test_the_link_page_hands_over_the_token_by_script_or_by_pasting_the_link(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    link = _reset_link(tenant_a, mailoutbox, django_capture_on_commit_callbacks)
    path, _token = _token_of(link)
    client = HttpClient(HTTP_HOST=tenant_a.host)
    html = client.get(path).content.decode()
    assert re.search(r'<script src="/static/js/one-time-link\.js" defer>', html)
    assert "data-one-time-link" in html
    assert "<script>" not in html and "onclick" not in html
    # Without JavaScript the person pastes the whole link from the mail.
    response = client.post(path, {"token": f"  http://alpha.localhost{link}  "})
    assert response.status_code == 302
    assert response["Location"].endswith("-set-password/")


def test_an_unknown_or_empty_token_gets_a_clear_page_not_an_error(tenant_a):
    client = HttpClient(HTTP_HOST=tenant_a.host)
    for path in ("/activate/link/", "/email/confirm/link/", "/accounts/password/reset/link/"):
        for token in ("", "nonsense", "x" * 5000, "\x00", "a-b-c", "http://alpha.localhost/#"):
            response = client.post(path, {"token": token})
            assert response.status_code in (200, 404, 410), (path, token, response.status_code)


def test_guessing_tokens_is_rate_limited_per_client(settings, tenant_a):
    settings.TRUSTED_PROXY_COUNT = 1
    guesser = HttpClient(HTTP_HOST=tenant_a.host, HTTP_X_FORWARDED_FOR="203.0.113.66")
    answers = [
        guesser.post("/activate/link/", {"token": f"guess-{n}"}).status_code for n in range(25)
    ]
    assert answers[0] == 404
    assert answers[-1] == 429
    other = HttpClient(HTTP_HOST=tenant_a.host, HTTP_X_FORWARDED_FOR="198.51.100.23")
    assert other.post("/activate/link/", {"token": "guess"}).status_code == 404


def test_the_platform_operators_reset_link_works_the_same_way(
    django_user_model, mailoutbox, django_capture_on_commit_callbacks
):
    root = django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    browser = Recorder("localhost")
    with django_capture_on_commit_callbacks(execute=True):
        browser.post("/accounts/password/reset/", {"email": root.email})
    link = re.search(r"http://localhost(/\S+)", mailoutbox[-1].body).group(1)
    path, token = _token_of(link)
    assert path == "/accounts/password/reset/link/"
    response = open_link(browser, link)
    response = browser.post(
        response["Location"], {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}
    )
    assert response["Location"] == "/accounts/password/reset/key/done/"
    root.refresh_from_db()
    assert root.check_password(NEW_PASSWORD)
    assert not [line for line in browser.lines if token.split("-", 1)[1] in line]
