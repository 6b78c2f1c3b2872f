"""CSRF: each agency, and the platform domain, trusts only its own origin. A form posted from
another agency's pages (or with another agency's Referer) is refused, though both share the
parent domain."""

import pytest
from django.conf import settings
from django.test import Client as HttpClient

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _client(host, *, secure=False):
    client = HttpClient(enforce_csrf_checks=True, HTTP_HOST=host)
    client.get("/accounts/login/", secure=secure)  # the CSRF cookie
    return client


def _post_login(client, email, *, secure=False, **headers):
    token = client.cookies[settings.CSRF_COOKIE_NAME].value
    return client.post(
        "/accounts/login/",
        {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token},
        secure=secure,
        **headers,
    )


def test_a_form_posted_from_another_agencys_origin_is_refused(tenant_a):
    email = tenant_a.worker.membership.user.email
    client = _client("alpha.localhost:8000")
    response = _post_login(client, email, HTTP_ORIGIN="http://bravo.localhost:8000")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session
    response = _post_login(client, email, HTTP_ORIGIN="http://alpha.localhost:8000")
    assert response.status_code == 302


def test_over_https_another_agencys_origin_and_referer_are_refused(tenant_a):
    email = tenant_a.worker.membership.user.email
    client = _client("alpha.localhost", secure=True)
    https = {"secure": True}
    response = _post_login(client, email, HTTP_ORIGIN="https://bravo.localhost", **https)
    assert response.status_code == 403
    response = _post_login(client, email, HTTP_REFERER="https://bravo.localhost/page/", **https)
    assert response.status_code == 403
    response = _post_login(client, email, HTTP_REFERER="https://alpha.localhost/page/", **https)
    assert response.status_code == 302


def test_the_platform_domain_refuses_an_agencys_origin(django_user_model):
    django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    client = _client("localhost", secure=True)
    email = "root@flexportal.nl"
    response = _post_login(client, email, HTTP_ORIGIN="https://alpha.localhost", secure=True)
    assert response.status_code == 403
    response = _post_login(client, email, HTTP_ORIGIN="https://localhost", secure=True)
    assert response.status_code == 302


def test_no_origin_is_trusted_beyond_the_requests_own_host():
    assert settings.CSRF_TRUSTED_ORIGINS == []
