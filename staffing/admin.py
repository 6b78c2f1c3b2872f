"""The staffing organisation in the back office: clients with their departments, cost centres and
functions, flexworkers, client contacts and placements."""

from django import forms
from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.admin import InvitationAdminMixin, PersonFieldsMixin, TwoFactorResetMixin, _when
from accounts.models import User
from accounts.services import ClientInfo
from flexportal import uploads
from flexportal.admin_forms import AgencyScopedModelForm
from flexportal.admin_sites import (
    AgencyScopedTabularInline,
    ServiceWritesAdmin,
    backoffice_site,
    saved_by_service,
)
from flexportal.fields import Unreadable
from flexportal.validators import (
    normalise_iban,
    normalise_mobile_number,
    validate_name,
)
from staffing import services as staffing_services
from staffing.models import (
    Client,
    ClientContact,
    CostCentre,
    Department,
    FlexworkerProfile,
    JobFunction,
    Placement,
)


class DepartmentInline(AgencyScopedTabularInline):
    model = Department
    fields = ["name", "cost_centre", "address"]


class CostCentreInline(AgencyScopedTabularInline):
    model = CostCentre
    fields = ["code", "name"]


class JobFunctionInline(AgencyScopedTabularInline):
    model = JobFunction
    fields = ["name"]


class StaffingAdmin(ServiceWritesAdmin):
    """Changes and deletions (also of inline rows) through the staffing services."""

    record_save = staticmethod(staffing_services.staffing_record_save)
    record_delete = staticmethod(staffing_services.staffing_record_delete)


@admin.register(Client, site=backoffice_site)
class ClientAdmin(StaffingAdmin):
    list_display = ["name", "kvk_number", "email", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "kvk_number", "email"]
    inlines = [CostCentreInline, DepartmentInline, JobFunctionInline]


@admin.register(Department, site=backoffice_site)
class DepartmentAdmin(StaffingAdmin):
    list_display = ["name", "client", "cost_centre"]
    list_filter = ["client"]
    search_fields = ["name", "client__name"]
    autocomplete_fields = ["client"]
    list_select_related = ["client", "cost_centre"]


@admin.register(CostCentre, site=backoffice_site)
class CostCentreAdmin(StaffingAdmin):
    list_display = ["code", "name", "client"]
    list_filter = ["client"]
    search_fields = ["code", "name", "client__name"]
    list_select_related = ["client"]


@admin.register(JobFunction, site=backoffice_site)
class JobFunctionAdmin(StaffingAdmin):
    list_display = ["name", "client"]
    list_filter = ["client"]
    search_fields = ["name", "client__name"]
    list_select_related = ["client"]


class FlexworkerAddForm(PersonFieldsMixin, AgencyScopedModelForm):
    class Meta:
        model = FlexworkerProfile
        exclude = ["membership"]

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if FlexworkerProfile.objects.filter(
            agency=self.agency, membership__user__email__iexact=email
        ).exists():
            raise forms.ValidationError(_("This person is a flexworker here already."))
        return email

    def clean_iban(self):
        value = self.cleaned_data.get("iban")
        return normalise_iban(value) if value else value

    def clean_phone(self):
        value = self.cleaned_data.get("phone")
        return normalise_mobile_number(value) if value else value


class FlexworkerChangeForm(AgencyScopedModelForm):
    class Meta:
        model = FlexworkerProfile
        exclude = ["membership"]

    clean_iban = FlexworkerAddForm.clean_iban
    clean_phone = FlexworkerAddForm.clean_phone

    def clean_bsn(self):
        # A BSN no key can read shows as an empty box: leaving it empty keeps the stored one
        # (readable again once the right key is back); typing a number replaces it.
        value = self.cleaned_data.get("bsn")
        if not value and isinstance(self.instance.bsn, Unreadable):
            return self.instance.bsn
        return value


def _model_fields(model, data: dict) -> dict:
    """The form's values of ``model``'s own columns (not its many-to-many relations)."""
    return {f.name: data[f.name] for f in model._meta.concrete_fields if f.name in data}


@admin.register(FlexworkerProfile, site=backoffice_site)
class FlexworkerProfileAdmin(InvitationAdminMixin, TwoFactorResetMixin, StaffingAdmin):
    list_display = ["employee_number", "full_name", "email", "city", "payroll_tax_credit"]
    list_display_links = ["employee_number", "full_name"]
    search_fields = [
        "employee_number",
        "first_name",
        "last_name",
        "membership__user__email",
        "city",
    ]
    list_filter = ["payroll_tax_credit", "country"]
    list_select_related = ["membership__user"]
    readonly_fields = ["bsn_masked", "id_document_link", "invitation_status"]
    exclude = ["membership", "id_document", "id_document_name", "id_document_uploaded_at", "photo"]
    actions = ["send_invitations", "revoke_invitations", "reset_two_factor"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = FlexworkerChangeForm if obj else FlexworkerAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is not None:
            # The BSN is shown masked; typing a new one replaces it.
            fields.remove("bsn")
            fields.insert(fields.index("bsn_masked"), "bsn")
        else:
            fields = [f for f in fields if f not in ("email", "language", "bsn_masked")]
            fields = ["email", "language", *fields]
        return fields

    def get_readonly_fields(self, request, obj=None):
        return ["bsn_masked", "id_document_link", "invitation_status"] if obj else []

    def get_urls(self):
        info = self.opts.app_label, self.opts.model_name
        return [
            path(
                "<path:object_id>/id-document/",
                self.admin_site.admin_view(self.id_document_view),
                name="{}_{}_id_document".format(*info),
            ),
            *super().get_urls(),
        ]

    def id_document_view(self, request, object_id):
        """The worker's ID document, for the back office of the worker's own agency only."""
        profile = self.get_object(request, unquote(object_id))
        if profile is None or not self.has_view_permission(request, profile):
            raise Http404
        return uploads.file_response(
            profile.id_document,
            name=uploads.download_name(gettext("ID document"), profile.full_name),
        )

    @admin.display(description=_("ID document"))
    def id_document_link(self, obj):
        if not obj.id_document:
            return gettext("None uploaded")
        url = reverse("admin:staffing_flexworkerprofile_id_document", args=[obj.pk])
        return format_html(
            '<a href="{}">{}</a> ({})',
            url,
            obj.id_document_name or gettext("ID document"),
            _when(obj.id_document_uploaded_at) if obj.id_document_uploaded_at else "",
        )

    def get_changeform_initial_data(self, request):
        return {"bsn": ""}

    def save_model(self, request, obj, form, change):
        if change:
            if "iban" not in form.changed_data:
                return super().save_model(request, obj, form, change)
            # A new bank account goes the way the worker's own change goes: recorded with the old
            # and the new number, and the worker is mailed (wages must not be redirected unseen).
            new_iban = obj.iban
            obj.iban = FlexworkerProfile.objects.get(pk=obj.pk).iban
            super().save_model(request, obj, form, change)
            staffing_services.flexworker_iban_change(
                profile=obj,
                iban=new_iban,
                actor=request.user,
                client=ClientInfo.from_request(request),
            )
            return None
        data = form.cleaned_data
        profile_fields = _model_fields(FlexworkerProfile, data)
        profile = staffing_services.flexworker_create(
            agency=request.agency,
            email=data["email"],
            language=data["language"],
            **profile_fields,
        )
        saved_by_service(obj, profile)
        return None

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description=_("e-mail address"), ordering="membership__user__email")
    def email(self, obj):
        return obj.membership.user.email


class ClientContactChangeForm(AgencyScopedModelForm):
    class Meta:
        model = ClientContact
        exclude = ["membership"]

    def clean(self):
        cleaned = super().clean()
        client = cleaned.get("client")
        for department in cleaned.get("departments") or []:
            if client and department.client_id != client.pk:
                self.add_error("departments", _("Choose departments of this client only."))
                break
        return cleaned


class ClientContactAddForm(PersonFieldsMixin, ClientContactChangeForm):
    first_name = forms.CharField(label=_("first name"), max_length=100, validators=[validate_name])
    last_name = forms.CharField(label=_("last name"), max_length=150, validators=[validate_name])

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if ClientContact.objects.filter(
            agency=self.agency, membership__user__email__iexact=email
        ).exists():
            raise forms.ValidationError(_("This person is a client contact here already."))
        return email


@admin.register(ClientContact, site=backoffice_site)
class ClientContactAdmin(InvitationAdminMixin, TwoFactorResetMixin, StaffingAdmin):
    list_display = ["person", "email", "client", "can_approve_hours", "can_manage_users"]
    list_filter = ["client", "can_approve_hours", "can_see_invoices"]
    search_fields = ["membership__user__email", "membership__user__last_name", "client__name"]
    list_select_related = ["membership__user", "client"]
    filter_horizontal = ["departments"]
    autocomplete_fields = ["client"]
    exclude = ["membership"]
    actions = ["send_invitations", "revoke_invitations", "reset_two_factor"]

    def get_readonly_fields(self, request, obj=None):
        return ["invitation_status"] if obj else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = ClientContactChangeForm if obj else ClientContactAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        fields = list(super().get_fields(request, obj))
        if obj is None:
            head = ["email", "first_name", "last_name", "language"]
            fields = head + [f for f in fields if f not in head]
        return fields

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        rights = _model_fields(ClientContact, data)
        contact = staffing_services.client_contact_create(
            agency=request.agency,
            client=rights.pop("client"),
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=data["language"],
            departments=data.get("departments") or (),
            **rights,
        )
        saved_by_service(obj, contact)
        return None

    @admin.display(description=_("person"), ordering="membership__user__last_name")
    def person(self, obj):
        return obj.membership.user.get_full_name()

    @admin.display(description=_("e-mail address"), ordering="membership__user__email")
    def email(self, obj):
        return obj.membership.user.email


@admin.register(Placement, site=backoffice_site)
class PlacementAdmin(StaffingAdmin):
    list_display = [
        "worker",
        "department",
        "function",
        "start_date",
        "end_date",
        "phase",
        "hourly_wage",
        "hours_entered_by",
    ]
    list_filter = ["phase", "hours_entered_by", "department__client", "start_date"]
    search_fields = ["worker__first_name", "worker__last_name", "worker__employee_number"]
    autocomplete_fields = ["worker", "department", "function"]
    list_select_related = ["worker", "department__client", "function"]
    date_hierarchy = "start_date"
