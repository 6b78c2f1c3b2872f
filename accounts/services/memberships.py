"""The back office's changes of a membership on its own page (switched on or off, reminders by
text message) and its deletion. Switching one off is ``membership_deactivate``: the event is
recorded and the person's sessions at the agency end."""

from django.db import transaction

from accounts.models import Membership, User
from accounts.services.audit import ClientInfo
from accounts.services.users import membership_deactivate
from flexportal.records import staff_check


@transaction.atomic
def membership_update(
    *,
    membership: Membership,
    actor: User,
    is_active: bool,
    sms_reminders: bool,
    client: ClientInfo | None = None,
) -> Membership:
    """Save what the back office may change of a membership, by active staff of its agency."""
    staff_check(agency=membership.agency, actor=actor)
    locked = Membership.objects.select_for_update().get(
        agency=membership.agency_id, pk=membership.pk
    )
    if locked.sms_reminders != sms_reminders:
        locked.sms_reminders = sms_reminders
        locked.save(update_fields=["sms_reminders", "updated_at"])
    if locked.is_active and not is_active:
        membership_deactivate(membership=locked, actor=actor, client=client)
    elif is_active and not locked.is_active:
        locked.is_active = True
        locked.save(update_fields=["is_active", "updated_at"])
    locked.refresh_from_db()
    return locked


@transaction.atomic
def membership_delete(
    *, membership: Membership, actor: User, client: ClientInfo | None = None
) -> None:
    """Delete a membership (with the staffing record that hangs on it): switched off first, so
    the person's sessions end and the audit trail says who did it."""
    staff_check(agency=membership.agency, actor=actor)
    membership_deactivate(membership=membership, actor=actor, client=client)
    Membership.objects.filter(agency=membership.agency_id, pk=membership.pk).delete()
