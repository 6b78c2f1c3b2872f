"""The agency chooses its colour; the portal keeps every text and focus ring readable on it
(WCAG AA: 4.5:1 for text, 3:1 for focus indicators), for light and dark brands alike."""

import re
from pathlib import Path

import pytest

from flexportal.colours import (
    LIGHT_SURFACES,
    brand_palette,
    contrast_ratio,
    ink_on_light,
    readable_on,
)

CSS = (Path(__file__).resolve().parents[1] / "static" / "css" / "portal.css").read_text()

# Every 17th step of each channel: 4,096 colours from black to white, yellow and cyan included.
EVERY_KIND_OF_BRAND = [
    f"#{r:02x}{g:02x}{b:02x}"
    for r in range(0, 256, 17)
    for g in range(0, 256, 17)
    for b in range(0, 256, 17)
]


def test_contrast_is_computed_as_wcag_defines_it():
    assert contrast_ratio("#000000", "#ffffff") == pytest.approx(21)
    assert contrast_ratio("#1f5fa8", "#1f5fa8") == pytest.approx(1)
    # The defect: the ring (#1a73e8) on the demo's header (#1f5fa8).
    assert contrast_ratio("#1a73e8", "#1f5fa8") == pytest.approx(1.43, abs=0.01)


def test_text_on_any_brand_colour_reaches_4_5_to_1():
    for brand in EVERY_KIND_OF_BRAND:
        assert contrast_ratio(readable_on(brand), brand) >= 4.5, brand


def test_the_brand_as_text_on_the_light_surfaces_reaches_4_5_to_1():
    for brand in EVERY_KIND_OF_BRAND:
        ink = ink_on_light(brand)
        for surface in LIGHT_SURFACES:
            assert contrast_ratio(ink, surface) >= 4.5, (brand, surface)


def test_a_dark_brand_keeps_white_text_and_its_own_colour():
    palette = brand_palette("#1F5FA8")
    assert (palette.brand, palette.on, palette.ink) == ("#1f5fa8", "#ffffff", "#1f5fa8")


def test_a_light_brand_gets_black_text_and_a_darker_ink():
    palette = brand_palette("#f5d90a")  # yellow
    assert palette.on == "#000000"
    assert palette.ink != palette.brand
    assert contrast_ratio(palette.ink, "#ffffff") >= 4.5


def test_the_focus_ring_stands_out_on_the_light_surfaces():
    focus = re.search(r"--focus-colour:\s*(#[0-9a-f]{6})", CSS).group(1)
    for surface in LIGHT_SURFACES:
        assert contrast_ratio(focus, surface) >= 3, surface


def test_the_light_surfaces_are_the_stylesheets():
    for surface in LIGHT_SURFACES[1:]:
        assert surface in CSS


def _rules(selector_part: str) -> list[str]:
    return [body for sel, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS) if selector_part in sel]


def test_the_stylesheet_never_puts_brand_text_on_the_light_page_nor_fixed_white_on_brand():
    for selector, body in re.findall(r"([^{}]+)\{([^}]*)\}", CSS):
        assert not re.search(r"(^|[^-])color:\s*var\(--brand\)", body), selector
        if "background: var(--brand)" in body:
            assert "color: var(--brand-on)" in body or "color:" not in body, selector
    # The user menu in the header and the focus rings on brand surfaces use the computed colour.
    assert any("color: var(--brand-on)" in body for body in _rules(".user-menu > summary"))
    assert any("outline-color: var(--brand-on)" in body for body in _rules(".week-bar :focus"))


@pytest.mark.django_db
def test_the_page_carries_the_computed_colours_of_the_agency(tenant_a):
    tenant_a.agency.primary_colour = "#f5d90a"
    tenant_a.agency.save()
    html = tenant_a.http(tenant_a.worker.membership).get("/worker/").content.decode()
    palette = brand_palette("#f5d90a")
    assert f"--brand: {palette.brand};" in html
    assert f"--brand-on: {palette.on};" in html
    assert f"--brand-ink: {palette.ink};" in html
    assert re.search(r'<details class="user-menu">\s*<summary>', html)


@pytest.mark.django_db
def test_mails_write_readable_text_on_the_agencys_colour(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts import services

    tenant_a.agency.primary_colour = "#f5d90a"
    tenant_a.agency.save()
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        services.invitation_send(membership=tenant_a.contact.membership)
    html = mailoutbox[-1].alternatives[0][0]
    assert "background:#f5d90a;color:#000000" in html
    assert "color:#ffffff" not in html
