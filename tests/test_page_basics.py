"""What every page and the production stack carry: a meta description, a valid tel: link,
compressed static files, and gunicorn settings made for the back office's bulk actions."""

import os
import runpy
import subprocess
import sys
from pathlib import Path

import pytest

from flexportal.phones import phone_uri

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize(
    ("typed", "uri"),
    [
        ("+31 174 519 549", "tel:+31174519549"),
        ("0174 519 549", "tel:+31174519549"),
        ("(0174) 51-95-49", "tel:+31174519549"),
        ("+48 600 123 456", "tel:+48600123456"),
        ("0174 519 549 ext 12", "tel:+31174519549;ext=12"),
        ("bel ons", ""),
        ("", ""),
    ],
)
def test_a_phone_link_is_e164_whatever_the_spelling(typed, uri):
    assert phone_uri(typed) == uri


@pytest.mark.django_db
def test_the_footer_links_the_agencys_phone_without_spaces(tenant_a):
    tenant_a.agency.contact_phone = "+31 174 519 549"
    tenant_a.agency.save()
    html = tenant_a.http().get("/accounts/login/").content.decode()
    assert '<a href="tel:+31174519549">+31 174 519 549</a>' in html
    assert 'href="tel:+31 ' not in html


@pytest.mark.django_db
def test_a_contact_phone_that_is_no_number_is_shown_without_a_link(tenant_a):
    tenant_a.agency.contact_phone = "bel de planning"
    tenant_a.agency.save()
    html = tenant_a.http().get("/accounts/login/").content.decode()
    assert "bel de planning" in html
    assert "tel:" not in html


@pytest.mark.django_db
def test_pages_have_a_meta_description_naming_the_agency(tenant_a):
    for client, path in [
        (tenant_a.http(), "/accounts/login/"),
        (tenant_a.http(tenant_a.worker.membership), "/worker/"),
    ]:
        html = client.get(path).content.decode()
        assert '<meta name="description" content="Het portaal van Alpha Uitzendbureau' in html


def test_the_production_build_precompresses_the_static_files(tmp_path):
    """WhiteNoise serves the .br/.gz beside each file; htmx is the minified build."""
    environment = {k: v for k, v in os.environ.items() if k != "FLEXPORTAL_TESTING"}
    environment.update(
        DEBUG="false",
        SECRET_KEY="build-only-" * 6,
        FLEXPORTAL_LOCAL_DIR=str(tmp_path),
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=environment,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    static = tmp_path / "staticfiles"
    for name in ("django_htmx/htmx-2.min.js", "css/portal.css"):
        original = (static / name).stat().st_size
        assert (static / f"{name}.br").stat().st_size < original / 2
        assert (static / f"{name}.gz").stat().st_size < original / 2


def test_gunicorn_is_set_up_for_long_bulk_actions():
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert config["worker_class"] == "gthread"
    assert config["workers"] >= 2 and config["threads"] >= 2
    assert config["timeout"] >= 120  # the default 30 s cut off a week's bulk processing
    assert config["graceful_timeout"] >= 60
    assert config["max_requests"] > 0 and config["max_requests_jitter"] > 0
    compose = (ROOT / "docker-compose.yml").read_text()
    assert "gunicorn flexportal.wsgi --config gunicorn.conf.py" in compose
