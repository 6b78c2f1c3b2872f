"""Invitations: sending (and re-sending) the activation link, revoking it, opening it."""

import datetime as dt
import functools
import secrets
import uuid

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import AccountEventKind, Invitation, Membership, User
from accounts.selectors import token_hash
from accounts.services.audit import AccountError, ClientInfo, account_event_record
from agencies.models import Agency
from flexportal.tenancy import agency_scope
from notifications.models import Status as NotificationStatus
from notifications.services import (
    MailFailure,
    invitation_record,
    mail_failed,
    notification_deliver,
)


def invitation_path(*, token: str) -> str:
    """The invitation's link: the token after '#', never sent to a server (views, "One-time
    links")."""
    return f"{reverse('activation_start', urlconf=settings.ROOT_URLCONF)}#{token}"


@transaction.atomic
def invitation_send(
    *, membership: Membership, sent_by: User | None = None, client: ClientInfo | None = None
) -> Invitation:
    """Mail a new activation link for ``membership``.

    The raw token exists only in the mail (and on the returned object as ``token``); the
    database keeps its SHA-256. The mail goes out when the transaction commits; only once it
    is sent do earlier open links stop working. A mail that fails voids the new link instead,
    so the person keeps the link they had (``invitation_send_failure`` says what went wrong).
    """
    membership = Membership.objects.select_related("user", "agency").get(pk=membership.pk)
    agency, user = membership.agency, membership.user
    if not membership.is_active or not user.is_active:
        raise AccountError(
            _("%(person)s has no active access to this agency; activate it first.")
            % {"person": user.email},
            code="inactive",
        )
    if Invitation.objects.filter(
        agency=agency, membership=membership, activated_at__isnull=False
    ).exists():
        raise AccountError(
            _("%(person)s has already activated this account.") % {"person": user.email},
            code="activated",
        )
    now = timezone.now()
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        agency=agency,
        membership=membership,
        token_hash=token_hash(token),
        expires_at=now + dt.timedelta(days=agency.invitation_valid_days),
        sent_by=sent_by,
    )
    # Through the mail log like every notification; the link with the token exists only in
    # this one delivery (the log keeps no token), right after commit.
    notification = invitation_record(
        agency=agency,
        membership=membership,
        invitation=invitation,
        context={
            "role": membership.role,
            "valid_days": agency.invitation_valid_days,
            "has_account": user.has_usable_password(),
        },
    )
    transaction.on_commit(
        functools.partial(
            _invitation_deliver,
            agency=agency,
            invitation_id=invitation.pk,
            notification_id=notification.pk,
            link_path=invitation_path(token=token),
            actor=sent_by,
            client=client,
        )
    )
    invitation.token = token
    invitation.notification = notification
    return invitation


def _invitation_deliver(
    *,
    agency: Agency,
    invitation_id: uuid.UUID,
    notification_id: uuid.UUID,
    link_path: str,
    actor: User | None,
    client: ClientInfo | None,
) -> None:
    """Right after the commit: send the invitation, then settle which link works. Sent: the
    earlier open links stop working. Not sent: the new link reached no one and is removed,
    and the earlier link keeps working (the mail log keeps the failed mail and its error)."""
    outcome = notification_deliver(
        agency=agency, notification_id=notification_id, link_path=link_path
    )
    with agency_scope(agency), transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update()
            .select_related("membership__user")
            .filter(agency=agency, pk=invitation_id)
            .first()
        )
        if invitation is None:
            return
        if outcome.status != NotificationStatus.SENT:
            invitation.delete()
            return
        superseded = (
            Invitation.objects.filter(
                agency=agency,
                membership=invitation.membership_id,
                activated_at__isnull=True,
                revoked_at__isnull=True,
            )
            .exclude(pk=invitation.pk)
            .update(revoked_at=timezone.now())
        )
        account_event_record(
            agency=agency,
            kind=AccountEventKind.INVITATION_SENT,
            user=invitation.membership.user,
            actor=actor,
            client=client,
            invitation=str(invitation.pk),
            role=invitation.membership.role,
            resent=bool(superseded),
        )


def invitation_send_failure(*, invitation: Invitation) -> str | None:
    """Why the mail of a just-sent invitation did not go out, in words for the back office;
    None when it went out (or goes out after the commit of the caller's transaction)."""
    failure = mail_failed(row=invitation.notification)
    if failure is None:
        return None
    person = invitation.membership.user.email
    if failure == MailFailure.REFUSED:
        return _(
            "The mail server refuses mail to %(person)s: check the address. An earlier "
            "invitation link still works."
        ) % {"person": person}
    return _(
        "The invitation to %(person)s could not be sent just now (the mail log has the "
        "error). An earlier invitation link still works; try again later."
    ) % {"person": person}


@transaction.atomic
def invitation_revoke(
    *, invitation: Invitation, actor: User | None = None, client: ClientInfo | None = None
) -> bool:
    invitation = (
        Invitation.objects.select_for_update(of=("self",))
        .select_related("membership__user", "membership__agency")
        .get(pk=invitation.pk)
    )
    if not invitation.is_usable:
        return False
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at", "updated_at"])
    account_event_record(
        agency=invitation.membership.agency,
        kind=AccountEventKind.INVITATION_REVOKED,
        user=invitation.membership.user,
        actor=actor,
        client=client,
        invitation=str(invitation.pk),
    )
    return True


def invitation_open(*, invitation: Invitation, client: ClientInfo | None = None) -> None:
    """The first time the link is opened is recorded (the audit's "opened")."""
    updated = Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
        opened_at=timezone.now()
    )
    if updated:
        invitation.refresh_from_db(fields=["opened_at"])
        account_event_record(
            agency=invitation.membership.agency,
            kind=AccountEventKind.INVITATION_OPENED,
            user=invitation.membership.user,
            client=client,
            invitation=str(invitation.pk),
        )
