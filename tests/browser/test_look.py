"""What a person sees, in Chromium: the user menu readable on the agency's colour whatever it is,
a visible focus ring, a menu that fits a 375 px phone, and pages (the back office's too) that
work under the Content-Security-Policy without one violation."""

import re

import pytest

from agencies.models import Agency
from flexportal.colours import contrast_ratio

pytestmark = [pytest.mark.browser]

PASSWORD = "Flexportal-demo-1"

# Computed colours as the browser paints them ("rgb(31, 95, 168)"), back to "#1f5fa8".
_COLOUR_OF = """(args) => {
  const [selector, property] = args;
  const element = document.querySelector(selector);
  return getComputedStyle(element)[property];
}"""


def _hex(css: str) -> str:
    r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def _colour(page, selector: str, prop: str) -> str:
    return _hex(page.evaluate(_COLOUR_OF, [selector, prop]))


def _log_in(page, url, email):
    page.goto(url)
    page.get_by_label("E-mailadres").fill(email)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_role("button", name="Inloggen").click()
    page.wait_for_load_state()


def _csp_violations(page) -> list[str]:
    """Chromium's console complaints about our headers: a refused script or style, or a
    Permissions-Policy feature it does not know."""
    messages: list[str] = []
    page.on(
        "console",
        lambda m: (
            messages.append(m.text)
            if "Content Security Policy" in m.text or "Permissions-Policy" in m.text
            else None
        ),
    )
    return messages


def test_the_user_menu_is_readable_on_any_brand_colour(demo_data, phone, portal_url):
    _log_in(phone, portal_url("demo", "/accounts/login/"), "werknemer@demo.nl")
    for brand in ("#1f5fa8", "#f5d90a", "#ffffff", "#00a19a", "#111111"):
        Agency.objects.filter(slug="demo").update(primary_colour=brand)
        phone.goto(portal_url("demo", "/worker/"))
        header = _colour(phone, ".site-header", "backgroundColor")
        summary = phone.locator(".user-menu > summary")
        assert summary.is_visible()
        text = _colour(phone, ".user-menu > summary", "color")
        assert header == brand
        assert contrast_ratio(text, header) >= 4.5, brand
        # Keyboard focus: the ring around the menu stands out from the header (3:1 at least).
        summary.focus()
        phone.keyboard.press("Shift+Tab")
        phone.keyboard.press("Tab")
        assert phone.evaluate(
            "document.activeElement.matches('.user-menu > summary:focus-visible')"
        )
        ring = _colour(phone, ".user-menu > summary", "outlineColor")
        assert contrast_ratio(ring, header) >= 3, brand
        # Opened, it offers the person's pages and the log-out.
        summary.click()
        panel = phone.locator(".user-menu-panel")
        for name in ("Mijn gegevens", "Wachtwoord wijzigen", "Beveiliging"):
            assert panel.get_by_role("link", name=name).is_visible()
        assert panel.get_by_role("button", name="Uitloggen").is_visible()
        # Links on the light page stay readable too.
        link = _colour(phone, "main .card a", "color")
        assert contrast_ratio(link, "#f5f6f8") >= 4.5, brand
        # The bar of other open weeks: readable links and a visible ring on the brand colour.
        bar = _colour(phone, ".week-bar", "backgroundColor")
        assert contrast_ratio(_colour(phone, ".week-bar a", "color"), bar) >= 4.5, brand
        phone.locator(".week-bar a").first.focus()
        phone.keyboard.press("Shift+Tab")
        phone.keyboard.press("Tab")
        ring = _colour(phone, ".week-bar a:focus-visible", "outlineColor")
        assert contrast_ratio(ring, bar) >= 3, brand


def test_the_menu_fits_a_phone_and_is_one_row_on_a_desktop(demo_data, phone, desktop, portal_url):
    _log_in(phone, portal_url("demo", "/accounts/login/"), "klant@demo.nl")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375
    nav = phone.get_by_role("navigation", name="Hoofdmenu")
    toggle = nav.locator("summary")
    assert toggle.is_visible()
    assert "Dashboard" in toggle.inner_text()  # says where you are
    assert not nav.get_by_role("link", name="Mijn gegevens").is_visible()
    toggle.click()
    for name in ("Dashboard", "Werkbriefjes", "Afdelingen", "Plaatsingen", "Mijn gegevens"):
        link = nav.get_by_role("link", name=name)
        assert link.is_visible()
        box = link.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 375
        assert box["height"] >= 44  # a finger's target
    nav.get_by_role("link", name="Mijn gegevens").click()
    phone.wait_for_url(re.compile("/client/details/$"))
    assert phone.evaluate("document.documentElement.scrollWidth") <= 375

    _log_in(desktop, portal_url("demo", "/accounts/login/"), "klant@demo.nl")
    nav = desktop.get_by_role("navigation", name="Hoofdmenu")
    assert not nav.locator("summary").is_visible()
    tops = {
        round(nav.get_by_role("link", name=name).bounding_box()["y"])
        for name in ("Dashboard", "Mijn gegevens")
    }
    assert len(tops) == 1


PORTAL_PAGES = {
    "werknemer@demo.nl": ["/worker/", "/worker/werkbriefjes/", "/worker/details/", "/security/"],
    "klant@demo.nl": ["/client/", "/client/werkbriefjes/", "/client/placements/"],
}
ADMIN_MODELS = [
    "agencies/agency",
    "staffing/client",
    "staffing/department",
    "staffing/flexworkerprofile",
    "staffing/clientcontact",
    "staffing/placement",
    "timesheets/werkbrief",
    "timesheets/caoscheme",
    "timesheets/hourtype",
    "notifications/notification",
]


def _visit(page, url) -> None:
    response = page.goto(url)
    assert response.status == 200, url
    assert "script-src 'self'" in response.headers["content-security-policy"], url


def test_portal_and_back_office_work_under_the_policy(demo_data, browser, portal_url):
    """Not one Content-Security-Policy violation in Chromium's console on the portal's pages,
    a werkbrief with htmx at work, and the admin's lists, forms and widgets."""
    for email, paths in PORTAL_PAGES.items():
        context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
        page = context.new_page()
        page.set_default_timeout(10_000)
        violations = _csp_violations(page)
        _log_in(page, portal_url("demo", "/accounts/login/"), email)
        for path in paths:
            _visit(page, portal_url("demo", path))
        page.goto(portal_url("demo", paths[1]))
        page.locator("main table a").first.click()
        page.wait_for_load_state()
        page.wait_for_timeout(500)
        context.close()
        assert violations == [], email

    context = browser.new_context(viewport={"width": 1280, "height": 800}, locale="nl-NL")
    page = context.new_page()
    page.set_default_timeout(10_000)
    violations = _csp_violations(page)
    _log_in(page, portal_url("demo", "/accounts/login/"), "backoffice@demo.nl")
    _visit(page, portal_url("demo", "/admin/"))
    for model in ADMIN_MODELS:
        _visit(page, portal_url("demo", f"/admin/{model}/"))
    _visit(page, portal_url("demo", "/admin/staffing/department/add/"))
    # A change form with its widgets: the autocomplete and the date picker at work.
    _visit(page, portal_url("demo", "/admin/staffing/placement/add/"))
    page.locator(".select2-selection").first.click()
    page.wait_for_selector(".select2-results__option")
    page.keyboard.press("Escape")
    page.locator(".datetimeshortcuts a").first.click()
    page.goto(portal_url("demo", "/admin/timesheets/werkbrief/"))
    page.locator("#result_list tbody a").first.click()
    page.wait_for_load_state()
    page.wait_for_timeout(500)
    context.close()
    assert violations == []
