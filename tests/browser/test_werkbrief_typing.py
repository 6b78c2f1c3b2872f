"""Typed hours are never lost, in a real browser on a phone (issues 10.2, 10.4, 10.5): adding an
expense keeps what was typed in the days and saving it afterwards just works; removing an
expense asks first; leaving with unsaved hours asks first; a second tab that saves over the
first keeps its typed hours beside the saved ones; "Save" stays on screen while the days scroll
by, and the page of a full week stays far below the 5,000 px it was."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from tests.conftest import make_tenant
from tests.factories import PASSWORD
from timesheets import services
from timesheets.models import Expense, ExpenseType, HourType, Werkbrief

pytestmark = [pytest.mark.browser]

WEEK = dt.date(2026, 6, 8)
MONDAY, TUESDAY, WEDNESDAY, THURSDAY = "d20260608", "d20260609", "d20260610", "d20260611"


@pytest.fixture
def typing(transactional_db):
    """Agency "typing" with hour types for the clock, an expense type and one werkbrief."""
    tenant = make_tenant("typing")
    tenant.agency.two_factor_roles = []
    tenant.agency.save()
    with tenant.scope():
        for code, name, kind, pct in [
            ("ot125", "Overuren", "hours", 125),
            ("ort50", "Onregelmatige uren", "supplement", 50),
        ]:
            HourType.objects.create(
                agency=tenant.agency, code=code, name=name, kind=kind, percentage=pct
            )
        ExpenseType.objects.create(agency=tenant.agency, name="Parkeren", requires_receipt=False)
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


def _type(page, selector, text):
    """Type as a person does (key by key), which the browser counts as the person's doing."""
    field = page.locator(selector)
    field.click()
    field.press_sequentially(text)


def _saved_day(tenant, date):
    with tenant.scope():
        return Werkbrief.objects.get(pk=tenant.werkbrief.pk).days.get(date=date)


def _in_view(page, locator) -> bool:
    box = locator.bounding_box()
    height = page.viewport_size["height"]
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= height


def test_adding_an_expense_keeps_the_typed_hours(typing, phone, portal_url):
    url = portal_url("typing", f"/worker/werkbrief/{typing.werkbrief.pk}/")
    _log_in(phone, portal_url("typing", "/accounts/login/"), "worker@typing.nl")
    phone.goto(url)
    _type(phone, f"#id_{WEDNESDAY}-start", "08:00")
    _type(phone, f"#id_{WEDNESDAY}-end", "12:00")

    phone.locator("#expenses summary").click()
    phone.locator("#id_expense_type").select_option(label="Parkeren")
    phone.locator("#id_date").select_option("2026-06-10")
    phone.locator("#id_amount").fill("7,50")
    phone.locator("#expenses button[type=submit]").last.click()
    expect(phone.locator("#expenses")).to_contain_text("Parkeren")
    expect(phone.locator("#expenses .message-success")).to_be_visible()

    # Wednesday is still as typed, and saving it now is no conflict with the page's own expense.
    expect(phone.locator(f"#id_{WEDNESDAY}-start")).to_have_value("08:00")
    expect(phone.locator(f"#id_{WEDNESDAY}-end")).to_have_value("12:00")
    phone.locator("button[name=action][value=save]").click()
    phone.wait_for_url(url)
    expect(phone.locator("main .messages .message-success")).to_be_visible()
    expect(phone.locator("#conflict")).to_have_count(0)
    assert _saved_day(typing, dt.date(2026, 6, 10)).worked_minutes == 240
    with typing.scope():
        assert Expense.objects.filter(werkbrief=typing.werkbrief).count() == 1


def test_removing_an_expense_asks_first(typing, phone, portal_url):
    with typing.scope():
        services.expense_add(
            werkbrief=typing.werkbrief,
            membership=typing.worker.membership,
            version=1,
            expense_type=ExpenseType.objects.get(),
            date=WEEK,
            amount=5,
            kilometres=None,
            description="",
        )
    _log_in(phone, portal_url("typing", "/accounts/login/"), "worker@typing.nl")
    phone.goto(portal_url("typing", f"/worker/werkbrief/{typing.werkbrief.pk}/"))
    questions = []

    def answer(dialog, accept):
        questions.append(dialog.message)
        dialog.accept() if accept else dialog.dismiss()

    phone.once("dialog", lambda dialog: answer(dialog, False))
    phone.locator("#expenses form.inline-form button").click()
    expect(phone.locator("#expenses")).to_contain_text("Parkeren")
    phone.once("dialog", lambda dialog: answer(dialog, True))
    phone.locator("#expenses form.inline-form button").click()
    expect(phone.locator("#expenses .message-success")).to_be_visible()
    assert len(questions) == 2 and "Parkeren" in questions[0]
    with typing.scope():
        assert not Expense.objects.exists()
        assert typing.werkbrief.changes.filter(field="expense").count() == 1


def test_leaving_without_typing_asks_nothing(typing, phone, portal_url):
    _log_in(phone, portal_url("typing", "/accounts/login/"), "worker@typing.nl")
    phone.goto(portal_url("typing", f"/worker/werkbrief/{typing.werkbrief.pk}/"))
    asked = []
    phone.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.dismiss()))
    phone.close(run_before_unload=True)  # nothing typed: no question
    assert asked == []


def test_leaving_after_typing_asks_first(typing, browser, portal_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
    page = context.new_page()
    _log_in(page, portal_url("typing", "/accounts/login/"), "worker@typing.nl")
    page.goto(portal_url("typing", f"/worker/werkbrief/{typing.werkbrief.pk}/"))
    _type(page, f"#id_{TUESDAY}-start", "07:00")
    asked = []
    page.on("dialog", lambda dialog: (asked.append(dialog.type), dialog.accept()))
    page.close(run_before_unload=True)
    page.wait_for_event("close")
    context.close()
    assert asked == ["beforeunload"]


def test_a_second_tab_keeps_its_typed_hours_beside_the_saved_ones(typing, browser, portal_url):
    context = browser.new_context(viewport={"width": 375, "height": 740}, locale="nl-NL")
    first = context.new_page()
    _log_in(first, portal_url("typing", "/accounts/login/"), "worker@typing.nl")
    url = portal_url("typing", f"/worker/werkbrief/{typing.werkbrief.pk}/")
    first.goto(url)
    second = context.new_page()
    second.goto(url)

    _type(first, f"#id_{TUESDAY}-start", "07:00")
    _type(first, f"#id_{TUESDAY}-end", "15:00")
    first.locator("button[name=action][value=save]").click()
    first.wait_for_url(url)

    _type(second, f"#id_{TUESDAY}-start", "09:00")
    _type(second, f"#id_{TUESDAY}-end", "17:00")
    second.locator("button[name=action][value=save]").click()
    expect(second.locator("#conflict")).to_be_visible()
    expect(second.locator("#conflict .conflict-typed")).to_have_text("09:00–17:00")
    expect(second.locator("#conflict .conflict-saved")).to_have_text("07:00–15:00")
    expect(second.locator(f"#id_{TUESDAY}-start")).to_have_value("09:00")
    assert _saved_day(typing, dt.date(2026, 6, 9)).start == dt.time(7, 0)

    # Having looked, the second tab saves its hours on purpose.
    second.locator("button[name=action][value=save]").click()
    second.wait_for_url(url)
    expect(second.locator("#conflict")).to_have_count(0)
    assert _saved_day(typing, dt.date(2026, 6, 9)).start == dt.time(9, 0)
    context.close()


def test_save_stays_on_a_phones_screen_and_the_full_week_is_short(typing, phone, portal_url):
    with typing.scope():
        overtime, night = HourType.objects.order_by("code")
        days = [
            services.DayInput(
                WEEK + dt.timedelta(days=i),
                7 * 60,
                17 * 60,
                30,
                note="Later begonnen" if i == 0 else "",
                manual={overtime.pk: 60, night.pk: 120} if i % 2 == 0 else {},
            )
            for i in range(5)
        ]
        wb = services.werkbrief_save_hours(
            werkbrief=typing.werkbrief, membership=typing.worker.membership, version=1, days=days
        )
        for amount in (5, 12):
            wb = services.expense_add(
                werkbrief=wb,
                membership=typing.worker.membership,
                version=wb.version,
                expense_type=ExpenseType.objects.get(),
                date=WEEK,
                amount=amount,
                kilometres=None,
                description="Parkeergarage",
            ).werkbrief
    _log_in(phone, portal_url("typing", "/accounts/login/"), "worker@typing.nl")
    phone.goto(portal_url("typing", f"/worker/werkbrief/{wb.pk}/"))
    save = phone.locator("button[name=action][value=save]")
    assert _in_view(phone, save)
    phone.locator(f"#id_{THURSDAY}-start").scroll_into_view_if_needed()
    assert _in_view(phone, save)
    assert _in_view(phone, phone.locator("button[name=action][value=submit]"))
    expect(phone.locator("#bar-total")).to_contain_text(re.compile(r"47:30"))
    height = phone.evaluate("document.documentElement.scrollHeight")
    assert height < 4300, f"the werkbrief is {height} px long on a phone"
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
