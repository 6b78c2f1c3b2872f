"""A person is spoken to in their own language from the moment they are known: the "signed in"
message of the login, the activation pages of their invitation and its welcome, whatever
language the browser asks for."""

import pytest
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client as HttpClient
from django.utils import translation

from tests.accounts.helpers import activation_link, invite, open_link
from tests.factories import PASSWORD

pytestmark = pytest.mark.django_db

GERMAN_BROWSER = {"Accept-Language": "de-DE,de;q=0.9"}


def _speaks(user, language: str):
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.mark.parametrize("language", ["pl", "ro", "hu", "nl"])
def test_the_signed_in_message_speaks_the_persons_language_not_the_browsers(tenant_a, language):
    user = tenant_a.worker.membership.user
    _speaks(user, language)
    client = HttpClient(HTTP_HOST=tenant_a.host, headers=GERMAN_BROWSER)
    response = client.post("/accounts/login/", {"login": user.email, "password": PASSWORD})
    assert response.status_code == 302
    with translation.override(language):
        expected = render_to_string("account/messages/logged_in.txt", {"user": user}).strip()
    with translation.override("de"):
        german = render_to_string("account/messages/logged_in.txt", {"user": user}).strip()
    assert expected != german
    assert _messages(response) == [expected]
    assert response.headers["Content-Language"] == language


def test_the_login_page_itself_follows_the_browser(tenant_a):
    client = HttpClient(HTTP_HOST=tenant_a.host, headers=GERMAN_BROWSER)
    assert client.get("/accounts/login/").headers["Content-Language"] == "de"


def _invitee(tenant, language):
    from staffing import services as staffing_services

    with tenant.scope():
        profile = staffing_services.flexworker_create(
            agency=tenant.agency,
            email="nieuw@example.nl",
            employee_number="N100",
            first_name="Nina",
            last_name="Nieuw",
            language=language,
            phone="",
        )
    tenant.agency.verify_mobile_on_activation = False
    tenant.agency.save()
    return profile


def test_the_activation_pages_and_welcome_speak_the_invitees_language(tenant_a):
    profile = _invitee(tenant_a, "pl")
    _invitation, token = invite(tenant_a, profile.membership)
    client = HttpClient(HTTP_HOST=tenant_a.host, headers=GERMAN_BROWSER)
    open_link(client, activation_link(token))
    page = client.get("/activate/")
    assert page.headers["Content-Language"] == "pl"
    assert '<html lang="pl">' in page.content.decode()
    response = client.post(
        "/activate/", {"password1": "Zonnebloem-42!", "password2": "Zonnebloem-42!"}
    )
    assert response.status_code == 302
    with translation.override("pl"):
        welcome = translation.gettext("Your account is active. Welcome!")
    assert welcome != "Your account is active. Welcome!"
    assert _messages(response) == [welcome]


def test_a_used_link_says_so_in_the_invitees_language(tenant_a):
    profile = _invitee(tenant_a, "hu")
    _invitation, token = invite(tenant_a, profile.membership)
    client = HttpClient(HTTP_HOST=tenant_a.host, headers=GERMAN_BROWSER)
    open_link(client, activation_link(token))
    client.post("/activate/", {"password1": "Zonnebloem-42!", "password2": "Zonnebloem-42!"})
    again = open_link(
        HttpClient(HTTP_HOST=tenant_a.host, headers=GERMAN_BROWSER), activation_link(token)
    )
    assert again.status_code == 410
    assert again.headers["Content-Language"] == "hu"


def test_a_language_chosen_on_the_activation_page_wins(tenant_a):
    from django.conf import settings

    profile = _invitee(tenant_a, "pl")
    _invitation, token = invite(tenant_a, profile.membership)
    client = HttpClient(HTTP_HOST=tenant_a.host, headers=GERMAN_BROWSER)
    open_link(client, activation_link(token))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get("/activate/").headers["Content-Language"] == "en"
