"""The client's address, for every rate limit and the audit: behind the reverse proxies the
settings name (TRUSTED_PROXY_COUNT, or TRUSTED_CLIENT_IP_HEADER), the address the proxies saw;
never a value the client wrote itself; without a configured proxy, the connection's address."""

import pytest
from django.test import Client as HttpClient
from django.test import RequestFactory

from accounts.models import AccountEvent
from flexportal.client_ip import client_ip
from tests.factories import PASSWORD

PROXY = "10.0.0.1"


def _request(remote=PROXY, **headers):
    return RequestFactory().get("/", REMOTE_ADDR=remote, **headers)


def test_without_a_configured_proxy_forwarded_headers_are_ignored(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_CLIENT_IP_HEADER = ""
    request = _request(HTTP_X_FORWARDED_FOR="203.0.113.9", HTTP_X_REAL_IP="203.0.113.9")
    assert client_ip(request) == PROXY


def test_behind_one_proxy_the_address_it_appended_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.9")) == "203.0.113.9"
    # What the client wrote itself stands left of what the proxy appended.
    spoofed = _request(HTTP_X_FORWARDED_FOR="198.51.100.1, 1.2.3.4 ,203.0.113.9")
    assert client_ip(spoofed) == "203.0.113.9"


def test_behind_two_proxies_the_address_the_first_one_saw_counts(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    request = _request(HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.9, 10.0.0.7")
    assert client_ip(request) == "203.0.113.9"


def test_a_header_that_does_not_fit_the_configuration_falls_back_to_the_connection(settings):
    settings.TRUSTED_PROXY_COUNT = 2
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.9")) == PROXY
    assert client_ip(_request()) == PROXY
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="not-an-address")) == PROXY
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="")) == PROXY


def test_a_trusted_client_ip_header_wins_over_forwarded_for(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    settings.TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = _request(HTTP_X_REAL_IP="203.0.113.9", HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert client_ip(request) == "203.0.113.9"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="198.51.100.1")) == PROXY


def test_ipv6_addresses_and_ports_are_read(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="2001:db8::1")) == "2001:db8::1"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="[2001:db8::1]:4711")) == "2001:db8::1"
    assert client_ip(_request(HTTP_X_FORWARDED_FOR="203.0.113.9:4711")) == "203.0.113.9"


@pytest.mark.django_db
def test_behind_the_proxy_ten_wrong_logins_lock_out_that_client_not_everyone(settings, tenant_a):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker = HttpClient(HTTP_HOST=tenant_a.host, REMOTE_ADDR=PROXY)
    for attempt in range(12):
        attacker.post(
            "/accounts/login/",
            {"login": f"raden{attempt}@example.nl", "password": "wrong"},
            # Whatever the client writes, the proxy appends the address it saw.
            HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.66",
        )
    response = attacker.post(
        "/accounts/login/",
        {"login": tenant_a.worker.membership.user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="192.0.2.200, 203.0.113.66",
    )
    assert "_auth_user_id" not in attacker.session, "the limit held for the attacker"
    colleague = HttpClient(HTTP_HOST=tenant_a.host, REMOTE_ADDR=PROXY)
    response = colleague.post(
        "/accounts/login/",
        {"login": tenant_a.worker.membership.user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    assert response.status_code == 302
    assert "_auth_user_id" in colleague.session


@pytest.mark.django_db
def test_the_audit_records_the_clients_address_not_the_proxys(settings, tenant_a):
    settings.TRUSTED_PROXY_COUNT = 1
    client = HttpClient(HTTP_HOST=tenant_a.host, REMOTE_ADDR=PROXY)
    client.post(
        "/accounts/login/",
        {"login": tenant_a.worker.membership.user.email, "password": PASSWORD},
        HTTP_X_FORWARDED_FOR="198.51.100.23",
    )
    with tenant_a.scope():
        assert AccountEvent.objects.get(kind="login").ip_address == "198.51.100.23"


@pytest.mark.django_db
def test_code_pages_are_limited_per_client_behind_the_proxy(settings, tenant_a):
    """Activation codes and second-factor codes count per client as well, through the same
    helper, on top of the per-person and per-link limits."""
    from tests.accounts.helpers import activation_link, invite, open_link

    settings.TRUSTED_PROXY_COUNT = 1
    _invitation, token = invite(tenant_a, tenant_a.worker.membership)
    guesser = HttpClient(HTTP_HOST=tenant_a.host, HTTP_X_FORWARDED_FOR="203.0.113.66")
    open_link(guesser, activation_link(token))
    answers = [
        guesser.post("/activate/", {"action": "verify", "code": "000000"}).status_code
        for _attempt in range(32)
    ]
    assert answers[0] == 200 and answers[-1] == 429
    from accounts.models import AuthenticatorDevice

    AuthenticatorDevice.objects.create(
        user=tenant_a.contact.membership.user, name="app", confirmed=True
    )
    colleague = tenant_a.http(tenant_a.contact.membership, verified=False)
    response = colleague.post(
        "/two-factor/", {"action": "verify", "code": "000000"}, HTTP_X_FORWARDED_FOR="198.51.100.23"
    )
    assert response.status_code == 200
    response = colleague.post(
        "/two-factor/", {"action": "verify", "code": "000000"}, HTTP_X_FORWARDED_FOR="203.0.113.66"
    )
    assert response.status_code == 429


def test_check_deploy_warns_when_nothing_says_how_to_read_the_address_behind_the_proxy(settings):
    from flexportal.client_ip import check_trusted_proxies

    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_CLIENT_IP_HEADER = 0, ""
    (warning,) = check_trusted_proxies()
    assert warning.id == "flexportal.W002"
    settings.TRUSTED_PROXY_COUNT = 1
    assert check_trusted_proxies() == []
    settings.TRUSTED_PROXY_COUNT, settings.TRUSTED_CLIENT_IP_HEADER = 0, "X-Real-IP"
    assert check_trusted_proxies() == []
