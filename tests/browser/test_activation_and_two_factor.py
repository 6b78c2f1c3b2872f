"""In a real browser: invitation → SMS-verified activation → password → authenticator app (codes
computed here from the key on the page, as an app would) → logout → login on the remembered
device → login on a new device asks for the code; a password reset still asks for the code; an
expired link; and acme's back office cannot sign in on demo, nor into its admin."""

import base64
import datetime as dt
import re
import time

import pytest
from django.core import mail
from django.utils import timezone
from django_otp.oath import hotp

from accounts import services
from accounts.models import AuthenticatorDevice, Invitation
from flexportal.tenancy import agency_scope
from notifications import sms
from staffing import services as staffing_services
from staffing.models import Client
from tests import factories
from tests.accounts.helpers import nl

pytestmark = [pytest.mark.browser]

PASSWORD = "Zonnebloem-42!"


@pytest.fixture
def agency(transactional_db):
    sms.outbox.clear()
    mail.outbox = []
    agency = factories.AgencyFactory(slug="flex", name="Flex Uitzendbureau")
    with agency_scope(agency):
        client = factories.ClientFactory(agency=agency, name="Kwekerij Zonneveld")
        factories.DepartmentFactory(agency=agency, client=client)
    return agency


def _contact(agency, email="karin@zonneveld.nl"):
    with agency_scope(agency):
        client = Client.objects.get(agency=agency)
        contact = staffing_services.client_contact_create(
            agency=agency, client=client, email=email, first_name="Karin", last_name="Klant"
        )
    user = contact.membership.user
    user.mobile_number = "+31612345678"
    user.save()
    return contact


def _invite(agency, membership) -> str:
    with agency_scope(agency):
        services.invitation_send(membership=membership)
    link = re.search(r"http://flex\.localhost(/activate/link/#\S+)", mail.outbox[-1].body)
    return link.group(1)


def _app_code(key: str, *, step_offset: int = 0) -> str:
    """What Google Authenticator shows for ``key`` (RFC 6238: SHA-1, 6 digits, 30 s)."""
    secret = base64.b32decode(key.replace(" ", "") + "=" * (-len(key.replace(" ", "")) % 8))
    step = int(time.time()) // 30 + step_offset
    return f"{hotp(secret, step, digits=6):06d}"


def _log_in(page, portal_url, email, password=PASSWORD):
    page.goto(portal_url("flex", "/accounts/login/"))
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def _log_out(page):
    page.locator(".user-menu summary").click()
    page.locator('.user-menu form[action="/accounts/logout/"] button').click()
    page.wait_for_url(re.compile(r"/accounts/login/"))


def test_invitation_activation_app_set_up_and_remembered_device(agency, browser, phone, portal_url):
    contact = _contact(agency)
    path = _invite(agency, contact.membership)

    # Activation: the SMS code, then the password beside its rules.
    phone.goto(portal_url("flex", path))
    phone.wait_for_url(re.compile(r"/activate/$"))
    phone.locator("#send-code").click()
    code = re.search(r"\b(\d{6})\b", sms.outbox[-1].body).group(1)
    assert sms.outbox[-1].to == "+31612345678"
    phone.locator("#id_code").fill(code)
    phone.locator("#verify-code").click()
    assert phone.locator("#password-rules").is_visible()
    phone.locator("#id_password1").fill(PASSWORD)
    phone.locator("#id_password2").fill(PASSWORD)
    phone.locator("#activate").click()

    # A client contact must set up a second factor: the authenticator app.
    phone.wait_for_url(re.compile(r"/two-factor/setup/"))
    phone.locator("#setup-app").click()
    assert phone.locator(".qr svg").is_visible()
    key = phone.locator("#manual-key").inner_text()
    phone.locator("#id_code").fill(_app_code(key))
    phone.locator("#id_remember").check()
    phone.locator("#confirm-app").click()
    phone.wait_for_url(re.compile(r"/two-factor/backup-codes/"))
    assert phone.locator("#backup-codes li").count() == 10
    phone.locator("#continue").click()
    phone.wait_for_url(re.compile(r"/client/$"))
    assert phone.get_by_role("heading", level=1).filter(has_text="Kwekerij Zonneveld").count() == 1

    # Log out, log in again on this (remembered) device: no code asked.
    _log_out(phone)
    _log_in(phone, portal_url, "karin@zonneveld.nl")
    phone.wait_for_url(re.compile(r"/client/$"))

    # Another device asks for the code.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    context.set_default_timeout(10_000)
    other = context.new_page()
    _log_in(other, portal_url, "karin@zonneveld.nl")
    other.wait_for_url(re.compile(r"/two-factor/\?next="))
    other.locator("#id_code").fill(_app_code(key, step_offset=1))
    other.locator("#verify-code").click()
    other.wait_for_url(re.compile(r"/client/$"))
    context.close()


def test_a_password_reset_still_asks_for_the_code(agency, desktop, portal_url):
    contact = _contact(agency, email="reset@zonneveld.nl")
    user = contact.membership.user
    user.set_password("Oud-wachtwoord-77")
    user.save()
    device = AuthenticatorDevice.objects.create(user=user, name="app", confirmed=True)
    key = base64.b32encode(device.bin_key).decode()

    desktop.goto(portal_url("flex", "/accounts/login/"))
    desktop.locator('a[href="/accounts/password/reset/"]').click()
    desktop.locator("#id_email").fill("reset@zonneveld.nl")
    desktop.locator("#send-link").click()
    desktop.wait_for_url(re.compile(r"/accounts/password/reset/done/"))
    link = re.search(r"http://flex\.localhost(\S+)", mail.outbox[-1].body).group(1)
    desktop.goto(portal_url("flex", link))
    desktop.locator("#id_password1").fill(PASSWORD)
    desktop.locator("#id_password2").fill(PASSWORD)
    desktop.locator("#save-password").click()
    desktop.wait_for_url(re.compile(r"/accounts/password/reset/key/done/"))

    _log_in(desktop, portal_url, "reset@zonneveld.nl")
    desktop.wait_for_url(re.compile(r"/two-factor/\?next="))
    desktop.locator("#id_code").fill(_app_code(key))
    desktop.locator("#verify-code").click()
    desktop.wait_for_url(re.compile(r"/client/$"))


def test_an_expired_link_shows_a_clear_page(agency, phone, portal_url):
    contact = _contact(agency, email="laat@zonneveld.nl")
    path = _invite(agency, contact.membership)
    with agency_scope(agency):
        Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(hours=1))
    # The page's script posts the token from after '#'; the answer to that post is the page.
    with phone.expect_response(lambda r: r.request.method == "POST") as posted:
        phone.goto(portal_url("flex", path))
    assert posted.value.status == 410
    assert "#" not in phone.url
    heading = phone.get_by_role("heading", level=1)
    assert heading.inner_text().strip() == nl("This invitation has expired")
    assert "Flex Uitzendbureau" in phone.locator("main").inner_text()
    assert phone.locator("#id_password1").count() == 0


def test_acme_back_office_cannot_sign_in_on_demo_nor_into_its_admin(demo_data, desktop, portal_url):
    desktop.goto(portal_url("demo", "/admin/"))
    desktop.wait_for_url(re.compile(r"/accounts/login/\?next=%2Fadmin%2F"))
    desktop.locator("#id_login").fill("backoffice@acme.nl")
    desktop.locator("#id_password").fill("Flexportal-demo-1")
    desktop.locator("main form button[type=submit]").click()
    assert "/accounts/login/" in desktop.url
    assert desktop.get_by_role("alert").count() >= 1
    desktop.goto(portal_url("demo", "/admin/staffing/flexworkerprofile/"))
    assert "/accounts/login/" in desktop.url
