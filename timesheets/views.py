"""The werkbrief screens of workers (phone first) and client contacts (desktop).

Thin views: a selector fetches the werkbrief (404 for anything the person may not see), a form
parses the input, a service does the write, the template shows it. One view serves both roles
where the screen is the same; the URL's namespace (worker/client) says which role it is.
"""

import dataclasses
import datetime as dt

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe
from django_htmx.http import trigger_client_event

from accounts.decorators import module_required, role_required
from agencies.models import Module, Role
from flexportal import uploads
from staffing.selectors import client_contact_for, client_menu_counts, placements_current
from timesheets import display, selectors, services, werkbrief_page, workflow
from timesheets.deadlines import deadline_info, week_before_cutoff, week_start_of
from timesheets.forms import (
    ClientWeekFilterForm,
    CommentForm,
    CorrectionForm,
    ExpenseForm,
    RejectForm,
    WerkbriefFilterForm,
    WerkbriefHoursForm,
)

CONFIRM_ACTION = {"worker": "submit", "client": "approve"}
LIST_PAGE_SIZE = 50
DASHBOARD_ROWS = 10  # the client's dashboard lists this many waiting ones, then summarises


READ = ("GET", "HEAD")
READ_AND_POST = ("GET", "HEAD", "POST")


def _not_allowed(request, allowed=("POST",)) -> HttpResponseNotAllowed | None:
    """405 for a method the screen does not serve (PUT, DELETE, PROPFIND...). Checked after the
    object is fetched, so a foreign id is a 404 whatever the method."""
    if request.method in allowed:
        return None
    return HttpResponseNotAllowed(allowed)


def _namespace(request) -> str:
    return request.resolver_match.namespace


def _url(request, name: str, *args) -> str:
    return reverse(f"{_namespace(request)}:{name}", args=args)


def _today(request) -> dt.date:
    return timezone.localdate(timezone=request.agency.tzinfo)


def _page(request, werkbrief_id) -> werkbrief_page.WerkbriefPage:
    """The werkbrief page's data; 404 for a werkbrief the person may not see."""
    return werkbrief_page.werkbrief_page(
        membership=request.membership,
        agency=request.agency,
        werkbrief_id=werkbrief_id,
        now=timezone.now(),
    )


def _page_of(request, wb) -> werkbrief_page.WerkbriefPage:
    """The page of a werkbrief a service just returned (checked and changed by it)."""
    return werkbrief_page.page_of(
        werkbrief=wb, membership=request.membership, agency=request.agency, now=timezone.now()
    )


def _werkbrief(request, werkbrief_id):
    """The werkbrief alone, for a write that needs no more of it (the service locks and reads
    what it needs); 404 for one the person may not see."""
    return selectors.werkbrief_get(membership=request.membership, werkbrief_id=werkbrief_id)


def _deadline(request, week_start: dt.date):
    return deadline_info(
        request.agency,
        week_start,
        timezone.now(),
        for_client=request.membership.role == Role.CLIENT_CONTACT,
    )


# The werkbrief page -------------------------------------------------------------------------------


@dataclasses.dataclass
class DayRow:
    """One day as the page shows it: the stored day, its form, its buckets and why."""

    day: object
    form: object | None
    lines: list
    why: display.DayExplanation | None
    problems: list[str] = dataclasses.field(default_factory=list)


def _rows(page, forms, buckets: werkbrief_page.Buckets, *, problems=False) -> list[DayRow]:
    """The days with their forms (if any) and buckets; with ``problems``, a day's errors are
    listed beside its buckets too (the preview replaces only those, not the fields)."""
    by_date = {form.date: form for form in forms}
    rows = [
        DayRow(
            day=day,
            form=by_date.get(day.date),
            lines=buckets.day_lines.get(day.date, []),
            why=buckets.day_why.get(day.date),
        )
        for day in page.days
    ]
    if problems:
        for row in rows:
            row.problems = [str(e) for errors in row.form.errors.values() for e in errors]
            for (date, _field), messages_ in buckets.errors.items():
                if date == row.day.date:
                    row.problems += [str(message) for message in messages_]
    return rows


def _typed(form: WerkbriefHoursForm) -> list:
    """The days of a bound hours form that parse; a day with an error counts as empty."""
    return [day.day_input() for day in form.days if not day.errors]


def _context(request, page, *, hours_form=None, extra=None, **forms) -> dict:
    """The page's data and its forms: a form given (bound, with what was typed) or a new one."""
    wb = page.werkbrief
    if page.can_edit and hours_form is None:
        hours_form = WerkbriefHoursForm(werkbrief=wb, days=page.days, hour_types=page.hour_types)
    elif not page.can_edit:
        hours_form = None
    if hours_form is not None and hours_form.is_bound:
        buckets = page.typed_buckets(_typed(hours_form))
    else:
        buckets = page.saved_buckets
    expense_form = forms.get("expense_form")
    if expense_form is None and page.expense_types:
        expense_form = ExpenseForm(werkbrief=wb, expense_types=page.expense_types, days=page.days)
    namespace = _namespace(request)
    return {
        "page": page,
        "wb": wb,
        "namespace": namespace,
        "confirm_action": CONFIRM_ACTION[namespace],
        "rows": _rows(page, hours_form.days if hours_form else [], buckets),
        "buckets": buckets,
        "hours_form": hours_form,
        "expense_form": expense_form,
        "comment_form": forms.get("comment_form") or CommentForm(),
        "reject_form": forms.get("reject_form") or RejectForm(initial={"version": wb.version}),
        "correction_form": (
            (forms.get("correction_form") or CorrectionForm()) if page.done else None
        ),
        **(extra or {}),
    }


def _render_werkbrief(request, page, **forms):
    return render(request, "timesheets/werkbrief.html", _context(request, page, **forms))


def _render_part(request, page, part: str, **forms):
    """A part of the werkbrief page (expenses, comments) for an HTMX request, which leaves the
    rest of the page, typed hours included, as it is; the whole page otherwise."""
    template = "timesheets/werkbrief.html"
    if request.htmx:
        template += f"#{part}"
    return render(request, template, _context(request, page, **forms))


def _version_moved(response, *, before: int, after: int):
    """Tell the page (HTMX) that its own change moved the werkbrief from one version to the
    next, so its forms that saw ``before`` are not taken for stale (static/js/werkbrief.js)."""
    return trigger_client_event(response, "werkbrief-version", {"from": before, "to": after})


def _render_conflict(request, current, typed: WerkbriefHoursForm):
    """Someone saved the werkbrief since this person loaded it. What they typed stays in the
    fields, bound now to the current version so that saving again is a deliberate choice, and
    the days where it differs are shown beside what is saved now. Nothing is saved."""
    page = _page_of(request, current)
    data = request.POST.copy()
    data["version"] = str(page.werkbrief.version)
    form = WerkbriefHoursForm(
        data, werkbrief=page.werkbrief, days=page.days, hour_types=page.hour_types
    )
    form.is_valid()
    conflict = display.typed_against_saved(
        saved=selectors.werkbrief_saved_days(werkbrief=page.werkbrief),
        typed=typed.day_inputs(),
        hour_type_names={t.pk: t.name for t in page.hour_types},
    )
    return _render_werkbrief(request, page, hours_form=form, extra={"conflict": conflict})


@module_required(Module.TIMESHEETS)
def werkbrief_view(request, werkbrief_id):
    """GET shows the werkbrief; POST saves the hours ("Opslaan"), or saves and goes on to the
    confirmation of "Opslaan en accorderen"."""
    page = _page(request, werkbrief_id)
    if refused := _not_allowed(request, READ_AND_POST):
        return refused
    if request.method != "POST":
        return _render_werkbrief(request, page)
    wb = page.werkbrief
    confirm = request.POST.get("action") == CONFIRM_ACTION[_namespace(request)]
    if not page.can_edit:
        messages.error(
            request,
            _("You cannot change the hours of this werkbrief: it is %(status)s.")
            % {"status": wb.get_status_display().lower()},
        )
        return redirect(_url(request, "werkbrief", wb.pk))
    form = WerkbriefHoursForm(
        request.POST,
        werkbrief=wb,
        days=page.days,
        hour_types=page.hour_types,
        submitting=confirm,
    )
    if not form.is_valid():
        return _render_werkbrief(request, page, hours_form=form)
    try:
        # A second click on the same button finds its hours saved: the service returns the
        # werkbrief as it is, and the page says they are saved, as the first click did.
        wb = services.werkbrief_save_hours(
            werkbrief=wb,
            membership=request.membership,
            version=form.seen_version,
            days=form.day_inputs(),
        )
    except services.HoursInvalid as error:
        form.add_service_errors(error.errors)
        return _render_werkbrief(request, page, hours_form=form)
    except services.ConcurrentChange as error:
        return _render_conflict(request, error.werkbrief, form)
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
        return redirect(_url(request, "werkbrief", wb.pk))
    if confirm:
        return redirect(_url(request, "werkbrief_" + CONFIRM_ACTION[_namespace(request)], wb.pk))
    if _namespace(request) == "client":
        messages.success(request, _("The hours are saved. They are not approved yet."))
    else:
        messages.success(request, _("Your hours are saved. They are not submitted yet."))
    return redirect(_url(request, "werkbrief", wb.pk))


@module_required(Module.TIMESHEETS)
def werkbrief_preview(request, werkbrief_id):
    """The buckets of the hours as typed, unravelled without saving (HTMX, while typing)."""
    page = _page(request, werkbrief_id)
    if refused := _not_allowed(request):
        return refused
    if not page.can_edit:
        return HttpResponse(status=204)
    form = WerkbriefHoursForm(
        request.POST, werkbrief=page.werkbrief, days=page.days, hour_types=page.hour_types
    )
    form.is_valid()
    buckets = page.typed_buckets(_typed(form))
    context = {
        "page": page,
        "wb": page.werkbrief,
        "oob": True,
        "buckets": buckets,
        "rows": _rows(page, form.days, buckets, problems=True),
    }
    return render(request, "timesheets/werkbrief.html#preview", context)


@module_required(Module.TIMESHEETS)
def werkbrief_confirm(request, werkbrief_id):
    """The confirmation of "Opslaan en accorderen": the week's totals, then submit (worker) or
    approve (client). A second identical POST finds the new version and says it is done."""
    action = CONFIRM_ACTION[_namespace(request)]
    if request.method == "POST":  # the service reads what it needs itself
        return _confirm_post(request, _werkbrief(request, werkbrief_id), action)
    page = _page(request, werkbrief_id)
    if refused := _not_allowed(request, READ_AND_POST):
        return refused
    wb = page.werkbrief
    if action not in page.actions:
        messages.error(
            request,
            _("This werkbrief cannot be %(done)s now: it is %(status)s.")
            % {"done": _done_word(action), "status": wb.get_status_display().lower()},
        )
        return redirect(_url(request, "werkbrief", wb.pk))
    context = _context(request, page)
    context["action"] = action
    return render(request, "timesheets/werkbrief_confirm.html", context)


def _done_word(action: str) -> str:
    return _("submitted") if action == "submit" else _("approved")


def _confirm_post(request, wb, action):
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        wb = services.werkbrief_transition(
            werkbrief=wb, membership=request.membership, action=action, version=version
        )
    except services.ConcurrentChange as error:
        current = error.werkbrief
        if current.status == services.TRANSITIONS[action].target:
            messages.info(
                request,
                _("This werkbrief is already %(done)s; there is nothing more to do.")
                % {"done": _done_word(action)},
            )
        else:
            messages.error(request, error.message)
        return redirect(_url(request, "werkbrief", wb.pk))
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
        return redirect(_url(request, "werkbrief", wb.pk))
    if action == "submit":
        messages.success(
            request,
            _("Your hours of week %(week)s are submitted. The client checks and approves them.")
            % {"week": wb.iso_year_week[1]},
        )
        return redirect(_url(request, "werkbrief", wb.pk))
    messages.success(
        request,
        _("The hours of %(worker)s for week %(week)s are approved.")
        % {"worker": wb.placement.worker.full_name, "week": wb.iso_year_week[1]},
    )
    return redirect(_url(request, "dashboard"))


@module_required(Module.TIMESHEETS)
def werkbrief_reject(request, werkbrief_id):
    wb = _werkbrief(request, werkbrief_id)
    if refused := _not_allowed(request):
        return refused
    form = RejectForm(request.POST)
    if not form.is_valid():
        return _render_werkbrief(request, _page_of(request, wb), reject_form=form)
    try:
        wb = services.werkbrief_reject(
            werkbrief=wb,
            membership=request.membership,
            version=form.cleaned_data["version"],
            reason=form.cleaned_data["reason"],
        )
    except services.ConcurrentChange as error:
        if workflow.is_sent_back(state=error.werkbrief.status):
            messages.info(request, _("This werkbrief is already rejected."))
        else:
            messages.error(request, error.message)
        return redirect(_url(request, "werkbrief", wb.pk))
    except services.TransitionNotAllowed as error:
        messages.error(request, error.message)
        return redirect(_url(request, "werkbrief", wb.pk))
    messages.success(
        request,
        _("The werkbrief is rejected. %(worker)s gets your reason by e-mail.")
        % {"worker": wb.placement.worker.full_name},
    )
    return redirect(_url(request, "dashboard"))


# Expenses ----------------------------------------------------------------------------------------


@module_required(Module.TIMESHEETS)
@module_required(Module.EXPENSES)
def expense_add(request, werkbrief_id):
    page = _page(request, werkbrief_id)
    wb = page.werkbrief
    if refused := _not_allowed(request):
        return refused
    form = ExpenseForm(
        request.POST,
        request.FILES,
        werkbrief=wb,
        expense_types=selectors.expense_types_for(agency_id=wb.agency_id),
        days=page.days,
    )
    if not form.is_valid():
        return _render_part(request, page, "expenses", expense_form=form)
    data = form.cleaned_data
    try:
        expense = services.expense_add(
            werkbrief=wb,
            membership=request.membership,
            version=data["version"],
            expense_type=data["expense_type"],
            date=data["date"],
            amount=data.get("amount"),
            kilometres=data.get("kilometres"),
            description=data.get("description") or "",
            receipt=data.get("receipt"),
        )
    except services.WerkbriefError as error:
        current = _page_of(request, error.werkbrief) if error.werkbrief else page
        if isinstance(error, services.ConcurrentChange):
            # What was typed stays, to add again against what is saved now.
            form = _expense_form_again(request, current.werkbrief, form)
        return _render_part(
            request, current, "expenses", expense_form=form, extra={"expense_error": error.message}
        )
    if request.htmx:
        response = _render_part(
            request,
            _page_of(request, expense.werkbrief),
            "expenses",
            extra={"expense_notice": _("The expense is added.")},
        )
        return _version_moved(response, before=data["version"], after=expense.werkbrief.version)
    messages.success(request, _("The expense is added."))
    return redirect(_url(request, "werkbrief", wb.pk) + "#expenses")


def _expense_form_again(request, wb, form: ExpenseForm) -> ExpenseForm:
    data = request.POST.copy()
    data["version"] = str(wb.version)
    again = ExpenseForm(
        data,
        werkbrief=wb,
        expense_types=selectors.expense_types_for(agency_id=wb.agency_id),
        days=list(wb.days.all()),
    )
    again.is_valid()
    return again


def expense_remove(request, expense_id):
    expense = selectors.expense_get(membership=request.membership, expense_id=expense_id)
    wb = expense.werkbrief
    if refused := _not_allowed(request):
        return refused
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = 0
    try:
        current = services.expense_remove(
            expense=expense, membership=request.membership, version=version
        )
    except services.WerkbriefError as error:
        if request.htmx:
            return _render_part(
                request,
                _page_of(request, error.werkbrief or wb),
                "expenses",
                extra={"expense_error": error.message},
            )
        messages.error(request, error.message)
        return redirect(_url(request, "werkbrief", wb.pk) + "#expenses")
    if request.htmx:
        response = _render_part(
            request,
            _page_of(request, current),
            "expenses",
            extra={"expense_notice": _("The expense is removed.")},
        )
        return _version_moved(response, before=version, after=current.version)
    messages.success(request, _("The expense is removed."))
    return redirect(_url(request, "werkbrief", wb.pk) + "#expenses")


def expense_receipt(request, expense_id):
    """A receipt, only for who may see its werkbrief (files are never served by URL)."""
    expense = selectors.expense_get(membership=request.membership, expense_id=expense_id)
    if refused := _not_allowed(request, READ):
        return refused
    return receipt_response(expense)


def receipt_response(expense):
    """The receipt of an expense the caller has checked access to (the portal's pages and the
    back office's serve it the same way)."""
    if not expense.receipt:
        raise Http404
    name = uploads.download_name(_("receipt"), expense.date.isoformat())
    return uploads.file_response(expense.receipt, name=name)


# Comments and corrections ------------------------------------------------------------------------


@module_required(Module.TIMESHEETS)
def werkbrief_comment(request, werkbrief_id):
    wb = _werkbrief(request, werkbrief_id)
    if refused := _not_allowed(request):
        return refused
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _render_part(request, _page_of(request, wb), "comments", comment_form=form)
    services.werkbrief_comment_add(
        werkbrief=wb, membership=request.membership, text=form.cleaned_data["text"]
    )
    if request.htmx:
        return _render_part(
            request,
            _page_of(request, wb),
            "comments",
            extra={"comment_notice": _("Your comment is placed.")},
        )
    messages.success(request, _("Your comment is placed."))
    return redirect(_url(request, "werkbrief", wb.pk) + "#comments")


@module_required(Module.TIMESHEETS)
def werkbrief_correction(request, werkbrief_id):
    wb = _werkbrief(request, werkbrief_id)
    if refused := _not_allowed(request):
        return refused
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        return _render_werkbrief(request, _page_of(request, wb), correction_form=form)
    try:
        services.correction_request_create(
            werkbrief=wb, membership=request.membership, message=form.cleaned_data["message"]
        )
    except services.WerkbriefError as error:
        form.add_error("message", str(error.message))
        return _render_werkbrief(request, _page_of(request, wb), correction_form=form)
    messages.success(
        request, _("Your correction request is sent to %(agency)s.") % {"agency": request.agency}
    )
    return redirect(_url(request, "werkbrief", wb.pk) + "#corrections")


# Home pages and lists ----------------------------------------------------------------------------


@role_required(Role.FLEXWORKER)
@require_safe
def worker_home(request):
    """The worker's dashboard: the werkbrief to fill (last week by default), the other open
    weeks (the manuals' blue bar), the actions waiting and the deadline."""
    membership = request.membership
    today = _today(request)
    context = {
        "placements": placements_current(membership=membership, on=today),
        "home": None,
        "timesheets": request.agency.has_module(Module.TIMESHEETS),
    }
    if context["timesheets"]:
        home = selectors.worker_home(membership=membership, today=today)
        context["home"] = home
        context["waiting"] = [home.current, *home.other_open] if home.current else []
        if home.current is not None:
            context["deadline"] = _deadline(request, home.current.week_start)
    return render(request, "timesheets/worker_home.html", context)


@role_required(Role.FLEXWORKER)
@require_safe
@module_required(Module.TIMESHEETS)
def worker_werkbrieven(request):
    """The declaration status overview: everything open, and what was approved lately."""
    today = _today(request)
    werkbrieven = selectors.worker_status_overview(
        membership=request.membership,
        today=today,
        visible_days=request.agency.approved_visible_days,
    )
    form = WerkbriefFilterForm(request.GET or None)
    werkbrieven = form.filter(werkbrieven, today=today)
    page = Paginator(werkbrieven, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "timesheets/werkbrief_list.html",
        {"werkbrieven": page.object_list, "filter_form": form, "page": page},
    )


@role_required(Role.CLIENT_CONTACT)
@require_safe
def client_home(request):
    """The client's dashboard: the menu counts and what waits for approval: the first
    DASHBOARD_ROWS werkbriefjes, then a count per week with a link to each week's list."""
    membership = request.membership
    contact = client_contact_for(membership=membership)
    today = _today(request)
    context = {
        "contact": contact,
        "counts": client_menu_counts(contact=contact, today=today),
        "timesheets": request.agency.has_module(Module.TIMESHEETS),
    }
    if context["timesheets"]:
        dashboard = selectors.client_dashboard(
            membership=membership, today=today, rows=DASHBOARD_ROWS
        )
        context["werkbrief_counts"] = dashboard.counts
        now = timezone.now()
        context["awaiting"] = [
            (wb, deadline_info(request.agency, wb.week_start, now, for_client=True))
            for wb in dashboard.awaiting
        ]
        context["awaiting_more"] = dashboard.counts["waiting"] - len(dashboard.awaiting)
        context["awaiting_weeks"] = dashboard.weeks
        # The next cut-off (last week's until it passes, then this week's): the week the
        # client's reminders are about too.
        week = week_before_cutoff(request.agency, now, for_client=True)
        context["deadline"] = deadline_info(request.agency, week, now, for_client=True)
        context["deadline_week"] = week.isocalendar()[1]
    return render(request, "timesheets/client_home.html", context)


@role_required(Role.CLIENT_CONTACT)
@require_safe
@module_required(Module.TIMESHEETS)
def client_werkbrieven(request):
    """The werkbriefjes of the contact's departments one week at a time (the manuals'
    "declaraties per week"; last week by default), by name, a page at a time, filtered by
    status or on what waits for the contact."""
    form = ClientWeekFilterForm(request.GET or None)
    this_week = week_start_of(_today(request))
    week = form.week_start(default=this_week - dt.timedelta(weeks=1))
    status, waiting = form.status_and_waiting()
    page = selectors.client_week_page(
        membership=request.membership,
        week_start=week,
        status=status,
        waiting=waiting,
        number=request.GET.get("page"),
        per_page=LIST_PAGE_SIZE,
    )
    # Next week's werkbriefjes exist already (made a week ahead); none after that.
    last_week = this_week + dt.timedelta(weeks=1)
    return render(
        request,
        "timesheets/werkbrief_list.html",
        {
            "werkbrieven": page.object_list,
            "filter_form": form,
            "page": page,
            "week": week,
            "week_end": week + dt.timedelta(days=6),
            "previous_week": (week - dt.timedelta(weeks=1)).isoformat(),
            "next_week": (week + dt.timedelta(weeks=1)).isoformat() if week < last_week else "",
        },
    )


# Each screen for the role(s) that use it ---------------------------------------------------------

_worker = role_required(Role.FLEXWORKER)
_client = role_required(Role.CLIENT_CONTACT)


worker_werkbrief = _worker(werkbrief_view)
worker_werkbrief_preview = _worker(werkbrief_preview)
worker_werkbrief_submit = _worker(werkbrief_confirm)
worker_expense_add = _worker(expense_add)
worker_expense_remove = _worker(expense_remove)
worker_expense_receipt = _worker(expense_receipt)
worker_werkbrief_comment = _worker(werkbrief_comment)
worker_werkbrief_correction = _worker(werkbrief_correction)

client_werkbrief = _client(werkbrief_view)
client_werkbrief_preview = _client(werkbrief_preview)
client_werkbrief_approve = _client(werkbrief_confirm)
client_werkbrief_reject = _client(werkbrief_reject)
client_expense_add = _client(expense_add)
client_expense_remove = _client(expense_remove)
client_expense_receipt = _client(expense_receipt)
client_werkbrief_comment = _client(werkbrief_comment)
client_werkbrief_correction = _client(werkbrief_correction)
