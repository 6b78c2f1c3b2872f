"""The invitation tells the person what they will find on the portal: only what the agency has
switched on and the portal has pages for (no documents or payslips before they exist), in every
language."""

import pytest
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from flexportal import navigation
from flexportal.navigation import NavItem
from notifications.models import Kind
from tests.accounts.helpers import invite
from tests.notifications.conftest import english, mails

pytestmark = pytest.mark.django_db

HOURS = "enter your hours every week and submit them"
EXPENSES = "declare your expenses, with the receipt"
PLACEMENTS = "see your placements"
DOCUMENTS = "read and sign your documents"
PAYSLIPS = "download your payslips"
DETAILS = "keep your details up to date"
APPROVE = "check and approve the hours of the people who work for you"


def _invitation(tenant, membership, mailoutbox, capture):
    with capture(execute=True):
        invite(tenant, membership)
    (message,) = mails(mailoutbox, Kind.INVITATION)
    return message


def _modules(agency, *off):
    agency.enabled_modules = [m for m in agency.enabled_modules if m not in off]
    agency.save()


def test_a_worker_is_promised_only_what_the_portal_has_not_documents_or_payslips(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    """Every module is switched on (the default), but documents and payslips have no pages yet."""
    english(tenant_a.worker.membership)
    message = _invitation(
        tenant_a, tenant_a.worker.membership, mailoutbox, django_capture_on_commit_callbacks
    )
    html = message.alternatives[0][0]
    for promise in (HOURS, EXPENSES, PLACEMENTS, DETAILS):
        assert f"- {promise}" in message.body
        assert f"<li>{promise}</li>" in html
    for promise in (DOCUMENTS, PAYSLIPS, "sign your documents", "payslips"):
        assert promise not in message.body
        assert promise not in html


def test_a_worker_is_not_promised_what_the_agency_switched_off(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    _modules(tenant_a.agency, "expenses", "placements")
    english(tenant_a.worker.membership)
    body = _invitation(
        tenant_a, tenant_a.worker.membership, mailoutbox, django_capture_on_commit_callbacks
    ).body
    assert f"- {HOURS}" in body
    assert EXPENSES not in body
    assert PLACEMENTS not in body


def test_without_werkbriefjes_neither_hours_nor_expenses_are_promised(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    """Expenses are declared on the werkbrief: without werkbriefjes there is nowhere to."""
    _modules(tenant_a.agency, "timesheets")
    english(tenant_a.contact.membership, tenant_a.worker.membership)
    body = _invitation(
        tenant_a, tenant_a.worker.membership, mailoutbox, django_capture_on_commit_callbacks
    ).body
    assert HOURS not in body and EXPENSES not in body
    assert f"- {DETAILS}" in body
    mailoutbox.clear()
    body = _invitation(
        tenant_a, tenant_a.contact.membership, mailoutbox, django_capture_on_commit_callbacks
    ).body
    assert APPROVE not in body


def test_a_contact_is_promised_the_approval_of_hours(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    english(tenant_a.contact.membership)
    body = _invitation(
        tenant_a, tenant_a.contact.membership, mailoutbox, django_capture_on_commit_callbacks
    ).body
    assert f"- {APPROVE}" in body
    assert "documents" not in body and "invoices" not in body


def test_documents_are_promised_once_the_portal_has_them_and_only_where_switched_on(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks, monkeypatch
):
    """The day documents get their pages (a menu item), the promise follows the module."""
    worker_menu = [*navigation.NAVIGATION["flexworker"], NavItem("Documents", "x", "documents")]
    monkeypatch.setitem(navigation.NAVIGATION, "flexworker", worker_menu)
    membership = tenant_a.worker.membership
    english(membership)
    body = _invitation(tenant_a, membership, mailoutbox, django_capture_on_commit_callbacks).body
    assert f"- {DOCUMENTS}" in body
    mailoutbox.clear()
    _modules(tenant_a.agency, "documents")
    body = _invitation(tenant_a, membership, mailoutbox, django_capture_on_commit_callbacks).body
    assert DOCUMENTS not in body


@pytest.mark.parametrize("language", [code for code, _name in settings.LANGUAGES])
def test_in_every_language_the_promises_are_translated_and_kept(
    language, tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    user = tenant_a.worker.membership.user
    user.preferred_language = language
    user.save(update_fields=["preferred_language"])
    message = _invitation(
        tenant_a, tenant_a.worker.membership, mailoutbox, django_capture_on_commit_callbacks
    )
    assert message.extra_headers["Content-Language"] == language
    with translation.override(language):
        kept = [gettext(p) for p in (HOURS, EXPENSES, PLACEMENTS, DETAILS)]
        not_kept = [gettext(p) for p in (DOCUMENTS, PAYSLIPS)]
        old = gettext("There you enter your hours, sign your documents and find your payslips.")
    for promise in kept:
        assert f"- {promise}" in message.body
    for promise in not_kept:
        assert promise not in message.body
    assert old not in message.body
