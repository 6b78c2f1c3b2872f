"""Reads of the staffing organisation: a person's flexworker profile or client contact record,
the departments and placements they may see. Each checks the agency (through the scope) and the
role of the person asking."""

import datetime as dt
import uuid

from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.models import Membership
from agencies.models import Role
from staffing.models import ClientContact, Department, FlexworkerProfile, Placement


def flexworker_profile_for(*, membership: Membership) -> FlexworkerProfile:
    if membership.role != Role.FLEXWORKER:
        raise Http404
    try:
        return FlexworkerProfile.objects.select_related("membership__user").get(
            agency=membership.agency_id, membership=membership
        )
    except FlexworkerProfile.DoesNotExist:
        raise Http404 from None


def client_contact_for(*, membership: Membership) -> ClientContact:
    if membership.role != Role.CLIENT_CONTACT:
        raise Http404
    try:
        return ClientContact.objects.select_related("client", "membership__user").get(
            agency=membership.agency_id, membership=membership
        )
    except ClientContact.DoesNotExist:
        raise Http404 from None


def departments_visible_to(*, contact: ClientContact) -> QuerySet[Department]:
    departments = Department.objects.filter(agency=contact.agency_id, client=contact.client_id)
    if not contact.sees_all_departments:
        departments = departments.filter(contacts=contact)
    return departments


def placements_visible_to(*, membership: Membership) -> QuerySet[Placement]:
    """Placements a person may see: their own as a worker, their departments' as a contact."""
    placements = Placement.objects.filter(agency=membership.agency_id).select_related(
        "worker", "department__client", "function"
    )
    if membership.role == Role.STAFF:
        return placements
    if membership.role == Role.FLEXWORKER:
        return placements.filter(worker__membership=membership)
    contact = client_contact_for(membership=membership)
    return placements.filter(department__in=departments_visible_to(contact=contact))


def placement_get(*, membership: Membership, placement_id: uuid.UUID) -> Placement:
    """One placement, or 404 when it is another agency's or outside the person's view."""
    try:
        return placements_visible_to(membership=membership).get(pk=placement_id)
    except Placement.DoesNotExist:
        raise Http404 from None


def placements_current(*, membership: Membership, on: dt.date) -> QuerySet[Placement]:
    return placements_visible_to(membership=membership).filter(
        Q(end_date__isnull=True) | Q(end_date__gte=on), start_date__lte=on
    )


def client_menu_counts(*, contact: ClientContact, today: dt.date) -> dict[str, int]:
    """The counts in the client's menu (client-manual-helloflex, "Het menu"), in one query."""
    from django.db.models import Count

    departments = departments_visible_to(contact=contact)
    row = departments.aggregate(
        departments=Count("id", distinct=True),
        placements=Count(
            "placements",
            filter=Q(placements__start_date__lte=today)
            & (Q(placements__end_date__isnull=True) | Q(placements__end_date__gte=today)),
            distinct=True,
        ),
    )
    return {"departments": row["departments"], "placements": row["placements"]}
