"""Pages of identity: home and role switch, language, activation, second factor, security,
e-mail change and password reset."""

from urllib.parse import urlencode

import qrcode
import qrcode.image.svg
from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from allauth.account.forms import UserTokenForm
from allauth.account.internal.flows.login import record_authentication
from allauth.decorators import rate_limit
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from accounts import auth, services
from accounts.decorators import require_recent_password
from accounts.forms import (
    ActivationPasswordForm,
    CurrentPasswordForm,
    EmailChangeForm,
    OneTimeCodeForm,
    SmsNumberForm,
    TwoFactorCodeForm,
)
from accounts.middleware import speak_language_of
from accounts.models import AuthenticatorDevice, SmsDevice
from accounts.selectors import (
    backup_codes_left,
    has_second_factor,
    invitation_for_token,
    invitation_get,
    logins_recent,
    mobile_number_on_file,
    otp_interactive_devices,
    password_rules,
    sessions_active,
    totp_config_url,
    totp_manual_key,
    trusted_devices,
    two_factor_lock_until,
    two_factor_required,
)
from agencies.models import Role
from flexportal.validators import mask_mobile_number

HOME_BY_ROLE = {
    Role.FLEXWORKER: "worker:dashboard",
    Role.CLIENT_CONTACT: "client:dashboard",
    Role.STAFF: "admin:index",
}


def home_url_for(membership) -> str:
    return reverse(HOME_BY_ROLE[membership.role])


@login_required
def home(request):
    """Where a signed-in person lands: the home page of their active role."""
    if request.membership is None:
        raise Http404
    return redirect(home_url_for(request.membership))


@login_required
@require_POST
def switch_role(request):
    role = request.POST.get("role")
    if not any(m.role == role for m in request.memberships):
        raise Http404
    request.session["active_role"] = role
    return redirect("home")


@require_POST
def set_language(request):
    """Django's language switch, and for a signed-in person also their saved preference."""
    from django.views.i18n import set_language as django_set_language

    from accounts.services import user_set_language

    language = request.POST.get("language", "")
    agency = getattr(request, "agency", None)
    if agency is not None and language not in agency.enabled_languages:
        raise Http404
    response = django_set_language(request)
    if request.user.is_authenticated:
        user_set_language(user=request.user, language=language)
    return response


# Helpers ----------------------------------------------------------------------------------------


def _client(request) -> services.ClientInfo:
    return services.ClientInfo.from_request(request)


def _safe_next(request, default: str | None = None) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default or reverse("home")


def _security_url(request) -> str:
    """The security page of an agency; the platform domain has none (its home instead)."""
    return reverse("security" if getattr(request, "agency", None) is not None else "home")


def _with_next(url_name: str, next_url: str, **params) -> str:
    query = {"next": next_url, **params}
    return f"{reverse(url_name)}?{urlencode(query)}"


# One-time links ---------------------------------------------------------------------------------
#
# Invitations, password resets and confirmations of a new address mail a link whose token stands
# after '#' (/activate/link/#<token>). Browsers never send that part, so the token lands in no
# access log, proxy log or Referer. The link's page posts it (static/js/one-time-link.js, or the
# person pastes the link without JavaScript); the view checks it at this agency, keeps what it
# stands for in the session and redirects to the flow's address without a token. A token in a
# path opens nothing. Guesses are rate limited per client ("one_time_link").


def _link_token(raw: str | None) -> str:
    """The token from what the page's script posted (the part after '#') or from the whole
    link a person pasted."""
    raw = (raw or "").strip()
    if "#" in raw:
        raw = raw.rsplit("#", 1)[1]
    return raw.strip()[:1000]


def _one_time_link_page(request):
    return render(request, "accounts/one_time_link.html")


# Activation -------------------------------------------------------------------------------------

ACTIVATION_SESSION_KEY = "flexportal_activation"


def _activation_unusable(request, invitation):
    """The page for a link that is unknown, expired, used or revoked: what happened, what next."""
    status = invitation.status if invitation is not None else "unknown"
    if invitation is not None:
        _speak_invitees_language(request, invitation)
    return render(
        request,
        "accounts/activation/link_unusable.html",
        {"status": status, "invitation": invitation},
        status=404 if invitation is None else 410,
    )


def _speak_invitees_language(request, invitation) -> None:
    """The activation pages speak the language the invitation was written in (the person's,
    set by the back office), not the browser's; a language chosen on the page itself wins."""
    if request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) not in (None, ""):
        return
    speak_language_of(request, invitation.membership.user)


@never_cache
@rate_limit(action="one_time_link")
def activation_start(request):
    """The link in the invitation (/activate/link/#<token>): the token goes into the session,
    never into an address, then the activation steps follow."""
    if request.method != "POST":
        return _one_time_link_page(request)
    token = _link_token(request.POST.get("token"))
    invitation = invitation_for_token(agency=request.agency, token=token) if token else None
    if invitation is None or not invitation.is_usable:
        return _activation_unusable(request, invitation)
    if request.user.is_authenticated:
        auth.signed_out(request)
        logout(request)
    services.invitation_open(invitation=invitation, client=_client(request))
    request.session[ACTIVATION_SESSION_KEY] = str(invitation.pk)
    return redirect("activation")


@never_cache
@rate_limit(action="code")
def activation(request):
    invitation_id = request.session.get(ACTIVATION_SESSION_KEY)
    invitation = (
        invitation_get(agency=request.agency, invitation_id=invitation_id)
        if invitation_id
        else None
    )
    if invitation is None or not invitation.is_usable:
        request.session.pop(ACTIVATION_SESSION_KEY, None)
        return _activation_unusable(request, invitation)
    _speak_invitees_language(request, invitation)
    agency = request.agency
    if agency.verify_mobile_on_activation and invitation.mobile_verified_at is None:
        return _activation_mobile_step(request, invitation)
    user = invitation.membership.user
    if user.has_usable_password():
        return _activation_existing_identity_step(request, invitation)
    form = ActivationPasswordForm(request.POST or None, user=user, agency=agency)
    if request.method == "POST" and form.is_valid():
        return _activation_finish(request, invitation, form.cleaned_data["password1"])
    return render(
        request,
        "accounts/activation/password.html",
        {
            "form": form,
            "invitation": invitation,
            "rules": password_rules(agency=agency),
            "step": 2 if agency.verify_mobile_on_activation else 1,
            "steps": 2 if agency.verify_mobile_on_activation else 1,
        },
    )


def _activation_mobile_step(request, invitation):
    number = mobile_number_on_file(membership=invitation.membership)
    form = OneTimeCodeForm(request.POST if request.POST.get("action") == "verify" else None)
    code_sent = invitation.sms_code_sent_at is not None
    if request.method == "POST" and number:
        action = request.POST.get("action")
        if action == "send":
            try:
                services.invitation_sms_code_send(invitation=invitation)
            except services.AccountError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("We sent a code to %(number)s.") % {"number": mask_mobile_number(number)},
                )
            return redirect("activation")
        if action == "verify" and form.is_valid():
            try:
                services.invitation_sms_code_verify(
                    invitation=invitation, code=form.cleaned_data["code"], client=_client(request)
                )
            except services.AccountError as error:
                form.add_error("code", error.message)
            else:
                return redirect("activation")
    return render(
        request,
        "accounts/activation/mobile.html",
        {
            "form": form,
            "invitation": invitation,
            "number": mask_mobile_number(number) if number else "",
            "code_sent": code_sent,
            "step": 1,
            "steps": 2,
        },
    )


def _activation_existing_identity_step(request, invitation):
    """The person already has an account (at another agency): one identity, so they confirm
    with the password they have, and get a membership here rather than a second account."""
    user = invitation.membership.user
    form = CurrentPasswordForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        return _activation_finish(request, invitation, None)
    return render(
        request,
        "accounts/activation/existing_account.html",
        {"form": form, "invitation": invitation},
    )


def _activation_finish(request, invitation, password):
    try:
        user = services.invitation_activate(
            invitation=invitation, password=password, client=_client(request)
        )
    except services.AccountError as error:
        messages.error(request, error.message)
        return redirect("activation")
    request.session.pop(ACTIVATION_SESSION_KEY, None)
    get_adapter(request).login(request, user)
    # The password was just set (or confirmed): it counts as typed, like at a login.
    record_authentication(request, user, method="password")
    request.session["active_role"] = invitation.membership.role
    messages.success(request, _("Your account is active. Welcome!"))
    return redirect("home")


# Second factor ----------------------------------------------------------------------------------


def _may_manage_second_factor(request) -> bool:
    """Set-up pages are open to a verified session, or to a person with no second factor yet.
    Never to someone who only knows the password of an account that has one."""
    return request.user.is_verified() or not has_second_factor(user=request.user)


def _after_first_factor_added(request, next_url):
    """The first app or phone also gets a sheet of backup codes, shown once."""
    if backup_codes_left(user=request.user) == 0:
        codes = services.backup_codes_generate(
            agency=request.agency, user=request.user, client=_client(request)
        )
        request.session["flexportal_new_backup_codes"] = codes
        return redirect(_with_next("two_factor_backup_codes", next_url))
    return redirect(next_url)


@login_required
@never_cache
@rate_limit(action="code")
def two_factor_verify(request):
    """Asks the code after the password: app, text message or a backup code."""
    next_url = _safe_next(request)
    if request.user.is_verified():
        return redirect(next_url)
    devices = otp_interactive_devices(user=request.user)
    choices = [*devices["totp"], *devices["sms"]]
    if not choices:
        if two_factor_required(agency=request.agency, memberships=request.memberships):
            return redirect(_with_next("two_factor_setup", next_url))
        # The person removed their last method in another session: nothing is owed any more.
        request.session[auth.TWO_FACTOR_STATE_KEY] = auth.TWO_FACTOR_NONE
        return redirect(next_url)
    if devices["static"] is not None:
        choices.append(devices["static"])
    chosen_id = request.POST.get("device") or request.GET.get("device")
    device = next((d for d in choices if d.persistent_id == chosen_id), choices[0])
    form = TwoFactorCodeForm(request.POST if request.POST.get("action") == "verify" else None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "send" and isinstance(device, SmsDevice):
            try:
                services.sms_device_code_send(
                    agency=request.agency, user=request.user, device=device
                )
            except services.AccountError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("We sent a code to %(number)s.")
                    % {"number": mask_mobile_number(device.number)},
                )
            return redirect(_with_next("two_factor_verify", next_url, device=device.persistent_id))
        if action == "verify" and form.is_valid():
            try:
                device = services.otp_token_verify(
                    agency=request.agency,
                    user=request.user,
                    device=device,
                    token=form.cleaned_data["code"],
                    client=_client(request),
                )
            except services.AccountError as error:
                form.add_error("code", error.message)
            else:
                auth.verified(request, device)
                response = redirect(next_url)
                if form.cleaned_data["remember"]:
                    auth.remember_device(request, response, device)
                return response
    return render(
        request,
        "two_factor/verify.html",
        {
            "form": form,
            "device": device,
            "kind": _device_kind(device),
            "choices": [(d, _device_kind(d)) for d in choices],
            "next": next_url,
            "locked_until": two_factor_lock_until(user=request.user),
        },
    )


def _device_kind(device) -> str:
    if isinstance(device, AuthenticatorDevice):
        return "totp"
    if isinstance(device, SmsDevice):
        return "sms"
    return "static"


@login_required
@never_cache
def two_factor_setup(request):
    """Choose how to receive codes; shown after login when the role needs a second factor."""
    next_url = _safe_next(request)
    if not _may_manage_second_factor(request):
        return redirect(_with_next("two_factor_verify", next_url))
    return render(
        request,
        "two_factor/setup.html",
        {
            "next": next_url,
            "required": two_factor_required(agency=request.agency, memberships=request.memberships),
            "back_url": _security_url(request),
        },
    )


@login_required
@never_cache
def two_factor_setup_app(request):
    """QR code and manual key for Google Authenticator, Duo Mobile or Authy; the first code
    from the app confirms it."""
    next_url = _safe_next(request)
    if not _may_manage_second_factor(request):
        return redirect(_with_next("two_factor_verify", next_url))
    require_recent_password(request)
    device_id = request.session.get("flexportal_totp_setup")
    device = AuthenticatorDevice.objects.filter(
        pk=device_id, user=request.user, confirmed=False
    ).first()
    if device is None:
        device = services.totp_device_start(user=request.user)
        request.session["flexportal_totp_setup"] = device.pk
    form = TwoFactorCodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _confirm_new_device(
            request,
            form,
            device,
            "flexportal_totp_setup",
            next_url,
            _("Your authenticator app is set up."),
        )
        if response is not None:
            return response
    issuer = request.agency.name if request.agency is not None else "Flexportal"
    url = totp_config_url(device, issuer=issuer)
    qr_svg = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8, border=2)
    return render(
        request,
        "two_factor/setup_app.html",
        {
            "form": form,
            "qr_svg": mark_safe(qr_svg.to_string(encoding="unicode")),  # noqa: S308 - our SVG
            "manual_key": totp_manual_key(device),
            "next": next_url,
        },
    )


def _confirm_new_device(request, form, device, session_key, next_url, success):
    """The first code confirms a new second factor: the session counts as verified, and the
    device is remembered when asked. None (and the error at the field) when the code is wrong."""
    try:
        device = services.otp_device_confirm(
            agency=request.agency,
            user=request.user,
            device=device,
            token=form.cleaned_data["code"],
            client=_client(request),
        )
    except services.AccountError as error:
        form.add_error("code", error.message)
        return None
    request.session.pop(session_key, None)
    auth.verified(request, device)
    messages.success(request, success)
    response = _after_first_factor_added(request, next_url)
    if form.cleaned_data["remember"]:
        auth.remember_device(request, response, device)
    return response


@login_required
@never_cache
def two_factor_setup_sms(request):
    """A mobile number that receives a code at each login; the first code confirms it."""
    next_url = _safe_next(request)
    if not _may_manage_second_factor(request):
        return redirect(_with_next("two_factor_verify", next_url))
    if request.agency is None:
        # Platform operators use an authenticator app: SMS texts are sent in an agency's name.
        return redirect(_with_next("two_factor_setup_app", next_url))
    require_recent_password(request)
    device_id = request.session.get("flexportal_sms_setup")
    device = SmsDevice.objects.filter(pk=device_id, user=request.user, confirmed=False).first()
    action = request.POST.get("action")
    number_form = SmsNumberForm(
        request.POST if action == "number" else None,
        initial={"number": request.user.mobile_number},
    )
    code_form = TwoFactorCodeForm(request.POST if action == "verify" else None)
    if request.method == "POST":
        if action == "number" and number_form.is_valid():
            device = services.sms_device_start(
                user=request.user, number=number_form.cleaned_data["number"]
            )
            request.session["flexportal_sms_setup"] = device.pk
            action = "send"
        if action == "send" and device is not None:
            try:
                services.sms_device_code_send(
                    agency=request.agency, user=request.user, device=device
                )
            except services.AccountError as error:
                messages.error(request, error.message)
            else:
                messages.success(
                    request,
                    _("We sent a code to %(number)s.")
                    % {"number": mask_mobile_number(device.number)},
                )
            return redirect(_with_next("two_factor_setup_sms", next_url))
        if action == "verify" and device is not None and code_form.is_valid():
            response = _confirm_new_device(
                request,
                code_form,
                device,
                "flexportal_sms_setup",
                next_url,
                _("Text-message codes are set up."),
            )
            if response is not None:
                return response
    return render(
        request,
        "two_factor/setup_sms.html",
        {
            "number_form": number_form,
            "code_form": code_form,
            "device": device,
            "number": mask_mobile_number(device.number) if device else "",
            "next": next_url,
        },
    )


@login_required
@never_cache
def two_factor_backup_codes(request):
    """New backup codes, shown once and printable; a new sheet voids the old one."""
    next_url = _safe_next(request, default=_security_url(request))
    codes = request.session.pop("flexportal_new_backup_codes", None)
    if codes is None and not request.user.is_verified():
        return redirect(_with_next("two_factor_verify", next_url))
    if request.method == "POST":
        require_recent_password(request)
        codes = services.backup_codes_generate(
            agency=request.agency, user=request.user, client=_client(request)
        )
        request.session["flexportal_new_backup_codes"] = codes
        return redirect(_with_next("two_factor_backup_codes", next_url))
    return render(
        request,
        "two_factor/backup_codes.html",
        {
            "codes": codes,
            "left": backup_codes_left(user=request.user),
            "next": next_url,
            "back_url": _security_url(request),
        },
    )


# Security page ----------------------------------------------------------------------------------


@login_required
@never_cache
def security(request):
    """Devices and backup codes, remembered browsers, active sessions, recent logins."""
    agency, user = request.agency, request.user
    required = two_factor_required(agency=agency, memberships=request.memberships)
    remove_form = CurrentPasswordForm(
        request.POST if request.POST.get("action") == "remove_device" else None, user=user
    )
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "remove_device" and remove_form.is_valid():
            try:
                services.otp_device_remove(
                    agency=agency,
                    user=user,
                    persistent_id=request.POST.get("device", ""),
                    required=required,
                    client=_client(request),
                )
            except services.AccountError as error:
                messages.error(request, error.message)
            else:
                messages.success(request, _("The method was removed."))
                return redirect("security")
        elif action == "forget_devices":
            services.trusted_devices_forget(agency=agency, user=user, client=_client(request))
            messages.success(request, _("Every device will ask for a code at the next login."))
            return redirect("security")
        elif action == "end_sessions":
            count = services.sessions_end_others(
                agency=agency,
                user=user,
                keep_session_key=request.session.session_key,
                client=_client(request),
            )
            messages.success(
                request,
                ngettext(
                    "%(n)d other session was logged out.",
                    "%(n)d other sessions were logged out.",
                    count,
                )
                % {"n": count},
            )
            return redirect("security")
    devices = otp_interactive_devices(user=user)
    return render(
        request,
        "accounts/security.html",
        {
            "devices": [(d, _device_kind(d)) for d in [*devices["totp"], *devices["sms"]]],
            "backup_codes_left": backup_codes_left(user=user) if devices["static"] else 0,
            "required": required,
            "remove_form": remove_form,
            "remove_device": request.POST.get("device", ""),
            "trusted_devices": trusted_devices(agency=agency, user=user),
            "sessions": sessions_active(agency=agency, user=user),
            "current_session": request.session.session_key,
            "logins": logins_recent(agency=agency, user=user),
        },
    )


# E-mail address ---------------------------------------------------------------------------------


@login_required
@never_cache
def email_change(request):
    form = EmailChangeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            new_email = services.email_change_request(
                agency=request.agency,
                user=request.user,
                new_email=form.cleaned_data["email"],
                client=_client(request),
            )
        except ValidationError as error:
            form.add_error("email", error)
        else:
            return render(request, "accounts/email_change_sent.html", {"new_email": new_email})
    return render(request, "accounts/email_change.html", {"form": form})


EMAIL_CHANGE_SESSION_KEY = "flexportal_email_change"


def _email_change_invalid(request, error):
    request.session.pop(EMAIL_CHANGE_SESSION_KEY, None)
    return render(
        request, "accounts/email_change_invalid.html", {"message": error.message}, status=410
    )


@never_cache
@rate_limit(action="one_time_link")
def email_change_link(request):
    """The link mailed to the new address (/email/confirm/link/#<token>): checked here, kept in
    the session, then the confirmation page at an address without it."""
    if request.method != "POST":
        return _one_time_link_page(request)
    token = _link_token(request.POST.get("token"))
    try:
        services.email_change_read(agency=request.agency, token=token)
    except services.AccountError as error:
        return _email_change_invalid(request, error)
    request.session[EMAIL_CHANGE_SESSION_KEY] = token
    return redirect("email_change_confirm")


@never_cache
def email_change_confirm(request):
    """GET shows what will change, POST changes it (so a mail scanner that follows links
    changes nothing)."""
    token = request.session.get(EMAIL_CHANGE_SESSION_KEY, "")
    try:
        user, new_email = services.email_change_read(agency=request.agency, token=token)
    except services.AccountError as error:
        return _email_change_invalid(request, error)
    if request.method == "POST":
        try:
            services.email_change_confirm(
                agency=request.agency, token=token, client=_client(request)
            )
        except services.AccountError as error:
            return _email_change_invalid(request, error)
        request.session.pop(EMAIL_CHANGE_SESSION_KEY, None)
        messages.success(request, _("Your e-mail address is now %(email)s.") % {"email": new_email})
        return redirect("home" if request.user.is_authenticated else "account_login")
    return render(
        request,
        "accounts/email_change_confirm.html",
        {"new_email": new_email, "old_email": user.email},
    )


# Password reset ---------------------------------------------------------------------------------


def _reset_link_fails(request):
    return render(request, "account/password_reset_from_key.html", {"token_fail": True})


@never_cache
@rate_limit(action="one_time_link")
def password_reset_link(request):
    """The link in the reset mail (/accounts/password/reset/link/#<uidb36>-<key>): the key is
    checked (at this agency: accounts.tokens), goes where allauth keeps it in the session, and
    allauth's form follows at its address without a key."""
    if request.method != "POST":
        return _one_time_link_page(request)
    uidb36, _dash, key = _link_token(request.POST.get("token")).partition("-")
    form = UserTokenForm(data={"uidb36": uidb36, "key": key})
    if not (uidb36 and key and form.is_valid()):
        return _reset_link_fails(request)
    request.session[allauth_views.INTERNAL_RESET_SESSION_KEY] = key
    return redirect(
        "account_reset_password_from_key",
        uidb36=uidb36,
        key=allauth_views.PasswordResetFromKeyView.reset_url_key,
    )


def password_reset_from_key(request, uidb36, key):
    """allauth's form for the new password, at its token-free address only: a key in the path
    (allauth's own links, its XHR variant) is refused, so no key works from an access log."""
    if key != allauth_views.PasswordResetFromKeyView.reset_url_key:
        return _reset_link_fails(request)
    return allauth_views.password_reset_from_key(request, uidb36=uidb36, key=key)


def not_found(request, **kwargs):
    raise Http404
