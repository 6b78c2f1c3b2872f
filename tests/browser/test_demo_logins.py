"""Each demo login works in a real browser and lands on its role's home page."""

import re

import pytest

pytestmark = [pytest.mark.browser]

PASSWORD = "Flexportal-demo-1"


def _log_in(page, url, email):
    page.goto(url)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()


@pytest.mark.parametrize(
    ("email", "home", "heading"),
    [
        ("werknemer@demo.nl", "/worker/", re.compile("^Hallo ")),
        ("klant@demo.nl", "/client/", "Kwekerij De Groene Vallei"),
        ("backoffice@demo.nl", "/admin/", "Demo Uitzendbureau"),
    ],
)
def test_each_demo_role_logs_in_and_lands_home(demo_data, phone, portal_url, email, home, heading):
    _log_in(phone, portal_url("demo", "/accounts/login/"), email)
    phone.wait_for_url(re.compile(re.escape(home) + "$"))
    if email.startswith("backoffice"):
        assert phone.locator("#site-name").inner_text().strip() == heading
    else:
        assert phone.get_by_role("heading", level=1).filter(has_text=heading).count() == 1


def test_acme_logins_are_refused_on_demo(demo_data, desktop, portal_url):
    _log_in(desktop, portal_url("demo", "/accounts/login/"), "backoffice@acme.nl")
    assert "/accounts/login/" in desktop.url
    assert desktop.get_by_role("alert").count() >= 1


def test_the_superuser_manages_agencies_on_the_platform_domain(demo_data, desktop, portal_url):
    from django_otp.oath import totp

    from accounts.models import AuthenticatorDevice

    _log_in(desktop, portal_url("", "/accounts/login/"), "admin@flexportal.nl")
    # A superuser sets up an authenticator app first; the test computes the app's code.
    desktop.goto(portal_url("", "/two-factor/setup/app/"))
    device = AuthenticatorDevice.objects.get(user__email="admin@flexportal.nl", confirmed=False)
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    desktop.locator("input[name=code]").fill(f"{code:06d}")
    desktop.locator("#confirm-app").click()
    desktop.wait_for_load_state()
    desktop.goto(portal_url("", "/admin/agencies/agency/"))
    assert desktop.get_by_role("link", name="Acme Flex").count() == 1


def test_the_language_switcher_changes_the_language(demo_data, phone, portal_url):
    phone.goto(portal_url("demo", "/accounts/login/"))
    phone.get_by_label("Taal").select_option("en")
    phone.get_by_role("button", name="Taal wijzigen").click()
    assert phone.get_by_role("heading", name="Log in").count() == 1
