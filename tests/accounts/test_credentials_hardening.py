"""OWASP ASVS 5.0 level 2, authentication: common, breached and guessable passwords refused
(offline), no composition rules required, a mail after every change to how someone logs in,
and the password again before adding a second factor, new backup codes or switching off the
agency's two-step requirement."""

import time

import pytest
from django.core.exceptions import ValidationError

from accounts import services
from accounts.models import AuthenticatorDevice, SmsDevice
from accounts.passwords import GuessablePasswordValidator
from agencies.models import Role
from notifications.models import Kind, Status
from tests.accounts.helpers import nl
from tests.factories import PASSWORD
from tests.notifications.conftest import english, log, mails

pytestmark = pytest.mark.django_db

CHANGE = "/accounts/password/change/"


def _change(client, new):
    return client.post(CHANGE, {"oldpassword": PASSWORD, "password1": new, "password2": new})


@pytest.mark.parametrize(
    "password",
    ["Password123!", "Welkom01!", "Qwerty123!", "P@ssw0rd2024", "iloveyou1!", "Summer2024!"],
)
def test_common_and_breached_passwords_are_refused_even_with_every_character_kind(password):
    with pytest.raises(ValidationError) as refused:
        GuessablePasswordValidator().validate(password)
    assert refused.value.code == "password_guessable"


def test_the_persons_name_and_agency_make_no_password(tenant_a):
    user = tenant_a.worker.membership.user
    user._policy_agency = tenant_a.agency
    with pytest.raises(ValidationError):
        GuessablePasswordValidator().validate(f"{user.last_name}2024!", user)
    with pytest.raises(ValidationError):
        GuessablePasswordValidator().validate("Uitzendbureau2024!", user)


@pytest.mark.parametrize(
    "password",
    [
        "Coreth von und zu Coredo und Starkenberg2024!",
        "CorethvonundzuCoredoundStarkenberg2024!",
        "starkenberg-coreth-coredo!",
    ],
)
def test_a_long_name_of_several_words_makes_no_password_either(tenant_a, password):
    user = tenant_a.worker.membership.user
    user.last_name = "Coreth von und zu Coredo und Starkenberg"
    with pytest.raises(ValidationError):
        GuessablePasswordValidator().validate(password, user)


def test_a_strong_passphrase_that_holds_the_first_name_is_still_strong(tenant_a):
    user = tenant_a.worker.membership.user
    user.first_name = "Jan"
    GuessablePasswordValidator().validate("Jan kookt elke dinsdag paarse soep", user)


def test_password123_is_refused_when_changing_the_password(tenant_a):
    english(tenant_a.worker.membership)
    response = _change(tenant_a.http(tenant_a.worker.membership), "Password123!")
    assert response.status_code == 200
    codes = [e.code for e in response.context["form"].errors.as_data()["password1"]]
    assert "password_guessable" in codes


def test_a_long_passphrase_without_digits_or_symbols_is_enough(tenant_a):
    # ASVS 6.2.5: no composition rules. A new agency asks none; length and the lists decide.
    assert not tenant_a.agency.password_require_digit
    response = _change(tenant_a.http(tenant_a.worker.membership), "lamp paraplu fiets molen")
    assert response.status_code == 302
    tenant_a.worker.membership.user.refresh_from_db()
    assert tenant_a.worker.membership.user.check_password("lamp paraplu fiets molen")


def test_an_agency_that_wants_composition_rules_still_gets_them(tenant_a):
    tenant_a.agency.password_require_digit = True
    tenant_a.agency.save()
    response = _change(tenant_a.http(tenant_a.worker.membership), "lamp paraplu fiets molen")
    codes = [e.code for e in response.context["form"].errors.as_data()["password1"]]
    assert codes == ["password_no_digit"]


# Mails ------------------------------------------------------------------------------------------


def test_a_password_change_is_mailed_to_the_person(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    english(tenant_a.worker.membership)
    client = tenant_a.http(tenant_a.worker.membership)
    with django_capture_on_commit_callbacks(execute=True):
        assert _change(client, "lamp paraplu fiets molen").status_code == 302
    (message,) = mails(mailoutbox, Kind.PASSWORD_CHANGED)
    assert message.to == [tenant_a.worker.membership.user.email]
    assert message.subject == "Your password at Alpha Uitzendbureau was changed"
    assert "Forgot your password?" in message.body
    (row,) = log(tenant_a, kind=Kind.PASSWORD_CHANGED)
    assert row.status == Status.SENT


def test_adding_and_removing_a_second_factor_are_mailed(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    user = tenant_a.worker.membership.user
    english(tenant_a.worker.membership)
    phone = SmsDevice.objects.create(user=user, number="+31612345678", confirmed=False)
    code = phone.generate_token()
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_device_confirm(agency=tenant_a.agency, user=user, device=phone, token=code)
    (added,) = mails(mailoutbox, Kind.TWO_FACTOR_ADDED)
    assert "text-message codes to +316•••••678 were added" in added.body
    assert "http://alpha.localhost/security/" in added.body
    app = AuthenticatorDevice.objects.create(user=user, confirmed=True)
    with django_capture_on_commit_callbacks(execute=True):
        services.otp_device_remove(
            agency=tenant_a.agency, user=user, persistent_id=app.persistent_id, required=False
        )
    (removed,) = mails(mailoutbox, Kind.TWO_FACTOR_REMOVED)
    assert "an authenticator app was removed from your account at Alpha" in removed.body
    assert [r.status for r in log(tenant_a, kind=Kind.TWO_FACTOR_REMOVED)] == [Status.SENT]


# Re-authentication ------------------------------------------------------------------------------


def _password_typed_long_ago(client) -> None:
    session = client.session
    session["account_authentication_methods"] = [{"method": "password", "at": time.time() - 3600}]
    session.save()


def test_adding_an_authenticator_asks_the_password_when_it_was_typed_long_ago(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    _password_typed_long_ago(client)
    response = client.get("/two-factor/setup/app/")
    assert response["Location"] == "/accounts/reauthenticate/?next=%2Ftwo-factor%2Fsetup%2Fapp%2F"
    assert not AuthenticatorDevice.objects.filter(user=tenant_a.worker.membership.user).exists()
    wrong = client.post(response["Location"], {"password": "Wrong-password-1"})
    assert wrong.status_code == 200 and wrong.context["form"].errors["password"]
    right = client.post(response["Location"], {"password": PASSWORD})
    assert right["Location"] == "/two-factor/setup/app/"
    assert client.get("/two-factor/setup/app/").status_code == 200


def test_adding_a_phone_asks_it_too(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    _password_typed_long_ago(client)
    response = client.post("/two-factor/setup/sms/", {"action": "number", "number": "0612345678"})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    assert not SmsDevice.objects.filter(user=tenant_a.worker.membership.user).exists()


def test_a_password_typed_at_login_minutes_ago_is_enough(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)  # logged in just now
    assert client.get("/two-factor/setup/app/").status_code == 200


def test_new_backup_codes_ask_the_password_then_are_made_as_asked(tenant_a):
    user = tenant_a.staff.user
    AuthenticatorDevice.objects.create(user=user, confirmed=True)
    services.backup_codes_generate(agency=tenant_a.agency, user=user)
    client = tenant_a.http(tenant_a.staff)
    _password_typed_long_ago(client)
    response = client.post("/two-factor/backup-codes/", {"next": "/security/"})
    assert response["Location"].startswith("/accounts/reauthenticate/")
    # The request waits: after the password it is carried out (the old sheet replaced).
    response = client.post(response["Location"], {"password": PASSWORD})
    assert response["Location"].startswith("/two-factor/backup-codes/")
    codes = client.get(response["Location"]).context["codes"]
    assert len(codes) == 10


def test_switching_off_the_agencys_two_step_requirement_asks_the_password(tenant_a):
    english(tenant_a.staff)
    staff = tenant_a.http(tenant_a.staff)
    url = f"/admin/agencies/agency/{tenant_a.agency.pk}/change/"
    form = staff.get(url).context["adminform"].form
    data = {
        name: form[name].value() if form[name].value() is not None else ""
        for name in form.fields
        if name != "logo"
    }
    # The multi-choice fields are ticks: a list of values each.
    data = {k: v for k, v in data.items() if v is not False}
    data["worker_reminder_slots"] = "Monday 09:00"
    data["client_reminder_slots"] = "Monday 16:00"
    data["two_factor_roles"] = [Role.STAFF]  # client contacts no longer
    _password_typed_long_ago(staff)
    response = staff.post(url, data)
    assert response["Location"].startswith("/accounts/reauthenticate/")
    tenant_a.agency.refresh_from_db()
    assert Role.CLIENT_CONTACT in tenant_a.agency.two_factor_roles
    response = staff.post(response["Location"], {"password": PASSWORD})
    assert response.status_code == 302
    tenant_a.agency.refresh_from_db()
    assert tenant_a.agency.two_factor_roles == [Role.STAFF]
    # Adding a role back weakens nothing: no password asked.
    _password_typed_long_ago(staff)
    data["two_factor_roles"] = [Role.STAFF, Role.CLIENT_CONTACT]
    assert staff.post(url, data)["Location"].endswith("/admin/agencies/agency/")


def test_the_password_page_opens_for_someone_who_still_owes_a_second_factor(tenant_a):
    client = tenant_a.http(tenant_a.contact.membership, verified=False)
    _password_typed_long_ago(client)
    page = client.get("/accounts/reauthenticate/?next=/two-factor/setup/app/")
    assert page.status_code == 200
    assert nl("Confirm it is you") in page.content.decode()
