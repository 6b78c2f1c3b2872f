"""Back office (per agency) and platform admin for agencies, people, clients and placements."""

from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.http import Http404
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import services
from accounts.models import (
    Agency,
    Client,
    ClientContact,
    CostCentre,
    Department,
    FlexworkerProfile,
    JobFunction,
    Membership,
    Placement,
    User,
)
from accounts.validators import normalise_iban, normalise_mobile_number
from flexportal.admin_sites import (
    AgencyScopedAdmin,
    AgencyScopedTabularInline,
    backoffice_site,
    platform_site,
)

# Back office ------------------------------------------------------------------------------------


class AgencySettingsForm(forms.ModelForm):
    class Meta:
        model = Agency
        exclude = ["slug", "is_active"]


@admin.register(Agency, site=backoffice_site)
class AgencySettingsAdmin(admin.ModelAdmin):
    """Staff configure their own agency (branding, deadlines, policies); never another one."""

    form = AgencySettingsForm
    fieldsets = [
        (_("Agency"), {"fields": ["name"]}),
        (
            _("Branding"),
            {
                "fields": [
                    "logo",
                    "primary_colour",
                    "accent_colour",
                    "contact_email",
                    "contact_phone",
                    "address",
                    "website",
                ]
            },
        ),
        (
            _("Weekly cycle"),
            {
                "fields": [
                    "timezone",
                    ("worker_deadline_weekday", "worker_deadline_time"),
                    ("client_deadline_weekday", "client_deadline_time"),
                    "worker_reminder_slots",
                    "client_reminder_slots",
                    "approved_visible_days",
                ]
            },
        ),
        (
            _("Languages and modules"),
            {"fields": ["enabled_languages", "enabled_modules", "allow_profile_photo"]},
        ),
        (
            _("Accounts and security"),
            {
                "fields": [
                    "password_min_length",
                    ("password_require_letter", "password_require_digit"),
                    "password_require_special",
                    "two_factor_roles",
                    "verify_mobile_on_activation",
                    "invitation_valid_days",
                    ("session_idle_minutes", "session_max_hours"),
                ]
            },
        ),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).filter(pk=request.agency.pk)

    def _is_staff_here(self, request) -> bool:
        return backoffice_site.has_permission(request)

    def has_module_permission(self, request):
        return self._is_staff_here(request)

    def has_view_permission(self, request, obj=None):
        return self._is_staff_here(request) and (obj is None or obj.pk == request.agency.pk)

    def has_change_permission(self, request, obj=None):
        return self.has_view_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _get_obj_does_not_exist_redirect(self, request, opts, object_id):
        raise Http404

    def delete_view(self, request, object_id, extra_context=None):
        # Agencies are removed by the platform operator only.
        raise Http404


class DepartmentInline(AgencyScopedTabularInline):
    model = Department
    fields = ["name", "cost_centre", "address"]


class CostCentreInline(AgencyScopedTabularInline):
    model = CostCentre
    fields = ["code", "name"]


class JobFunctionInline(AgencyScopedTabularInline):
    model = JobFunction
    fields = ["name"]


@admin.register(Client, site=backoffice_site)
class ClientAdmin(AgencyScopedAdmin):
    list_display = ["name", "kvk_number", "email", "phone", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "kvk_number", "email"]
    inlines = [CostCentreInline, DepartmentInline, JobFunctionInline]


@admin.register(Department, site=backoffice_site)
class DepartmentAdmin(AgencyScopedAdmin):
    list_display = ["name", "client", "cost_centre"]
    list_filter = ["client"]
    search_fields = ["name", "client__name"]
    autocomplete_fields = ["client"]
    list_select_related = ["client", "cost_centre"]


@admin.register(CostCentre, site=backoffice_site)
class CostCentreAdmin(AgencyScopedAdmin):
    list_display = ["code", "name", "client"]
    list_filter = ["client"]
    search_fields = ["code", "name", "client__name"]
    list_select_related = ["client"]


@admin.register(JobFunction, site=backoffice_site)
class JobFunctionAdmin(AgencyScopedAdmin):
    list_display = ["name", "client"]
    list_filter = ["client"]
    search_fields = ["name", "client__name"]
    list_select_related = ["client"]


class PersonFieldsMixin(forms.Form):
    """The identity fields asked when the back office adds a person."""

    email = forms.EmailField(label=_("e-mail address"))
    language = forms.ChoiceField(label=_("language"), choices=[])

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].initial = "nl"


class FlexworkerAddForm(PersonFieldsMixin, forms.ModelForm):
    class Meta:
        model = FlexworkerProfile
        exclude = ["membership"]

    def clean_iban(self):
        value = self.cleaned_data.get("iban")
        return normalise_iban(value) if value else value

    def clean_phone(self):
        value = self.cleaned_data.get("phone")
        return normalise_mobile_number(value) if value else value


class FlexworkerChangeForm(forms.ModelForm):
    class Meta:
        model = FlexworkerProfile
        exclude = ["membership"]

    clean_iban = FlexworkerAddForm.clean_iban
    clean_phone = FlexworkerAddForm.clean_phone


@admin.register(FlexworkerProfile, site=backoffice_site)
class FlexworkerProfileAdmin(AgencyScopedAdmin):
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
    readonly_fields = ["bsn_masked"]
    exclude = ["membership"]

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
        return ["bsn_masked"] if obj else []

    def get_changeform_initial_data(self, request):
        return {"bsn": ""}

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        data = form.cleaned_data
        user = services.user_get_or_create(
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=data["language"],
            mobile_number=data.get("phone") or "",
        )
        obj.membership = services.membership_ensure(
            agency=request.agency, user=user, role="flexworker"
        )
        return super().save_model(request, obj, form, change)

    @admin.display(description=_("name"), ordering="last_name")
    def full_name(self, obj):
        return obj.full_name

    @admin.display(description=_("e-mail address"), ordering="membership__user__email")
    def email(self, obj):
        return obj.membership.user.email


class ClientContactAddForm(PersonFieldsMixin, forms.ModelForm):
    first_name = forms.CharField(label=_("first name"), max_length=100)
    last_name = forms.CharField(label=_("last name"), max_length=150)

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


class ClientContactChangeForm(forms.ModelForm):
    class Meta:
        model = ClientContact
        exclude = ["membership"]

    clean = ClientContactAddForm.clean


@admin.register(ClientContact, site=backoffice_site)
class ClientContactAdmin(AgencyScopedAdmin):
    list_display = ["person", "email", "client", "can_approve_hours", "can_manage_users"]
    list_filter = ["client", "can_approve_hours", "can_see_invoices"]
    search_fields = ["membership__user__email", "membership__user__last_name", "client__name"]
    list_select_related = ["membership__user", "client"]
    filter_horizontal = ["departments"]
    autocomplete_fields = ["client"]
    exclude = ["membership"]

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
        if not change:
            data = form.cleaned_data
            user = services.user_get_or_create(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["language"],
            )
            obj.membership = services.membership_ensure(
                agency=request.agency, user=user, role="client_contact"
            )
        return super().save_model(request, obj, form, change)

    @admin.display(description=_("person"), ordering="membership__user__last_name")
    def person(self, obj):
        return obj.membership.user.get_full_name()

    @admin.display(description=_("e-mail address"), ordering="membership__user__email")
    def email(self, obj):
        return obj.membership.user.email


@admin.register(Membership, site=backoffice_site)
class MembershipAdmin(AgencyScopedAdmin):
    """Who has access to this agency, in which role; staff add colleagues here."""

    list_display = ["user", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    readonly_fields = ["user", "role"]
    actions = ["deactivate"]

    def has_add_permission(self, request, *args):
        # People are added as flexworker, client contact, or through invitations.
        return False

    @admin.action(description=_("Deactivate the selected memberships"))
    def deactivate(self, request, queryset):
        updated = queryset.update(is_active=False)
        message = ngettext(
            "%(n)d membership deactivated.", "%(n)d memberships deactivated.", updated
        )
        self.message_user(request, message % {"n": updated})


@admin.register(Placement, site=backoffice_site)
class PlacementAdmin(AgencyScopedAdmin):
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


# Platform ---------------------------------------------------------------------------------------


@admin.register(Agency, site=platform_site)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["is_active"]


@admin.register(User, site=platform_site)
class PlatformUserAdmin(DjangoUserAdmin):
    ordering = ["email"]
    list_display = ["email", "first_name", "last_name", "is_superuser", "is_active"]
    search_fields = ["email", "first_name", "last_name"]
    list_filter = ["is_superuser", "is_active"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        (
            _("Personal"),
            {"fields": ["first_name", "last_name", "preferred_language", "mobile_number"]},
        ),
        (_("Access"), {"fields": ["is_active", "is_staff", "is_superuser"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["email", "password1", "password2"]})]
    filter_horizontal: list[str] = []
