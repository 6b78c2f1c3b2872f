"""The werkbrief state machine: who may do which transition in which state, all recorded."""

import datetime as dt

import pytest
from django.utils import translation

from staffing.models import HoursEnteredBy
from timesheets import services
from timesheets.models import Status, WerkbriefTransition
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db


def _fill(tenant, wb, minutes=(8 * 60,)):
    days = [
        DayInput(
            date=wb.week_start + dt.timedelta(days=i),
            start=7 * 60,
            end=7 * 60 + m + 30,
            break_minutes=30,
        )
        for i, m in enumerate(minutes)
    ]
    return services.werkbrief_save_hours(
        werkbrief=wb, membership=tenant.worker.membership, version=wb.version, days=days
    )


def _act(tenant, wb, persona, action, comment=""):
    membership = getattr(tenant, persona)
    membership = getattr(membership, "membership", membership)
    return services.werkbrief_transition(
        werkbrief=wb, membership=membership, action=action, version=wb.version, comment=comment
    )


def test_the_whole_cycle_is_recorded_step_by_step(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _fill(tenant_a, werkbrief)
        wb = _act(tenant_a, wb, "worker", "submit")
        wb = _act(tenant_a, wb, "contact", "reject", "Maandag klopt niet")
        assert wb.status == Status.AFGEWEZEN and wb.rejection_reason == "Maandag klopt niet"
        wb = _fill(tenant_a, wb, (7 * 60,))
        wb = _act(tenant_a, wb, "worker", "submit")
        wb = _act(tenant_a, wb, "contact", "approve")
        wb = _act(tenant_a, wb, "staff", "close")
        wb = _act(tenant_a, wb, "staff", "process")
        steps = list(
            WerkbriefTransition.objects.filter(werkbrief=wb).values_list(
                "from_status", "to_status", "actor__email", "comment"
            )
        )
    assert wb.status == Status.VERWERKT
    assert steps == [
        ("rapporteer", "ingediend", "worker@alpha.nl", ""),
        ("ingediend", "afgewezen", "contact@alpha.nl", "Maandag klopt niet"),
        ("afgewezen", "ingediend", "worker@alpha.nl", ""),
        ("ingediend", "goedgekeurd", "contact@alpha.nl", ""),
        ("goedgekeurd", "afgerond", "staff@alpha.nl", ""),
        ("afgerond", "verwerkt", "staff@alpha.nl", ""),
    ]


@pytest.mark.parametrize(
    ("persona", "action"),
    [
        ("worker", "approve"),
        ("worker", "close"),
        ("contact", "submit"),
        ("contact", "approve"),  # nothing submitted yet
        ("staff", "submit"),
        ("staff", "approve"),
        ("staff", "process"),
    ],
)
def test_an_illegal_transition_raises_and_says_why(tenant_a, werkbrief, persona, action):
    with tenant_a.scope():
        wb = _fill(tenant_a, werkbrief)
        with pytest.raises(services.TransitionNotAllowed) as raised:
            _act(tenant_a, wb, persona, action)
        wb.refresh_from_db()
    assert wb.status == Status.RAPPORTEER
    assert str(raised.value.message)


def test_a_rejection_needs_a_reason(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _act(tenant_a, _fill(tenant_a, werkbrief), "worker", "submit")
        with pytest.raises(services.TransitionNotAllowed):
            _act(tenant_a, wb, "contact", "reject", "   ")


def test_an_empty_week_cannot_be_submitted(tenant_a, werkbrief):
    with tenant_a.scope(), pytest.raises(services.TransitionNotAllowed) as raised:
        _act(tenant_a, werkbrief, "worker", "submit")
    with translation.override("en"):
        assert "at least one day" in str(raised.value.message)


def test_the_second_of_two_people_gets_a_clear_message_not_an_overwrite(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _act(tenant_a, _fill(tenant_a, werkbrief), "worker", "submit")
        seen_version = wb.version
        services.werkbrief_transition(
            werkbrief=wb,
            membership=tenant_a.contact.membership,
            action="approve",
            version=seen_version,
        )
        with pytest.raises(services.ConcurrentChange) as raised:
            services.werkbrief_transition(
                werkbrief=wb,
                membership=tenant_a.contact.membership,
                action="reject",
                version=seen_version,
                comment="te laat",
            )
    assert raised.value.werkbrief.status == Status.GOEDGEKEURD


def test_nobody_changes_hours_after_approval_but_the_back_office_with_a_reason(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _act(tenant_a, _fill(tenant_a, werkbrief), "worker", "submit")
        wb = _act(tenant_a, wb, "contact", "approve")
        day = [DayInput(date=wb.week_start, start=8 * 60, end=12 * 60)]
        for persona in ("worker", "contact"):
            membership = getattr(tenant_a, persona).membership
            with pytest.raises(services.TransitionNotAllowed):
                services.werkbrief_save_hours(
                    werkbrief=wb, membership=membership, version=wb.version, days=day
                )
        with pytest.raises(services.HoursInvalid):
            services.werkbrief_save_hours(
                werkbrief=wb, membership=tenant_a.staff, version=wb.version, days=day
            )
        wb = services.werkbrief_save_hours(
            werkbrief=wb,
            membership=tenant_a.staff,
            version=wb.version,
            days=day,
            reason="Klant belde: maandag maar 4 uur",
        )
        change = wb.changes.get(field="worked_minutes")
    assert wb.status == Status.GOEDGEKEURD
    assert wb.worked_minutes == 240
    assert (change.before, change.after, change.reason) == (
        "8:00",
        "4:00",
        "Klant belde: maandag maar 4 uur",
    )


def test_a_client_correction_records_before_and_after(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _act(tenant_a, _fill(tenant_a, werkbrief), "worker", "submit")
        wb = services.werkbrief_save_hours(
            werkbrief=wb,
            membership=tenant_a.contact.membership,
            version=wb.version,
            days=[DayInput(date=wb.week_start, start=7 * 60, end=16 * 60, break_minutes=30)],
        )
        changes = {c.field: (c.before, c.after) for c in wb.changes.all()}
    assert changes["end"] == ("15:30", "16:00")
    assert changes["worked_minutes"] == ("8:00", "8:30")


def test_where_the_client_fills_in_the_worker_only_reads(tenant_a, werkbrief):
    with tenant_a.scope():
        tenant_a.placement.hours_entered_by = HoursEnteredBy.CLIENT
        tenant_a.placement.save()
        werkbrief.refresh_from_db()
        assert not services.can_edit_hours(
            werkbrief=werkbrief, membership=tenant_a.worker.membership
        )
        assert (
            services.allowed_actions(werkbrief=werkbrief, membership=tenant_a.worker.membership)
            == []
        )
        wb = services.werkbrief_save_hours(
            werkbrief=werkbrief,
            membership=tenant_a.contact.membership,
            version=werkbrief.version,
            days=[DayInput(date=werkbrief.week_start, start=7 * 60, end=15 * 60)],
        )
        wb = _act(tenant_a, wb, "contact", "approve")
    assert wb.status == Status.GOEDGEKEURD


def test_a_contact_without_approval_rights_cannot_approve(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _act(tenant_a, _fill(tenant_a, werkbrief), "worker", "submit")
        tenant_a.contact.can_approve_hours = False
        tenant_a.contact.save()
        with pytest.raises(services.TransitionNotAllowed):
            _act(tenant_a, wb, "contact", "approve")


def test_a_contact_of_another_department_cannot_act(tenant_a, werkbrief):
    from tests import factories

    with tenant_a.scope():
        wb = _act(tenant_a, _fill(tenant_a, werkbrief), "worker", "submit")
        other = factories.DepartmentFactory(agency=tenant_a.agency, client=tenant_a.client)
        tenant_a.contact.sees_all_departments = False
        tenant_a.contact.save()
        tenant_a.contact.departments.set([other])
        with pytest.raises(services.TransitionNotAllowed):
            _act(tenant_a, wb, "contact", "approve")


def test_bulk_close_moves_the_approved_and_reports_the_rest(tenant_a, werkbrief, last_week):
    with tenant_a.scope():
        wb = _act(tenant_a, _fill(tenant_a, werkbrief), "worker", "submit")
        wb = _act(tenant_a, wb, "contact", "approve")
        older = services.werkbrief_ensure(
            placement=tenant_a.placement, week_start=last_week - dt.timedelta(days=7)
        )
        moved, refused = services.werkbrieven_bulk_transition(
            werkbrief_ids=[wb.pk, older.pk], membership=tenant_a.staff, action="close"
        )
    assert moved == 1
    assert [r[0].pk for r in refused] == [older.pk]


def test_a_client_does_not_see_next_weeks_werkbrief_as_waiting(tenant_a, last_week):
    from timesheets import selectors

    with tenant_a.scope():
        tenant_a.placement.hours_entered_by = HoursEnteredBy.CLIENT
        tenant_a.placement.save()
        this_week = last_week + dt.timedelta(days=7)
        next_week = this_week + dt.timedelta(days=7)
        for week in (last_week, this_week, next_week):
            services.werkbrief_ensure(placement=tenant_a.placement, week_start=week)
        waiting = selectors.client_awaiting(
            membership=tenant_a.contact.membership, today=this_week + dt.timedelta(days=2)
        )
        weeks = [wb.week_start for wb in waiting]
    assert weeks == [last_week, this_week]
