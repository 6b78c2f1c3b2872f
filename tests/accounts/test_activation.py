"""Activation: the invitation link, the SMS check of the mobile number, the password under the
agency's policy, and the person logged in on their role's home page. Bad links and codes get a
clear page or message, never a 500."""

import datetime as dt

import pytest
from django.utils import timezone

from accounts import services
from accounts.models import AccountEvent, Invitation
from agencies.models import Role
from notifications import sms
from staffing import services as staffing_services
from tests import factories
from tests.accounts.helpers import activation_link, invite, last_sms_code, nl, open_link

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Zonnebloem-42!"


def _new_worker(tenant, *, phone="06 12345678", email="nieuw@example.nl", language="nl"):
    with tenant.scope():
        return staffing_services.flexworker_create(
            agency=tenant.agency,
            email=email,
            employee_number="N100",
            first_name="Nina",
            last_name="Nieuw",
            language=language,
            phone=phone,
        )


def _open(tenant, token):
    client = tenant.http()
    response = open_link(client, activation_link(token))
    return client, response


def _verify_mobile(client):
    client.post("/activate/", {"action": "send"})
    return client.post("/activate/", {"action": "verify", "code": last_sms_code()})


def test_an_invitee_verifies_the_mobile_sets_a_password_and_lands_home(tenant_a):
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, response = _open(tenant_a, token)
    assert response.status_code == 302
    assert response["Location"] == "/activate/"
    page = client.get("/activate/")
    assert page.status_code == 200
    assert "+316•••••678" in page.content.decode()

    client.post("/activate/", {"action": "send"})
    assert sms.outbox[-1].to == "+31612345678"
    response = client.post("/activate/", {"action": "verify", "code": last_sms_code()})
    assert response.status_code == 302
    page = client.get("/activate/")
    assert page.templates[0].name == "accounts/activation/password.html"

    response = client.post("/activate/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    assert response.status_code == 302
    assert client.get(response["Location"])["Location"] == "/worker/"
    assert client.get("/worker/").status_code == 200
    profile.membership.user.refresh_from_db()
    assert profile.membership.user.check_password(NEW_PASSWORD)


def test_the_token_is_stored_hashed_and_leaves_the_address_bar(tenant_a):
    profile = _new_worker(tenant_a)
    invitation, token = invite(tenant_a, profile.membership)
    with tenant_a.scope():
        stored = Invitation.objects.get(pk=invitation.pk)
    assert token not in stored.token_hash
    assert len(stored.token_hash) == 64
    _client, response = _open(tenant_a, token)
    assert token not in response["Location"]


def test_the_link_works_once(tenant_a):
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    _verify_mobile(client)
    client.post("/activate/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    _client, response = _open(tenant_a, token)
    assert response.status_code == 410
    assert nl("This invitation has been used already") in response.content.decode()
    assert 'href="/accounts/login/"' in response.content.decode()


def test_an_expired_link_says_to_ask_for_a_new_invitation(tenant_a):
    profile = _new_worker(tenant_a)
    invitation, token = invite(tenant_a, profile.membership)
    with tenant_a.scope():
        Invitation.objects.filter(pk=invitation.pk).update(
            expires_at=timezone.now() - dt.timedelta(minutes=1)
        )
    _client, response = _open(tenant_a, token)
    assert response.status_code == 410
    html = response.content.decode()
    assert nl("This invitation has expired") in html
    assert "new_invitation" not in html
    assert tenant_a.agency.name in html


def test_the_link_is_valid_for_the_agencys_number_of_days(tenant_a):
    tenant_a.agency.invitation_valid_days = 3
    tenant_a.agency.save()
    profile = _new_worker(tenant_a)
    invitation, _token = invite(tenant_a, profile.membership)
    valid_for = invitation.expires_at - invitation.created_at
    assert dt.timedelta(days=3) - valid_for < dt.timedelta(seconds=5)


def test_a_revoked_link_says_so(tenant_a):
    profile = _new_worker(tenant_a)
    invitation, token = invite(tenant_a, profile.membership)
    with tenant_a.scope():
        services.invitation_revoke(invitation=invitation)
    _client, response = _open(tenant_a, token)
    assert response.status_code == 410
    assert nl("This invitation is no longer valid") in response.content.decode()


def test_an_unknown_link_gets_a_clear_page(tenant_a):
    _client, response = _open(tenant_a, "not-a-real-token")
    assert response.status_code == 404
    assert nl("We do not recognise this link") in response.content.decode()


def test_a_link_of_another_agency_is_unknown_here(tenant_a, tenant_b):
    profile = _new_worker(tenant_b)
    _invitation, token = invite(tenant_b, profile.membership)
    _client, response = _open(tenant_a, token)
    assert response.status_code == 404


def test_the_activation_page_without_a_link_is_a_clear_page(tenant_a):
    response = tenant_a.http().get("/activate/")
    assert response.status_code == 404
    assert nl("We do not recognise this link") in response.content.decode()


def test_a_wrong_code_gets_a_message_at_the_field(tenant_a):
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    client.post("/activate/", {"action": "send"})
    wrong = "000000" if last_sms_code() != "000000" else "111111"
    response = client.post("/activate/", {"action": "verify", "code": wrong})
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == [
        nl("This code is not right. Check the text message and try again.")
    ]
    assert f'value="{wrong}"' in response.content.decode()


def test_five_wrong_codes_void_the_code(tenant_a):
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    client.post("/activate/", {"action": "send"})
    code = last_sms_code()
    wrong = "000000" if code != "000000" else "111111"
    for _attempt in range(5):
        client.post("/activate/", {"action": "verify", "code": wrong})
    response = client.post("/activate/", {"action": "verify", "code": code})
    assert response.context["form"].errors["code"] == [
        nl("This code was entered wrongly too often. Ask for a new code.")
    ]


def test_an_expired_code_is_refused(tenant_a):
    profile = _new_worker(tenant_a)
    invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    client.post("/activate/", {"action": "send"})
    with tenant_a.scope():
        Invitation.objects.filter(pk=invitation.pk).update(
            sms_code_valid_until=timezone.now() - dt.timedelta(seconds=1)
        )
    response = client.post("/activate/", {"action": "verify", "code": last_sms_code()})
    assert response.context["form"].errors["code"] == [
        nl("This code has expired. Ask for a new code.")
    ]


def test_a_new_code_waits_thirty_seconds(tenant_a):
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    client.post("/activate/", {"action": "send"})
    response = client.post("/activate/", {"action": "send"}, follow=True)
    assert len(sms.outbox) == 1
    assert (
        nl("We sent a code less than 30 seconds ago. Wait a moment before asking again.")
        in response.content.decode()
    )


def response_template(client):
    return client.get("/activate/").templates[0].name


def test_without_a_mobile_number_the_page_says_what_to_do(tenant_a):
    profile = _new_worker(tenant_a, phone="")
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    html = client.get("/activate/").content.decode()
    assert tenant_a.agency.name in html
    assert response_template(client) == "accounts/activation/mobile.html"
    assert 'id="send-code"' not in html
    client.post("/activate/", {"action": "send"})
    assert sms.outbox == []


def test_a_failing_sms_provider_gives_a_message_not_an_error(tenant_a, settings):
    settings.SMS_BACKEND = "tests.notifications.test_sms.FailingSmsBackend"
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    response = client.post("/activate/", {"action": "send"}, follow=True)
    assert response.status_code == 200
    assert (
        nl("We could not send the text message just now. Try again in a few minutes.")
        in response.content.decode()
    )


def test_without_sms_verification_the_password_comes_first(tenant_a):
    tenant_a.agency.verify_mobile_on_activation = False
    tenant_a.agency.save()
    profile = _new_worker(tenant_a, phone="")
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    assert client.get("/activate/").templates[0].name == "accounts/activation/password.html"


@pytest.mark.parametrize(
    ("password", "message"),
    [
        ("Kort-1!", "password_too_short"),
        ("Zonnebloemen!", "password_no_digit"),
        ("Zonnebloem42", "password_no_special"),
        ("1234567890-!", "password_no_letter"),
        ("john!20130605at1753", "password_too_common"),
        ("nieuw@example.nl1!", "password_too_similar"),
        ("Password123!", "password_guessable"),
    ],
)
def test_a_weak_password_is_refused_at_the_field(tenant_a, password, message):
    tenant_a.agency.verify_mobile_on_activation = False
    # Composition rules are off by default (ASVS 6.2.5); this agency switched them on.
    tenant_a.agency.password_require_letter = True
    tenant_a.agency.password_require_digit = True
    tenant_a.agency.password_require_special = True
    tenant_a.agency.save()
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    response = client.post("/activate/", {"password1": password, "password2": password})
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["password1"]]
    assert message in codes
    profile.membership.user.refresh_from_db()
    assert not profile.membership.user.has_usable_password()


def test_the_agencys_rules_are_shown_beside_the_field(tenant_a):
    tenant_a.agency.verify_mobile_on_activation = False
    tenant_a.agency.password_min_length = 14
    tenant_a.agency.password_require_special = False
    tenant_a.agency.save()
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    html = client.get("/activate/").content.decode()
    assert nl("at least %(n)d characters", n=14) in html
    assert nl("at least one special character, such as ! ? # or -") not in html
    response = client.post("/activate/", {"password1": "Zonnebloem42", "password2": "Zonnebloem42"})
    assert (
        nl("Use at least %(n)d characters.", n=14) in response.context["form"].errors["password1"]
    )


def test_two_different_passwords_are_refused(tenant_a):
    tenant_a.agency.verify_mobile_on_activation = False
    tenant_a.agency.save()
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    response = client.post(
        "/activate/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD + "x"}
    )
    assert response.context["form"].errors["password2"]


def test_an_identity_of_another_agency_confirms_with_its_own_password(tenant_a, tenant_b):
    tenant_a.agency.verify_mobile_on_activation = False
    tenant_a.agency.save()
    user = tenant_b.worker.membership.user
    with tenant_a.scope():
        membership = services.membership_ensure(
            agency=tenant_a.agency, user=user, role=Role.CLIENT_CONTACT
        )
        factories.ClientContactFactory(
            agency=tenant_a.agency, client=tenant_a.client, membership=membership
        )
    _invitation, token = invite(tenant_a, membership)
    client, _ = _open(tenant_a, token)
    page = client.get("/activate/")
    assert page.templates[0].name == "accounts/activation/existing_account.html"
    response = client.post("/activate/", {"password": "Wrong-password-1"})
    assert response.context["form"].errors["password"] == [nl("This is not your current password.")]
    response = client.post("/activate/", {"password": factories.PASSWORD})
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(factories.PASSWORD)
    assert client.get("/")["Location"] in ("/client/", "/two-factor/?next=%2F")


def test_opening_and_activating_are_audited(tenant_a, django_capture_on_commit_callbacks):
    profile = _new_worker(tenant_a)
    with django_capture_on_commit_callbacks(execute=True):  # "sent" once the mail went out
        _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    _open(tenant_a, token)
    _verify_mobile(client)
    client.post("/activate/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD})
    with tenant_a.scope():
        kinds = list(
            AccountEvent.objects.filter(user=profile.membership.user)
            .order_by("created_at")
            .values_list("kind", flat=True)
        )
    assert kinds == [
        "invitation_sent",
        "invitation_opened",
        "mobile_verified",
        "invitation_activated",
        "login",
    ]


def test_someone_logged_in_who_opens_a_link_is_logged_out_first(tenant_a):
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client = tenant_a.http(tenant_a.worker.membership)
    open_link(client, activation_link(token))
    assert "_auth_user_id" not in client.session


def test_a_person_not_yet_activated_cannot_log_in_or_reset(tenant_a, mailoutbox):
    profile = _new_worker(tenant_a)
    invite(tenant_a, profile.membership)
    client = tenant_a.http()
    client.post("/accounts/login/", {"login": "nieuw@example.nl", "password": ""})
    assert "_auth_user_id" not in client.session
    client.post("/accounts/password/reset/", {"email": "nieuw@example.nl"})
    assert mailoutbox == []


def test_access_switched_off_before_activation_is_refused_with_a_message(tenant_a):
    tenant_a.agency.verify_mobile_on_activation = False
    tenant_a.agency.save()
    profile = _new_worker(tenant_a)
    _invitation, token = invite(tenant_a, profile.membership)
    client, _ = _open(tenant_a, token)
    with tenant_a.scope():
        profile.membership.is_active = False
        profile.membership.save()
    response = client.post(
        "/activate/", {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session
    profile.membership.user.refresh_from_db()
    assert not profile.membership.user.has_usable_password()
