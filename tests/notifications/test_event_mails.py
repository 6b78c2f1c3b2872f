"""Mails that follow an event, after it commits: the rejection with its reason to the worker,
"one or more werkbriefjes are ready for approval" to the contacts (at most one a day), the
correction request to the back office, and the invitation, all through the mail log."""

import datetime as dt
import re

import pytest
from django.core.mail.backends.base import BaseEmailBackend

from accounts import services as account_services
from notifications import services
from notifications.models import Kind, Status
from tests import factories
from tests.notifications.conftest import act, english, fill, log, mails, werkbrief
from timesheets import mail_events
from timesheets import services as timesheet_services

pytestmark = pytest.mark.django_db


@pytest.fixture
def submitted(tenant_a, week, django_capture_on_commit_callbacks):
    english(tenant_a.worker.membership, tenant_a.contact.membership)
    with tenant_a.scope():
        wb = fill(werkbrief(tenant_a, week), tenant_a.worker.membership)
        with django_capture_on_commit_callbacks(execute=True):
            return act(wb, tenant_a.worker.membership, "submit")


def test_a_rejection_mails_the_worker_the_reason_and_a_link_to_the_werkbrief(
    tenant_a, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        act(submitted, tenant_a.contact.membership, "reject", "Dinsdag was je om 15:00 weg.")
    (message,) = mails(mailoutbox, Kind.WERKBRIEF_REJECTED)
    assert message.to == [tenant_a.worker.membership.user.email]
    number = submitted.week_start.isocalendar()[1]
    assert message.subject == f"Your werkbrief of week {number} was rejected: please correct it"
    assert '"Dinsdag was je om 15:00 weg."' in message.body
    assert f"http://alpha.localhost/worker/werkbrief/{submitted.pk}/" in message.body
    (row,) = log(tenant_a, kind=Kind.WERKBRIEF_REJECTED)
    assert row.status == Status.SENT


def test_a_rejection_reserved_twice_mails_once_and_a_second_rejection_mails_again(
    tenant_a, submitted, django_capture_on_commit_callbacks, mailoutbox
):
    from notifications import tasks

    contact, worker = tenant_a.contact.membership, tenant_a.worker.membership
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        wb = act(submitted, contact, "reject", "Eerste keer")
    # The same event reserved again (a retried request) finds its row: nothing new to send.
    assert mail_events.werkbrief_rejected_notify(agency=tenant_a.agency, werkbrief_id=wb.pk) == []
    # The delivery task of the row run again (a redelivered broker message) sends nothing.
    (row,) = log(tenant_a, kind=Kind.WERKBRIEF_REJECTED)
    assert tasks.deliver_batch(str(tenant_a.agency.pk), [str(row.pk)]) == {Status.SENT: 1}
    assert len(mails(mailoutbox, Kind.WERKBRIEF_REJECTED)) == 1
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        wb = act(act(wb, worker, "submit"), contact, "reject", "Tweede keer")
    assert [m.body.count("Tweede keer") for m in mails(mailoutbox, Kind.WERKBRIEF_REJECTED)] == [
        0,
        1,
    ]


def test_a_submission_tells_the_contacts_once_a_day_that_werkbriefjes_are_ready(
    tenant_a, submitted, week, django_capture_on_commit_callbacks, mailoutbox
):
    (message,) = mails(mailoutbox, Kind.APPROVAL_READY)
    assert message.to == [tenant_a.contact.membership.user.email]
    assert message.subject == "One or more werkbriefjes are ready for your approval"
    assert "reject it and say as clearly as you can what should change" in message.body
    assert "http://alpha.localhost/client/" in message.body
    # A second worker submits the same day: no second mail to the same contact.
    with tenant_a.scope():
        other = factories.PlacementFactory(
            agency=tenant_a.agency, department=tenant_a.department, function=tenant_a.function
        )
        membership = other.worker.membership
        wb = fill(werkbrief(tenant_a, week, placement=other), membership)
        with django_capture_on_commit_callbacks(execute=True):
            act(wb, membership, "submit")
    assert len(mails(mailoutbox, Kind.APPROVAL_READY)) == 1


def test_the_approval_notice_is_skipped_when_the_werkbrief_was_approved_first(
    tenant_a, week, mailoutbox
):
    with tenant_a.scope():
        worker = tenant_a.worker.membership
        wb = act(fill(werkbrief(tenant_a, week), worker), worker, "submit")
        ids = mail_events.werkbrief_submitted_notify(agency=tenant_a.agency, werkbrief_id=wb.pk)
        act(wb, tenant_a.contact.membership, "approve")
    for notification_id in ids:
        services.notification_deliver(agency=tenant_a.agency, notification_id=notification_id)
    assert mails(mailoutbox, Kind.APPROVAL_READY) == []
    assert [r.status for r in log(tenant_a, kind=Kind.APPROVAL_READY)] == [Status.SKIPPED]


def test_the_rejection_mail_is_in_the_log_with_the_rejection_itself_and_never_without_it(
    tenant_a, submitted, mailoutbox
):
    from django.db import transaction

    contact = tenant_a.contact.membership
    with tenant_a.scope(), pytest.raises(RuntimeError), transaction.atomic():
        act(submitted, contact, "reject", "Teruggedraaid")
        assert len(log(tenant_a, kind=Kind.WERKBRIEF_REJECTED)) == 1  # same transaction
        raise RuntimeError("the request fails after the rejection")
    assert log(tenant_a, kind=Kind.WERKBRIEF_REJECTED) == []
    assert mails(mailoutbox, Kind.WERKBRIEF_REJECTED) == []


def test_a_rejection_whose_delivery_was_never_enqueued_goes_out_with_the_next_sweep(
    tenant_a, submitted, clock, mailoutbox, settings
):
    from notifications import tasks

    with tenant_a.scope():
        # The process dies right after the commit: the on-commit enqueue never runs.
        act(submitted, tenant_a.contact.membership, "reject", "Vrijdag ontbreekt.")
    (row,) = log(tenant_a, kind=Kind.WERKBRIEF_REJECTED)
    assert row.status == Status.PENDING and mails(mailoutbox, Kind.WERKBRIEF_REJECTED) == []
    tasks.tick_agency(str(tenant_a.agency.pk))  # too early: a worker may still be on it
    assert mails(mailoutbox, Kind.WERKBRIEF_REJECTED) == []
    clock.set(clock.now + dt.timedelta(seconds=settings.NOTIFICATION_RETRY_AFTER_SECONDS + 1))
    tasks.tick_agency(str(tenant_a.agency.pk))
    (message,) = mails(mailoutbox, Kind.WERKBRIEF_REJECTED)
    assert "Vrijdag ontbreekt." in message.body
    assert [r.status for r in log(tenant_a, kind=Kind.WERKBRIEF_REJECTED)] == [Status.SENT]


def _approved(tenant, week):
    with tenant.scope():
        worker = tenant.worker.membership
        wb = act(fill(werkbrief(tenant, week), worker), worker, "submit")
        return act(wb, tenant.contact.membership, "approve")


def test_a_correction_request_mails_the_agencys_own_address(
    tenant_a, week, django_capture_on_commit_callbacks, mailoutbox
):
    tenant_a.agency.contact_email = "planning@alpha.nl"
    tenant_a.agency.save()
    wb = _approved(tenant_a, week)
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        correction = timesheet_services.correction_request_create(
            werkbrief=wb, membership=tenant_a.contact.membership, message="Woensdag 8 uur, niet 7."
        )
    (message,) = mails(mailoutbox, Kind.CORRECTION_REQUESTED)
    assert message.to == ["planning@alpha.nl"]
    assert "Woensdag 8 uur, niet 7." in message.body
    path = f"/admin/timesheets/correctionrequest/{correction.pk}/change/"
    assert f"http://alpha.localhost{path}" in message.body
    (row,) = log(tenant_a, kind=Kind.CORRECTION_REQUESTED)
    assert row.recipient is None and row.address == "planning@alpha.nl"


def test_without_an_agency_address_every_back_office_member_hears_of_a_correction(
    tenant_a, week, django_capture_on_commit_callbacks, mailoutbox
):
    with tenant_a.scope():
        colleague = factories.MembershipFactory(agency=tenant_a.agency, role="staff")
    wb = _approved(tenant_a, week)
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        timesheet_services.correction_request_create(
            werkbrief=wb, membership=tenant_a.worker.membership, message="Maandag ontbreekt."
        )
    assert sorted(m.to[0] for m in mails(mailoutbox, Kind.CORRECTION_REQUESTED)) == sorted(
        [tenant_a.staff.user.email, colleague.user.email]
    )


def test_the_invitation_goes_through_the_mail_log_without_keeping_its_token(
    tenant_a, django_capture_on_commit_callbacks, mailoutbox
):
    membership = tenant_a.contact.membership
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        invitation = account_services.invitation_send(membership=membership)
    (message,) = mails(mailoutbox, Kind.INVITATION)
    assert invitation.token in message.body
    (row,) = log(tenant_a, kind=Kind.INVITATION)
    assert row.status == Status.SENT and row.recipient == membership.user
    assert invitation.token not in str(row.context) + row.deep_link_path + row.slot
    assert message.extra_headers["Message-ID"] == row.message_id


def test_an_invitation_that_could_not_be_sent_is_logged_as_failed(
    tenant_a, django_capture_on_commit_callbacks, mailoutbox, settings
):
    settings.EMAIL_BACKEND = "tests.notifications.test_event_mails.BrokenBackend"
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        account_services.invitation_send(membership=tenant_a.contact.membership)
    (row,) = log(tenant_a, kind=Kind.INVITATION)
    assert row.status == Status.FAILED
    assert row.error == "ConnectionRefusedError: the mail server is down"
    # Not retried by the sweep: only the first attempt had the link.
    assert services.notifications_sweep(agency=tenant_a.agency, now=row.created_at) == []
    assert re.match(r"invitation:", row.slot)
    assert row.week_start <= dt.date.today()


class BrokenBackend(BaseEmailBackend):
    def send_messages(self, messages):
        raise ConnectionRefusedError("the mail server is down")


def test_a_broker_that_is_down_does_not_undo_or_break_the_rejection(
    tenant_a, submitted, django_capture_on_commit_callbacks, mailoutbox, monkeypatch
):
    from notifications import tasks

    def broker_down(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(tasks.deliver_batch, "delay", broker_down)
    with tenant_a.scope(), django_capture_on_commit_callbacks(execute=True):
        wb = act(submitted, tenant_a.contact.membership, "reject", "Later bezorgd.")
    assert wb.status == "afgewezen"
    (row,) = log(tenant_a, kind=Kind.WERKBRIEF_REJECTED)
    assert row.status == Status.PENDING  # the sweep delivers it once the broker is back
