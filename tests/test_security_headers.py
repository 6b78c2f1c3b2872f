"""Response headers (ASVS 3.4, 14.3): a Content-Security-Policy without inline script on every
page, a Permissions-Policy, nothing stored for a signed-in session, compressed pages and
__Host- cookies in production."""

import gzip
import os
import re
import subprocess
import sys

import pytest
from django.test import Client as HttpClient

pytestmark = pytest.mark.django_db


def _policy(response) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]
    directives = {}
    for part in header.split(";"):
        name, *values = part.split()
        directives[name] = values
    return directives


def _assert_strict_policy(response) -> None:
    policy = _policy(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval'
    assert "'unsafe-inline'" not in policy["style-src"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert response.headers["Permissions-Policy"].startswith("accelerometer=()")
    assert "camera=()" in response.headers["Permissions-Policy"]
    assert "geolocation=()" in response.headers["Permissions-Policy"]


def _assert_no_inline_script(html: str) -> None:
    for tag in re.findall(r"<script\b[^>]*>", html):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    assert not re.search(r"\son[a-z]+=", html), "an inline event handler"
    assert not re.search(r"\sstyle=", html), "an inline style attribute"


def test_a_portal_page_has_the_policy_and_is_not_stored(tenant_a):
    response = tenant_a.http(tenant_a.worker.membership).get("/worker/")
    assert response.status_code == 200
    _assert_strict_policy(response)
    assert "no-store" in response.headers["Cache-Control"]
    assert "public" not in response.headers["Cache-Control"]
    _assert_no_inline_script(response.content.decode())


def test_the_agencys_colours_are_the_one_inline_style_and_carry_the_nonce(tenant_a):
    response = tenant_a.http(tenant_a.contact.membership).get("/client/")
    html = response.content.decode()
    nonces = re.findall(r'<style nonce="([^"]+)">', html)
    assert len(nonces) == 1
    assert html.count("<style") == 1
    assert f"'nonce-{nonces[0]}'" in _policy(response)["style-src"]


def test_htmx_is_the_minified_build_and_injects_no_styles(tenant_a):
    html = tenant_a.http(tenant_a.worker.membership).get("/worker/").content.decode()
    assert re.search(r'<script src="/static/django_htmx/htmx-2\.min\.js" defer>', html)
    assert '"includeIndicatorStyles": false' in html


def test_an_admin_page_has_the_policy_and_is_not_stored(tenant_a):
    response = tenant_a.http(tenant_a.staff).get("/admin/")
    assert response.status_code == 200
    _assert_strict_policy(response)
    assert "no-store" in response.headers["Cache-Control"]


def test_the_platform_admins_login_has_the_policy():
    response = HttpClient(HTTP_HOST="localhost").get("/admin/login/", follow=True)
    assert response.status_code == 200
    _assert_strict_policy(response)


def test_a_404_has_the_policy(tenant_a):
    response = tenant_a.http(tenant_a.worker.membership).get("/no-such-page/")
    assert response.status_code == 404
    _assert_strict_policy(response)
    assert "no-store" in response.headers["Cache-Control"]
    _assert_no_inline_script(response.content.decode())


def test_a_500_has_the_policy(tenant_a, monkeypatch):
    class BrokenDatabase:
        def cursor(self):
            raise RuntimeError("the database is gone")

    monkeypatch.setattr("flexportal.views.connection", BrokenDatabase())
    client = tenant_a.http()
    client.raise_request_exception = False
    response = client.get("/healthz/")
    assert response.status_code == 500
    _assert_strict_policy(response)
    _assert_no_inline_script(response.content.decode())


def test_an_unknown_agencys_404_has_the_policy(tenant_a):
    response = HttpClient(HTTP_HOST="nobody.localhost").get("/accounts/login/")
    assert response.status_code == 404
    _assert_strict_policy(response)


def test_a_view_that_allows_public_caching_is_not_stored_when_signed_in(tenant_a):
    # The logo says "public" for everyone; to a signed-in session nothing is stored.
    from django.core.files.base import ContentFile

    tenant_a.agency.logo.save("logo.png", ContentFile(b"\x89PNG\r\n\x1a\n" + b"0" * 64))
    logo = tenant_a.http(tenant_a.worker.membership).get("/branding/logo/")
    assert "no-store" in logo.headers["Cache-Control"]
    assert "public" not in logo.headers["Cache-Control"]
    signed_in = tenant_a.http(tenant_a.worker.membership).get("/worker/placements/")
    assert "no-store" in signed_in.headers["Cache-Control"]


def test_pages_are_compressed_for_browsers_that_accept_it(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.get("/worker/", headers={"Accept-Encoding": "gzip, br"})
    assert response.headers["Content-Encoding"] == "gzip"
    assert b"<html" in gzip.decompress(response.content)
    assert "Accept-Encoding" in response.headers["Vary"]


def test_production_cookies_carry_the_host_prefix():
    environment = {k: v for k, v in os.environ.items() if k != "FLEXPORTAL_TESTING"}
    environment.update(DEBUG="false", SECRET_KEY="x" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789")
    code = (
        "import django, os; os.environ.setdefault('DJANGO_SETTINGS_MODULE','flexportal.settings');"
        "from django.conf import settings as s;"
        "print(s.SESSION_COOKIE_NAME, s.CSRF_COOKIE_NAME, s.LANGUAGE_COOKIE_NAME,"
        " s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SESSION_COOKIE_DOMAIN,"
        " s.SESSION_COOKIE_PATH)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], env=environment, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "__Host-sessionid",
        "__Host-csrftoken",
        "__Host-flexportal_language",
        "True",
        "True",
        "None",
        "/",
    ]


def test_development_over_http_keeps_plain_cookie_names(settings):
    # Browsers refuse a __Host- cookie without Secure, which plain http cannot set.
    assert not settings.SESSION_COOKIE_NAME.startswith("__Host-")
    assert not settings.SESSION_COOKIE_SECURE
