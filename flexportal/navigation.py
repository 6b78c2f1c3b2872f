"""The navigation per role: the modules of DOMAIN.md that exist and the agency has switched on."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from agencies.models import Module, Role

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

    from accounts.models import Membership
    from agencies.models import Agency


@dataclass(frozen=True)
class NavItem:
    label: StrOrPromise
    url_name: str
    module: str | None = None
    # Modules that live on this item's pages (a worker declares expenses on the werkbrief).
    includes: tuple[str, ...] = ()


NAVIGATION: dict[str, list[NavItem]] = {
    Role.FLEXWORKER: [
        NavItem(_("Dashboard"), "worker:dashboard"),
        NavItem(
            _("Werkbriefjes"), "worker:werkbrieven", Module.TIMESHEETS, includes=(Module.EXPENSES,)
        ),
        NavItem(_("Placements"), "worker:placements", Module.PLACEMENTS),
        NavItem(_("My details"), "worker:details"),
    ],
    Role.CLIENT_CONTACT: [
        NavItem(_("Dashboard"), "client:dashboard"),
        NavItem(_("Werkbriefjes"), "client:werkbrieven", Module.TIMESHEETS),
        NavItem(_("Departments"), "client:departments"),
        NavItem(_("Placements"), "client:placements", Module.PLACEMENTS),
        NavItem(_("My details"), "client:details"),
    ],
    Role.STAFF: [
        NavItem(_("Back office"), "admin:index"),
    ],
}


def navigation_for(
    membership: Membership | None, agency: Agency | None, current_path: str
) -> list[dict[str, object]]:
    if membership is None or agency is None:
        return []
    items: list[dict[str, object]] = []
    for item in NAVIGATION[membership.role]:
        if item.module and not agency.has_module(item.module):
            continue
        url = reverse(item.url_name)
        is_dashboard = item.url_name.endswith(":dashboard")
        current = current_path == url or (not is_dashboard and current_path.startswith(url))
        items.append({"label": item.label, "url": url, "current": current})
    return items


def modules_offered(*, role: str, agency: Agency) -> set[str]:
    """The modules a person of ``role`` can use at ``agency``: switched on, with pages in the
    portal (what the menu leads to). What is promised to a person is limited to these."""
    offered: set[str] = set()
    for item in NAVIGATION.get(role, []):
        if item.module and agency.has_module(item.module):
            offered.add(item.module)
            offered.update(module for module in item.includes if agency.has_module(module))
    return offered
