"""People in the back office: memberships (colleagues), invitations, the audit trail and the
second-factor reset; the platform admin's list of people."""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import FieldDoesNotExist
from django.db import transaction
from django.http import HttpResponseRedirect
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from accounts import services
from accounts.models import (
    AccountEvent,
    AuthenticatorDevice,
    Invitation,
    InvitationStatus,
    Membership,
    User,
)
from accounts.selectors import invitation_latest, mobile_number_on_file
from agencies.models import Role
from flexportal.admin_forms import AgencyScopedModelForm
from flexportal.admin_sites import (
    AgencyScopedAdmin,
    backoffice_site,
    platform_site,
    saved_by_service,
)
from flexportal.validators import (
    mask_mobile_number,
    validate_name,
)


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
        if change:
            saved = services.membership_update(
                membership=obj,
                actor=request.user,
                is_active=obj.is_active,
                sms_reminders=obj.sms_reminders,
                client=services.ClientInfo.from_request(request),
            )
            saved_by_service(obj, saved)
            return None
        data = form.cleaned_data
        membership = services.colleague_create(
            agency=request.agency,
            email=data["email"],
            first_name=data["first_name"],
            last_name=data["last_name"],
            language=data["language"],
        )
        saved_by_service(obj, membership)
        return None

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # Switching off the agency's last (or one's own) back-office access is refused by the
        # service: nothing is saved, the page says why.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except services.AccountError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def response_action(self, request, queryset):
        # "Delete selected" on the agency's last (or one's own) back-office access: refused by
        # the service, nothing deleted (delete_queryset is all or nothing), the list says why.
        try:
            return super().response_action(request, queryset)
        except services.AccountError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except services.AccountError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())

    def delete_model(self, request, obj):
        services.membership_delete(
            membership=obj, actor=request.user, client=services.ClientInfo.from_request(request)
        )

    def delete_queryset(self, request, queryset):
        client = services.ClientInfo.from_request(request)
        with transaction.atomic():  # all or nothing: "delete selected" runs outside one
            for membership in queryset.select_related("agency", "user"):
                services.membership_delete(membership=membership, actor=request.user, client=client)

    @admin.action(description=_("Deactivate the selected memberships"))
    def deactivate(self, request, queryset):
        client = services.ClientInfo.from_request(request)
        updated = 0
        try:
            with transaction.atomic():  # all or nothing: an admin action runs outside one
                for membership in queryset.select_related("agency", "user"):
                    services.membership_deactivate(
                        membership=membership, actor=request.user, client=client
                    )
                    updated += 1
        except services.AccountError as error:
            self.message_user(request, error.message, level=messages.ERROR)
            return
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
    # The staffing records by their relation to the membership: identity never imports staffing.
    records = [
        Membership._meta.get_field(r).related_model
        for r in ("flexworker_profile", "client_contact")
    ]
    for model in (*records, User, Membership):
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
