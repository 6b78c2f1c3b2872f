"""A link in a mail opens the exact page it names, after the login when needed (with the second
factor where the agency asks one), and never another agency's page."""

import re

import pytest
from django.test import Client as HttpClient

from notifications.models import Kind
from tests.factories import PASSWORD
from tests.notifications.conftest import act, fill, mails, werkbrief

pytestmark = pytest.mark.django_db


def _path(message, host="alpha.localhost") -> str:
    return re.search(rf"http://{re.escape(host)}(/\S*)", message.body).group(1)


@pytest.fixture
def mailed(tenant_a, week, mailoutbox, django_capture_on_commit_callbacks):
    """A rejection (to the worker) and "ready for approval" (to the contact)."""
    worker, contact = tenant_a.worker.membership, tenant_a.contact.membership
    with tenant_a.scope():
        wb = fill(werkbrief(tenant_a, week), worker)
        with django_capture_on_commit_callbacks(execute=True):
            wb = act(wb, worker, "submit")
        with django_capture_on_commit_callbacks(execute=True):
            act(wb, contact, "reject", "Graag de pauzes invullen.")
    return wb


def test_the_rejection_link_opens_the_werkbrief_after_the_login(tenant_a, mailed, mailoutbox):
    (message,) = mails(mailoutbox, Kind.WERKBRIEF_REJECTED)
    path = _path(message)
    assert path == f"/worker/werkbrief/{mailed.pk}/"
    browser = HttpClient(HTTP_HOST=tenant_a.host)
    login = browser.get(path)
    assert login.status_code == 302
    assert login["Location"] == f"/accounts/login/?next={path}"
    response = browser.post(
        login["Location"],
        {"login": tenant_a.worker.membership.user.email, "password": PASSWORD, "next": path},
    )
    assert response["Location"] == path
    page = browser.get(path)
    assert page.status_code == 200
    assert "Graag de pauzes invullen." in page.content.decode()


def test_the_approval_link_passes_the_second_factor_and_comes_back(tenant_a, mailed, mailoutbox):
    (message,) = mails(mailoutbox, Kind.APPROVAL_READY)
    path = _path(message)
    assert path == "/client/"
    browser = HttpClient(HTTP_HOST=tenant_a.host)
    response = browser.post(
        f"/accounts/login/?next={path}",
        {"login": tenant_a.contact.membership.user.email, "password": PASSWORD, "next": path},
    )
    assert response["Location"] == path
    # The agency asks client contacts for a second factor: the code page keeps the way back.
    second_factor = browser.get(path)
    assert second_factor.status_code == 302
    assert "next=%2Fclient%2F" in second_factor["Location"]


def test_a_link_opened_at_another_agency_finds_nothing(tenant_a, tenant_b, mailed, mailoutbox):
    (message,) = mails(mailoutbox, Kind.WERKBRIEF_REJECTED)
    stranger = tenant_b.http(tenant_b.worker.membership)
    assert stranger.get(_path(message)).status_code == 404
