"""The agency in the admin: its own settings page in the back office (one row, its own agency) and
the list of agencies in the platform admin."""

from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.widgets import AdminFileWidget, AdminTimeWidget
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from accounts.decorators import require_recent_password
from agencies import services
from agencies.forms import ReminderSlotsField
from agencies.models import Agency
from flexportal import uploads
from flexportal.admin_sites import (
    backoffice_site,
    platform_site,
)

# Back office ------------------------------------------------------------------------------------


class CurrentLogo:
    """The widget's "currently": a link to the logo as the portal serves it (stored files have
    no URL of their own), on the agency's host, so the platform admin's link works too."""

    def __init__(self, agency: Agency):
        self.url = agency.base_url() + reverse("agency_logo", urlconf=settings.ROOT_URLCONF)

    def __str__(self) -> str:
        return "logo.png"


def _choices_of_list(field_name: str, *, required: bool) -> forms.TypedMultipleChoiceField:
    """Ticks for a list of choices (languages, modules, roles) instead of Django's comma-separated
    text box, which crashed on a ``%`` and made the back office type codes."""
    field = Agency._meta.get_field(field_name)
    return forms.TypedMultipleChoiceField(
        label=capfirst(field.verbose_name),
        choices=field.base_field.choices,
        widget=forms.CheckboxSelectMultiple,
        required=required,
        initial=field.get_default,
    )


class AgencySettingsForm(forms.ModelForm):
    # Not the model's field: a new logo is checked and re-encoded (flexportal.uploads.LOGO) and
    # stored by services.agency_logo_set, which removes the file it replaces.
    logo = forms.FileField(
        label=capfirst(Agency._meta.get_field("logo").verbose_name),
        required=False,
        widget=AdminFileWidget(attrs={"accept": ".png,.jpg,.jpeg,.webp"}),
        help_text=_("A PNG, JPEG or WebP image of at most 2 MB; it is stored as a PNG."),
    )
    # A new agency starts with the model's default times (worker Monday 09:00; client Monday
    # 16:00, Tuesday 10:00 and 13:00), not with an empty box that would mean "no reminders".
    worker_reminder_slots = ReminderSlotsField(
        label=capfirst(Agency._meta.get_field("worker_reminder_slots").verbose_name),
        initial=Agency._meta.get_field("worker_reminder_slots").get_default,
    )
    client_reminder_slots = ReminderSlotsField(
        label=capfirst(Agency._meta.get_field("client_reminder_slots").verbose_name),
        initial=Agency._meta.get_field("client_reminder_slots").get_default,
    )

    enabled_languages = _choices_of_list("enabled_languages", required=True)
    enabled_modules = _choices_of_list("enabled_modules", required=True)
    two_factor_roles = _choices_of_list("two_factor_roles", required=False)

    class Meta:
        model = Agency
        exclude = ["slug", "is_active", "logo"]
        # Times as people write them: 12:00, not 12:00:00.
        widgets = {
            name: AdminTimeWidget(format="%H:%M")
            for name in ("worker_deadline_time", "client_deadline_time", "ready_notice_time")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.logo:
            self.initial["logo"] = CurrentLogo(self.instance)

    def clean_logo(self):
        logo = self.cleaned_data["logo"]
        if isinstance(logo, UploadedFile):
            return uploads.validate_upload(logo, uploads.LOGO)
        return logo  # False: "clear" was ticked; otherwise the current logo, unchanged


class AgencyLogoMixin:
    """The logo goes through its service (the agency is saved first: a new one needs its id)."""

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if "logo" in form.changed_data:
            services.agency_logo_set(agency=obj, logo=form.cleaned_data["logo"] or None)


class AgencySavedByServiceMixin:
    """The agency is saved and deleted through its services (``agency_settings_save``,
    ``agency_delete``), never by the admin itself."""

    def save_model(self, request, obj, form, change):
        services.agency_settings_save(
            agency=obj, actor=request.user, exclude=form._get_validation_exclusions()
        )

    def delete_model(self, request, obj):
        services.agency_delete(agency=obj, actor=request.user)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():  # all or nothing: "delete selected" runs outside one
            for agency in queryset:
                services.agency_delete(agency=agency, actor=request.user)


class TwoFactorRequirementGuardMixin:
    """Switching off the agency's two-step requirement for a role asks the password again
    (unless it was typed in the last minutes): a session left open or stolen is not enough to
    weaken the login of everyone in that role. After the password the save goes through."""

    def save_model(self, request, obj, form, change):
        if change and "two_factor_roles" in form.changed_data:
            before = set(form.initial.get("two_factor_roles") or [])
            if before - set(obj.two_factor_roles or []):
                require_recent_password(request)
        super().save_model(request, obj, form, change)


@admin.register(Agency, site=backoffice_site)
class AgencySettingsAdmin(
    TwoFactorRequirementGuardMixin, AgencyLogoMixin, AgencySavedByServiceMixin, admin.ModelAdmin
):
    """Staff configure their own agency (branding, deadlines, policies); never another one."""

    form = AgencySettingsForm
    fieldsets = [
        (_("Agency"), {"fields": ["name"]}),
        (
            _("Branding"),
            {
                "fields": [
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
                    ("ready_notice_weekday", "ready_notice_time"),
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
        # Last, so that a logo refused for its size loses nothing typed above it: the browser
        # sends the fields in this order and an oversized request is not read past its file.
        (capfirst(Agency._meta.get_field("logo").verbose_name), {"fields": ["logo"]}),
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


# Platform ---------------------------------------------------------------------------------------


class PlatformAgencyForm(AgencySettingsForm):
    class Meta:
        model = Agency
        exclude = ["logo"]


@admin.register(Agency, site=platform_site)
class AgencyAdmin(
    TwoFactorRequirementGuardMixin, AgencyLogoMixin, AgencySavedByServiceMixin, admin.ModelAdmin
):
    form = PlatformAgencyForm
    list_display = ["name", "slug", "is_active", "created_at"]
    search_fields = ["name", "slug"]
    list_filter = ["is_active"]
