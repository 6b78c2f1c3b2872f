"""The account audit trail (AccountEvent) and the refusal every account service raises."""

import logging
from dataclasses import dataclass

from django.http import HttpRequest

from accounts.models import AccountEvent, User
from agencies.models import Agency

logger = logging.getLogger(__name__)


# Audit ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ClientInfo:
    """Where a request came from, for the audit trail and the session list."""

    ip_address: str | None = None
    user_agent: str = ""

    @classmethod
    def from_request(cls, request: HttpRequest) -> "ClientInfo":
        from flexportal.client_ip import client_ip

        return cls(
            ip_address=client_ip(request), user_agent=request.headers.get("User-Agent", "")[:255]
        )


def account_event_record(
    *,
    agency: Agency | None,
    kind: str,
    user: User | None = None,
    actor: User | None = None,
    client: ClientInfo | None = None,
    **data: object,
) -> AccountEvent | None:
    """Record ``kind`` in the agency's audit trail; ``data`` are the event's details (stored as
    JSON). None on the platform domain, which has no agency to file the event under (logged)."""
    client = client or ClientInfo()
    if agency is None:
        # The platform domain (superusers) has no agency to file the event under.
        logger.info("platform account event %s for %s", kind, getattr(user, "pk", None))
        return None
    return AccountEvent.objects.create(
        agency=agency,
        kind=kind,
        user=user,
        actor=actor,
        ip_address=client.ip_address,
        user_agent=client.user_agent,
        data=data,
    )


class AccountError(Exception):
    """A refusal with a message for the person (already in their language)."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.code = code
