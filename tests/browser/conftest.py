"""Playwright in Debian's Chromium (never a downloaded browser), against the live test server."""

import os

import pytest
from django.core.management import call_command

CHROMIUM = os.environ.get("FLEXPORTAL_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def _playwright():
    # Playwright's sync API runs an event loop in this thread; the ORM calls of the test itself
    # are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(_playwright):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium is missing at {CHROMIUM}: apt-get install -y chromium")
    browser = _playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def desktop(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


@pytest.fixture
def demo_data(transactional_db):
    call_command("seed_demo", stdout=open(os.devnull, "w"))  # noqa: SIM115


@pytest.fixture
def portal_url(live_server):
    port = live_server.url.rsplit(":", 1)[1]

    def url(slug: str, path: str = "/") -> str:
        host = f"{slug}.localhost" if slug else "localhost"
        return f"http://{host}:{port}{path}"

    return url
