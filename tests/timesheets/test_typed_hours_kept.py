"""Nothing typed on the werkbrief page is lost (issue 10.2): expenses and comments are sent
without reloading the page (HTMX), so hours typed but not yet saved stay in their fields, and the
page learns the werkbrief's new version so that saving those hours afterwards is not taken for
someone else's change; leaving the page with unsaved hours asks first (static/js/werkbrief.js);
after a save by someone else the typed hours stay, beside what is saved now (see
test_worker_werkbrief_pages). The action bar keeps "Save" in reach on a phone (issue 10.5)."""

import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import uploads as test_files
from timesheets import services
from timesheets.models import Expense, ExpenseType, Werkbrief, WerkbriefComment
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db

PDF = test_files.pdf()
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture(autouse=True)
def _portal(tenant_a):
    for membership in (tenant_a.worker.membership, tenant_a.contact.membership):
        membership.user.preferred_language = "en"
        membership.user.save()
    with tenant_a.scope():
        yield


@pytest.fixture
def worker(tenant_a):
    return tenant_a.http(tenant_a.worker.membership)


@pytest.fixture
def parking(tenant_a):
    return ExpenseType.objects.create(agency=tenant_a.agency, name="Parkeren")


def _url(wb, suffix=""):
    return f"/worker/werkbrief/{wb.pk}/{suffix}"


def _expense(wb, parking, version=None, amount="7,50"):
    return {
        "version": wb.version if version is None else version,
        "expense_type": parking.pk,
        "date": wb.week_start.isoformat(),
        "amount": amount,
        "receipt": SimpleUploadedFile("bon.pdf", PDF),
    }


def _version_event(response):
    return json.loads(response["HX-Trigger"])["werkbrief-version"]


def _reload(wb):
    return Werkbrief.objects.get(pk=wb.pk)


def _tag(page, pattern):
    """The opening tag of the first element whose attributes match ``pattern``."""
    return re.search(rf"<\w+[^>]*{pattern}[^>]*>", page)[0]


# The page -----------------------------------------------------------------------------------------


def test_expenses_and_comments_are_sent_without_reloading_the_page(
    tenant_a, werkbrief, worker, parking
):
    page = worker.get(_url(werkbrief)).content.decode()
    add = _tag(page, f'action="{_url(werkbrief, "expenses/")}"')
    assert f'hx-post="{_url(werkbrief, "expenses/")}"' in add and 'hx-target="#expenses"' in add
    comment = _tag(page, f'action="{_url(werkbrief, "comments/")}"')
    assert 'hx-target="#comments"' in comment


def test_the_page_warns_before_leaving_with_unsaved_hours_without_inline_script(
    tenant_a, werkbrief, worker
):
    page = worker.get(_url(werkbrief)).content.decode()
    assert '<script src="/static/js/werkbrief.js" defer></script>' in page
    inline = [s for s in re.findall(r"<script([^>]*)>", page) if "src=" not in s]
    assert inline == []
    assert not re.search(r"<[^>]*\son[a-z]+=", page)  # no onclick= and the like
    script = (Path(settings.BASE_DIR) / "static/js/werkbrief.js").read_text()
    assert "beforeunload" in script and "werkbrief-version" in script
    assert "data-unsaved" not in _tag(page, 'id="hours-form"')


def test_hours_shown_again_after_an_error_count_as_unsaved(tenant_a, werkbrief, worker):
    day = f"d{werkbrief.week_start:%Y%m%d}"
    response = worker.post(
        _url(werkbrief),
        {"version": 1, "action": "save", f"{day}-start": "7.75", f"{day}-end": "16:00"},
    )
    assert "data-unsaved" in _tag(response.content.decode(), 'id="hours-form"')


def test_save_stays_in_reach_in_an_action_bar_with_the_weeks_hours(tenant_a, werkbrief, worker):
    page = worker.get(_url(werkbrief)).content.decode()
    form = page.split('id="hours-form"')[1].split("</form>")[0]
    bar = form.split('class="form-actions action-bar"')[1]
    assert 'value="save"' in bar and 'value="submit"' in bar
    assert 'id="bar-total"' in bar
    css = (Path(settings.BASE_DIR) / "static/css/portal.css").read_text()
    assert re.search(r"\.action-bar \{ position: sticky; bottom: 0;", css)


def test_the_preview_keeps_the_hours_in_the_action_bar_up_to_date(tenant_a, werkbrief, worker):
    day = f"d{werkbrief.week_start:%Y%m%d}"
    response = worker.post(
        _url(werkbrief, "preview/"),
        {
            "version": 1,
            f"{day}-start": "07:00",
            f"{day}-end": "15:30",
            f"{day}-break_minutes": "30",
        },
        **HTMX,
    )
    bar = _tag(response.content.decode(), 'id="bar-total"')
    assert 'hx-swap-oob="true"' in bar
    assert "8:00" in response.content.decode().split('id="bar-total"')[1].split("</p>")[0]


# Expenses and comments without a reload -----------------------------------------------------------


def test_an_expense_added_in_place_answers_its_section_and_the_new_version(
    tenant_a, werkbrief, worker, parking
):
    response = worker.post(_url(werkbrief, "expenses/"), _expense(werkbrief, parking), **HTMX)
    page = response.content.decode()
    assert response.status_code == 200
    assert page.lstrip().startswith('<section class="card" id="expenses"') and "<html" not in page
    assert "The expense is added." in page and "Parkeren" in page
    assert 'name="version" value="2"' in page  # the next expense goes against version 2
    assert _version_event(response) == {"from": 1, "to": 2}
    assert Expense.objects.filter(werkbrief=werkbrief).count() == 1
    # The hours typed meanwhile (not sent) are saved afterwards against version 2, as they are.
    monday = werkbrief.week_start
    saved = worker.post(
        _url(werkbrief),
        {
            "version": 2,
            "action": "save",
            f"d{monday:%Y%m%d}-start": "08:00",
            f"d{monday:%Y%m%d}-end": "12:00",
        },
    )
    assert saved.status_code == 302
    assert _reload(werkbrief).worked_minutes == 240


def test_an_expense_with_a_mistake_comes_back_in_its_section_as_typed(
    tenant_a, werkbrief, worker, parking
):
    response = worker.post(
        _url(werkbrief, "expenses/"), _expense(werkbrief, parking, amount="x"), **HTMX
    )
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert 'id="id_amount_error"' in page and 'value="x"' in page
    assert "HX-Trigger" not in response
    assert not Expense.objects.exists()


def test_an_expense_after_someone_else_saved_is_refused_and_can_be_added_again(
    tenant_a, werkbrief, worker, parking
):
    wb = services.werkbrief_save_hours(
        werkbrief=werkbrief,
        membership=tenant_a.worker.membership,
        version=1,
        days=[DayInput(werkbrief.week_start, 7 * 60, 15 * 60)],
    )
    response = worker.post(_url(wb, "expenses/"), _expense(wb, parking, version=1), **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card" id="expenses"')
    assert "Someone else changed this werkbrief" in page
    assert 'value="7,50"' in page and 'name="version" value="2"' in page
    assert "HX-Trigger" not in response  # the hours form keeps version 1: its save shows both
    assert not Expense.objects.exists()


def test_an_expense_removed_in_place_answers_its_section_and_the_new_version(
    tenant_a, werkbrief, worker, parking
):
    worker.post(_url(werkbrief, "expenses/"), _expense(werkbrief, parking), **HTMX)
    expense = Expense.objects.get()
    response = worker.post(f"/worker/expenses/{expense.pk}/remove/", {"version": 2}, **HTMX)
    page = response.content.decode()
    assert response.status_code == 200 and "<html" not in page
    assert "The expense is removed." in page
    assert _version_event(response) == {"from": 2, "to": 3}
    assert not Expense.objects.exists()


def test_a_comment_placed_in_place_answers_its_section(tenant_a, werkbrief, worker):
    response = worker.post(_url(werkbrief, "comments/"), {"text": "Woensdag later"}, **HTMX)
    page = response.content.decode()
    assert page.lstrip().startswith('<section class="card" id="comments"')
    assert "Your comment is placed." in page and "Woensdag later" in page
    assert "HX-Trigger" not in response  # a comment does not change the werkbrief's version
    assert WerkbriefComment.objects.get().text == "Woensdag later"
    empty = worker.post(_url(werkbrief, "comments/"), {"text": " "}, **HTMX)
    assert "Write a comment first" in empty.content.decode()
