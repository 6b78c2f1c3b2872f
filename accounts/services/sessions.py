"""Sessions: the list of where a person is signed in, ending them, and a changed password."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountEventKind, TrustedDevice, User, UserSession
from accounts.services.audit import ClientInfo, account_event_record
from agencies.models import Agency
from flexportal.tenancy import scopes_disabled
from notifications.models import Kind as MailKind
from notifications.services import (
    account_mail_send,
)

# Sessions ---------------------------------------------------------------------------------------


def session_record(
    *, agency: Agency, user: User, session_key: str, client: ClientInfo | None = None
) -> UserSession:
    client = client or ClientInfo()
    record, _created = UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "agency": agency,
            "user": user,
            "ip_address": client.ip_address,
            "user_agent": client.user_agent,
            "last_seen_at": timezone.now(),
        },
    )
    return record


def session_forget(*, session_key: str | None) -> None:
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def sessions_end_others(
    *,
    agency: Agency,
    user: User,
    keep_session_key: str | None,
    client: ClientInfo | None = None,
) -> int:
    """Log out the person's other sessions at this agency."""
    records = UserSession.objects.filter(agency=agency, user=user).exclude(
        session_key=keep_session_key or ""
    )
    keys = list(records.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    records.delete()
    account_event_record(
        agency=agency,
        kind=AccountEventKind.SESSIONS_ENDED,
        user=user,
        actor=user,
        client=client,
        count=len(keys),
    )
    return len(keys)


def sessions_end_all(*, user: User, keep_session_key: str | None = None) -> int:
    """End the person's sessions at every agency (after a password change or a reset).

    Django already refuses those sessions once the password hash changed; deleting them keeps
    the session lists honest. Crossing agencies is the point here, hence scopes_disabled.
    """
    with scopes_disabled():
        records = UserSession.objects.filter(user=user).exclude(session_key=keep_session_key or "")
        keys = list(records.values_list("session_key", flat=True))
        Session.objects.filter(session_key__in=keys).delete()
        records.delete()
    return len(keys)


@transaction.atomic
def password_changed_record(
    *,
    agency: Agency | None,
    user: User,
    keep_session_key: str | None = None,
    reset: bool = False,
    client: ClientInfo | None = None,
) -> None:
    """After a new password: every other session ends (and remembered devices are void, as
    their cookies carry the old password's fingerprint), and the person is mailed."""
    sessions_end_all(user=user, keep_session_key=keep_session_key)
    if agency is not None:
        account_event_record(
            agency=agency,
            kind=AccountEventKind.PASSWORD_CHANGED,
            user=user,
            actor=user,
            client=client,
            reset=reset,
        )
        account_mail_send(
            agency=agency,
            user=user,
            kind=MailKind.PASSWORD_CHANGED,
            context={"reset": reset},
            deep_link_path=reverse("account_login", urlconf=settings.ROOT_URLCONF),
        )


def session_records_prune() -> int:
    """Forget session records whose session expired, and remembered devices past their date.
    Run hourly by Celery beat with clearsessions; it crosses agencies on purpose."""
    with scopes_disabled():
        live = Session.objects.values("session_key")
        stale, _detail = UserSession.objects.exclude(session_key__in=live).delete()
        TrustedDevice.objects.filter(expires_at__lte=timezone.now()).delete()
    return stale
