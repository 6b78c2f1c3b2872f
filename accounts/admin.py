"""Back office (per agency) and platform admin for agencies, people, clients and placements."""

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.admin.widgets import AdminFileWidget, AdminTimeWidget
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import FieldDoesNotExist
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.decorators import require_recent_password
from accounts.forms import ReminderSlotsField
from accounts.models import (
    AccountEvent,
    Agency,
    AuthenticatorDevice,
    Client,
    ClientContact,
    CostCentre,
    Department,
    FlexworkerProfile,
    Invitation,
    InvitationStatus,
    JobFunction,
    Membership,
    Placement,
    Role,
    User,
)
from accounts.selectors import invitation_latest, mobile_number_on_file
from accounts.validators import (
    mask_mobile_number,
    normalise_iban,
    normalise_mobile_number,
    validate_name,
)
from flexportal import uploads
from flexportal.admin_forms import AgencyScopedModelForm
from flexportal.admin_sites import (
    AgencyScopedAdmin,
    AgencyScopedTabularInline,
    backoffice_site,
    platform_site,
)
from flexportal.fields import Unreadable

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
class AgencySettingsAdmin(TwoFactorRequirementGuardMixin, AgencyLogoMixin, admin.ModelAdmin):
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


def _when(moment) -> str:
    return date_format(timezone.localtime(moment), "DATETIME_FORMAT")


def _invite(model_admin, request, membership: Membership) -> Invitation | None:
    """Send one invitation from the back office; problems become messages, not errors."""
    try:
        invitation = services.invitation_send(
            membership=membership,
            sent_by=request.user,
            client=services.ClientInfo.from_request(request),
        )
    except services.AccountError as error:
        model_admin.message_user(request, error.message, messages.WARNING)
        return None
    if request.agency.verify_mobile_on_activation and not mobile_number_on_file(
        membership=membership
    ):
        model_admin.message_user(
            request,
            gettext(
                "%(person)s has no mobile number: add one, or they cannot finish the "
                "activation (it starts with a text message)."
            )
            % {"person": membership.user.email},
            messages.WARNING,
        )
    return invitation


def _invitations_sent_message(model_admin, request, invitations: list, *, one: bool = False):
    """What became of the mails: known once the page's transaction has committed (the links
    are mailed right after it), so the messages come from an on-commit callback. A failure
    says why; the sent ones are counted ("sent" only for what really went out)."""
    invitations = [i for i in invitations if i is not None]

    def report() -> None:
        sent = 0
        for invitation in invitations:
            failure = services.invitation_send_failure(invitation=invitation)
            if failure:
                model_admin.message_user(request, failure, messages.ERROR)
            else:
                sent += 1
        if sent and one:
            model_admin.message_user(request, gettext("The invitation is sent."), messages.SUCCESS)
        elif sent:
            model_admin.message_user(
                request,
                ngettext("%(n)d invitation sent.", "%(n)d invitations sent.", sent) % {"n": sent},
                messages.SUCCESS,
            )

    if invitations:
        transaction.on_commit(report)


class InvitationAdminMixin:
    """Invitations, from the person's own page (buttons beside Save) and as bulk actions:
    send, resend (a new link; the old one stops working) and revoke."""

    change_form_template = "admin/accounts/invitation_change_form.html"

    def membership_of(self, obj) -> Membership:
        return obj.membership

    def _send(self, request, obj) -> Invitation | None:
        return _invite(self, request, self.membership_of(obj))

    def _revoke(self, request, obj) -> bool:
        invitation = invitation_latest(membership=self.membership_of(obj))
        return invitation is not None and services.invitation_revoke(
            invitation=invitation,
            actor=request.user,
            client=services.ClientInfo.from_request(request),
        )

    @admin.action(description=_("Send the invitation (again)"))
    def send_invitations(self, request, queryset):
        _invitations_sent_message(self, request, [self._send(request, o) for o in queryset])

    @admin.action(description=_("Revoke the open invitation"))
    def revoke_invitations(self, request, queryset):
        revoked = sum(self._revoke(request, obj) for obj in queryset)
        self.message_user(
            request,
            ngettext("%(n)d invitation revoked.", "%(n)d invitations revoked.", revoked)
            % {"n": revoked},
            messages.SUCCESS,
        )

    @admin.display(description=_("invitation"))
    def invitation_status(self, obj):
        invitation = invitation_latest(membership=self.membership_of(obj)) if obj.pk else None
        if invitation is None:
            return gettext("Not invited yet")
        status = invitation.status
        if status == InvitationStatus.ACTIVATED:
            return gettext("Activated on %(when)s") % {"when": _when(invitation.activated_at)}
        if status == InvitationStatus.REVOKED:
            return gettext("Revoked on %(when)s") % {"when": _when(invitation.revoked_at)}
        if status == InvitationStatus.EXPIRED:
            return gettext("Expired on %(when)s") % {"when": _when(invitation.expires_at)}
        opened = (
            gettext(", opened on %(when)s") % {"when": _when(invitation.opened_at)}
            if invitation.opened_at
            else ""
        )
        return gettext("Sent on %(sent)s, valid until %(until)s%(opened)s") % {
            "sent": _when(invitation.created_at),
            "until": _when(invitation.expires_at),
            "opened": opened,
        }

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        invitation = invitation_latest(membership=self.membership_of(obj)) if obj else None
        context["invitation_open"] = invitation is not None and invitation.is_usable
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _invitation_buttons(self, request, obj) -> None:
        if "_send_invitation" in request.POST:
            _invitations_sent_message(self, request, [self._send(request, obj)], one=True)
        elif "_revoke_invitation" in request.POST and self._revoke(request, obj):
            self.message_user(request, gettext("The invitation is revoked."), messages.SUCCESS)

    def response_add(self, request, obj, post_url_continue=None):
        self._invitation_buttons(request, obj)
        return super().response_add(request, obj, post_url_continue)

    def response_change(self, request, obj):
        self._invitation_buttons(request, obj)
        return super().response_change(request, obj)


def _method_labels(user) -> list[str]:
    from django_otp.plugins.otp_static.models import StaticDevice

    labels = []
    for method in services.two_factor_methods(user=user):
        if isinstance(method, AuthenticatorDevice):
            labels.append(gettext("authenticator app"))
        elif isinstance(method, StaticDevice):
            labels.append(gettext("backup codes"))
        else:
            labels.append(
                gettext("text messages to %(number)s")
                % {"number": mask_mobile_number(method.number)}
            )
    return labels


def two_factor_reset_action(model_admin, request, queryset, users, agency):
    """Reset the second factor of ``users`` after a confirmation page that lists what goes."""
    if request.POST.get("confirmed") != "yes":
        people = []
        for user in users:
            refusal = services.two_factor_reset_refusal(
                agency=agency, user=user, actor=request.user
            )
            # Only what the back office may reset is shown; the rest gets the reason.
            methods = _method_labels(user) if refusal is None else []
            people.append((user, methods, refusal.message if refusal else None))
        context = {
            **model_admin.admin_site.each_context(request),
            "title": gettext("Reset the second factor"),
            "people": people,
            "any_to_reset": any(refusal is None for _user, _methods, refusal in people),
            "queryset": queryset,
            "opts": model_admin.model._meta,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
            "agency": agency,
        }
        return TemplateResponse(request, "admin/accounts/two_factor_reset_confirm.html", context)
    done = 0
    for user in users:
        try:
            services.two_factor_reset(
                agency=agency,
                user=user,
                actor=request.user,
                client=services.ClientInfo.from_request(request),
            )
        except services.AccountError as error:
            model_admin.message_user(request, error.message, messages.WARNING)
        else:
            done += 1
    if done:
        model_admin.message_user(
            request,
            ngettext(
                "The second factor of %(n)d person is reset; they set up a new one at their "
                "next login.",
                "The second factor of %(n)d people is reset; they set up a new one at their "
                "next login.",
                done,
            )
            % {"n": done},
            messages.SUCCESS,
        )
    return None


class TwoFactorResetMixin:
    """ "Reset the second factor" for a person who lost their phone and backup codes."""

    @admin.action(description=_("Reset the second factor (lost phone)"))
    def reset_two_factor(self, request, queryset):
        related = "user" if self.model is Membership else "membership__user"
        users = [self.membership_of(obj).user for obj in queryset.select_related(related)]
        return two_factor_reset_action(self, request, queryset, users, request.agency)


class PersonFieldsMixin(forms.Form):
    """The identity fields asked when the back office adds a person."""

    email = forms.EmailField(label=_("e-mail address"))
    language = forms.ChoiceField(label=_("language"), choices=[])

    def __init__(self, *args, **kwargs):
        from django.conf import settings

        super().__init__(*args, **kwargs)
        self.fields["language"].choices = settings.LANGUAGES
        self.fields["language"].initial = "nl"


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


@admin.register(FlexworkerProfile, site=backoffice_site)
class FlexworkerProfileAdmin(InvitationAdminMixin, TwoFactorResetMixin, AgencyScopedAdmin):
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
        url = reverse("admin:accounts_flexworkerprofile_id_document", args=[obj.pk])
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
class ClientContactAdmin(InvitationAdminMixin, TwoFactorResetMixin, AgencyScopedAdmin):
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


class ColleagueAddForm(PersonFieldsMixin, AgencyScopedModelForm):
    """A back-office colleague: an identity (new or existing) with a staff membership here."""

    first_name = forms.CharField(label=_("first name"), max_length=100, validators=[validate_name])
    last_name = forms.CharField(label=_("last name"), max_length=150, validators=[validate_name])

    class Meta:
        model = Membership
        fields: list[str] = []

    def clean_email(self):
        email = User.objects.normalize_email(self.cleaned_data["email"]).lower()
        if Membership.objects.filter(
            user__email__iexact=email, role=Role.STAFF, agency=self.agency
        ).exists():
            raise forms.ValidationError(_("This person is a colleague here already."))
        return email


@admin.register(Membership, site=backoffice_site)
class MembershipAdmin(InvitationAdminMixin, TwoFactorResetMixin, AgencyScopedAdmin):
    """Who has access to this agency, in which role. Colleagues (staff) are added here and get
    an invitation; flexworkers and client contacts are added on their own pages."""

    list_display = ["user", "role", "is_active", "created_at"]
    list_filter = ["role", "is_active"]
    search_fields = ["user__email", "user__first_name", "user__last_name"]
    list_select_related = ["user"]
    actions = ["deactivate", "send_invitations", "revoke_invitations", "reset_two_factor"]

    def membership_of(self, obj) -> Membership:
        return obj

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = ColleagueAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return ["user", "role", "invitation_status"] if obj else []

    def save_model(self, request, obj, form, change):
        if not change:
            data = form.cleaned_data
            obj.user = services.user_get_or_create(
                email=data["email"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                language=data["language"],
            )
            obj.role = Role.STAFF
        return super().save_model(request, obj, form, change)

    @admin.action(description=_("Deactivate the selected memberships"))
    def deactivate(self, request, queryset):
        updated = queryset.update(is_active=False)
        message = ngettext(
            "%(n)d membership deactivated.", "%(n)d memberships deactivated.", updated
        )
        self.message_user(request, message % {"n": updated})


class InvitationStatusFilter(admin.SimpleListFilter):
    title = _("status")
    parameter_name = "status"

    def lookups(self, request, model_admin):
        return InvitationStatus.choices

    def queryset(self, request, queryset):
        now = timezone.now()
        open_ = {"revoked_at__isnull": True, "activated_at__isnull": True}
        match self.value():
            case InvitationStatus.REVOKED:
                return queryset.filter(revoked_at__isnull=False)
            case InvitationStatus.ACTIVATED:
                return queryset.filter(revoked_at__isnull=True, activated_at__isnull=False)
            case InvitationStatus.EXPIRED:
                return queryset.filter(**open_, expires_at__lte=now)
            case InvitationStatus.OPENED:
                return queryset.filter(**open_, expires_at__gt=now, opened_at__isnull=False)
            case InvitationStatus.SENT:
                return queryset.filter(**open_, expires_at__gt=now, opened_at__isnull=True)
        return queryset


@admin.register(Invitation, site=backoffice_site)
class InvitationAdmin(AgencyScopedAdmin):
    """Every invitation and what became of it (sent, opened, activated, revoked); resend and
    revoke from here too. The links themselves are never shown: only their hashes are kept."""

    list_display = [
        "person",
        "role",
        "status",
        "created_at",
        "expires_at",
        "opened_at",
        "activated_at",
        "sent_by",
    ]
    list_filter = [InvitationStatusFilter, "membership__role"]
    search_fields = ["membership__user__email", "membership__user__last_name"]
    list_select_related = ["membership__user", "sent_by"]
    date_hierarchy = "created_at"
    fields = [
        "membership",
        "status",
        "created_at",
        "expires_at",
        "sent_by",
        "opened_at",
        "mobile_verified_at",
        "activated_at",
        "revoked_at",
    ]
    readonly_fields = fields
    actions = ["resend", "revoke"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("person"), ordering="membership__user__email")
    def person(self, obj):
        return obj.membership.user

    @admin.display(description=_("role"), ordering="membership__role")
    def role(self, obj):
        return obj.membership.get_role_display()

    @admin.display(description=_("status"))
    def status(self, obj):
        return obj.get_status_display()

    @admin.action(description=_("Send the invitation again"))
    def resend(self, request, queryset):
        tried = [_invite(self, request, invitation.membership) for invitation in queryset]
        _invitations_sent_message(self, request, tried)

    @admin.action(description=_("Revoke the open invitation"))
    def revoke(self, request, queryset):
        client = services.ClientInfo.from_request(request)
        revoked = sum(
            services.invitation_revoke(invitation=i, actor=request.user, client=client)
            for i in queryset
        )
        self.message_user(
            request,
            ngettext("%(n)d invitation revoked.", "%(n)d invitations revoked.", revoked)
            % {"n": revoked},
            messages.SUCCESS,
        )


@admin.register(AccountEvent, site=backoffice_site)
class AccountEventAdmin(AgencyScopedAdmin):
    """The audit trail of accounts: invitations, logins, second factors, bank account and
    e-mail changes. Read only."""

    list_display = ["created_at", "kind", "user", "actor", "ip_address", "summary"]
    list_filter = ["kind"]
    search_fields = ["user__email", "user__last_name", "actor__email", "ip_address"]
    list_select_related = ["user", "actor"]
    date_hierarchy = "created_at"
    fields = ["created_at", "kind", "user", "actor", "ip_address", "user_agent", "summary"]
    readonly_fields = fields

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("details"))
    def summary(self, obj):
        return event_details(obj.data or {})


def _field_label(name: str) -> str:
    """A field of "my details" by its name, as the forms label it."""
    for model in (FlexworkerProfile, ClientContact, User, Membership):
        try:
            return str(model._meta.get_field(name).verbose_name)
        except FieldDoesNotExist:
            continue
    return name.replace("_", " ")


def event_details(data: dict) -> str:
    """What an account event's data says, in words (it keeps ids and codes)."""
    parts = []
    if "role" in data:
        parts.append(str(Role(data["role"]).label) if data["role"] in Role.values else "")
    if data.get("resent"):
        parts.append(gettext("sent again"))
    if data.get("new_identity"):
        parts.append(gettext("a new account"))
    if data.get("fields"):
        labels = ", ".join(_field_label(name) for name in data["fields"])
        parts.append(gettext("changed: %(fields)s") % {"fields": labels})
    if "new" in data:
        parts.append(f"{data.get('old') or '—'} → {data.get('new') or '—'}")
    if data.get("removed"):
        parts.append(gettext("removed"))
    if data.get("device"):
        parts.append(gettext("device: %(name)s") % {"name": data["device"]})
    if data.get("methods"):
        parts.append(gettext("methods: %(names)s") % {"names": ", ".join(data["methods"])})
    if "count" in data:
        parts.append(gettext("number: %(n)d") % {"n": data["count"]})
    if data.get("reset"):
        parts.append(gettext("with a reset link"))
    return "; ".join(p for p in parts if p)


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


class PlatformAgencyForm(AgencySettingsForm):
    class Meta:
        model = Agency
        exclude = ["logo"]


@admin.register(Agency, site=platform_site)
class AgencyAdmin(TwoFactorRequirementGuardMixin, AgencyLogoMixin, admin.ModelAdmin):
    form = PlatformAgencyForm
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
    actions = ["reset_two_factor"]

    @admin.action(description=_("Reset the second factor (lost phone)"))
    def reset_two_factor(self, request, queryset):
        return two_factor_reset_action(self, request, queryset, list(queryset), None)
