"""Reminders to client contacts before the approval cut-off (Monday 16:00, Tuesday 10:00 and
13:00 before Tuesday 14:00 by default), listing per worker whether hours were entered, as
client-manual-flexportal says; they stop for a week once it is approved."""

import datetime as dt

import pytest

from notifications.models import Kind, Status
from tests import factories
from tests.notifications.conftest import act, english, fill, local, log, mails, tick, werkbrief

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(tenant_a, week):
    """Piotr submitted 38:30, Ana has entered nothing yet, in the contact's department."""
    english(tenant_a.contact.membership)
    with tenant_a.scope():
        piotr = tenant_a.worker
        piotr.first_name, piotr.last_name = "Piotr", "Nowak"
        piotr.save()
        ana = factories.FlexworkerProfileFactory(
            agency=tenant_a.agency, first_name="Ana", last_name="Silva"
        )
        factories.PlacementFactory(
            agency=tenant_a.agency,
            department=tenant_a.department,
            function=tenant_a.function,
            worker=ana,
        )
        submitted = act(
            fill(werkbrief(tenant_a, week), piotr.membership), piotr.membership, "submit"
        )
        werkbrief(tenant_a, week, placement=ana.placements.get())
    return submitted


def test_the_reminder_says_per_worker_whether_hours_were_entered(
    tenant_a, team, week, monday, clock, mailoutbox
):
    agency = tenant_a.agency
    tick(agency, clock, local(agency, monday, "15:59"))
    assert mails(mailoutbox, Kind.CLIENT_REMINDER) == []
    tick(agency, clock, local(agency, monday, "16:00"))
    (message,) = mails(mailoutbox, Kind.CLIENT_REMINDER)
    assert message.to == [tenant_a.contact.membership.user.email]
    number = week.isocalendar()[1]
    assert message.subject == f"Reminder: approve the hours of week {number} before Tuesday 14:00"
    job = tenant_a.function.name  # a worker with two jobs is told apart by the job
    assert f"Ana Silva ({job}) – no hours yet" in message.body
    assert f"Piotr Nowak ({job}) – 38:30 entered, submitted: waiting for your approval" in (
        message.body
    )
    assert "http://alpha.localhost/client/" in message.body
    html, _mimetype = message.alternatives[0]
    assert "Piotr Nowak" in html and "no hours yet" in html


def test_each_slot_sends_once_and_the_reminders_stop_once_the_week_is_approved(
    tenant_a, team, monday, clock, mailoutbox
):
    agency = tenant_a.agency
    tick(agency, clock, local(agency, monday, "16:00"))
    tick(agency, clock, local(agency, monday, "16:01"))
    assert len(mails(mailoutbox, Kind.CLIENT_REMINDER)) == 1
    with tenant_a.scope():
        act(team, tenant_a.contact.membership, "approve")
    tuesday = monday + dt.timedelta(days=1)
    tick(agency, clock, local(agency, tuesday, "10:00"))
    tick(agency, clock, local(agency, tuesday, "13:00"))
    assert len(mails(mailoutbox, Kind.CLIENT_REMINDER)) == 1


def test_only_werkbriefjes_waiting_for_the_client_start_a_reminder(
    tenant_a, week, monday, clock, mailoutbox
):
    # Nothing submitted, the worker fills in: nothing for the client to approve yet.
    werkbrief(tenant_a, week)
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "16:00"))
    assert mails(mailoutbox, Kind.CLIENT_REMINDER) == []


def test_a_reminder_reserved_before_the_approval_is_skipped(
    tenant_a, team, monday, clock, mailoutbox
):
    from notifications import services

    clock.set(local(tenant_a.agency, monday, "16:00"))
    services.notifications_tick(agency=tenant_a.agency, now=clock.now)
    (row,) = log(tenant_a, kind=Kind.CLIENT_REMINDER)
    with tenant_a.scope():
        act(team, tenant_a.contact.membership, "approve")
    services.notification_deliver(agency=tenant_a.agency, notification_id=row.pk)
    assert mails(mailoutbox, Kind.CLIENT_REMINDER) == []
    (row,) = log(tenant_a, kind=Kind.CLIENT_REMINDER)
    assert row.status == Status.SKIPPED


def test_contacts_who_may_not_approve_see_the_department_or_have_not_activated_get_none(
    tenant_a, team, monday, clock, mailoutbox
):
    with tenant_a.scope():
        factories.ClientContactFactory(
            agency=tenant_a.agency, client=tenant_a.client, can_approve_hours=False
        )
        elsewhere = factories.DepartmentFactory(agency=tenant_a.agency, client=tenant_a.client)
        blind = factories.ClientContactFactory(
            agency=tenant_a.agency, client=tenant_a.client, sees_all_departments=False
        )
        blind.departments.set([elsewhere])
        sees = factories.ClientContactFactory(
            agency=tenant_a.agency, client=tenant_a.client, sees_all_departments=False
        )
        sees.departments.set([tenant_a.department])
        invited = factories.ClientContactFactory(agency=tenant_a.agency, client=tenant_a.client)
        invited.membership.user.set_unusable_password()  # not activated yet
        invited.membership.user.save()
    tick(tenant_a.agency, clock, local(tenant_a.agency, monday, "16:00"))
    assert sorted(m.to[0] for m in mails(mailoutbox, Kind.CLIENT_REMINDER)) == sorted(
        [tenant_a.contact.membership.user.email, sees.membership.user.email]
    )


def test_beat_down_across_two_slots_sends_one_catch_up_then_the_next_slot_as_usual(
    tenant_a, team, monday, clock, mailoutbox
):
    agency = tenant_a.agency
    tuesday = monday + dt.timedelta(days=1)
    tick(agency, clock, local(agency, monday, "15:00"))
    # Beat (or every worker) is down from Monday 15:00 until Tuesday 11:30.
    tick(agency, clock, local(agency, tuesday, "11:30"))
    tick(agency, clock, local(agency, tuesday, "11:31"))
    rows = log(tenant_a, kind=Kind.CLIENT_REMINDER)
    assert [r.slot for r in rows] == [f"{tuesday.isoformat()}T10:00"]
    tick(agency, clock, local(agency, tuesday, "13:00"))
    tick(agency, clock, local(agency, tuesday, "14:00"))  # the cut-off: nothing more
    rows = log(tenant_a, kind=Kind.CLIENT_REMINDER)
    assert [r.slot for r in rows] == [
        f"{tuesday.isoformat()}T10:00",
        f"{tuesday.isoformat()}T13:00",
    ]
    assert len(mails(mailoutbox, Kind.CLIENT_REMINDER)) == 2
