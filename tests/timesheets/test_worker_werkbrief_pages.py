"""The worker's werkbrief screens: the home page with last week's werkbrief, the werkbrief page
(save, save and submit with a confirmation, the buckets while typing, expenses, comments) and the
status overview. Bad input is shown at the field with everything typed kept; nothing half-saved."""

import datetime as dt

import pytest

from staffing.models import HoursEnteredBy, TimeEntry
from tests import uploads as samples
from tests.queries import (
    WORKER_HOME,
    WORKER_REQUEST,
    WORKER_WERKBRIEF,
    WORKER_WERKBRIEF_SUBMITTED,
    WORKER_WERKBRIEVEN,
    expect_queries,
)
from tests.timesheets.conftest import werkbrief_filled
from timesheets import services
from timesheets.models import (
    Expense,
    ExpenseType,
    HourType,
    Status,
    Werkbrief,
    WerkbriefComment,
    WerkbriefTransition,
)
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db

PDF = samples.pdf()


@pytest.fixture(autouse=True)
def _portal(tenant_a):
    """English pages (the messages are checked in the source language), and the test's own
    reads inside agency A's scope."""
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        membership.user.preferred_language = "en"
        membership.user.save()
    with tenant_a.scope():
        yield


@pytest.fixture
def worker(tenant_a):
    return tenant_a.http(tenant_a.worker.membership)


def _url(wb, suffix=""):
    return f"/worker/werkbrief/{wb.pk}/{suffix}"


def _day(date, **values):
    return {f"d{date:%Y%m%d}-{name}": value for name, value in values.items()}


def _post(client, wb, action="save", version=None, **days):
    data = {"version": wb.version if version is None else version, "action": action}
    for values in days.values():
        data.update(values)
    return client.post(_url(wb), data)


def _submitted(tenant, wb):
    with tenant.scope():
        wb = services.werkbrief_save_hours(
            werkbrief=wb,
            membership=tenant.worker.membership,
            version=wb.version,
            days=[DayInput(wb.week_start, 7 * 60, 15 * 60 + 30, 30)],
        )
        return services.werkbrief_submit(
            werkbrief=wb, membership=tenant.worker.membership, version=wb.version
        )


def _reload(wb):
    return Werkbrief.objects.get(pk=wb.pk)


# The home page ------------------------------------------------------------------------------------


def test_the_home_page_shows_last_weeks_werkbrief_with_its_deadline(tenant_a, werkbrief, worker):
    response = worker.get("/worker/")
    page = response.content.decode()
    assert response.context["home"].current == werkbrief
    assert _url(werkbrief) in page
    assert "Fill in and submit your hours of week" in page
    assert 'class="deadline' in page
    assert "payroll run" in page


def test_the_deadline_reads_as_the_workers_language_writes_it(tenant_a, werkbrief, worker):
    from timesheets import deadlines

    user = tenant_a.worker.membership.user
    user.preferred_language = "pl"
    user.save()
    cutoff = deadlines.worker_deadline(tenant_a.agency, werkbrief.week_start)
    cutoff = cutoff.astimezone(tenant_a.agency.tzinfo)
    page = worker.get("/worker/").content.decode()
    # "poniedziałek, 16 listopada, 12:00": lower case, the month in the genitive.
    genitive = [
        "stycznia",
        "lutego",
        "marca",
        "kwietnia",
        "maja",
        "czerwca",
        "lipca",
        "sierpnia",
        "września",
        "października",
        "listopada",
        "grudnia",
    ]
    assert f"{cutoff.day} {genitive[cutoff.month - 1]}, {cutoff:%H:%M}" in page


def test_the_home_page_lists_the_other_open_weeks_in_a_bar(tenant_a, werkbrief, worker):
    with tenant_a.scope():
        older = services.werkbrief_ensure(
            placement=tenant_a.placement, week_start=werkbrief.week_start - dt.timedelta(days=7)
        )
    page = worker.get("/worker/").content.decode()
    assert 'class="week-bar"' in page
    assert _url(older) in page


def test_a_rejected_week_shows_the_clients_reason_on_the_home_page(tenant_a, werkbrief, worker):
    wb = _submitted(tenant_a, werkbrief)
    with tenant_a.scope():
        services.werkbrief_reject(
            werkbrief=wb,
            membership=tenant_a.contact.membership,
            version=wb.version,
            reason="Dinsdag ontbreekt",
        )
    page = worker.get("/worker/").content.decode()
    assert "Dinsdag ontbreekt" in page
    assert "Correct and resubmit" in page


def test_a_werkbrief_the_client_fills_in_is_not_on_the_workers_list_of_things_to_do(
    tenant_a, werkbrief, worker
):
    with tenant_a.scope():
        tenant_a.placement.hours_entered_by = HoursEnteredBy.CLIENT
        tenant_a.placement.save()
    response = worker.get("/worker/")
    assert response.context["home"].current is None
    assert "Nothing to do" in response.content.decode()


# Saving hours -------------------------------------------------------------------------------------


def test_the_worker_saves_a_draft_with_start_end_and_break(tenant_a, werkbrief, worker):
    monday = werkbrief.week_start
    response = _post(
        worker, werkbrief, monday=_day(monday, start="7.00", end="15:30", break_minutes="30")
    )
    assert response.status_code == 302
    wb = _reload(werkbrief)
    assert (wb.status, wb.worked_minutes, wb.version) == (Status.RAPPORTEER, 480, 2)
    page = worker.get(response["Location"]).content.decode()
    assert "Your hours are saved. They are not submitted yet." in page
    assert 'value="07:00"' in page and 'value="15:30"' in page


def test_a_night_shift_ends_the_next_day(tenant_a, werkbrief, worker):
    monday = werkbrief.week_start
    _post(worker, werkbrief, monday=_day(monday, start="22:00", end="06:00", break_minutes="0"))
    assert _reload(werkbrief).worked_minutes == 480


def test_a_total_per_day_where_the_placement_says_so(tenant_a, werkbrief, worker):
    with tenant_a.scope():
        tenant_a.placement.time_entry = TimeEntry.TOTAL
        tenant_a.placement.save()
    monday = werkbrief.week_start
    page = worker.get(_url(werkbrief)).content.decode()
    assert f'name="d{monday:%Y%m%d}-total"' in page
    assert f'name="d{monday:%Y%m%d}-start"' not in page
    _post(
        worker,
        werkbrief,
        monday=_day(monday, total="7.30"),
        tuesday=_day(monday + dt.timedelta(1), total="0.45"),
    )
    assert _reload(werkbrief).worked_minutes == 450 + 45


def test_an_absence_and_a_note_are_saved_per_day(tenant_a, werkbrief, worker):
    tuesday = werkbrief.week_start + dt.timedelta(days=1)
    _post(
        worker,
        werkbrief,
        tuesday=_day(tuesday, absence="sick", absence_minutes="8:00", note="griep"),
    )
    with tenant_a.scope():
        day = _reload(werkbrief).days.get(date=tuesday)
    assert (day.absence, day.absence_minutes, day.note) == ("sick", 480, "griep")


@pytest.mark.parametrize(
    ("values", "field", "message"),
    [
        ({"start": "7.75", "end": "16:00"}, "start", "minutes go up to 59"),
        ({"start": "abc", "end": "16:00"}, "start", "is not a time"),
        ({"start": "08:00", "end": "16:00", "break_minutes": "-30"}, "break_minutes", "negative"),
        ({"start": "08:00", "end": "09:00", "break_minutes": "90"}, "break_minutes", "longer than"),
        ({"start": "08:00", "end": ""}, "end", "both the start and the end"),
        ({"absence": "sick", "absence_minutes": "25:00"}, "absence_minutes", "24 hours"),
        ({"absence_minutes": "4:00"}, "absence", "what kind of absence"),
        ({"start": "08:00", "end": "16:00", "break_minutes": "²"}, "break_minutes", "like 30"),
        ({"start": "08:00", "end": "16:00", "break_minutes": "1²"}, "break_minutes", "like 30"),
        ({"start": "08:00", "end": "16:00", "break_minutes": "²³"}, "break_minutes", "like 30"),
        (
            {"start": "08:00", "end": "16:00", "break_minutes": "9" * 5000},
            "break_minutes",
            "shorter than a day",
        ),
    ],
)
def test_bad_hours_are_shown_at_the_field_and_everything_typed_is_kept(
    tenant_a, werkbrief, worker, values, field, message
):
    monday, tuesday = werkbrief.week_start, werkbrief.week_start + dt.timedelta(days=1)
    good = _day(tuesday, start="07:00", end="15:30", break_minutes="30", note="kept")
    response = _post(worker, werkbrief, monday=_day(monday, **values), tuesday=good)
    page = response.content.decode()
    name = f"d{monday:%Y%m%d}-{field}"
    assert response.status_code == 200
    assert f'id="id_{name}_error"' in page
    assert message in page
    assert f'aria-describedby="id_{name}_error"' in page
    assert 'value="kept"' in page and 'value="15:30"' in page
    wb = _reload(werkbrief)
    assert (wb.version, wb.worked_minutes) == (1, 0)  # nothing half-saved


def test_a_day_outside_the_placement_is_refused_with_a_message(tenant_a, werkbrief, worker):
    outside = werkbrief.week_start + dt.timedelta(days=7)
    response = _post(worker, werkbrief, other=_day(outside, start="08:00", end="16:00"))
    assert response.status_code == 200
    assert "is not a day of this werkbrief" in response.content.decode()
    assert _reload(werkbrief).version == 1


def test_garbage_in_the_form_never_gives_a_server_error(tenant_a, werkbrief, worker):
    response = worker.post(
        _url(werkbrief), {"version": "x", "action": "submit", "d1-start": "\x00"}
    )
    assert response.status_code == 200
    assert _reload(werkbrief).version == 1


def test_a_second_identical_save_says_saved_instead_of_conflict(tenant_a, werkbrief, worker):
    monday = werkbrief.week_start
    typed = _day(monday, start="07:00", end="15:30", break_minutes="30")
    first = _post(worker, werkbrief, monday=typed)
    second = _post(worker, werkbrief, version=1, monday=typed)
    assert first.status_code == second.status_code == 302
    assert _reload(werkbrief).version == 2


def test_a_change_by_someone_else_keeps_what_was_typed_beside_what_is_saved_now(
    tenant_a, werkbrief, worker
):
    monday = werkbrief.week_start
    _post(worker, werkbrief, monday=_day(monday, start="07:00", end="15:30", break_minutes="30"))
    response = _post(worker, werkbrief, version=1, monday=_day(monday, start="09:00", end="12:00"))
    page = response.content.decode()
    assert response.status_code == 200
    assert "This werkbrief was saved in the meantime" in page
    conflict = page.split('id="conflict"')[1].split("</section>")[0]
    assert 'You typed (not saved): <span class="conflict-typed">09:00–12:00</span>' in conflict
    assert 'Saved now: <span class="conflict-saved">07:00–15:30, break 30 min</span>' in conflict
    # The typed hours stay in the fields, to be saved again against the current version.
    assert 'value="09:00"' in page and 'value="12:00"' in page and 'value="07:00"' not in page
    assert 'name="version" value="2"' in page and "data-unsaved" in page
    assert _reload(werkbrief).worked_minutes == 480
    again = _post(worker, werkbrief, version=2, monday=_day(monday, start="09:00", end="12:00"))
    assert again.status_code == 302
    assert _reload(werkbrief).worked_minutes == 180


# Submitting ---------------------------------------------------------------------------------------


def test_save_and_submit_asks_for_a_confirmation_with_the_totals_then_submits(
    tenant_a, werkbrief, worker
):
    monday = werkbrief.week_start
    response = _post(
        worker,
        werkbrief,
        action="submit",
        monday=_day(monday, start="07:00", end="15:30", break_minutes="30"),
    )
    assert response["Location"] == _url(werkbrief, "submit/")
    assert _reload(werkbrief).status == Status.RAPPORTEER
    confirm = worker.get(response["Location"]).content.decode()
    assert "Submit your hours?" in confirm and "8:00" in confirm
    done = worker.post(_url(werkbrief, "submit/"), {"version": 2})
    assert done.status_code == 302
    assert _reload(werkbrief).status == Status.INGEDIEND
    page = worker.get(done["Location"]).content.decode()
    assert "are submitted" in page
    assert 'name="action"' not in page  # read-only now


def test_a_double_click_on_submit_submits_once_and_says_so(tenant_a, werkbrief, worker):
    monday = werkbrief.week_start
    _post(worker, werkbrief, action="submit", monday=_day(monday, start="07:00", end="15:00"))
    worker.post(_url(werkbrief, "submit/"), {"version": 2})
    again = worker.post(_url(werkbrief, "submit/"), {"version": 2}, follow=True)
    assert "already submitted" in again.content.decode()
    assert WerkbriefTransition.objects.filter(werkbrief=werkbrief).count() == 1


def test_an_empty_week_cannot_be_submitted(tenant_a, werkbrief, worker):
    response = _post(worker, werkbrief, action="submit")
    assert response.status_code == 200
    assert "before you submit" in response.content.decode()
    assert _reload(werkbrief).status == Status.RAPPORTEER


def test_a_submitted_werkbrief_cannot_be_changed_by_the_worker(tenant_a, werkbrief, worker):
    wb = _submitted(tenant_a, werkbrief)
    page = worker.get(_url(wb)).content.decode()
    assert 'name="action"' not in page
    response = _post(worker, wb, monday=_day(wb.week_start, start="01:00", end="02:00"))
    assert response.status_code == 302
    assert _reload(wb).worked_minutes == 480


def test_a_rejected_werkbrief_is_editable_again_and_shows_the_reason(tenant_a, werkbrief, worker):
    wb = _submitted(tenant_a, werkbrief)
    with tenant_a.scope():
        wb = services.werkbrief_reject(
            werkbrief=wb,
            membership=tenant_a.contact.membership,
            version=wb.version,
            reason="Te veel",
        )
    page = worker.get(_url(wb)).content.decode()
    assert "Te veel" in page and 'value="submit"' in page
    _post(worker, wb, action="submit", monday=_day(wb.week_start, start="07:00", end="15:00"))
    worker.post(_url(wb, "submit/"), {"version": wb.version + 1})
    assert _reload(wb).status == Status.INGEDIEND


def test_a_werkbrief_the_client_fills_in_is_read_only_for_the_worker(tenant_a, werkbrief, worker):
    with tenant_a.scope():
        tenant_a.placement.hours_entered_by = HoursEnteredBy.CLIENT
        tenant_a.placement.save()
    page = worker.get(_url(werkbrief)).content.decode()
    assert "The client fills in the hours" in page
    assert "<input" not in page.split('id="comments"')[0].split("<main")[1]
    _post(worker, werkbrief, monday=_day(werkbrief.week_start, start="07:00", end="15:00"))
    assert _reload(werkbrief).version == 1
    assert worker.get(_url(werkbrief, "submit/")).status_code == 302


# The buckets while typing -------------------------------------------------------------------------


def test_the_buckets_appear_while_typing_and_nothing_is_saved(tenant_a, scheme_a, worker):
    with tenant_a.scope():
        tenant_a.placement.start_date = dt.date(2026, 6, 1)
        tenant_a.placement.save()
        wb = services.werkbrief_ensure(placement=tenant_a.placement, week_start=dt.date(2026, 6, 8))
    tuesday = dt.date(2026, 6, 9)
    response = worker.post(
        _url(wb, "preview/"),
        {"version": 1, **_day(tuesday, start="07:00", end="17.30", break_minutes="30")},
        HTTP_HX_REQUEST="true",
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="week-totals"' in page and "<html" not in page
    assert 'id="buckets-d20260609" hx-swap-oob="true"' in page
    assert "Normal hours" in page and "100 %" in page and "8:00" in page
    assert "Overtime" in page and "125 %" in page and "2:00" in page
    assert "more than 8:00 worked that day" in page  # the explanation, translated
    assert "The break of 30 minutes is placed at its fixed time." in page
    wb = _reload(wb)
    assert (wb.version, wb.worked_minutes, wb.buckets) == (1, 0, {})


def test_the_preview_of_a_typing_error_names_the_problem(tenant_a, werkbrief, worker):
    response = worker.post(
        _url(werkbrief, "preview/"),
        {"version": 1, **_day(werkbrief.week_start, start="7.75", end="16:00")},
    )
    assert "minutes go up to 59" in response.content.decode()


@pytest.mark.parametrize(
    ("typed", "says"),
    [("²", "like 30"), ("1²", "like 30"), ("²³", "like 30"), ("7" * 5000, "shorter than a day")],
)
def test_the_preview_of_an_odd_break_names_the_problem(tenant_a, werkbrief, worker, typed, says):
    response = worker.post(
        _url(werkbrief, "preview/"),
        {
            "version": 1,
            **_day(werkbrief.week_start, start="07:00", end="16:00", break_minutes=typed),
        },
    )
    assert response.status_code == 200
    assert says in response.content.decode()


def test_after_saving_the_page_shows_the_buckets_with_their_percentages(tenant_a, scheme_a, worker):
    with tenant_a.scope():
        tenant_a.placement.start_date = dt.date(2026, 6, 1)
        tenant_a.placement.save()
        wb = services.werkbrief_ensure(placement=tenant_a.placement, week_start=dt.date(2026, 6, 8))
    # Saturday: all overtime, ORT +35 % wins over nothing; the engine explains it.
    _post(worker, wb, saturday=_day(dt.date(2026, 6, 13), start="08:00", end="12:00"))
    page = worker.get(_url(wb)).content.decode()
    assert "Why these rates?" in page
    assert "%" in page.split('id="week-totals"')[1]


def test_without_a_scheme_overtime_is_entered_by_hand_in_the_clock(tenant_a, werkbrief, worker):
    with tenant_a.scope():
        overtime = HourType.objects.create(
            agency=tenant_a.agency, code="ot125", name="Overuren", kind="hours", percentage=125
        )
    monday = werkbrief.week_start
    page = worker.get(_url(werkbrief)).content.decode()
    assert "Overtime, allowances" in page and "Overuren (125 %)" in page
    _post(
        worker,
        werkbrief,
        monday=_day(
            monday,
            start="07:00",
            end="18:00",
            break_minutes="30",
            **{f"manual_{overtime.pk.hex}": "2.30"},
        ),
    )
    assert _reload(werkbrief).buckets == {"normal": 480, "ot125": 150}
    page = worker.get(_url(werkbrief)).content.decode()
    assert "clock-filled" in page


def test_the_preview_of_a_werkbrief_that_cannot_be_changed_is_empty(tenant_a, werkbrief, worker):
    wb = _submitted(tenant_a, werkbrief)
    assert worker.post(_url(wb, "preview/"), {"version": wb.version}).status_code == 204
    assert worker.get(_url(wb, "preview/")).status_code == 405


# Expenses, receipts, comments ---------------------------------------------------------------------


@pytest.fixture
def parking(tenant_a):
    with tenant_a.scope():
        return ExpenseType.objects.create(agency=tenant_a.agency, name="Parkeren")


def _add_expense(client, wb, expense_type, receipt=PDF, name="bon.pdf", amount="7,50"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    data = {
        "version": wb.version,
        "expense_type": expense_type.pk,
        "date": wb.week_start.isoformat(),
        "amount": amount,
        "description": "Parkeergarage",
    }
    if receipt is not None:
        data["receipt"] = SimpleUploadedFile(name, receipt)
    return client.post(_url(wb, "expenses/"), data)


def test_the_worker_adds_an_expense_with_a_receipt_only_they_and_the_client_can_download(
    tenant_a, werkbrief, worker, parking
):
    response = _add_expense(worker, werkbrief, parking)
    assert response.status_code == 302
    expense = Expense.objects.get(werkbrief=werkbrief)
    assert str(expense.amount) == "7.50" and expense.receipt_content_type == "application/pdf"
    download = worker.get(f"/worker/expenses/{expense.pk}/receipt/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == PDF
    assert download["Content-Disposition"] == (
        f'inline; filename="receipt-{expense.date.isoformat()}.pdf"'
    )
    contact = tenant_a.http(tenant_a.contact.membership)
    assert contact.get(f"/client/expenses/{expense.pk}/receipt/").status_code == 200


def test_a_colleagues_receipt_is_not_found(tenant_a, werkbrief, worker, parking):
    from tests import factories

    _add_expense(worker, werkbrief, parking)
    expense = Expense.objects.get(werkbrief=werkbrief)
    with tenant_a.scope():
        colleague = factories.FlexworkerProfileFactory(agency=tenant_a.agency)
    other = tenant_a.http(colleague.membership)
    assert other.get(f"/worker/expenses/{expense.pk}/receipt/").status_code == 404


def test_a_receipt_of_the_wrong_type_is_refused_at_the_field(tenant_a, werkbrief, worker, parking):
    response = _add_expense(worker, werkbrief, parking, receipt=b"GIF89a...", name="bon.gif")
    page = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_receipt_error"' in page and "PDF / JPEG / PNG" in page
    assert 'value="7,50"' in page  # what was typed is kept
    assert not Expense.objects.exists()


def test_the_worker_removes_an_expense(tenant_a, werkbrief, worker, parking):
    _add_expense(worker, werkbrief, parking)
    expense = Expense.objects.get(werkbrief=werkbrief)
    response = worker.post(f"/worker/expenses/{expense.pk}/remove/", {"version": 2})
    assert response.status_code == 302
    assert not Expense.objects.exists()


def test_a_comment_is_placed_and_an_empty_one_refused(tenant_a, werkbrief, worker):
    empty = worker.post(_url(werkbrief, "comments/"), {"text": "  "})
    assert empty.status_code == 200 and "Write a comment first" in empty.content.decode()
    worker.post(_url(werkbrief, "comments/"), {"text": "Woensdag later begonnen"})
    assert WerkbriefComment.objects.get().text == "Woensdag later begonnen"
    contact = tenant_a.http(tenant_a.contact.membership)
    assert (
        "Woensdag later begonnen"
        in contact.get(f"/client/werkbrief/{werkbrief.pk}/").content.decode()
    )


def test_the_same_comment_posted_twice_is_stored_once(tenant_a, werkbrief, worker):
    first = worker.post(_url(werkbrief, "comments/"), {"text": "Woensdag later begonnen"})
    again = worker.post(_url(werkbrief, "comments/"), {"text": " Woensdag later begonnen "})
    assert first.status_code == again.status_code == 302
    assert WerkbriefComment.objects.filter(werkbrief=werkbrief).count() == 1


def test_another_comment_or_the_same_words_from_someone_else_are_stored(
    tenant_a, werkbrief, worker
):
    contact = tenant_a.http(tenant_a.contact.membership)
    worker.post(_url(werkbrief, "comments/"), {"text": "Klopt"})
    contact.post(f"/client/werkbrief/{werkbrief.pk}/comments/", {"text": "Klopt"})
    worker.post(_url(werkbrief, "comments/"), {"text": "Klopt"})
    worker.post(_url(werkbrief, "comments/"), {"text": "Tot volgende week"})
    texts = list(
        WerkbriefComment.objects.filter(werkbrief=werkbrief).values_list("author__email", "text")
    )
    assert texts == [
        ("worker@alpha.nl", "Klopt"),
        ("contact@alpha.nl", "Klopt"),
        ("worker@alpha.nl", "Klopt"),
        ("worker@alpha.nl", "Tot volgende week"),
    ]


# The status overview ------------------------------------------------------------------------------


def test_the_status_overview_lists_the_werkbriefjes_with_their_status(tenant_a, werkbrief, worker):
    wb = _submitted(tenant_a, werkbrief)
    page = worker.get("/worker/werkbriefjes/").content.decode()
    assert _url(wb) in page and "Submitted" in page


def test_the_status_overview_filters_by_status_and_period(tenant_a, werkbrief, worker):
    with tenant_a.scope():
        older = services.werkbrief_ensure(
            placement=tenant_a.placement, week_start=werkbrief.week_start - dt.timedelta(weeks=3)
        )
    _submitted(tenant_a, werkbrief)
    response = worker.get("/worker/werkbriefjes/", {"status": "ingediend"})
    assert list(response.context["werkbrieven"]) == [werkbrief]
    response = worker.get("/worker/werkbriefjes/", {"status": "rapporteer", "period": "4"})
    assert list(response.context["werkbrieven"]) == [older]
    assert "Filtered on" in response.content.decode()


def test_approved_werkbriefjes_leave_the_overview_after_the_agencys_days(
    tenant_a, werkbrief, worker
):
    wb = _submitted(tenant_a, werkbrief)
    with tenant_a.scope():
        services.werkbrief_approve(
            werkbrief=wb,
            membership=tenant_a.contact.membership,
            version=wb.version,
            now=dt.datetime.now(dt.UTC) - dt.timedelta(days=40),
        )
    assert list(worker.get("/worker/werkbriefjes/").context["werkbrieven"]) == []
    tenant_a.agency.approved_visible_days = 60
    tenant_a.agency.save()
    assert list(worker.get("/worker/werkbriefjes/").context["werkbrieven"]) == [wb]


# Bounded queries ----------------------------------------------------------------------------------


def _sheets(tenant, count, status):
    """``count`` werkbriefjes of the worker's placement in as many weeks (no days: lists only)."""
    with tenant.scope():
        placement = tenant.placement
        first = werkbrief_week(count)
        placement.start_date = first
        placement.save()
        Werkbrief.objects.filter(placement=placement).delete()
        Werkbrief.objects.bulk_create(
            [
                Werkbrief(
                    agency=tenant.agency,
                    placement=placement,
                    week_start=first + dt.timedelta(weeks=i),
                    status=status,
                )
                for i in range(count)
            ]
        )


def werkbrief_week(weeks_back: int) -> dt.date:
    today = dt.date.today()
    return today - dt.timedelta(days=today.weekday()) - dt.timedelta(weeks=weeks_back)


@pytest.mark.parametrize(
    ("url", "status", "page"),
    [
        ("/worker/", Status.RAPPORTEER, WORKER_HOME),
        ("/worker/werkbriefjes/", Status.INGEDIEND, WORKER_WERKBRIEVEN),
    ],
)
def test_the_workers_lists_run_a_fixed_number_of_queries(tenant_a, worker, url, status, page):
    _sheets(tenant_a, 5, status)
    with expect_queries(*WORKER_REQUEST, *page) as few:
        assert worker.get(url).status_code == 200
    _sheets(tenant_a, 200, status)
    with expect_queries(*WORKER_REQUEST, *page) as many:
        assert worker.get(url).status_code == 200
    assert len(few) == len(many), f"{url}: {len(few)} queries with 5 werkbriefjes, {len(many)}"


@pytest.mark.parametrize("count", [1, 7])
def test_the_werkbrief_page_runs_the_same_queries_for_one_day_and_for_seven(
    tenant_a, worker, werkbrief, count
):
    """Days, typed hours, expenses, comments, transitions and changes: each read once, while the
    worker fills the werkbrief in and once it is submitted."""
    wb = werkbrief_filled(tenant_a, werkbrief, count)
    worker.get(_url(wb))
    with expect_queries(*WORKER_REQUEST, *WORKER_WERKBRIEF):
        response = worker.get(_url(wb))
    assert len(response.context["page"].expenses) == count
    assert response.context["page"].can_edit
    with tenant_a.scope():
        wb = services.werkbrief_submit(
            werkbrief=wb, membership=tenant_a.worker.membership, version=wb.version
        )
    with expect_queries(*WORKER_REQUEST, *WORKER_WERKBRIEF_SUBMITTED):
        response = worker.get(_url(wb))
    assert len(response.context["page"].transitions) == 1
    assert not response.context["page"].can_edit
