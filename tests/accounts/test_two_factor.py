"""Two-step verification with django-otp: an authenticator app (QR code and key), text-message
codes and backup codes; required per role by the agency, throttled, remembered on a device for
30 days, and never skipped: not by the admin, not by a password reset."""

import re

import pytest
from django.test import Client as HttpClient
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import auth
from accounts.models import AccountEvent, AuthenticatorDevice, SmsDevice, TrustedDevice
from agencies.models import Role
from flexportal.admin_sites import backoffice_site
from tests.accounts.helpers import last_sms_code, nl, open_link, totp_code
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _login(tenant, email, password=PASSWORD, client=None):
    client = client or HttpClient(HTTP_HOST=tenant.host)
    response = client.post("/accounts/login/", {"login": email, "password": password})
    return client, response


def _setup_app(client, *, remember=False):
    """Set up an authenticator app as a person would; returns the confirmed device."""
    page = client.get("/two-factor/setup/app/")
    assert page.status_code == 200
    device = AuthenticatorDevice.objects.get(pk=client.session["flexportal_totp_setup"])
    data = {"code": totp_code(device)}
    if remember:
        data["remember"] = "on"
    response = client.post("/two-factor/setup/app/", data)
    assert response.status_code == 302, response.context["form"].errors
    device.refresh_from_db()
    assert device.confirmed
    return device, response


def _verified(client) -> bool:
    return "otp_device_id" in client.session


def test_staff_are_led_to_set_up_a_second_factor_after_login(tenant_a):
    client, response = _login(tenant_a, tenant_a.staff.user.email)
    response = client.get(response["Location"])
    assert response["Location"] == "/two-factor/?next=%2F"
    response = client.get(response["Location"])
    assert response["Location"] == "/two-factor/setup/?next=%2F"
    assert client.get("/admin/").status_code == 302
    assert client.get("/worker/").status_code == 302


def test_client_contacts_must_set_one_up_too(tenant_a):
    client, _ = _login(tenant_a, tenant_a.contact.membership.user.email)
    assert client.get("/client/")["Location"].startswith("/two-factor/")


def test_a_flexworker_without_a_second_factor_goes_straight_home(tenant_a):
    client, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    assert client.get("/worker/").status_code == 200


def test_the_agency_decides_per_role(tenant_a):
    tenant_a.agency.two_factor_roles = [Role.FLEXWORKER]
    tenant_a.agency.save()
    client, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    assert client.get("/worker/")["Location"].startswith("/two-factor/")
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    assert client.get("/admin/").status_code == 200


def test_the_app_set_up_shows_a_qr_code_and_the_manual_key(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    page = client.get("/two-factor/setup/app/")
    html = page.content.decode()
    assert "<svg" in html
    device = AuthenticatorDevice.objects.get(user=tenant_a.staff.user)
    key = page.context["manual_key"].replace(" ", "")
    assert len(key) == 32
    from base64 import b32decode

    assert b32decode(key) == device.bin_key


def test_the_first_app_code_confirms_it_and_gives_backup_codes_once(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _device, response = _setup_app(client)
    assert response["Location"].startswith("/two-factor/backup-codes/")
    page = client.get(response["Location"])
    codes = page.context["codes"]
    assert len(codes) == 10
    assert client.get(response["Location"]).context["codes"] is None
    assert _verified(client)
    assert client.get("/admin/").status_code == 200
    with tenant_a.scope():
        assert AccountEvent.objects.filter(kind="two_factor_added").count() == 1


def test_a_wrong_app_code_is_refused_at_the_field_and_kept(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    client.get("/two-factor/setup/app/")
    response = client.post("/two-factor/setup/app/", {"code": "12345"})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        nl("This code is not right. Check it and try again.")
    ]
    assert 'value="12345"' in response.content.decode()


def test_the_next_login_asks_the_code_of_the_app(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    device, _ = _setup_app(client)
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    response = client.get("/admin/")
    assert response["Location"] == "/two-factor/?next=%2Fadmin%2F"
    page = client.get(response["Location"])
    assert page.context["kind"] == "totp"
    response = client.post(
        "/two-factor/?next=/admin/",
        {"action": "verify", "device": device.persistent_id, "code": totp_code(device)},
    )
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200


def test_a_foreign_next_address_is_ignored(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    device, _ = _setup_app(client)
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    response = client.post(
        "/two-factor/",
        {"action": "verify", "code": totp_code(device), "next": "https://evil.example/"},
    )
    assert response["Location"] == "/"


def test_ten_wrong_codes_in_a_row_lock_codes_for_a_while(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    device, _ = _setup_app(client)
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    errors = []
    for _attempt in range(10):
        response = client.post("/two-factor/", {"action": "verify", "code": "000000"})
        assert response.status_code == 200
        errors.append(response.context["form"].errors["code"][0])
    assert errors[1] == nl(
        "Wait a few seconds before trying again: after each wrong code the wait grows."
    )
    locked = errors[-1]
    message = nl(
        "Too many wrong codes in a row. For your safety, codes are blocked until %(time)s. "
        "Try again then, or ask your agency for help."
    )
    assert locked.startswith(message.split("%(time)s")[0])
    response = client.post("/two-factor/", {"action": "verify", "code": totp_code(device)})
    assert response.status_code == 200
    assert not _verified(client)
    assert response.context["locked_until"] is not None
    with tenant_a.scope():
        assert AccountEvent.objects.filter(kind="two_factor_locked").count() == 1


def test_text_message_codes_work_as_second_factor(tenant_a):
    client, _ = _login(tenant_a, tenant_a.contact.membership.user.email)
    response = client.post("/two-factor/setup/sms/", {"action": "number", "number": "06 1234 5678"})
    assert response.status_code == 302
    device = SmsDevice.objects.get(user=tenant_a.contact.membership.user)
    assert device.number == "+31612345678"
    response = client.post("/two-factor/setup/sms/", {"action": "verify", "code": last_sms_code()})
    assert response.status_code == 302
    client.post("/accounts/logout/")

    client, _ = _login(tenant_a, tenant_a.contact.membership.user.email)
    page = client.get("/two-factor/")
    assert page.context["kind"] == "sms"
    client.post("/two-factor/", {"action": "send", "device": device.persistent_id})
    response = client.post(
        "/two-factor/",
        {"action": "verify", "device": device.persistent_id, "code": last_sms_code()},
    )
    assert response.status_code == 302
    assert client.get("/client/").status_code == 200


def test_a_bad_phone_number_is_refused_at_the_field(tenant_a):
    client, _ = _login(tenant_a, tenant_a.contact.membership.user.email)
    response = client.post("/two-factor/setup/sms/", {"action": "number", "number": "06 123"})
    assert response.status_code == 200
    assert response.context["number_form"].errors["number"]
    assert 'value="06 123"' in response.content.decode()


def test_an_expired_text_message_code_is_refused(tenant_a):
    from django.utils import timezone

    client, _ = _login(tenant_a, tenant_a.contact.membership.user.email)
    client.post("/two-factor/setup/sms/", {"action": "number", "number": "0612345678"})
    SmsDevice.objects.update(valid_until=timezone.now())
    response = client.post("/two-factor/setup/sms/", {"action": "verify", "code": last_sms_code()})
    assert response.context["code_form"].errors["code"] == [
        nl("This code has expired. Ask for a new code.")
    ]


def test_a_backup_code_works_once(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _device, response = _setup_app(client)
    codes = client.get(response["Location"]).context["codes"]
    client.post("/accounts/logout/")
    static = StaticDevice.objects.get(user=tenant_a.staff.user, name="backup-codes")
    for expected in (302, 200):
        client, _ = _login(tenant_a, tenant_a.staff.user.email)
        response = client.post(
            "/two-factor/",
            {"action": "verify", "device": static.persistent_id, "code": codes[0].upper()},
        )
        assert response.status_code == expected
        client.post("/accounts/logout/")


def test_the_admin_is_never_reached_around_the_second_factor(tenant_a):
    client = tenant_a.http(tenant_a.staff, verified=False)
    response = client.get("/admin/staffing/placement/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/")

    class Request:
        agency = tenant_a.agency
        memberships = [tenant_a.staff]
        user = tenant_a.staff.user

    tenant_a.staff.user.is_verified = lambda: False
    assert not backoffice_site.has_permission(Request)
    tenant_a.staff.user.is_verified = lambda: True
    assert backoffice_site.has_permission(Request)


def test_set_up_pages_are_closed_to_a_password_only_session(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _setup_app(client)
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    for url in ("/two-factor/setup/app/", "/two-factor/setup/sms/", "/two-factor/setup/"):
        assert client.get(url)["Location"].startswith("/two-factor/?next=")
    assert client.get("/two-factor/backup-codes/")["Location"].startswith("/two-factor/?")
    assert AuthenticatorDevice.objects.filter(user=tenant_a.staff.user).count() == 1


def test_a_remembered_device_skips_the_code_for_that_person_only(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _device, response = _setup_app(client, remember=True)
    cookie_name = auth.trusted_cookie_name(tenant_a.staff.user)
    cookie = response.cookies[cookie_name]
    assert cookie["httponly"]
    assert int(cookie["max-age"]) == 30 * 24 * 3600
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, tenant_a.staff.user.email, client=client)
    assert client.get("/admin/").status_code == 200

    other = HttpClient(HTTP_HOST=tenant_a.host)
    other.cookies[cookie_name] = cookie.value
    other, _ = _login(tenant_a, tenant_a.contact.membership.user.email, client=other)
    assert client.get("/admin/").status_code == 200
    assert other.get("/client/").status_code == 302


def test_a_new_device_asks_for_the_code(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _setup_app(client, remember=True)
    fresh, _ = _login(tenant_a, tenant_a.staff.user.email)
    assert fresh.get("/admin/")["Location"].startswith("/two-factor/")


def test_a_new_password_voids_remembered_devices(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _setup_app(client, remember=True)
    user = tenant_a.staff.user
    user.set_password("Een-nieuw-wachtwoord-7")
    user.save()
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, user.email, "Een-nieuw-wachtwoord-7", client=client)
    assert client.get("/admin/")["Location"].startswith("/two-factor/")


def test_forgetting_all_devices_voids_them(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _setup_app(client, remember=True)
    client.post("/security/", {"action": "forget_devices"})
    with tenant_a.scope():
        assert not TrustedDevice.objects.exists()
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, tenant_a.staff.user.email, client=client)
    assert client.get("/admin/")["Location"].startswith("/two-factor/")


def test_a_remembered_device_of_one_agency_does_not_count_at_another(tenant_a, tenant_b):
    user = tenant_a.staff.user
    client, _ = _login(tenant_a, user.email)
    _device, response = _setup_app(client, remember=True)
    cookie_name = auth.trusted_cookie_name(user)
    with tenant_b.scope():
        from accounts import services

        services.membership_ensure(agency=tenant_b.agency, user=user, role=Role.STAFF)
    other = HttpClient(HTTP_HOST=tenant_b.host)
    other.cookies[cookie_name] = response.cookies[cookie_name].value
    other, _ = _login(tenant_b, user.email, client=other)
    assert other.get("/admin/")["Location"].startswith("/two-factor/")


def test_a_password_reset_still_asks_for_the_code(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    _setup_app(client, remember=True)
    client.post("/accounts/logout/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/accounts/password/reset/", {"email": tenant_a.staff.user.email})
    link = re.search(r"http://\S+", mailoutbox[-1].body).group(0)
    path = link.split("alpha.localhost", 1)[1]
    response = open_link(client, path)
    response = client.post(
        response["Location"],
        {"password1": "Heel-nieuw-wachtwoord-8", "password2": "Heel-nieuw-wachtwoord-8"},
    )
    assert response.status_code == 302
    assert "_auth_user_id" not in client.session
    client, _ = _login(tenant_a, tenant_a.staff.user.email, "Heel-nieuw-wachtwoord-8", client)
    assert client.get("/admin/")["Location"].startswith("/two-factor/")


def test_removing_the_last_method_is_refused_when_the_role_needs_one(tenant_a):
    client, _ = _login(tenant_a, tenant_a.staff.user.email)
    device, _ = _setup_app(client)
    response = client.post(
        "/security/",
        {"action": "remove_device", "device": device.persistent_id, "password": PASSWORD},
        follow=True,
    )
    assert AuthenticatorDevice.objects.filter(pk=device.pk).exists()
    assert response.status_code == 200


def test_a_flexworker_may_switch_it_off_again(tenant_a):
    client, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    device, _ = _setup_app(client)
    response = client.post(
        "/security/",
        {"action": "remove_device", "device": device.persistent_id, "password": "wrong"},
    )
    assert response.context["remove_form"].errors["password"]
    client.post(
        "/security/",
        {"action": "remove_device", "device": device.persistent_id, "password": PASSWORD},
    )
    assert not AuthenticatorDevice.objects.filter(pk=device.pk).exists()
    assert not StaticDevice.objects.filter(user=tenant_a.worker.membership.user).exists()


def test_a_flexworker_who_set_one_up_is_asked_for_it(tenant_a):
    client, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    _setup_app(client)
    client.post("/accounts/logout/")
    client, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    assert client.get("/worker/")["Location"].startswith("/two-factor/")


def test_someone_elses_device_cannot_be_removed(tenant_a):
    other = AuthenticatorDevice.objects.create(
        user=tenant_a.contact.membership.user, confirmed=True
    )
    client = tenant_a.http(tenant_a.worker.membership)
    client.post(
        "/security/",
        {"action": "remove_device", "device": other.persistent_id, "password": PASSWORD},
    )
    assert AuthenticatorDevice.objects.filter(pk=other.pk).exists()


def test_a_session_owing_a_code_for_a_method_removed_elsewhere_is_let_through(tenant_a):
    first, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    device, _ = _setup_app(first)
    second, _ = _login(tenant_a, tenant_a.worker.membership.user.email)
    assert second.get("/worker/")["Location"].startswith("/two-factor/")
    first.post(
        "/security/",
        {"action": "remove_device", "device": device.persistent_id, "password": PASSWORD},
    )
    response = second.get("/two-factor/?next=/worker/")
    assert response["Location"] == "/worker/"
    assert second.get("/worker/").status_code == 200
