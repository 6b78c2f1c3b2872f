"""Eight languages, Dutch by default; the catalogs exist and are complete."""

import shutil
import subprocess
from pathlib import Path

import pytest
from django.conf import settings

LOCALE = Path(settings.BASE_DIR) / "locale"
LANGUAGES = [code for code, _name in settings.LANGUAGES]


def test_the_portal_speaks_the_eight_languages_of_the_manuals():
    assert LANGUAGES == ["nl", "en", "de", "pl", "ro", "bg", "hu", "pt"]
    assert settings.LANGUAGE_CODE == "nl"


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_catalog_is_complete_and_compiled(language):
    po = LOCALE / language / "LC_MESSAGES" / "django.po"
    mo = po.with_suffix(".mo")
    assert po.exists() and mo.exists()
    assert mo.stat().st_mtime >= po.stat().st_mtime - 1, "run compilemessages"
    msgfmt = shutil.which("msgfmt")
    assert msgfmt, "gettext's msgfmt is needed: apt-get install gettext"
    result = subprocess.run(
        [msgfmt, "--check-format", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr and "fuzzy" not in result.stderr, result.stderr


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "word"),
    [("nl", "Wachtwoord vergeten?"), ("en", "Forgot your password?"), ("pl", "hasła")],
)
def test_the_login_page_speaks_the_chosen_language(tenant_a, language, word):
    client = tenant_a.http()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get("/accounts/login/")
    assert response["Content-Language"] == language
    assert word in response.content.decode()


@pytest.mark.django_db
def test_a_language_the_agency_does_not_offer_falls_back_to_dutch(tenant_a):
    tenant_a.agency.enabled_languages = ["nl", "en"]
    tenant_a.agency.save()
    client = tenant_a.http()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "pl"
    assert client.get("/accounts/login/")["Content-Language"] == "nl"


@pytest.mark.django_db
def test_a_signed_in_person_sees_their_own_language_and_can_change_it(tenant_a):
    user = tenant_a.worker.membership.user
    user.preferred_language = "de"
    user.save()
    client = tenant_a.http(tenant_a.worker.membership)
    assert client.get("/worker/")["Content-Language"] == "de"
    client.post("/language/", {"language": "ro", "next": "/worker/"})
    user.refresh_from_db()
    assert user.preferred_language == "ro"
    assert client.get("/worker/")["Content-Language"] == "ro"


@pytest.mark.django_db
def test_the_switcher_refuses_a_language_the_agency_does_not_offer(tenant_a):
    tenant_a.agency.enabled_languages = ["nl"]
    tenant_a.agency.save()
    assert tenant_a.http().post("/language/", {"language": "en"}).status_code == 404
