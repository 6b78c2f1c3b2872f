"""The back office's mail log: each message of the agency with its kind, recipient, channel,
status and error, filters and search, and "send again" through the same path."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from notifications.models import Kind, Notification, Status
from tests.notifications.conftest import english, local, log, mails, tick, werkbrief

pytestmark = pytest.mark.django_db

LIST = "/admin/notifications/notification/"


def tenant_b_scope(row):
    from flexportal.tenancy import agency_scope

    return agency_scope(row.agency)


@pytest.fixture
def sent(tenant_a, week, monday, clock):
    werkbrief(tenant_a, week)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "09:00"))
    (row,) = log(tenant_a, kind=Kind.WORKER_REMINDER)
    return row


@pytest.fixture
def foreign(tenant_b, week, monday, clock):
    werkbrief(tenant_b, week)
    tick(tenant_b.agency, clock, local(tenant_b.agency, monday, "09:00"))
    (row,) = log(tenant_b, kind=Kind.WORKER_REMINDER)
    return row


def test_the_log_lists_the_agencys_messages_with_status_and_error(tenant_a, sent, foreign):
    with tenant_a.scope():
        Notification.objects.filter(pk=sent.pk).update(
            status=Status.FAILED, error="SMTPRecipientsRefused: 550 no such user"
        )
    english(tenant_a.staff)
    staff = tenant_a.http(tenant_a.staff)
    page = staff.get(LIST).content.decode()
    assert "Reminder to enter hours" in page
    assert sent.recipient.email in page
    assert "SMTPRecipientsRefused: 550 no such user" in page
    assert foreign.recipient.email not in page
    assert "550 no such user" in staff.get(LIST, {"status__exact": "failed"}).content.decode()
    assert "550 no such user" not in staff.get(LIST, {"status__exact": "sent"}).content.decode()
    by_kind = staff.get(LIST, {"kind__exact": "client_reminder"}).content.decode()
    assert sent.recipient.email not in by_kind
    searched = staff.get(LIST, {"q": sent.recipient.email}).content.decode()
    assert sent.recipient.email in searched


def test_a_message_is_sent_again_as_a_new_row_of_the_log(
    tenant_a, sent, mailoutbox, django_capture_on_commit_callbacks
):
    staff = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(LIST, {"action": "resend", "_selected_action": [sent.pk]})
    assert response.status_code == 302
    assert len(mails(mailoutbox, Kind.WORKER_REMINDER)) == 2
    again = log(tenant_a, resend_of=sent.pk)
    assert [(r.slot, r.status) for r in again] == [(f"{sent.slot}/resend-1", Status.SENT)]
    assert mailoutbox[-1].extra_headers["Message-ID"] == again[0].message_id != sent.message_id


def test_another_agencys_message_is_a_404_and_cannot_be_sent_again(
    tenant_a, sent, foreign, mailoutbox, django_capture_on_commit_callbacks
):
    staff = tenant_a.http(tenant_a.staff)
    for view in ("change", "history", "delete"):
        url = reverse(f"admin:notifications_notification_{view}", args=[foreign.pk])
        assert staff.get(url).status_code == 404
        assert staff.post(url, {"post": "yes"}).status_code == 404
    before = len(mailoutbox)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(LIST, {"action": "resend", "_selected_action": [foreign.pk]})
    assert len(mailoutbox) == before
    with tenant_b_scope(foreign):
        assert not Notification.objects.filter(resend_of=foreign.pk).exists()


def test_the_log_is_read_only_and_only_for_the_back_office(tenant_a, sent):
    staff = tenant_a.http(tenant_a.staff)
    url = reverse("admin:notifications_notification_change", args=[sent.pk])
    assert staff.get(url).status_code == 200
    assert staff.post(url, {"status": "sent"}).status_code == 403
    assert staff.get("/admin/notifications/notification/add/").status_code == 403
    worker = tenant_a.http(tenant_a.worker.membership)
    assert worker.get(LIST).status_code == 404


def test_sending_an_invitation_again_makes_a_new_link(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks
):
    from accounts import services as account_services

    membership = tenant_a.contact.membership
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        first = account_services.invitation_send(membership=membership)
    (row,) = log(tenant_a, kind=Kind.INVITATION)
    staff = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        staff.post(LIST, {"action": "resend", "_selected_action": [row.pk]})
    invitations = mails(mailoutbox, Kind.INVITATION)
    assert len(invitations) == 2
    assert first.token in invitations[0].body and first.token not in invitations[1].body
    assert len(log(tenant_a, kind=Kind.INVITATION)) == 2


def test_mails_about_the_account_are_in_the_log_and_sent_again_where_that_is_safe(
    tenant_a, mailoutbox, django_capture_on_commit_callbacks, clock
):
    from accounts import services as account_services
    from staffing import services as staffing_services

    worker = tenant_a.worker.membership
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        staffing_services.flexworker_iban_change(
            profile=tenant_a.worker, iban="NL20INGB0001234567", actor=worker.user
        )
        account_services.email_change_request(
            agency=tenant_a.agency, user=worker.user, new_email="nieuw@example.nl"
        )
    (iban,) = log(tenant_a, kind=Kind.IBAN_CHANGED)
    (change,) = log(tenant_a, kind=Kind.EMAIL_CHANGE)
    assert iban.status == change.status == Status.SENT
    assert change.address == "nieuw@example.nl"
    (confirm,) = mails(mailoutbox, Kind.EMAIL_CHANGE)
    token = re.search(r"/email/confirm/link/#(\S+)", confirm.body).group(1)
    assert token not in f"{change.context} {change.deep_link_path} {change.slot}"
    assert "NL20 **** 4567" in mails(mailoutbox, Kind.IBAN_CHANGED)[0].body
    clock.set(clock.now + dt.timedelta(hours=3))
    english(tenant_a.staff)
    staff = tenant_a.http(tenant_a.staff)
    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            LIST, {"action": "resend", "_selected_action": [iban.pk, change.pk]}, follow=True
        )
    page = response.content.decode()
    assert "A mail with a one-time link cannot be sent again" in page
    first, again = mails(mailoutbox, Kind.IBAN_CHANGED)
    assert first.body == again.body  # the moment of the change, not of the resend
    assert len(mails(mailoutbox, Kind.EMAIL_CHANGE)) == 1
    assert len(log(tenant_a, kind=Kind.EMAIL_CHANGE)) == 1


def test_why_a_message_was_skipped_reads_in_the_readers_language(tenant_a, sent):
    with tenant_a.scope():
        Notification.objects.filter(pk=sent.pk).update(
            status=Status.SKIPPED, error="The hours are in: nothing to remind of."
        )
    staff = tenant_a.http(tenant_a.staff)  # Dutch, the default
    url = reverse("admin:notifications_notification_change", args=[sent.pk])
    assert "De uren zijn binnen" in staff.get(LIST).content.decode()
    assert "De uren zijn binnen" in staff.get(url).content.decode()
    english(tenant_a.staff)
    assert "The hours are in: nothing to remind of." in staff.get(url).content.decode()
