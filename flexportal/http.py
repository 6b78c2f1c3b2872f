"""The request as Flexportal's middleware leaves it, for type annotations only.

AgencyMiddleware sets ``agency`` (None on the platform domain); accounts' middleware sets
``memberships`` and ``membership`` (None when the visitor has none at this agency). Annotate a view
or helper that reads them with ``PortalRequest``; at run time every request is a plain
``HttpRequest`` (this class is never instantiated).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from accounts.models import Membership
    from agencies.models import Agency


class PortalRequest(HttpRequest):
    agency: Agency | None
    memberships: list[Membership]
    membership: Membership | None


class AgencyRequest(PortalRequest):
    """A request on an agency's subdomain (the platform domain has no agency)."""

    agency: Agency
