"""People and memberships: the identity behind every role."""

from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import AccountEventKind, Membership, User, UserSession
from accounts.services.audit import AccountError, ClientInfo, account_event_record
from agencies.models import Agency, Role
from flexportal.validators import normalise_mobile_number

LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def user_set_language(*, user: User, language: str) -> None:
    if language in LANGUAGE_CODES and user.preferred_language != language:
        user.preferred_language = language
        user.save(update_fields=["preferred_language"])


def user_get_or_create(
    *,
    email: str,
    first_name: str = "",
    last_name: str = "",
    language: str = "nl",
    mobile_number: str = "",
) -> User:
    """One identity per e-mail address across all agencies."""
    email = User.objects.normalize_email(email).lower()
    user = User.objects.filter(email__iexact=email).first()
    if user is None:
        user = User(
            email=email,
            first_name=first_name,
            last_name=last_name,
            preferred_language=language,
            mobile_number=normalise_mobile_number(mobile_number) if mobile_number else "",
        )
        user.set_unusable_password()
        user.save()
    return user


def membership_ensure(*, agency: Agency, user: User, role: str) -> Membership:
    membership, _created = Membership.objects.get_or_create(agency=agency, user=user, role=role)
    if not membership.is_active:
        membership.is_active = True
        membership.save(update_fields=["is_active", "updated_at"])
    return membership


@transaction.atomic
def colleague_create(
    *, agency: Agency, email: str, first_name: str, last_name: str, language: str = "nl"
) -> Membership:
    """A back-office colleague at an agency: the identity (new or existing) and a staff
    membership (made active again if it had been switched off)."""
    user = user_get_or_create(
        email=email, first_name=first_name, last_name=last_name, language=language
    )
    return membership_ensure(agency=agency, user=user, role=Role.STAFF)


def _back_office_kept(*, membership: Membership, actor: User | None) -> None:
    """An agency never locks itself out of its back office: nobody switches off their own
    back-office access, and the last active one stays."""
    if actor is not None and membership.user_id == actor.pk:
        raise AccountError(
            _("You cannot switch off your own back-office access: ask a colleague."),
            code="own_membership",
        )
    others = Membership.objects.filter(
        agency=membership.agency_id, role=Role.STAFF, is_active=True
    ).exclude(pk=membership.pk)
    if not others.exists():
        raise AccountError(
            _("This is the agency's last active back-office access: switch on another first."),
            code="last_staff",
        )


@transaction.atomic
def membership_deactivate(
    *, membership: Membership, actor: User | None = None, client: ClientInfo | None = None
) -> None:
    """Switch a membership off: the person's sessions at this agency end at once (not only at
    their next request), and the audit trail says who did it."""
    membership = Membership.objects.select_for_update().get(
        agency=membership.agency_id, pk=membership.pk
    )
    was_active = membership.is_active
    if was_active and membership.role == Role.STAFF:
        _back_office_kept(membership=membership, actor=actor)
    if was_active:
        membership.is_active = False
        membership.save(update_fields=["is_active", "updated_at"])
    records = UserSession.objects.filter(agency=membership.agency_id, user=membership.user_id)
    keys = list(records.values_list("session_key", flat=True))
    Session.objects.filter(session_key__in=keys).delete()
    records.delete()
    if not was_active:
        return  # switched off before: its event is in the trail already
    account_event_record(
        agency=membership.agency,
        kind=AccountEventKind.MEMBERSHIP_DEACTIVATED,
        user=membership.user,
        actor=actor,
        client=client,
        role=membership.role,
        count=len(keys),
    )
