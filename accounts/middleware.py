"""Per-request membership, language, session limits and the second factor."""

import time
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts import auth
from accounts.models import UserSession
from accounts.selectors import language_for, memberships_for_user, two_factor_required


class MembershipMiddleware:
    """Sets request.membership (the active role at this agency) and request.memberships.

    A session belongs to the agency where it began (flexportal.tenancy.AgencySessionMiddleware),
    so a signed-in person without an active membership here lost it mid-session (revoked, or
    the account switched off): that session, of this agency, ends.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.memberships = []
        request.membership = None
        agency = getattr(request, "agency", None)
        if agency is not None and request.user.is_authenticated:
            request.memberships = memberships_for_user(agency=agency, user=request.user)
            if not request.memberships:
                auth.signed_out(request)
                logout(request)
                return redirect("account_login")
            chosen = request.session.get("active_role")
            request.membership = next(
                (m for m in request.memberships if m.role == chosen), request.memberships[0]
            )
        return self.get_response(request)


def speak_language_of(request, user) -> str:
    """From here on this request speaks ``user``'s own language (within the agency's).

    For the moments a person becomes known in the middle of a request: the login (its "signed
    in as" message and the page after it) and the activation pages of an invitation.
    """
    agency = getattr(request, "agency", None)
    requested = getattr(request, "LANGUAGE_CODE", None) or translation.get_language()
    language = language_for(user=user, agency=agency, requested=requested)
    if language != translation.get_language():
        translation.activate(language)
    request.LANGUAGE_CODE = language
    return language


class UserLanguageMiddleware:
    """A signed-in person sees the portal in their own language, if the agency offers it.

    Runs after LocaleMiddleware, which handled cookie and Accept-Language for everyone else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agency = getattr(request, "agency", None)
        user = request.user if request.user.is_authenticated else None
        language = language_for(user=user, agency=agency, requested=request.LANGUAGE_CODE)
        if language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        # The view may have switched (a login, an activation page): say what was spoken.
        response.headers["Content-Language"] = request.LANGUAGE_CODE
        return response


class SessionSecurityMiddleware:
    """The agency's session limits: log out after ``session_idle_minutes`` without a request,
    and after ``session_max_hours`` in any case. Runs after MembershipMiddleware.

    The last-seen time is written at most once a minute, so ordinary requests cost no query.
    """

    SEEN_RESOLUTION_SECONDS = 60

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agency = getattr(request, "agency", None)
        if agency is None or not request.user.is_authenticated:
            return self.get_response(request)
        now = int(time.time())
        session = request.session
        started = session.get(auth.SESSION_STARTED_KEY)
        seen = session.get(auth.SESSION_SEEN_KEY)
        if started is None or seen is None:
            # A session that began without the portal's login (force_login, an older session).
            session[auth.SESSION_STARTED_KEY] = started = now
            session[auth.SESSION_SEEN_KEY] = seen = now
        if now - started > agency.session_max_hours * 3600:
            return self._log_out(
                request,
                _("You were logged out because you have been logged in for %(n)d hours.")
                % {"n": agency.session_max_hours},
            )
        if now - seen > agency.session_idle_minutes * 60:
            return self._log_out(
                request,
                _("You were logged out after %(n)d minutes without activity.")
                % {"n": agency.session_idle_minutes},
            )
        if now - seen >= self.SEEN_RESOLUTION_SECONDS:
            session[auth.SESSION_SEEN_KEY] = now
            UserSession.objects.filter(agency=agency, session_key=session.session_key).update(
                last_seen_at=timezone.now()
            )
        return self.get_response(request)

    def _log_out(self, request, message):
        auth.signed_out(request)
        logout(request)
        messages.info(request, message)
        return redirect_to_login(request.get_full_path())


class TwoFactorMiddleware:
    """A signed-in person who owes a second factor sees nothing but the set-up or code pages.

    A person owes one when a role they hold at this agency requires it (Agency.two_factor_roles),
    or when they set one up themselves. Remembered devices were honoured at login already
    (accounts.auth.signed_in). Logging out, the language switch and the pages of the sign-in
    flows stay open.
    """

    OPEN_URL_NAMES = {
        "account_logout",
        "account_login",
        "account_reset_password",
        "account_reset_password_done",
        "account_reset_password_link",
        "account_reset_password_from_key",
        "account_reset_password_from_key_done",
        "account_reauthenticate",
        "set_language",
        "healthz",
        "agency_logo",
        "activation_start",
        "activation",
        "email_change_link",
        "email_change_confirm",
        "two_factor_verify",
        "two_factor_setup",
        "two_factor_setup_app",
        "two_factor_setup_sms",
        "two_factor_backup_codes",
    }

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        agency = getattr(request, "agency", None)
        if not request.user.is_authenticated or request.user.is_verified():
            return None
        match = request.resolver_match
        if match is not None and match.url_name in self.OPEN_URL_NAMES:
            return None
        required = two_factor_required(agency=agency, memberships=request.memberships)
        if not required and auth.two_factor_state(request) == auth.TWO_FACTOR_NONE:
            return None
        url = f"{reverse('two_factor_verify')}?{urlencode({'next': request.get_full_path()})}"
        if getattr(request, "htmx", False):
            from django_htmx.http import HttpResponseClientRedirect

            return HttpResponseClientRedirect(url)
        return redirect(url)
