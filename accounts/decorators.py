"""Access checks for portal views: signed in, with the right role at this agency, and the
password typed recently before a change to how someone logs in."""

import functools
import time
from collections.abc import Callable
from typing import Any, TypeVar, cast

from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponseBase

from flexportal.http import AgencyRequest, PortalRequest

# A view function: the request first, the URL's arguments after; the decorators keep its type.
View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def role_required(role: str) -> Callable[[View], View]:
    """The person must hold ``role`` at the host's agency; request.membership becomes that role.

    Anyone else gets 404, as for an object of another agency: nothing reveals what exists.
    """

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: PortalRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            membership = next((m for m in request.memberships if m.role == role), None)
            if membership is None:
                raise Http404
            request.membership = membership
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator


def module_required(module: str) -> Callable[[View], View]:
    """The host's agency must have switched ``module`` on (accounts.models.Module); otherwise
    the screen does not exist for it: 404, as for anything that is not there. Put it inside
    ``role_required``, so that someone signed out is still sent to the login page first."""

    def decorator(view: View) -> View:
        @functools.wraps(view)
        def wrapper(request: AgencyRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.agency.has_module(module):
                raise Http404
            return view(request, *args, **kwargs)

        return cast(View, wrapper)

    return decorator


def password_given_recently(request: HttpRequest) -> bool:
    """Whether the person typed their password in this session less than
    ACCOUNT_REAUTHENTICATION_TIMEOUT seconds ago: at login, at activation, or on allauth's
    "confirm it's you" page (allauth keeps those moments in the session)."""
    from allauth.account.internal.flows.login import get_authentication_records

    limit = time.time() - settings.ACCOUNT_REAUTHENTICATION_TIMEOUT
    return any(
        record.get("method") == "password" and record.get("at", 0) > limit
        for record in get_authentication_records(request, request.user)
    )


def require_recent_password(request: HttpRequest) -> None:
    """Before a change to how someone logs in (a new authenticator or phone, new backup codes,
    switching off an agency's two-step requirement): the password again, unless it was typed
    in the last minutes. allauth's middleware turns the exception into its password page and,
    once the password is right, carries out the request that was asked (a POST included)."""
    from allauth.core.exceptions import ReauthenticationRequired

    if not password_given_recently(request):
        raise ReauthenticationRequired()
