"""The back office resets the second factor of someone who lost their phone and backup codes:
after a confirmation page, every method goes, remembered devices and sessions end, the person is
mailed and sets up a new factor at the next login. Only for people of this agency alone."""

import pytest
from django.test import Client as HttpClient
from django_otp.plugins.otp_static.models import StaticDevice

from accounts import services
from accounts.models import (
    AccountEvent,
    AccountEventKind,
    AuthenticatorDevice,
    SmsDevice,
    TrustedDevice,
)
from agencies.models import Role
from flexportal.tenancy import scopes_disabled
from notifications.models import Kind
from tests import factories
from tests.factories import PASSWORD
from tests.notifications.conftest import english, log, mails

pytestmark = pytest.mark.django_db

LIST = "/admin/staffing/flexworkerprofile/"


def _with_second_factors(user):
    AuthenticatorDevice.objects.create(user=user, name="Telefoon", confirmed=True)
    SmsDevice.objects.create(user=user, name="SMS", number="+31612345678", confirmed=True)
    StaticDevice.objects.create(user=user, name="backup", confirmed=True)


@pytest.fixture
def worker(tenant_a):
    user = tenant_a.worker.membership.user
    _with_second_factors(user)
    english(tenant_a.worker.membership, tenant_a.staff)
    return user


def test_the_back_office_confirms_first_and_then_every_second_factor_goes(
    tenant_a, worker, mailoutbox, django_capture_on_commit_callbacks
):
    staff = tenant_a.http(tenant_a.staff)
    selected = {"action": "reset_two_factor", "_selected_action": [tenant_a.worker.pk]}
    page = staff.post(LIST, selected)
    assert page.status_code == 200
    text = page.content.decode()
    assert "authenticator app, text messages to +316•••••678, backup codes" in text
    assert AuthenticatorDevice.objects.filter(user=worker).exists()  # nothing happened yet
    with django_capture_on_commit_callbacks(execute=True):
        done = staff.post(LIST, {**selected, "confirmed": "yes"}, follow=True)
    assert "The second factor of 1 person is reset" in done.content.decode()
    assert services.two_factor_methods(user=worker) == []
    (message,) = mails(mailoutbox, Kind.TWO_FACTOR_RESET)
    assert message.to == [worker.email]
    assert "set up a new authenticator app or text-message codes" in message.body
    assert "http://alpha.localhost/accounts/login/" in message.body
    (row,) = log(tenant_a, kind=Kind.TWO_FACTOR_RESET)
    assert row.recipient == worker
    with tenant_a.scope():
        event = AccountEvent.objects.get(kind=AccountEventKind.TWO_FACTOR_RESET)
    assert event.user == worker and event.actor == tenant_a.staff.user
    assert sorted(event.data["methods"]) == ["SMS", "Telefoon"]


def test_after_the_reset_the_person_is_logged_out_and_sets_up_a_new_factor_at_login(
    tenant_a,
):
    worker = tenant_a.worker.membership.user
    session = HttpClient(HTTP_HOST=tenant_a.host)
    session.post("/accounts/login/", {"login": worker.email, "password": PASSWORD})
    assert session.get("/worker/").status_code == 200
    _with_second_factors(worker)  # set up since, on another device
    with tenant_a.scope():
        TrustedDevice.objects.create(
            agency=tenant_a.agency,
            user=worker,
            token_hash="x" * 64,
            otp_device_id="accounts.authenticatordevice/1",
            expires_at="2099-01-01T00:00Z",
        )
        services.two_factor_reset(agency=tenant_a.agency, user=worker, actor=tenant_a.staff.user)
    with scopes_disabled():
        assert not TrustedDevice.objects.filter(user=worker).exists()
    assert session.get("/worker/")["Location"].startswith("/accounts/login/")
    tenant_a.agency.two_factor_roles = [Role.FLEXWORKER]
    tenant_a.agency.save()
    client = HttpClient(HTTP_HOST=tenant_a.host)
    client.post("/accounts/login/", {"login": worker.email, "password": PASSWORD})
    landed = client.get("/worker/", follow=True)
    assert landed.redirect_chain[-1][0].startswith("/two-factor/setup/")


def test_someone_who_also_works_through_another_agency_is_referred_to_support(
    tenant_a, tenant_b, worker
):
    with tenant_b.scope():
        factories.MembershipFactory(agency=tenant_b.agency, user=worker, role=Role.FLEXWORKER)
    staff = tenant_a.http(tenant_a.staff)
    response = staff.post(
        LIST,
        {
            "action": "reset_two_factor",
            "_selected_action": [tenant_a.worker.pk],
            "confirmed": "yes",
        },
        follow=True,
    )
    assert "can only be reset by Flexportal&#x27;s support" in response.content.decode()
    page = staff.post(
        LIST, {"action": "reset_two_factor", "_selected_action": [tenant_a.worker.pk]}
    )
    assert "text messages to" not in page.content.decode()  # their methods are not shown
    assert len(services.two_factor_methods(user=worker)) == 3


def test_a_person_without_a_second_factor_is_told_so(tenant_a):
    english(tenant_a.staff)
    user = tenant_a.contact.membership.user
    with tenant_a.scope(), pytest.raises(services.AccountError) as refused:
        services.two_factor_reset(agency=tenant_a.agency, user=user, actor=tenant_a.staff.user)
    assert refused.value.code == "no_second_factor"


def test_another_agencys_person_is_not_even_listed(tenant_a, tenant_b):
    foreign = tenant_b.worker.membership.user
    _with_second_factors(foreign)
    staff = tenant_a.http(tenant_a.staff)
    selected = {"action": "reset_two_factor", "_selected_action": [tenant_b.worker.pk]}
    page = staff.post(LIST, selected)
    assert foreign.email not in page.content.decode()  # the scoped queryset drops the id
    staff.post(LIST, {**selected, "confirmed": "yes"})
    assert len(services.two_factor_methods(user=foreign)) == 3


def test_a_colleague_or_oneself_is_referred_to_support_without_showing_their_methods(
    tenant_a, worker
):
    colleague = factories.MembershipFactory(agency=tenant_a.agency, role=Role.STAFF)
    _with_second_factors(colleague.user)
    AuthenticatorDevice.objects.create(user=tenant_a.staff.user, name="Eigen", confirmed=True)
    staff = tenant_a.http(tenant_a.staff)
    url = "/admin/accounts/membership/"
    selected = {
        "action": "reset_two_factor",
        "_selected_action": [colleague.pk, tenant_a.staff.pk],
    }
    page = staff.post(url, selected).content.decode()
    assert "works in the back office" in page
    assert "You cannot reset your own second factor" in page
    assert "authenticator app," not in page and "Yes, reset the second factor" not in page
    staff.post(url, {**selected, "confirmed": "yes"})
    assert len(services.two_factor_methods(user=colleague.user)) == 3
    assert AuthenticatorDevice.objects.filter(user=tenant_a.staff.user, name="Eigen").exists()


def test_a_worker_or_contact_cannot_reach_the_reset(tenant_a, worker):
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        client = tenant_a.http(membership)
        response = client.post(
            LIST,
            {
                "action": "reset_two_factor",
                "_selected_action": [tenant_a.worker.pk],
                "confirmed": "yes",
            },
        )
        assert response.status_code in (302, 403, 404)
    assert len(services.two_factor_methods(user=worker)) == 3
