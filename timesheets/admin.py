"""The back office for werkbriefjes, hour and expense types, corrections and CAO schemes.

Status changes and corrections go through timesheets.services, never around it: the admin has no
editable status field, and its actions call the one state machine.
"""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.forms.utils import ErrorDict
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from agencies.models import Role
from flexportal.admin_forms import (
    AgencyScopedModelForm,
    JSONRefused,
    RecentWeeksFilter,
    json_loads_checked,
    week_label,
)
from flexportal.admin_sites import (
    AgencyScopedAdmin,
    AgencyScopedStackedInline,
    AgencyScopedTabularInline,
    ServiceWritesAdmin,
    backoffice_site,
)
from staffing.models import Placement
from timesheets import deadlines, display, records, services, werkbrief_page, workflow
from timesheets.forms import WerkbriefHoursForm
from timesheets.hours import format_minutes
from timesheets.models import (
    Absence,
    CaoScheme,
    CaoSchemeVersion,
    CorrectionRequest,
    Expense,
    ExpenseType,
    HourType,
    Status,
    Werkbrief,
    WerkbriefChange,
    WerkbriefComment,
    WerkbriefDay,
    WerkbriefTransition,
)
from timesheets.unravel.engine import MAX_YEAR as LAST_YEAR
from timesheets.unravel.engine import MIN_YEAR as FIRST_YEAR

LINE_BREAK = mark_safe("<br>")  # a constant
SHOWN_REFUSED = 10  # werkbriefjes named in a bulk action's warning; the rest are counted


def staff_membership(request):
    return next(m for m in request.memberships if m.role == Role.STAFF)


class TimesheetsAdmin(ServiceWritesAdmin):
    """Changes and deletions (also of inline rows: a CAO scheme's versions) through
    ``timesheets.records``."""

    record_save = staticmethod(records.timesheets_record_save)
    record_delete = staticmethod(records.timesheets_record_delete)


# CAO schemes --------------------------------------------------------------------------------------


class CaoSchemeVersionInline(AgencyScopedStackedInline):
    model = CaoSchemeVersion
    fields = ["valid_from", "document"]


class CaoSchemeImportForm(forms.Form):
    file = forms.FileField(
        label=_("scheme file (JSON)"), help_text=_("A cao-ontrafel/1 document, at most 1 MB.")
    )
    valid_from = forms.DateField(label=_("valid from"))
    name = forms.CharField(
        label=_("name"),
        required=False,
        help_text=_("Empty: the name in the document. An existing name adds a version."),
    )

    def clean_file(self):
        import json

        upload = self.cleaned_data["file"]
        if upload.size > 1024 * 1024:
            raise ValidationError(_("The file is larger than 1 MB."))
        try:
            document = json_loads_checked(upload.read().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as error:
            raise ValidationError(
                _("This is not a JSON file: %(error)s"), params={"error": error}
            ) from None
        except JSONRefused as refused:
            raise ValidationError(refused.message) from None
        if not isinstance(document, dict):
            raise ValidationError(_("The file must hold one scheme (a JSON object)."))
        return document


@admin.register(CaoScheme, site=backoffice_site)
class CaoSchemeAdmin(TimesheetsAdmin):
    list_display = ["name", "is_example", "version_count", "updated_at"]
    search_fields = ["name"]
    inlines = [CaoSchemeVersionInline]
    actions = ["export_json"]
    change_list_template = "admin/timesheets/caoscheme/change_list.html"

    def get_queryset(self, request):
        from django.db.models import Count

        return super().get_queryset(request).annotate(version_total=Count("versions"))

    @admin.display(description=_("versions"), ordering="version_total")
    def version_count(self, obj):
        return obj.version_total

    @admin.action(description=_("Export the selected schemes as JSON"))
    def export_json(self, request, queryset):
        """One scheme: its newest document, ready to import elsewhere; several: all versions."""
        import json

        from django.http import HttpResponse

        schemes = list(queryset.prefetch_related("versions"))
        if len(schemes) == 1:
            newest = schemes[0].versions.order_by("-valid_from").first()
            payload = newest.document if newest else {}
            filename = f"{schemes[0].name}.json"
        else:
            payload = [
                {
                    "name": s.name,
                    "versions": [
                        {"valid_from": v.valid_from.isoformat(), "document": v.document}
                        for v in s.versions.order_by("valid_from")
                    ],
                }
                for s in schemes
            ]
            filename = "cao-schemes.json"
        response = HttpResponse(
            json.dumps(payload, indent=2, ensure_ascii=False),
            content_type="application/json; charset=utf-8",
        )
        safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in filename)
        response["Content-Disposition"] = f'attachment; filename="{safe}"'
        return response

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "import/",
                self.admin_site.admin_view(self.import_view),
                name="timesheets_caoscheme_import",
            ),
            *super().get_urls(),
        ]

    def import_view(self, request):
        from django.template.response import TemplateResponse

        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = CaoSchemeImportForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            try:
                scheme = services.cao_scheme_import(
                    agency=request.agency,
                    document=form.cleaned_data["file"],
                    valid_from=form.cleaned_data["valid_from"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error("file", message)
            else:
                self.message_user(request, _("The scheme is imported."), messages.SUCCESS)
                return HttpResponseRedirect(
                    reverse("admin:timesheets_caoscheme_change", args=[scheme.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Import a CAO scheme"),
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/timesheets/caoscheme/import.html", context)


# Hour and expense types ---------------------------------------------------------------------------


@admin.register(HourType, site=backoffice_site)
class HourTypeAdmin(TimesheetsAdmin):
    list_display = ["name", "code", "kind", "percentage", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]


@admin.register(ExpenseType, site=backoffice_site)
class ExpenseTypeAdmin(TimesheetsAdmin):
    list_display = ["name", "kind", "rate", "max_amount", "requires_receipt", "is_active"]
    list_filter = ["kind", "requires_receipt", "is_active"]
    search_fields = ["name"]


# Werkbriefjes -------------------------------------------------------------------------------------


class ReadOnlyInline(AgencyScopedTabularInline):
    """A part of the werkbrief's record shown as a table; changed only through the services."""

    can_delete = False
    template = "admin/edit_inline/readonly_table.html"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


def bucket_infos(werkbrief: Werkbrief) -> dict:
    """The names of a werkbrief's buckets: its CAO scheme's, or the agency's hour types."""
    if werkbrief.cao_version_id:
        return display.bucket_infos_for_scheme(werkbrief.cao_version.document)
    return display.bucket_infos_for_hour_types(HourType.objects.filter(agency=werkbrief.agency_id))


def bucket_list(buckets: dict, infos: dict) -> str:
    """Buckets as a person reads them: "Overuren 125 %: 1:00", one per line."""
    lines = display.bucket_lines(buckets or {}, infos)
    if not lines:
        return "—"
    return format_html_join(
        mark_safe("<br>"),
        "{} {}: {}",
        ((line.label, line.pct, line.hours) for line in lines),
    )


class _BucketNames:
    """Bucket names per werkbrief, looked up once per page (not once per row)."""

    def _infos(self, werkbrief: Werkbrief) -> dict:
        cache = self.__dict__.setdefault("_infos_cache", {})
        if werkbrief.pk not in cache:
            cache[werkbrief.pk] = bucket_infos(werkbrief)
        return cache[werkbrief.pk]


class DayInline(_BucketNames, ReadOnlyInline):
    model = WerkbriefDay
    fields = ["day", "start", "end", "break_minutes", "worked", "absence_kind", "absent", "note"]
    fields += ["bucket_list"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("werkbrief__cao_version")

    @admin.display(description=_("day"))
    def day(self, obj):
        return capfirst(date_format(obj.date, "l j F"))

    @admin.display(description=_("worked"))
    def worked(self, obj):
        return format_minutes(obj.worked_minutes)

    @admin.display(description=_("absence"))
    def absence_kind(self, obj):
        return obj.get_absence_display() if obj.absence else ""

    @admin.display(description=_("absence hours"))
    def absent(self, obj):
        return format_minutes(obj.absence_minutes) if obj.absence_minutes else ""

    @admin.display(description=_("hours by kind"))
    def bucket_list(self, obj):
        return bucket_list(obj.buckets, self._infos(obj.werkbrief))


class TransitionInline(ReadOnlyInline):
    model = WerkbriefTransition
    fields = ["at", "from_status", "to_status", "actor", "comment"]
    readonly_fields = fields
    verbose_name_plural = _("status history")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ChangeInline(ReadOnlyInline):
    model = WerkbriefChange
    fields = ["at", "date", "what", "before_value", "after_value", "actor", "reason"]
    fields += ["payroll_week"]
    readonly_fields = fields
    verbose_name_plural = _("changes of hours")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")

    def _hour_types(self, agency_id) -> dict:
        """The agency's hour types by id and by code, read once per page."""
        if "_hour_types_cache" not in self.__dict__:
            hour_types = list(HourType.objects.filter(agency=agency_id))
            self._hour_types_cache = {str(h.pk): h for h in hour_types} | {
                h.code: h for h in hour_types
            }
        return self._hour_types_cache

    @admin.display(description=_("what"))
    def what(self, obj):
        return change_label(obj.field, self._hour_types(obj.agency_id))

    @admin.display(description=_("before"))
    def before_value(self, obj):
        return change_value(obj.field, obj.before)

    @admin.display(description=_("after"))
    def after_value(self, obj):
        return change_value(obj.field, obj.after)


def change_label(field: str, hour_types: dict) -> str:
    """A recorded change's field as a label: "end", or the hour type of hours entered by hand
    (stored as ``manual:`` and the hour type's id or code)."""
    if field.startswith("manual:"):
        hour_type = hour_types.get(field.split(":", 1)[1])
        if hour_type is not None:
            return f"{display.change_field_label(field)}: {hour_type.name}"
    return display.change_field_label(field)


def change_value(field: str, value: str) -> str:
    """A recorded value as a person reads it: an absence by its name, nothing as a dash."""
    if field == "absence" and value:
        return str(dict(Absence.choices).get(value, value))
    return value or "—"


class CommentInline(ReadOnlyInline):
    model = WerkbriefComment
    fields = ["created_at", "author", "text"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("author")


class CorrectionRequestInline(ReadOnlyInline):
    model = CorrectionRequest
    fields = ["created_at", "requested_by", "message", "state", "handled_by", "handled_at"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("requested_by", "handled_by")


def receipt_link(expense: Expense) -> str:
    """The receipt, opened through the back office's own view (it checks the agency)."""
    if not expense.receipt:
        return gettext("no receipt")
    url = reverse("admin:timesheets_expense_receipt", args=[expense.pk])
    return format_html('<a href="{}">{}</a>', url, expense.receipt_name or gettext("receipt"))


def euros(amount) -> str:
    return number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)


class ExpenseInline(ReadOnlyInline):
    model = Expense
    fields = ["date", "expense_type", "amount_display", "kilometres", "description"]
    fields += ["receipt_display"]
    readonly_fields = fields

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("expense_type")

    @admin.display(description=_("amount (EUR)"))
    def amount_display(self, obj):
        return euros(obj.amount)

    @admin.display(description=_("receipt"))
    def receipt_display(self, obj):
        return receipt_link(obj)


WeekFilter = RecentWeeksFilter


class ExpenseWeekFilter(RecentWeeksFilter):
    field = "werkbrief__week_start"


class ExpenseStatusFilter(admin.SimpleListFilter):
    """The status of the expense's werkbrief: what is approved can be paid."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return Status.choices

    def queryset(self, request, queryset):
        if self.value() in Status.values:
            return queryset.filter(werkbrief__status=self.value())
        return queryset


class WerkbriefAddForm(AgencyScopedModelForm):
    """Creating a werkbrief by hand: a placement and a week; the days follow from them."""

    week = forms.DateField(
        label=_("a day in the week"), help_text=_("Any day of the ISO week; it starts on Monday.")
    )

    def clean_week(self):
        # The years the unravelling engine computes; beyond them (9999-12-31) the days of the
        # week would not even exist.
        day = self.cleaned_data["week"]
        if not FIRST_YEAR <= day.year <= LAST_YEAR:
            raise ValidationError(
                _("Choose a week between %(first)d and %(last)d."),
                params={"first": FIRST_YEAR, "last": LAST_YEAR},
            )
        return day

    class Meta:
        model = Werkbrief
        fields = ["placement"]

    def clean(self):
        # The rules are the service's (werkbrief_add); its refusal lands at the week.
        cleaned = super().clean()
        placement, day = cleaned.get("placement"), cleaned.get("week")
        if placement and day:
            try:
                services.werkbrief_add_check(placement=placement, day=day)
            except services.WerkbriefError as refused:
                raise ValidationError({"week": refused.message}) from None
        return cleaned


@admin.register(Werkbrief, site=backoffice_site)
class WerkbriefAdmin(TimesheetsAdmin):
    list_display = [
        "week_label",
        "worker",
        "client",
        "department",
        "status",
        "worked",
        "payroll_run",
        "created_by_hand",
    ]
    list_filter = [
        "status",
        WeekFilter,
        ("placement__department__client", admin.RelatedOnlyFieldListFilter),
        "created_by_hand",
    ]
    search_fields = [
        "placement__worker__first_name",
        "placement__worker__last_name",
        "placement__worker__employee_number",
        "placement__department__client__name",
    ]
    list_select_related = ["placement__worker", "placement__department__client"]
    date_hierarchy = "week_start"
    actions = ["close_selected", "process_selected"]
    inlines = [
        DayInline,
        ExpenseInline,
        TransitionInline,
        ChangeInline,
        CommentInline,
        CorrectionRequestInline,
    ]
    readonly_fields = [
        "placement",
        "week_label",
        "status",
        "worked",
        "buckets_display",
        "calculation_error",
        "calculation_notes",
        "cao_version",
        "submitted_at",
        "approved_at",
        "payroll_run",
        "rejection_reason",
        "created_by_hand",
    ]
    fields = readonly_fields

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = WerkbriefAddForm
            kwargs["fields"] = ["placement"]
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["placement", "week"] if obj is None else self.fields

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def get_inlines(self, request, obj):
        return [] if obj is None else self.inlines

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "placement":
            kwargs["queryset"] = Placement.objects.filter(agency=request.agency).select_related(
                "worker", "department__client"
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing is edited here; hours are corrected through the service
        created = services.werkbrief_add(
            placement=form.cleaned_data["placement"], day=form.cleaned_data["week"]
        )
        # The admin logs and redirects with ``obj``: make it the werkbrief the service made.
        for name in ("pk", "agency_id", "placement_id", "week_start", "status", "version"):
            setattr(obj, name, getattr(created, name))

    def has_delete_permission(self, request, obj=None):
        # A werkbrief is evidence for payroll; it is never deleted, only corrected.
        return False

    def has_change_permission(self, request, obj=None):
        # Nothing on the page is edited: hours are corrected on their own page ("Correct
        # hours"), statuses by the actions. The page is a view, without Save buttons.
        return False

    @admin.display(description=_("week"), ordering="week_start")
    def week_label(self, obj):
        return week_label(obj.week_start)

    @admin.display(description=_("flexworker"), ordering="placement__worker__last_name")
    def worker(self, obj):
        return obj.placement.worker

    @admin.display(description=_("client"), ordering="placement__department__client__name")
    def client(self, obj):
        return obj.placement.department.client.name

    @admin.display(description=_("department"))
    def department(self, obj):
        return obj.placement.department.name

    @admin.display(description=_("worked"), ordering="worked_minutes")
    def worked(self, obj):
        return format_minutes(obj.worked_minutes)

    @admin.display(description=_("hours by kind"))
    def buckets_display(self, obj):
        return bucket_list(obj.buckets, bucket_infos(obj))

    @admin.display(description=_("payroll run"), ordering="payroll_week")
    def payroll_run(self, obj):
        return week_label(obj.payroll_week) if obj.payroll_week else "—"

    @admin.display(description=_("calculation error"))
    def calculation_error(self, obj):
        return display.unravel_error_text(obj.unravel_error) or "—"

    @admin.display(description=_("notes of the calculation"))
    def calculation_notes(self, obj):
        notes = [display.unravel_warning_text(code) for code in obj.unravel_warnings or []]
        return format_html_join(LINE_BREAK, "{}", ((n,) for n in notes)) or "—"

    def _bulk(self, request, queryset, action):
        moved, refused = services.werkbrieven_bulk_transition(
            werkbrief_ids=queryset.values_list("pk", flat=True),
            membership=staff_membership(request),
            action=action,
        )
        if moved:
            self.message_user(
                request,
                ngettext("%(n)d werkbrief moved.", "%(n)d werkbriefjes moved.", moved)
                % {"n": moved},
                messages.SUCCESS,
            )
        # One message per reason, naming a few: a selection of thousands stays readable.
        by_reason: dict[str, list] = {}
        for werkbrief, why in refused:
            by_reason.setdefault(why, []).append(werkbrief)
        for why, sheets in by_reason.items():
            which = ", ".join(str(wb) for wb in sheets[:SHOWN_REFUSED])
            if len(sheets) > SHOWN_REFUSED:
                which = gettext("%(names)s and %(n)d more") % {
                    "names": which,
                    "n": len(sheets) - SHOWN_REFUSED,
                }
            self.message_user(
                request,
                ngettext(
                    "%(n)d werkbrief is left as it was (%(which)s): %(why)s",
                    "%(n)d werkbriefjes are left as they were (%(which)s): %(why)s",
                    len(sheets),
                )
                % {"n": len(sheets), "which": which, "why": why},
                messages.WARNING,
            )

    @admin.action(description=_("Close the selected approved werkbriefjes (Afgerond)"))
    def close_selected(self, request, queryset):
        self._bulk(request, queryset, "close")

    @admin.action(description=_("Mark the selected closed werkbriefjes as processed (Verwerkt)"))
    def process_selected(self, request, queryset):
        self._bulk(request, queryset, "process")

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<uuid:werkbrief_id>/correct/",
                self.admin_site.admin_view(self.correct_view),
                name="timesheets_werkbrief_correct",
            ),
            *super().get_urls(),
        ]

    def correct_view(self, request, werkbrief_id):
        """Correct hours (also after approval) with a reason: through the service, audited."""
        from django.http import Http404
        from django.template.response import TemplateResponse

        werkbrief = self.get_queryset(request).filter(pk=werkbrief_id).first()
        if werkbrief is None:
            raise Http404
        days = list(werkbrief.days.order_by("date").prefetch_related("manual_hours"))
        form = CorrectionForm(
            request.POST or None,
            werkbrief=werkbrief,
            days=days,
            hour_types=werkbrief_page.manual_hour_types(werkbrief=werkbrief),
        )
        open_requests = list(
            werkbrief.correction_requests.filter(state=CorrectionRequest.State.OPEN)
            .select_related("requested_by")
            .order_by("created_at")
        )
        if request.method == "POST" and form.is_valid():
            now = timezone.now()
            try:
                services.werkbrief_save_hours(
                    werkbrief=werkbrief,
                    membership=staff_membership(request),
                    version=form.seen_version,
                    days=form.day_inputs(),
                    reason=form.cleaned_data["reason"],
                    now=now,
                )
            except services.HoursInvalid as invalid:
                form.add_service_errors(invalid.errors)
            except services.WerkbriefError as error:
                form.add_error(None, error.message)
            else:
                self._corrected_messages(request, werkbrief, now)
                return HttpResponseRedirect(
                    reverse("admin:timesheets_werkbrief_change", args=[werkbrief.pk])
                )
        context = {
            **self.admin_site.each_context(request),
            "title": _("Correct hours of %(werkbrief)s") % {"werkbrief": werkbrief},
            "werkbrief": werkbrief,
            "form": form,
            "opts": self.model._meta,
            "rows": form.rows(),
            "open_requests": open_requests,
            # A processed werkbrief was paid already: the correction goes to a later run.
            "correction_payroll_week": (
                deadlines.correction_payroll_week(request.agency, werkbrief, timezone.now())
                if workflow.correction_paid_later(state=werkbrief.status)
                else None
            ),
        }
        return TemplateResponse(request, "admin/timesheets/werkbrief/correct.html", context)

    def _corrected_messages(self, request, werkbrief, now) -> None:
        latest = werkbrief.changes.filter(at=now).first()
        if latest is None:
            self.message_user(request, _("Nothing changed."), messages.INFO)
            return
        self.message_user(request, _("The hours are corrected."), messages.SUCCESS)
        if latest.payroll_week:
            self.message_user(
                request,
                _(
                    "This werkbrief was processed already: the correction is recorded for the "
                    "payroll run of %(week)s."
                )
                % {"week": week_label(latest.payroll_week)},
                messages.WARNING,
            )
        answered = werkbrief.correction_requests.filter(
            state=CorrectionRequest.State.HANDLED, handled_at=now
        ).count()
        if answered:
            self.message_user(
                request,
                ngettext(
                    "%(n)d correction request is handled by it; the person who asked gets a mail.",
                    "%(n)d correction requests are handled by it; the people who asked get a mail.",
                    answered,
                )
                % {"n": answered},
                messages.SUCCESS,
            )

    def response_add(self, request, obj, post_url_continue=None):
        return HttpResponseRedirect(reverse("admin:timesheets_werkbrief_change", args=[obj.pk]))


class CorrectionForm(WerkbriefHoursForm):
    """The correction of the back office: the portal's hours form (the same fields, parsing and
    messages, errors at the day and bucket where they are), with the reason the service asks
    of a correction. Its fields are named by ISO date (2026-03-02-start)."""

    day_prefix = "{:%Y-%m-%d}"
    reason = forms.CharField(
        label=_("reason for the correction"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def rows(self):
        """Each day with its fields, in the order of the table's columns."""
        return [
            (day.day, [*day.time_fields(), *day.more_fields(), *day.manual_fields()])
            for day in self.days
        ]

    @property
    def errors(self):
        """The form's own errors and each day's, by the name of the field on the page."""
        merged = ErrorDict(super().errors)
        for day in self.days:
            for name, errors in day.errors.items():
                merged[day.add_prefix(name)] = errors
        return merged

    def add_service_errors(self, errors: dict) -> None:
        rest = {}
        for (date, name), messages_ in errors.items():
            if name == "reason":
                for message in messages_:
                    self.add_error("reason", str(message))
            else:
                rest[(date, name)] = messages_
        super().add_service_errors(rest)


@admin.register(Expense, site=backoffice_site)
class ExpenseAdmin(AgencyScopedAdmin):
    """Every expense the workers declared, to check and pay; read only (workers and clients
    add and remove them on the werkbrief). Receipts open through a view that checks that the
    expense is this agency's."""

    list_display = [
        "date",
        "worker",
        "client",
        "week",
        "expense_type",
        "amount_display",
        "kilometres",
        "description",
        "receipt_display",
        "werkbrief_status",
    ]
    list_display_links = ["date", "worker"]
    list_filter = [
        ExpenseWeekFilter,
        ("werkbrief__placement__department__client", admin.RelatedOnlyFieldListFilter),
        ("expense_type", admin.RelatedOnlyFieldListFilter),
        ExpenseStatusFilter,
    ]
    search_fields = [
        "werkbrief__placement__worker__first_name",
        "werkbrief__placement__worker__last_name",
        "werkbrief__placement__worker__employee_number",
        "description",
    ]
    list_select_related = [
        "expense_type",
        "werkbrief__placement__worker",
        "werkbrief__placement__department__client",
    ]
    date_hierarchy = "date"
    fields = [
        "werkbrief_link",
        "date",
        "expense_type",
        "amount_display",
        "kilometres",
        "description",
        "receipt_display",
        "werkbrief_status",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        from django.urls import path

        return [
            path(
                "<uuid:expense_id>/receipt/",
                self.admin_site.admin_view(self.receipt_view),
                name="timesheets_expense_receipt",
            ),
            *super().get_urls(),
        ]

    def receipt_view(self, request, expense_id):
        """The receipt, for the back office of the expense's own agency only (else 404)."""
        from timesheets import selectors
        from timesheets.views import receipt_response

        if not self.has_view_permission(request):
            raise Http404
        expense = selectors.expense_get(membership=staff_membership(request), expense_id=expense_id)
        return receipt_response(expense)

    @admin.display(description=_("flexworker"), ordering="werkbrief__placement__worker__last_name")
    def worker(self, obj):
        return obj.werkbrief.placement.worker

    @admin.display(
        description=_("client"), ordering="werkbrief__placement__department__client__name"
    )
    def client(self, obj):
        return obj.werkbrief.placement.department.client.name

    @admin.display(description=_("week"), ordering="werkbrief__week_start")
    def week(self, obj):
        return week_label(obj.werkbrief.week_start)

    @admin.display(description=_("amount (EUR)"), ordering="amount")
    def amount_display(self, obj):
        return euros(obj.amount)

    @admin.display(description=_("receipt"))
    def receipt_display(self, obj):
        return receipt_link(obj)

    @admin.display(description=_("status of the werkbrief"), ordering="werkbrief__status")
    def werkbrief_status(self, obj):
        return obj.werkbrief.get_status_display()

    @admin.display(description=_("werkbrief"))
    def werkbrief_link(self, obj):
        url = reverse("admin:timesheets_werkbrief_change", args=[obj.werkbrief_id])
        return format_html('<a href="{}">{}</a>', url, obj.werkbrief)


@admin.register(CorrectionRequest, site=backoffice_site)
class CorrectionRequestAdmin(TimesheetsAdmin):
    """Requests from clients and workers to correct approved hours; staff handle them."""

    list_display = ["created_at", "werkbrief", "requested_by", "state"]
    list_filter = ["state"]
    list_select_related = ["werkbrief__placement__worker", "requested_by"]
    readonly_fields = [
        "werkbrief",
        "requested_by",
        "message",
        "state",
        "handled_by",
        "handled_at",
    ]
    fields = readonly_fields
    actions = ["mark_handled"]

    def has_add_permission(self, request, *args):
        return False

    def has_delete_permission(self, request, obj=None):
        # A request is part of the werkbrief's record; no service deletes one.
        return False

    def save_model(self, request, obj, form, change):
        # Every field is read only: a request is handled by the action (through the service).
        return

    @admin.action(description=_("Mark as handled"))
    def mark_handled(self, request, queryset):
        handled = services.correction_requests_handle(
            requests=queryset, membership=staff_membership(request)
        )
        self.message_user(
            request,
            ngettext(
                "%(n)d correction request marked as handled.",
                "%(n)d correction requests marked as handled.",
                handled,
            )
            % {"n": handled},
            messages.SUCCESS,
        )
