"""The settings read environment variables strictly: a bad value stops the process loudly."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from flexportal import env


def test_a_boolean_that_is_not_one_stops_the_process(monkeypatch):
    monkeypatch.setenv("DEBUG", "maybe")
    with pytest.raises(ImproperlyConfigured, match="DEBUG='maybe' is not a boolean"):
        env.env_bool("DEBUG", default=False)


def test_booleans_accept_the_usual_spellings(monkeypatch):
    for raw, expected in [("true", True), ("1", True), ("off", False), ("No", False)]:
        monkeypatch.setenv("X_FLAG", raw)
        assert env.env_bool("X_FLAG", default=not expected) is expected


def test_an_integer_below_its_minimum_is_refused(monkeypatch):
    monkeypatch.setenv("X_INT", "3")
    with pytest.raises(ImproperlyConfigured, match="at least 10"):
        env.env_int("X_INT", 20, minimum=10)
    monkeypatch.setenv("X_INT", "ten")
    with pytest.raises(ImproperlyConfigured, match="not an integer"):
        env.env_int("X_INT", 20)


def test_a_database_url_must_be_postgres(monkeypatch):
    monkeypatch.setenv("DATABASE_URL", "sqlite:///db.sqlite3")
    with pytest.raises(ImproperlyConfigured, match="DATABASE_URL"):
        env.env_url("DATABASE_URL", schemes=("postgres", "postgresql"))


def test_a_domain_with_a_scheme_is_refused(monkeypatch):
    monkeypatch.setenv("FLEXPORTAL_DOMAIN", "https://example.nl")
    with pytest.raises(ImproperlyConfigured):
        env.env_domain("FLEXPORTAL_DOMAIN", "localhost")


def _import_settings(**overrides):
    environment = {k: v for k, v in os.environ.items() if k != "FLEXPORTAL_TESTING"}
    environment.update(overrides)
    return subprocess.run(
        [sys.executable, "-c", "import flexportal.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_production_without_a_secret_key_does_not_start():
    result = _import_settings(DEBUG="false", SECRET_KEY="")
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def _manage(*args, tmp_path):
    """manage.py as a developer types it: no DEBUG, no SECRET_KEY, not in test mode."""
    unset = {"FLEXPORTAL_TESTING", "DEBUG", "SECRET_KEY", "FLEXPORTAL_CODE_ONLY"}
    environment = {k: v for k, v in os.environ.items() if k not in unset}
    environment["FLEXPORTAL_LOCAL_DIR"] = str(tmp_path)  # a code-only key of its own
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).resolve().parents[1],
    )


def test_makemigrations_check_needs_no_secrets(tmp_path):
    result = _manage("makemigrations", "--check", "--dry-run", tmp_path=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def test_other_commands_still_need_the_secret_key_in_production(tmp_path):
    result = _manage("migrate", "--plan", tmp_path=tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_production_with_a_short_secret_key_does_not_start():
    result = _import_settings(DEBUG="false", SECRET_KEY="short")
    assert result.returncode != 0
    assert "at least 50" in result.stderr


def test_production_settings_are_secure():
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from django.conf import settings as s; import django; django.setup(); "
            "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
            "s.SECURE_HSTS_SECONDS > 0, s.DEBUG)",
        ],
        env={
            **{k: v for k, v in os.environ.items() if k != "FLEXPORTAL_TESTING"},
            "DJANGO_SETTINGS_MODULE": "flexportal.settings",
            "DEBUG": "false",
            "SECRET_KEY": "p" * 20 + "roduction-key-for-the-test-0123456789",
        },
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["True", "True", "True", "True", "False"], result.stderr
