"""The account's messages in the mail log: the invitation and the mails about a person's own
account (password reset and changed, new or changed address, bank account, second factor).

Registered with notifications.registry when the app is ready (accounts.apps). The services
reserve them through notifications.services (``invitation_record``, ``account_mail_send``); here
is how each is prepared when it goes out, and the language every message is written in.
Also the helpers other apps' messages share: the batch's memberships and the mobile number on
file for a text message.
"""

import datetime as dt
import functools
from collections.abc import Callable

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from accounts.models import Membership
from accounts.selectors import language_for, mobile_number_on_file
from accounts.services import AccountError, invitation_send
from agencies.models import Module, Role
from flexportal.navigation import modules_offered
from notifications import registry
from notifications.models import Kind, Notification
from notifications.registry import Batch, CannotResend, MessageKind, Prepared, Skip

# Shared by every app's messages -------------------------------------------------------------------


def _memberships(batch: Batch) -> dict[str, Membership]:
    """The memberships of every row of the batch that names one: one query."""
    rows = batch.notifications
    wanted = {n.context["membership_id"] for n in rows if "membership_id" in n.context}
    found = Membership.objects.filter(agency=batch.agency, pk__in=wanted).select_related("user")
    return {str(m.pk): m for m in found}


def batch_membership(notification: Notification, batch: Batch) -> Membership:
    """The membership the row's message is for; Skip when the person has no access any more."""
    memberships = batch.once("memberships", _memberships)
    membership = memberships.get(notification.context.get("membership_id"))
    if membership is None or not membership.is_active or not membership.user.is_active:
        raise Skip(gettext_noop("The person no longer has access to this agency."))
    return membership


def sms_number(membership: Membership) -> Callable[[], str]:
    """Where a text message to this person goes (read only for a row of that channel)."""
    return functools.partial(mobile_number_on_file, membership=membership)


# The invitation -----------------------------------------------------------------------------------

# What the invitation tells a person they will find on the portal, each with the module it needs
# (None: always there). Only what the person will find is promised (``invitation_promises``).
INVITATION_PROMISES: dict[str, list[tuple[str | None, Promise]]] = {
    Role.FLEXWORKER: [
        (Module.TIMESHEETS, _("enter your hours every week and submit them")),
        (Module.EXPENSES, _("declare your expenses, with the receipt")),
        (Module.PLACEMENTS, _("see your placements")),
        (Module.DOCUMENTS, _("read and sign your documents")),
        (Module.PAYSLIPS, _("download your payslips")),
        (None, _("keep your details up to date")),
    ],
    Role.CLIENT_CONTACT: [
        (Module.TIMESHEETS, _("check and approve the hours of the people who work for you")),
        (Module.PLACEMENTS, _("see who is placed with you")),
        (Module.DOCUMENTS, _("read and sign documents")),
        (Module.INVOICES, _("see your invoices")),
        (None, _("keep your details up to date")),
    ],
}


def invitation_promises(*, agency, role: str) -> list[Promise]:
    """The invitation's promises for ``role``: those whose module the agency has switched on and
    the portal offers (flexportal.navigation.modules_offered); translated when rendered."""
    offered = modules_offered(role=role, agency=agency)
    return [
        text
        for module, text in INVITATION_PROMISES.get(role, [])
        if module is None or module in offered
    ]


def _prepare_invitation(notification: Notification, batch: Batch, force: bool) -> Prepared:
    membership = batch_membership(notification, batch)
    context = {
        **notification.context,
        "promises": invitation_promises(agency=batch.agency, role=membership.role),
    }
    return Prepared(context, notification.deep_link_path, sms_number(membership))


def _resend_invitation(*, notification: Notification, actor) -> None:
    """Only the first mail had the one-time link: a new invitation goes out instead, with a new
    link, and the old one stops working."""
    membership = Membership.objects.get(
        agency=notification.agency, pk=notification.context["membership_id"]
    )
    try:
        invitation_send(membership=membership, sent_by=actor)
    except AccountError as error:
        raise CannotResend(error.message) from error


# Mails about the person's own account -------------------------------------------------------------


def _prepare_account(notification: Notification, batch: Batch, force: bool) -> Prepared:
    user = notification.recipient
    if user is None or not user.is_active:
        raise Skip(gettext_noop("The person no longer has access to this agency."))
    context = dict(notification.context)
    at = context.pop("at", None)
    context["changed_at"] = dt.datetime.fromisoformat(at) if at else notification.created_at
    return Prepared(context, notification.deep_link_path, address=context.get("to_email", ""))


registry.register_language(language_for)
registry.register(
    MessageKind(
        Kind.INVITATION, _prepare_invitation, one_time_link=True, resend=_resend_invitation
    ),
    MessageKind(Kind.PASSWORD_RESET, _prepare_account, one_time_link=True),
    MessageKind(Kind.EMAIL_CHANGE, _prepare_account, one_time_link=True),
    *(
        MessageKind(kind, _prepare_account)
        for kind in (
            Kind.EMAIL_CHANGED,
            Kind.IBAN_CHANGED,
            Kind.TWO_FACTOR_RESET,
            Kind.PASSWORD_CHANGED,
            Kind.TWO_FACTOR_ADDED,
            Kind.TWO_FACTOR_REMOVED,
        )
    ),
)
