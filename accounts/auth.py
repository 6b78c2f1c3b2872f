"""What happens around signing in and out at an agency, at the level of the request: the
session's clock, the audit and session list, the second-factor state and remembered devices.

The allauth adapter calls ``signed_in``/``signed_out`` for every password login and logout, and
the activation view calls ``signed_in`` after it logs the new person in. The writes themselves
are services; this module only reads and writes the request, its session and its cookies.
"""

import time

from django.conf import settings
from django.utils.crypto import salted_hmac
from django_otp import login as otp_login
from django_otp import user_has_device

from accounts import services

SESSION_STARTED_KEY = "flexportal_signed_in_at"
SESSION_SEEN_KEY = "flexportal_seen_at"
TWO_FACTOR_STATE_KEY = "flexportal_two_factor"
TWO_FACTOR_NONE = "none"  # the person has no second factor and their role does not need one
TWO_FACTOR_PENDING = "pending"  # the person has one: ask for a code before anything else


def trusted_cookie_name(user) -> str:
    """One cookie per person on a browser, so two people sharing a computer stay apart."""
    return (
        "flexportal_device_" + salted_hmac("accounts.trusted_cookie", str(user.pk)).hexdigest()[:16]
    )


def signed_in(request, user) -> None:
    """Right after django.contrib.auth.login on an agency's subdomain."""
    agency = getattr(request, "agency", None)
    if agency is None:
        # The platform admin: superusers always give a second factor; no remembered devices.
        request.session[TWO_FACTOR_STATE_KEY] = TWO_FACTOR_PENDING
        return
    now = int(time.time())
    request.session[SESSION_STARTED_KEY] = now
    request.session[SESSION_SEEN_KEY] = now
    client = services.ClientInfo.from_request(request)
    if request.session.session_key is None:
        request.session.save()
    services.session_record(
        agency=agency, user=user, session_key=request.session.session_key, client=client
    )
    services.account_event_record(agency=agency, kind="login", user=user, actor=user, client=client)
    cookie = request.COOKIES.get(trusted_cookie_name(user))
    device = (
        services.trusted_device_use(agency=agency, user=user, cookie_value=cookie)
        if cookie
        else None
    )
    if device is not None:
        otp_login(request, device)
    request.session[TWO_FACTOR_STATE_KEY] = (
        TWO_FACTOR_PENDING if user_has_device(user) else TWO_FACTOR_NONE
    )


def signed_out(request) -> None:
    """Right before the session is flushed."""
    if getattr(request, "agency", None) is not None:
        services.session_forget(session_key=request.session.session_key)


def two_factor_state(request) -> str:
    """Whether this session owes a code, computed once per session (at login, or on the first
    request of a session that began another way)."""
    state = request.session.get(TWO_FACTOR_STATE_KEY)
    if state not in (TWO_FACTOR_NONE, TWO_FACTOR_PENDING):
        state = TWO_FACTOR_PENDING if user_has_device(request.user) else TWO_FACTOR_NONE
        request.session[TWO_FACTOR_STATE_KEY] = state
    return state


def verified(request, device) -> None:
    """The person proved the second factor with ``device`` in this session."""
    otp_login(request, device)
    request.session[TWO_FACTOR_STATE_KEY] = TWO_FACTOR_PENDING


def remember_device(request, response, device) -> None:
    """Set the signed, HttpOnly cookie that skips the code on this browser for 30 days."""
    if getattr(request, "agency", None) is None:
        return  # never on the platform domain
    value = services.trusted_device_remember(
        agency=request.agency,
        user=request.user,
        otp_device=device,
        client=services.ClientInfo.from_request(request),
    )
    response.set_cookie(
        trusted_cookie_name(request.user),
        value,
        max_age=services.REMEMBER_DEVICE_DAYS * 24 * 3600,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
