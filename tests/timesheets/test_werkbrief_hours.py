"""Saving hours: exact minutes, night shifts, DST, breaks, absences, hand-entered buckets,
and all-or-nothing on bad input."""

import datetime as dt

import pytest
from django.utils import translation

from staffing.models import TimeEntry
from timesheets import services
from timesheets.models import HourType
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db


def _save(tenant, wb, *days, membership=None):
    return services.werkbrief_save_hours(
        werkbrief=wb,
        membership=membership or tenant.worker.membership,
        version=wb.version,
        days=list(days),
    )


def test_start_end_and_break_give_the_worked_minutes(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _save(tenant_a, werkbrief, DayInput(werkbrief.week_start, 7 * 60, 15 * 60 + 30, 30))
    assert wb.worked_minutes == 480
    assert wb.buckets == {"normal": 480}


def test_a_night_shift_ends_the_next_day(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _save(tenant_a, werkbrief, DayInput(werkbrief.week_start, 22 * 60, 6 * 60, 0))
    assert wb.worked_minutes == 480


def test_a_night_over_the_autumn_clock_change_counts_real_minutes(tenant_a):
    sunday = dt.date(2026, 10, 25)
    with tenant_a.scope():
        tenant_a.placement.start_date = dt.date(2026, 10, 1)
        tenant_a.placement.save()
        wb = services.werkbrief_ensure(
            placement=tenant_a.placement, week_start=dt.date(2026, 10, 19)
        )
        wb = _save(tenant_a, wb, DayInput(sunday - dt.timedelta(days=1), 22 * 60, 6 * 60, 0))
    assert wb.worked_minutes == 540


def test_a_time_inside_the_spring_gap_is_refused(tenant_a):
    with tenant_a.scope():
        tenant_a.placement.start_date = dt.date(2026, 3, 1)
        tenant_a.placement.save()
        wb = services.werkbrief_ensure(
            placement=tenant_a.placement, week_start=dt.date(2026, 3, 23)
        )
        with pytest.raises(services.HoursInvalid) as raised:
            _save(tenant_a, wb, DayInput(dt.date(2026, 3, 29), 2 * 60 + 30, 8 * 60, 0))
    assert (dt.date(2026, 3, 29), "start") in raised.value.errors


@pytest.mark.parametrize(
    ("day_kwargs", "field"),
    [
        ({"start": 8 * 60, "end": 9 * 60, "break_minutes": 90}, "break_minutes"),
        ({"start": 8 * 60, "end": None}, "end"),
        ({"start": 8 * 60, "end": 8 * 60}, "end"),
        ({"start": None, "end": None, "break_minutes": 30}, "break_minutes"),
        ({"absence_minutes": 60}, "absence"),
    ],
)
def test_bad_hours_are_refused_at_the_field_and_nothing_is_saved(
    tenant_a, werkbrief, day_kwargs, field
):
    with tenant_a.scope():
        good = DayInput(werkbrief.week_start + dt.timedelta(days=1), 7 * 60, 15 * 60, 0)
        bad = DayInput(werkbrief.week_start, **day_kwargs)
        with pytest.raises(services.HoursInvalid) as raised:
            _save(tenant_a, werkbrief, good, bad)
        werkbrief.refresh_from_db()
        days = list(werkbrief.days.values_list("worked_minutes", flat=True))
    assert (werkbrief.week_start, field) in raised.value.errors
    assert werkbrief.version == 1 and set(days) == {0}


def test_a_day_outside_the_werkbrief_is_refused(tenant_a, werkbrief):
    with tenant_a.scope(), pytest.raises(services.HoursInvalid):
        _save(tenant_a, werkbrief, DayInput(werkbrief.week_start + dt.timedelta(days=7), 0, 60))


def test_a_total_per_day_where_the_placement_says_so(tenant_a, werkbrief):
    with tenant_a.scope():
        tenant_a.placement.time_entry = TimeEntry.TOTAL
        tenant_a.placement.save()
        werkbrief.refresh_from_db()
        wb = _save(tenant_a, werkbrief, DayInput(werkbrief.week_start, total=7 * 60 + 30))
    assert wb.worked_minutes == 450


def test_without_a_scheme_overtime_is_entered_by_hand(tenant_a, werkbrief):
    with tenant_a.scope():
        overtime = HourType.objects.create(
            agency=tenant_a.agency, code="ot125", name="Overuren", kind="hours", percentage=125
        )
        ort = HourType.objects.create(
            agency=tenant_a.agency, code="ort50", name="ORT", kind="supplement", percentage=50
        )
        wb = _save(
            tenant_a,
            werkbrief,
            DayInput(
                werkbrief.week_start, 7 * 60, 18 * 60, 30, manual={overtime.pk: 150, ort.pk: 60}
            ),
        )
        day = wb.days.get(date=werkbrief.week_start)
    assert day.buckets == {"normal": 480, "ot125": 150, "ort50": 60}
    assert wb.buckets == {"normal": 480, "ot125": 150, "ort50": 60}


def test_hand_entered_overtime_cannot_exceed_the_day(tenant_a, werkbrief):
    with tenant_a.scope():
        overtime = HourType.objects.create(
            agency=tenant_a.agency, code="ot", name="Overuren", kind="hours", percentage=125
        )
        with pytest.raises(services.HoursInvalid):
            _save(
                tenant_a,
                werkbrief,
                DayInput(werkbrief.week_start, 7 * 60, 9 * 60, 0, manual={overtime.pk: 180}),
            )


def _messages(raised) -> dict:
    return {field: [str(m) for m in messages] for (_d, field), messages in raised.errors.items()}


def test_too_many_irregular_hours_are_refused_by_their_own_name(tenant_a, werkbrief):
    with tenant_a.scope(), translation.override("en"):
        night = HourType.objects.create(
            agency=tenant_a.agency, code="ort", name="Nachturen", kind="supplement", percentage=50
        )
        with pytest.raises(services.HoursInvalid) as raised:
            _save(
                tenant_a,
                werkbrief,
                DayInput(werkbrief.week_start, 7 * 60, 9 * 60, 0, manual={night.pk: 180}),
            )
    assert _messages(raised.value) == {
        f"manual:{night.pk}": ["Nachturen cannot be more than the 2:00 hours worked that day."]
    }


def test_hour_types_paid_instead_of_normal_hours_are_named_together(tenant_a, werkbrief):
    with tenant_a.scope(), translation.override("en"):
        ot125 = HourType.objects.create(
            agency=tenant_a.agency, code="ot125", name="Overuren", kind="hours", percentage=125
        )
        sat = HourType.objects.create(
            agency=tenant_a.agency, code="za150", name="Zaterdag", kind="hours", percentage=150
        )
        with pytest.raises(services.HoursInvalid) as raised:
            _save(
                tenant_a,
                werkbrief,
                DayInput(
                    werkbrief.week_start, 7 * 60, 9 * 60, 0, manual={ot125.pk: 60, sat.pk: 90}
                ),
            )
    (message,) = [m for messages in _messages(raised.value).values() for m in messages]
    assert message == (
        "Overuren + Zaterdag together cannot be more than the 2:00 hours worked that day."
    )


def test_with_a_scheme_the_week_is_unravelled(tenant_a, scheme_a):
    tuesday = dt.date(2026, 6, 9)
    with tenant_a.scope():
        tenant_a.placement.start_date = dt.date(2026, 6, 1)
        tenant_a.placement.save()
        wb = services.werkbrief_ensure(placement=tenant_a.placement, week_start=dt.date(2026, 6, 8))
        # 07:00-17:30 with the 30 min break at 12:00: 600 worked; after 8 h overtime at 125 %.
        wb = _save(tenant_a, wb, DayInput(tuesday, 7 * 60, 17 * 60 + 30, 30))
        day = wb.days.get(date=tuesday)
        explanation = services.werkbrief_explain(werkbrief=wb)
    assert wb.worked_minutes == 600
    assert wb.buckets == {"normal_100": 480, "ot_125": 120}
    assert day.buckets == wb.buckets
    assert wb.cao_version is not None and not wb.unravel_error
    assert explanation.shifts[0].segments


def test_the_scheme_version_valid_in_the_week_is_used(tenant_a, werkbrief, scheme_a):
    from timesheets.models import CaoSchemeVersion

    with tenant_a.scope():
        old = CaoSchemeVersion.objects.get(scheme=scheme_a)
        newer = CaoSchemeVersion.objects.create(
            agency=tenant_a.agency,
            scheme=scheme_a,
            valid_from=werkbrief.week_start + dt.timedelta(days=70),
            document=old.document,
        )
        assert (
            services.scheme_version_for(
                placement=tenant_a.placement, week_start=werkbrief.week_start
            )
            == old
        )
        later = werkbrief.week_start + dt.timedelta(days=70)
        assert services.scheme_version_for(placement=tenant_a.placement, week_start=later) == newer


def test_werkbriefjes_are_generated_ahead_once(tenant_a):
    from timesheets.models import Werkbrief

    today = dt.date.today()
    with tenant_a.scope():
        made = services.werkbrieven_generate(agency=tenant_a.agency, today=today)
        again = services.werkbrieven_generate(agency=tenant_a.agency, today=today)
        weeks = sorted(Werkbrief.objects.values_list("week_start", flat=True))
    assert made == len(weeks) >= 5
    assert again == 0
    assert weeks[-1] > today - dt.timedelta(days=today.weekday())


def test_under_a_scheme_the_worked_hours_follow_the_enforced_break(tenant_a, scheme_a):
    """Scheme A enforces 45 min of break above 10 h (Arbeidstijdenwet): the hours worked shown
    are the hours paid, so hours and buckets add up."""
    saturday = dt.date(2026, 6, 13)
    with tenant_a.scope():
        tenant_a.placement.start_date = dt.date(2026, 6, 1)
        tenant_a.placement.save()
        wb = services.werkbrief_ensure(placement=tenant_a.placement, week_start=dt.date(2026, 6, 8))
        wb = _save(tenant_a, wb, DayInput(saturday, 8 * 60, 20 * 60, 30))
        day = wb.days.get(date=saturday)
    hours_buckets = {"normal_100", "ot_125", "ot_150", "ot_200", "call_topup_100"}
    assert day.worked_minutes == 12 * 60 - 45
    assert wb.worked_minutes == sum(v for k, v in wb.buckets.items() if k in hours_buckets)
    assert wb.unravel_warnings == ["ATW_BREAK_TOPUP"]
