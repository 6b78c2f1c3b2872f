"""My details ("Mijn gegevens"): the flexworker sees and changes name, address, phone and the
payroll tax credit; the e-mail address changes after a confirmation by mail; the IBAN asks the
password, mails the person and is logged for the back office; the BSN is masked. Client contacts
have their own page. Everyone chooses their language here."""

import re

import pytest
from django.urls import reverse

from accounts.models import AccountEvent, User
from tests.accounts.helpers import nl, open_link
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

DETAILS = {
    "first_name": "Anna",
    "infix": "de",
    "last_name": "Vries",
    "street": "Dorpsstraat",
    "house_number": "12a",
    "postal_code": "2671ab",
    "city": "Naaldwijk",
    "country": "nl",
    "phone": "06 87654321",
    "payroll_tax_credit": "apply",
    "language": "en",
}


def test_the_worker_sees_their_details_with_the_bsn_masked(tenant_a):
    response = tenant_a.http(tenant_a.worker.membership).get("/worker/details/")
    html = response.content.decode()
    assert tenant_a.worker.employee_number in html
    assert "*****6782" in html
    assert "123456782" not in html
    assert "NL91 ABNA 0417 1643 00" in html


def test_my_details_is_in_the_menu(tenant_a):
    html = tenant_a.http(tenant_a.worker.membership).get("/worker/").content.decode()
    assert 'href="/worker/details/"' in html
    assert 'href="/security/"' in html


def test_the_worker_changes_their_details(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post("/worker/details/edit/", DETAILS)
    assert response.status_code == 302
    profile = tenant_a.worker
    with tenant_a.scope():
        profile.refresh_from_db()
    assert profile.postal_code == "2671 AB"
    assert profile.country == "NL"
    assert profile.phone == "+31687654321"
    assert profile.payroll_tax_credit == "apply"
    user = profile.membership.user
    user.refresh_from_db()
    assert user.preferred_language == "en"
    assert user.mobile_number == "+31687654321"
    assert user.last_name == "de Vries"
    assert client.get("/worker/details/")["Content-Language"] == "en"
    with tenant_a.scope():
        event = AccountEvent.objects.get(kind="details_changed")
    assert "postal_code" in event.data["fields"]


def test_a_bad_phone_number_and_postal_code_are_refused_at_the_field_and_kept(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post(
        "/worker/details/edit/", {**DETAILS, "phone": "06 1234", "postal_code": "12345"}
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert set(errors) == {"phone", "postal_code"}
    html = response.content.decode()
    assert 'value="06 1234"' in html and 'value="12345"' in html and 'value="Naaldwijk"' in html


def test_the_payroll_tax_credit_is_explained(tenant_a):
    html = tenant_a.http(tenant_a.worker.membership).get("/worker/details/edit/").content.decode()
    assert nl("Yes, apply the payroll tax credit") in html
    assert "loonheffingskorting" in html


def test_a_language_the_agency_does_not_offer_cannot_be_chosen(tenant_a):
    tenant_a.agency.enabled_languages = ["nl", "en"]
    tenant_a.agency.save()
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post("/worker/details/edit/", {**DETAILS, "language": "pl"})
    assert "language" in response.context["form"].errors


def test_the_bsn_cannot_be_changed_by_the_worker(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    client.post("/worker/details/edit/", {**DETAILS, "bsn": "111222333"})
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
    assert tenant_a.worker.bsn == "123456782"


def test_changing_the_iban_asks_the_password_mails_and_is_logged(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post(
        "/worker/details/bank-account/", {"iban": "NL20INGB0001234567", "password": "wrong"}
    )
    assert response.context["form"].errors["password"] == [nl("This is not your current password.")]
    assert 'value="NL20INGB0001234567"' in response.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/worker/details/bank-account/",
            {"iban": "nl20 ingb 0001 2345 67", "password": PASSWORD},
        )
    assert response.status_code == 302
    with tenant_a.scope():
        tenant_a.worker.refresh_from_db()
        event = AccountEvent.objects.get(kind="iban_changed")
    assert tenant_a.worker.iban == "NL20INGB0001234567"
    assert event.data == {"old": "NL91ABNA0417164300", "new": "NL20INGB0001234567"}
    (message,) = mailoutbox
    assert message.to == [tenant_a.worker.membership.user.email]
    assert "NL20 **** 4567" in message.body
    staff = tenant_a.http(tenant_a.staff)
    log = staff.get(reverse("admin:accounts_accountevent_changelist"), {"kind": "iban_changed"})
    assert "NL20INGB0001234567" in log.content.decode()


def test_a_bad_iban_is_refused_at_the_field(tenant_a):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post(
        "/worker/details/bank-account/", {"iban": "NL00ABNA0000000000", "password": PASSWORD}
    )
    assert response.context["form"].errors["iban"] == [
        nl("This is not a valid IBAN; check the letters and digits.")
    ]


def test_the_email_address_changes_after_confirmation_by_mail(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    user = tenant_a.worker.membership.user
    client = tenant_a.http(tenant_a.worker.membership)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/email/", {"email": "Nieuw.Adres@Example.nl", "password": PASSWORD})
    assert response.status_code == 200
    user.refresh_from_db()
    assert user.email != "nieuw.adres@example.nl"
    (message,) = mailoutbox
    assert message.to == ["nieuw.adres@example.nl"]
    link = re.search(r"http://alpha\.localhost(/email/confirm/link/#\S+)", message.body).group(1)
    response = open_link(client, link)
    assert response["Location"] == "/email/confirm/"
    page = client.get("/email/confirm/")
    assert page.status_code == 200
    user.refresh_from_db()
    assert user.email != "nieuw.adres@example.nl"
    old_email = user.email
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post("/email/confirm/").status_code == 302
    user.refresh_from_db()
    assert user.email == "nieuw.adres@example.nl"
    assert mailoutbox[-1].to == [old_email]
    assert client.get("/email/confirm/").status_code == 410
    assert open_link(client, link).status_code == 410


def test_an_email_address_of_another_account_is_refused(tenant_a, tenant_b):
    client = tenant_a.http(tenant_a.worker.membership)
    response = client.post("/email/", {"email": tenant_b.staff.user.email, "password": PASSWORD})
    assert response.context["form"].errors["email"]


def test_an_email_link_of_another_agency_does_not_work_here(
    tenant_a, tenant_b, mailoutbox, django_capture_on_commit_callbacks
):
    client = tenant_b.http(tenant_b.worker.membership)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/email/", {"email": "ander@example.nl", "password": PASSWORD})
    link = re.search(r"http://bravo\.localhost(/email/confirm/link/#\S+)", mailoutbox[0].body)
    assert open_link(tenant_a.http(), link.group(1)).status_code == 410
    assert not User.objects.filter(email="ander@example.nl").exists()


def test_a_tampered_email_link_is_refused(tenant_a):
    response = open_link(tenant_a.http(), "/email/confirm/link/#abc:def")
    assert response.status_code == 410


def test_the_client_contact_has_their_own_details_page(tenant_a):
    client = tenant_a.http(tenant_a.contact.membership)
    assert tenant_a.client.name in client.get("/client/details/").content.decode()
    response = client.post(
        "/client/details/edit/",
        {
            "first_name": "Karin",
            "last_name": "Klant",
            "job_title": "Teamleider",
            "phone": "+32 470 12 34 56",
            "language": "de",
        },
    )
    assert response.status_code == 302
    with tenant_a.scope():
        tenant_a.contact.refresh_from_db()
    assert tenant_a.contact.phone == "+32470123456"
    assert tenant_a.contact.membership.user.preferred_language == "de"


def test_the_pages_are_for_their_own_role_only(tenant_a):
    assert tenant_a.http(tenant_a.contact.membership).get("/worker/details/").status_code == 404
    assert tenant_a.http(tenant_a.worker.membership).get("/client/details/").status_code == 404
    assert tenant_a.http().get("/worker/details/").status_code == 302


def test_allauths_own_email_page_leads_to_the_confirmed_change(tenant_a):
    response = tenant_a.http(tenant_a.worker.membership).get("/accounts/email/")
    assert response["Location"] == "/email/"


def test_the_back_office_finds_the_security_page_beside_its_name(tenant_a):
    html = tenant_a.http(tenant_a.staff).get("/admin/").content.decode()
    assert 'href="/security/"' in html
    assert tenant_a.http(tenant_a.staff).get("/security/").status_code == 200


class _MailServerDown:
    def __init__(self, *args, **kwargs):
        pass

    def open(self):
        raise ConnectionRefusedError("the mail server is down")

    def close(self):
        pass

    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


@pytest.mark.django_db(transaction=True)
def test_a_confirmation_link_that_could_not_be_sent_is_said_at_the_field(settings):
    from tests.conftest import make_tenant

    tenant = make_tenant("mailfail")
    user = tenant.worker.membership.user
    user.preferred_language = "en"
    user.save()
    settings.EMAIL_BACKEND = "tests.staffing.test_my_details._MailServerDown"
    client = tenant.http(tenant.worker.membership)
    response = client.post("/email/", {"email": "nieuw@example.nl", "password": PASSWORD})
    assert response.status_code == 200
    assert response.context["form"].errors["email"] == [
        "We could not send the e-mail just now. Try again in a few minutes."
    ]
    assert 'value="nieuw@example.nl"' in response.content.decode()  # what was typed stays


class _AddressRefused(_MailServerDown):
    def open(self):
        pass

    def send_messages(self, messages):
        import smtplib

        raise smtplib.SMTPRecipientsRefused({"nieuw@exampel.nl": (550, b"no such domain")})


@pytest.mark.django_db(transaction=True)
def test_an_address_the_mail_server_refuses_is_said_at_the_field(settings):
    from tests.conftest import make_tenant

    tenant = make_tenant("refused")
    user = tenant.worker.membership.user
    user.preferred_language = "en"
    user.save()
    settings.EMAIL_BACKEND = "tests.staffing.test_my_details._AddressRefused"
    client = tenant.http(tenant.worker.membership)
    response = client.post("/email/", {"email": "nieuw@exampel.nl", "password": PASSWORD})
    assert response.context["form"].errors["email"] == [
        "The mail server refuses mail to this address. Check the address."
    ]
