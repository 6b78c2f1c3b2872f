"""The platform admin (the bare domain, superusers) goes through the same login and a second
factor, never around them."""

import pytest
from django.test import Client as HttpClient
from django_otp.oath import totp

from accounts.models import AuthenticatorDevice
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def _code(device: AuthenticatorDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def test_a_superuser_sets_up_an_app_before_the_platform_admin_opens(django_user_model):
    django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    client = HttpClient(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"login": "root@flexportal.nl", "password": PASSWORD})
    response = client.get("/admin/agencies/agency/")
    assert response.status_code == 302
    assert response["Location"].startswith("/two-factor/")
    # SMS is not offered on the platform: it goes to the app set-up.
    assert client.get("/two-factor/setup/sms/")["Location"].startswith("/two-factor/setup/app/")
    client.get("/two-factor/setup/app/")
    device = AuthenticatorDevice.objects.get(user__email="root@flexportal.nl", confirmed=False)
    response = client.post("/two-factor/setup/app/", {"code": _code(device)})
    assert response.status_code == 302
    assert client.get("/admin/agencies/agency/").status_code == 200


def test_a_superuser_with_an_app_gives_the_code_at_every_login(django_user_model):
    user = django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    device = AuthenticatorDevice.objects.create(user=user, name="app", confirmed=True)
    client = HttpClient(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"login": "root@flexportal.nl", "password": PASSWORD})
    assert client.get("/admin/")["Location"].startswith("/two-factor/")
    client.post("/two-factor/", {"action": "verify", "code": _code(device)})
    assert client.get("/admin/").status_code == 200


def test_the_platform_operator_resets_the_second_factor_of_someone_at_two_agencies(
    django_user_model, tenant_a, tenant_b, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts import services
    from agencies.models import Role
    from notifications.models import Kind
    from tests import factories
    from tests.notifications.conftest import log

    root = django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    device = AuthenticatorDevice.objects.create(user=root, name="app", confirmed=True)
    person = tenant_a.worker.membership.user
    with tenant_b.scope():
        factories.MembershipFactory(agency=tenant_b.agency, user=person, role=Role.FLEXWORKER)
    AuthenticatorDevice.objects.create(user=person, name="Telefoon", confirmed=True)
    client = HttpClient(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"login": "root@flexportal.nl", "password": PASSWORD})
    client.post("/two-factor/", {"action": "verify", "code": _code(device)})
    selected = {"action": "reset_two_factor", "_selected_action": [person.pk]}
    assert client.post("/admin/accounts/user/", selected).status_code == 200  # confirmation
    assert services.two_factor_methods(user=person)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/admin/accounts/user/", {**selected, "confirmed": "yes"})
    assert services.two_factor_methods(user=person) == []
    assert services.two_factor_methods(user=root)  # the operator's own app stays
    # One mail, filed in the mail log of the person's first agency.
    assert (
        len(
            [m for m in mailoutbox if m.extra_headers["X-Flexportal-Kind"] == Kind.TWO_FACTOR_RESET]
        )
        == 1
    )
    assert (
        len(log(tenant_a, kind=Kind.TWO_FACTOR_RESET))
        + len(log(tenant_b, kind=Kind.TWO_FACTOR_RESET))
        == 1
    )


def test_a_superusers_first_login_shows_the_backup_codes_it_made(django_user_model):
    django_user_model.objects.create_superuser("root@flexportal.nl", PASSWORD)
    client = HttpClient(HTTP_HOST="localhost")
    client.post("/accounts/login/", {"login": "root@flexportal.nl", "password": PASSWORD})
    client.get("/two-factor/setup/app/")
    device = AuthenticatorDevice.objects.get(user__email="root@flexportal.nl", confirmed=False)
    response = client.post("/two-factor/setup/app/", {"code": _code(device)})
    assert response["Location"].startswith("/two-factor/backup-codes/")
    page = client.get(response["Location"])
    assert page.status_code == 200
    codes = page.context["codes"]
    assert len(codes) == 10
    assert all(code in page.content.decode() for code in codes)
    # The sheet's way back leads to the platform's home, which has no security page.
    assert page.context["next"] == "/"
    # Later, the operator can make a new sheet (the page shows what is left, no codes).
    assert client.get("/two-factor/backup-codes/").status_code == 200
