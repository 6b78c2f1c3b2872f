"""One hours form (issue 12, items 4 and 6): the worker, the client and the back office's
correction type hours into the same form, read by one parser with one wording; a time becomes
minutes in one place; the service, not the view, knows a second click on the same button; the
werkbrief page is read once per request."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

import timesheets.admin
from tests.timesheets.conftest import shown
from timesheets import services
from timesheets.admin import CorrectionForm
from timesheets.forms import WerkbriefHoursForm, hours_error_message
from timesheets.hours import HoursError
from timesheets.models import HourType
from timesheets.services import DayInput

URLCONF = "flexportal.urls"
ROOT = Path(settings.BASE_DIR)

# The unravelling engine (timesheets/unravel) is a package of its own without Django; it reads
# the "HH:MM" of scheme documents (a file format), not what people type.
NOT_PROJECT = {".venv", ".local", "tests", "unravel", "migrations", "node_modules", "benchmarks"}

# A time of day or hours and minutes turned into minutes, or minutes written as a clock.
CONVERSIONS = [
    re.compile(r"\.hour\s*\*\s*60"),  # value.hour * 60 + value.minute
    re.compile(r"\)\s*\*\s*60\s*\+\s*int\("),  # int(hours) * 60 + int(minutes)
    re.compile(r"%\s*60\s*:02d"),  # f"{m // 60}:{m % 60:02d}"
]


def _project_sources():
    for path in ROOT.rglob("*.py"):
        if not NOT_PROJECT.intersection(path.relative_to(ROOT).parts):
            yield path


def test_a_time_becomes_minutes_in_one_place_only():
    found = {
        str(path.relative_to(ROOT))
        for path in _project_sources()
        for pattern in CONVERSIONS
        if pattern.search(path.read_text(encoding="utf-8"))
    }
    assert found == {"timesheets/hours.py"}


def test_the_hours_errors_are_worded_in_one_place_only():
    defined = {
        str(path.relative_to(ROOT))
        for path in _project_sources()
        if re.search(r"^def hours_error_message\b", path.read_text(encoding="utf-8"), re.M)
    }
    assert defined == {"timesheets/forms.py"}
    assert not hasattr(timesheets.admin, "hours_error_message")


def test_the_back_office_corrects_with_the_portals_hours_form():
    assert issubclass(CorrectionForm, WerkbriefHoursForm)
    # Only the reason is its own; every hour field is the portal's.
    assert set(CorrectionForm.declared_fields) - set(WerkbriefHoursForm.declared_fields) == {
        "reason"
    }


# The correction at the field, as in the portal -----------------------------------------------


def _correction_url(wb):
    return reverse("admin:timesheets_werkbrief_correct", args=[wb.pk], urlconf=URLCONF)


def _post_correction(client, wb, **typed):
    form = client.get(_correction_url(wb)).context["form"]
    data = {**shown(form), "reason": "Klant meldde het"}
    data.update({f"{wb.week_start.isoformat()}-{name}": value for name, value in typed.items()})
    return client.post(_correction_url(wb), data)


@pytest.mark.django_db
def test_a_typing_error_in_a_correction_reads_as_in_the_portal(tenant_a, werkbrief):
    tenant_a.staff.user.preferred_language = "en"
    tenant_a.staff.user.save()
    response = _post_correction(tenant_a.http(tenant_a.staff), werkbrief, start="7.75", end="16")
    errors = response.context["form"].errors
    expected = hours_error_message(HoursError("minutes_too_large", {"minutes": 75}))
    assert errors[f"{werkbrief.week_start.isoformat()}-start"] == [expected]
    assert expected in response.content.decode()


@pytest.mark.django_db
def test_a_correction_takes_the_break_as_the_portal_does(tenant_a, werkbrief):
    response = _post_correction(
        tenant_a.http(tenant_a.staff), werkbrief, start="7:00", end="15:30", break_minutes="0:30"
    )
    assert response.status_code == 302
    with tenant_a.scope():
        day = werkbrief.days.get(date=werkbrief.week_start)
    assert (day.break_minutes, day.worked_minutes) == (30, 480)


@pytest.mark.django_db
def test_a_bucket_of_the_clock_that_does_not_fit_is_marked_at_that_bucket(tenant_a, werkbrief):
    with tenant_a.scope():
        overtime = HourType.objects.create(
            agency=tenant_a.agency, code="ot", name="Overuren", kind="hours", percentage=125
        )
    response = _post_correction(
        tenant_a.http(tenant_a.staff),
        werkbrief,
        start="7:00",
        end="9:00",
        **{f"manual_{overtime.pk.hex}": "3:00"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    bucket = f"{werkbrief.week_start.isoformat()}-manual_{overtime.pk.hex}"
    assert list(errors) == [bucket]
    assert "Overuren" in str(errors[bucket])


@pytest.mark.django_db
def test_a_correction_sets_the_bucket_of_the_clock(tenant_a, werkbrief):
    with tenant_a.scope():
        overtime = HourType.objects.create(
            agency=tenant_a.agency, code="ot", name="Overuren", kind="hours", percentage=125
        )
    response = _post_correction(
        tenant_a.http(tenant_a.staff),
        werkbrief,
        start="7:00",
        end="17:00",
        **{f"manual_{overtime.pk.hex}": "1:30"},
    )
    assert response.status_code == 302
    with tenant_a.scope():
        day = werkbrief.days.get(date=werkbrief.week_start)
        assert {m.hour_type_id: m.minutes for m in day.manual_hours.all()} == {overtime.pk: 90}


# The double click is the service's to know ----------------------------------------------------


@pytest.mark.django_db
def test_the_same_hours_saved_again_on_the_old_version_are_no_conflict(tenant_a, werkbrief):
    typed = [DayInput(werkbrief.week_start, 7 * 60, 15 * 60 + 30, 30)]
    with tenant_a.scope():
        first = services.werkbrief_save_hours(
            werkbrief=werkbrief,
            membership=tenant_a.worker.membership,
            version=werkbrief.version,
            days=typed,
        )
        again = services.werkbrief_save_hours(
            werkbrief=werkbrief,
            membership=tenant_a.worker.membership,
            version=werkbrief.version,
            days=[DayInput(werkbrief.week_start, 7 * 60, 15 * 60 + 30, 30)],
        )
        assert again.version == first.version  # nothing saved twice
        with pytest.raises(services.ConcurrentChange):
            services.werkbrief_save_hours(
                werkbrief=werkbrief,
                membership=tenant_a.worker.membership,
                version=werkbrief.version,
                days=[DayInput(werkbrief.week_start, 8 * 60, 15 * 60 + 30, 30)],
            )


# The page is read once -------------------------------------------------------------------------

WERKBRIEF_READ = re.compile(r'^SELECT .* FROM "timesheets_werkbrief"(?! FOR)(\s|$)')


@pytest.mark.django_db
@pytest.mark.parametrize("start", ["7.75", "7:00"])
def test_a_post_of_the_werkbrief_page_reads_the_werkbrief_once(tenant_a, werkbrief, start):
    """Typed hours with an error (the page again) or right (saved): the view reads the werkbrief
    once; the service locks it (SELECT ... FOR UPDATE) apart from that."""
    client = tenant_a.http(tenant_a.worker.membership)
    data = {
        "version": werkbrief.version,
        "action": "save",
        f"d{werkbrief.week_start:%Y%m%d}-start": start,
        f"d{werkbrief.week_start:%Y%m%d}-end": "15:30",
    }
    with CaptureQueriesContext(connection) as captured:
        response = client.post(f"/worker/werkbrief/{werkbrief.pk}/", data)
    assert response.status_code in (200, 302)
    reads = [
        q["sql"]
        for q in captured.captured_queries
        if WERKBRIEF_READ.match(q["sql"]) and "FOR UPDATE" not in q["sql"]
    ]
    assert len(reads) == 1, reads


@pytest.mark.django_db
def test_the_werkbrief_pages_need_the_timesheets_module(tenant_a, werkbrief):
    tenant_a.agency.enabled_modules = [
        m for m in tenant_a.agency.enabled_modules if m != "timesheets"
    ]
    tenant_a.agency.save()
    worker = tenant_a.http(tenant_a.worker.membership)
    for url in (
        f"/worker/werkbrief/{werkbrief.pk}/",
        f"/worker/werkbrief/{werkbrief.pk}/submit/",
        "/worker/werkbriefjes/",
    ):
        assert worker.get(url).status_code == 404, url
