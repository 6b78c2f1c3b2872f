"""The weekly cycle in a real browser: the worker fills a week on a phone under a CAO scheme and
sees the buckets while typing, saves and submits; the client corrects a day and rejects it with a
reason on a desktop; the worker fixes and resubmits; the client approves; nobody can change it
after; the back office closes and processes it in the admin."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.cao_examples import EXAMPLES
from tests.conftest import make_tenant
from tests.factories import PASSWORD
from timesheets import services
from timesheets.models import CaoScheme, CaoSchemeVersion, Status, Werkbrief

pytestmark = [pytest.mark.browser]

WEEK = dt.date(2026, 6, 8)  # no public holiday in it, so scheme A gives plain results
TUESDAY = "d20260609"
WEDNESDAY = "d20260610"


@pytest.fixture
def cycle(transactional_db):
    """Agency "cycle" with scheme A (construction) on the placement and one werkbrief."""
    tenant = make_tenant("cycle")
    tenant.agency.two_factor_roles = []  # this test is about hours, not the second factor
    tenant.agency.save()
    with tenant.scope():
        scheme = CaoScheme.objects.create(agency=tenant.agency, name="Bouw (voorbeeld)")
        CaoSchemeVersion.objects.create(
            agency=tenant.agency,
            scheme=scheme,
            valid_from=dt.date(2020, 1, 1),
            document=EXAMPLES["schemes"]["A"],
        )
        tenant.placement.cao_scheme = scheme
        tenant.placement.start_date = WEEK
        tenant.placement.save()
        tenant.werkbrief = services.werkbrief_ensure(placement=tenant.placement, week_start=WEEK)
    return tenant


def _log_in(page, url, email):
    page.goto(url)
    page.locator("input[name=login]").fill(email)
    page.locator("input[name=password]").fill(PASSWORD)
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def _status(tenant) -> str:
    with tenant.scope():
        return Werkbrief.objects.get(pk=tenant.werkbrief.pk).status


def _fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def _has_no_edit_controls(page) -> bool:
    return (
        page.locator("input.input-hours").count() == 0
        and page.locator("button[name=action]").count() == 0
        and page.locator("#reject").count() == 0
    )


def test_a_week_goes_from_the_workers_phone_to_payroll(cycle, browser, phone, desktop, portal_url):
    wb = cycle.werkbrief
    worker_url = portal_url("cycle", f"/worker/werkbrief/{wb.pk}/")
    client_url = portal_url("cycle", f"/client/werkbrief/{wb.pk}/")

    # The worker, on a phone: the dashboard shows the week to fill.
    _log_in(phone, portal_url("cycle", "/accounts/login/"), "worker@cycle.nl")
    phone.wait_for_url(re.compile(r"/worker/$"))
    phone.locator(f"a[href='/worker/werkbrief/{wb.pk}/']").first.click()
    phone.wait_for_url(worker_url)
    assert _fits_the_screen(phone)

    # Typing start, end and break shows the unravelled buckets at once (HTMX preview).
    phone.locator(f"#id_{TUESDAY}-start").fill("7.00")
    phone.locator(f"#id_{TUESDAY}-end").fill("17:30")
    phone.locator(f"#id_{TUESDAY}-break_minutes").fill("30")
    day = phone.locator(f"#buckets-{TUESDAY}")
    expect(day).to_contain_text("125 %")
    expect(day).to_contain_text("2:00")
    expect(phone.locator("#week-totals")).to_contain_text("10:00")
    assert _status(cycle) == Status.RAPPORTEER  # nothing saved while typing

    phone.locator(f"#id_{WEDNESDAY}-start").fill("07:00")
    phone.locator(f"#id_{WEDNESDAY}-end").fill("15.30")
    phone.locator(f"#id_{WEDNESDAY}-break_minutes").fill("30")
    expect(phone.locator("#week-totals")).to_contain_text("18:00")
    phone.locator("button[name=action][value=save]").click()
    expect(phone.locator(".message-success")).to_be_visible()
    expect(phone.locator(f"#id_{TUESDAY}-end")).to_have_value("17:30")

    # Save and submit asks for a confirmation with the totals first.
    phone.locator("button[name=action][value=submit]").click()
    phone.wait_for_url(re.compile(r"/submit/$"))
    expect(phone.locator("table.totals")).to_contain_text("18:00")
    assert _fits_the_screen(phone)
    phone.locator("form button.button-primary").click()
    phone.wait_for_url(worker_url)
    expect(phone.locator(".status-ingediend")).to_be_visible()
    assert _has_no_edit_controls(phone)

    # The client, on a desktop, corrects Wednesday, then rejects the week with a reason.
    _log_in(desktop, portal_url("cycle", "/accounts/login/"), "contact@cycle.nl")
    desktop.wait_for_url(re.compile(r"/client/$"))
    desktop.locator(f"a[href='/client/werkbrief/{wb.pk}/']").first.click()
    desktop.wait_for_url(client_url)
    desktop.locator(f"#id_{WEDNESDAY}-end").fill("15:00")
    desktop.locator("button[name=action][value=save]").click()
    expect(desktop.locator(".message-success")).to_be_visible()
    expect(desktop.locator(f"#id_{WEDNESDAY}-end")).to_have_value("15:00")
    desktop.locator("#id_reason").fill("Dinsdag klopt niet: je was om 16:30 weg.")
    desktop.locator("#reject button[type=submit]").click()
    desktop.wait_for_url(re.compile(r"/client/$"))
    assert _status(cycle) == Status.AFGEWEZEN

    # The worker sees the reason, fixes Tuesday and submits again.
    phone.goto(portal_url("cycle", "/worker/"))
    expect(phone.locator("main")).to_contain_text("je was om 16:30 weg")
    phone.goto(worker_url)
    expect(phone.locator(".rejection-reason")).to_contain_text("je was om 16:30 weg")
    phone.locator(f"#id_{TUESDAY}-end").fill("16:30")
    expect(phone.locator(f"#buckets-{TUESDAY}")).to_contain_text("1:00")
    phone.locator("button[name=action][value=submit]").click()
    phone.wait_for_url(re.compile(r"/submit/$"))
    phone.locator("form button.button-primary").click()
    phone.wait_for_url(worker_url)
    assert _status(cycle) == Status.INGEDIEND

    # The client approves, with a confirmation.
    desktop.goto(client_url)
    desktop.locator("button[name=action][value=approve]").click()
    desktop.wait_for_url(re.compile(r"/approve/$"))
    desktop.locator("form button.button-primary").click()
    desktop.wait_for_url(re.compile(r"/client/$"))
    assert _status(cycle) == Status.GOEDGEKEURD

    # After approval neither of them can change it; a correction goes to the agency.
    desktop.goto(client_url)
    assert _has_no_edit_controls(desktop)
    expect(desktop.locator("#corrections")).to_be_visible()
    phone.goto(worker_url)
    assert _has_no_edit_controls(phone)

    # The back office closes and processes the week in the admin.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    staff = context.new_page()
    _log_in(staff, portal_url("cycle", "/accounts/login/"), "staff@cycle.nl")
    changelist = portal_url("cycle", "/admin/timesheets/werkbrief/")
    for action, status in (
        ("close_selected", Status.AFGEROND),
        ("process_selected", Status.VERWERKT),
    ):
        staff.goto(changelist)
        staff.locator(f"input[name=_selected_action][value='{wb.pk}']").check()
        staff.locator("select[name=action]").select_option(action)
        staff.locator("button[name=index]").click()
        staff.wait_for_load_state()
        assert _status(cycle) == status
    context.close()
