"""Per-request membership and language."""

from django.contrib.auth import logout
from django.shortcuts import redirect
from django.utils import translation

from accounts.selectors import memberships_for_user


class MembershipMiddleware:
    """Sets request.membership (the active role at this agency) and request.memberships.

    A signed-in person without an active membership of the host's agency is signed out: the
    session cookie is per host already, this also covers a membership revoked mid-session.
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
                logout(request)
                return redirect("account_login")
            chosen = request.session.get("active_role")
            request.membership = next(
                (m for m in request.memberships if m.role == chosen), request.memberships[0]
            )
        return self.get_response(request)


class UserLanguageMiddleware:
    """A signed-in person sees the portal in their own language, if the agency offers it.

    Runs after LocaleMiddleware, which handled cookie and Accept-Language for everyone else.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        agency = getattr(request, "agency", None)
        language = request.LANGUAGE_CODE
        if request.user.is_authenticated:
            language = request.user.preferred_language
        if agency is not None and language not in agency.enabled_languages:
            enabled = agency.enabled_languages
            language = "nl" if "nl" in enabled or not enabled else enabled[0]
        if language != request.LANGUAGE_CODE:
            translation.activate(language)
            request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers["Content-Language"] = language
        return response
