"""In a real browser: the link of a rejection mail opens the werkbrief after the login, on a
phone; the back office resets the second factor of a worker who lost their phone, through the
confirmation page, and the worker sets up a new one at the next login."""

import datetime as dt
import re

import pytest
from django_otp.oath import totp
from playwright.sync_api import expect

from accounts.models import AuthenticatorDevice
from agencies.models import Role
from notifications.models import Kind
from tests.conftest import make_tenant
from tests.factories import PASSWORD
from tests.notifications.conftest import act, english, fill, mails, werkbrief

pytestmark = [pytest.mark.browser]


@pytest.fixture
def tenant(transactional_db):
    tenant = make_tenant("mails")
    english(tenant.worker.membership, tenant.contact.membership, tenant.staff)
    return tenant


def _log_in(page, email):
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_the_rejection_mails_link_opens_the_werkbrief_after_the_login(
    tenant, phone, portal_url, mailoutbox
):
    week = dt.date.today() - dt.timedelta(days=dt.date.today().weekday() + 7)
    worker, contact = tenant.worker.membership, tenant.contact.membership
    with tenant.scope():
        wb = act(fill(werkbrief(tenant, week), worker), worker, "submit")
        act(wb, contact, "reject", "Woensdag mist de pauze.")
    (message,) = mails(mailoutbox, Kind.WERKBRIEF_REJECTED)
    path = re.search(r"http://mails\.localhost(/\S+/)", message.body).group(1)
    phone.goto(portal_url("mails", path))
    expect(phone).to_have_url(re.compile(r"/accounts/login/\?next="))
    _log_in(phone, worker.user.email)
    expect(phone).to_have_url(portal_url("mails", path))
    expect(phone.locator("main")).to_contain_text("Woensdag mist de pauze.")


def test_the_back_office_resets_a_lost_second_factor_and_the_worker_sets_up_a_new_one(
    tenant, desktop, phone, portal_url
):
    tenant.agency.two_factor_roles = [Role.FLEXWORKER]  # the staff member too, by default
    tenant.agency.save()
    worker = tenant.worker.membership.user
    AuthenticatorDevice.objects.create(user=worker, name="Lost phone", confirmed=True)
    # The staff member signs in with their own authenticator app.
    staff_app = AuthenticatorDevice.objects.create(
        user=tenant.staff.user, name="Desk", confirmed=True
    )
    desktop.goto(portal_url("mails", "/admin/staffing/flexworkerprofile/"))
    _log_in(desktop, tenant.staff.user.email)
    code = totp(staff_app.bin_key, step=staff_app.step, t0=staff_app.t0, digits=staff_app.digits)
    desktop.locator("input[name=code]").fill(f"{code:06d}")
    desktop.locator("main form button[type=submit]").first.click()
    desktop.wait_for_load_state()
    expect(desktop).to_have_url(re.compile(r"/admin/staffing/flexworkerprofile/"))
    desktop.locator(f"input[name=_selected_action][value='{tenant.worker.pk}']").check()
    desktop.locator("select[name=action]").select_option("reset_two_factor")
    desktop.locator("button[name=index]").click()
    expect(desktop.locator("#content")).to_contain_text("authenticator app")
    desktop.get_by_role("button", name="Yes, reset the second factor").click()
    expect(desktop.locator(".messagelist")).to_contain_text("The second factor of 1 person")
    assert not AuthenticatorDevice.objects.filter(user=worker).exists()
    phone.goto(portal_url("mails", "/accounts/login/"))
    _log_in(phone, worker.email)
    phone.goto(portal_url("mails", "/worker/"))
    expect(phone).to_have_url(re.compile(r"/two-factor/setup/"))
