"""The platform admin (the bare domain, superusers) goes through the same login and a second
factor, never around them."""

import pytest
from django.test import Client as HttpClient
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_superuser_sets_up_an_app_before_the_platform_admin_opens(django_user_model):
    django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    client = HttpClient(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"login": "root@flexportal.nl", "password": PASSWORD})
    response = client.get("/admin/accounts/agency/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/")
    # SMS is not offered on the platform: it goes to the app set-up.
    assert client.get("/two-factor/setup/sms/")["Location"].startswith("/two-factor/setup/app/")
    client.get("/two-factor/setup/app/")
    device = TOTPDevice.objects.get(user__email="root@flexportal.nl", confirmed=False)
    response = client.post("/two-factor/setup/app/", {"code": _code(device)})
    assert response.status_code == 302
    assert client.get("/admin/accounts/agency/").status_code == 200


def test_a_superuser_with_an_app_gives_the_code_at_every_login(django_user_model):
    user = django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    device = TOTPDevice.objects.create(user=user, name="app", confirmed=True)
    client = HttpClient(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"login": "root@flexportal.nl", "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/two-factor/")
    client.post("/two-factor/", {"action": "verify", "code": _code(device)})
    assert client.get("/admin/").status_code == 200
