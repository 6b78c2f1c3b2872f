from typing import Any

from django.conf import settings
from django.http import HttpRequest

from flexportal.navigation import navigation_for


def portal(request: HttpRequest) -> dict[str, Any]:
    agency = getattr(request, "agency", None)
    membership = getattr(request, "membership", None)
    if agency is not None:
        enabled = set(agency.enabled_languages)
        languages = [(code, name) for code, name in settings.LANGUAGES if code in enabled]
    else:
        languages = list(settings.LANGUAGES)
    return {
        "agency": agency,
        "membership": membership,
        "memberships": getattr(request, "memberships", []),
        "navigation": navigation_for(membership, agency, request.path),
        "portal_languages": languages,
    }
