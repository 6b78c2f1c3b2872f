"""The one way the back office writes a plain record of an agency (a client, a department, an hour
type, a CAO version, ...): the core of each app's ``<app>_record_save`` and ``_delete`` services.

What every such write does, whoever calls it: the actor must be an active member of the agency's
staff; a row that exists is locked (``SELECT ... FOR UPDATE``) and must be the agency's (else
404, as for an id that does not exist); the record is validated with ``full_clean`` (the fields a
form left out may be excluded, as the form did); many-to-many values are set with it, in the same
transaction. The kernel imports no domain app: the staff check follows the person's
``memberships`` relation (accounts' ``Membership``) by name.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied
from django.db import models, transaction
from django.http import Http404

from agencies.models import Agency, Role

R = TypeVar("R", bound=models.Model)


def staff_check(*, agency: Agency, actor: Any) -> None:
    """Refuse (PermissionDenied) unless ``actor`` is an active person with an active staff
    membership of ``agency``."""
    if (
        actor is None
        or not getattr(actor, "is_active", False)
        or not actor.memberships.filter(agency=agency, role=Role.STAFF, is_active=True).exists()
    ):
        raise PermissionDenied


def _check_model(record: models.Model, models_allowed: tuple[type[models.Model], ...]) -> None:
    if not isinstance(record, models_allowed):
        raise TypeError(f"{type(record).__name__} is not saved by this service.")


def _lock(record: models.Model, agency: Agency) -> None:
    """Lock the stored row of ``record``; a row of another agency (or none) is a 404."""
    if getattr(record, "agency_id", None) != agency.pk:
        raise Http404
    manager = type(record)._default_manager
    if not manager.select_for_update().filter(agency=agency, pk=record.pk).exists():
        raise Http404


@transaction.atomic
def record_save(
    *,
    agency: Agency,
    actor: Any,
    record: R,
    models_allowed: tuple[type[models.Model], ...],
    exclude: Iterable[str] = (),
    many_to_many: Mapping[str, Iterable[models.Model]] | None = None,
) -> R:
    """Save a new or changed ``record`` of ``agency`` (see the module's docstring)."""
    _check_model(record, models_allowed)
    staff_check(agency=agency, actor=actor)
    if record._state.adding:
        record.agency = agency  # type: ignore[attr-defined] # a TenantModel
    else:
        _lock(record, agency)
    # The agency is set (or checked) here, so the per-agency unique constraints are checked too:
    # a form leaves `agency` out of validation as a field it does not edit.
    record.full_clean(exclude=sorted(set(exclude) - {"agency"}) or None)
    record.save()
    for name, values in (many_to_many or {}).items():
        getattr(record, name).set(values)
    return record


@transaction.atomic
def record_delete(
    *,
    agency: Agency,
    actor: Any,
    record: models.Model,
    models_allowed: tuple[type[models.Model], ...],
) -> None:
    """Delete ``record`` of ``agency`` (with what cascades from it), after the staff check and
    under the row's lock."""
    _check_model(record, models_allowed)
    staff_check(agency=agency, actor=actor)
    _lock(record, agency)
    record.delete()
