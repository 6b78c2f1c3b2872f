"""The client's address: the one helper behind every rate limit (allauth's login, reset and
one-time-link limits, through AccountAdapter.get_client_ip) and the audit trail.

Behind reverse proxies REMOTE_ADDR is the last proxy's address, the same for everyone, so a
per-address limit would lock out every visitor at once. The settings say what to believe
instead (README, "Configuration"), the same model as allauth's ALLAUTH_TRUSTED_PROXY_COUNT and
ALLAUTH_TRUSTED_CLIENT_IP_HEADER:

* ``TRUSTED_CLIENT_IP_HEADER``: a header the (outermost) proxy sets itself, overwriting whatever
  the client sent (``X-Real-IP`` from nginx, ``CF-Connecting-IP`` from Cloudflare).
* ``TRUSTED_PROXY_COUNT``: the number of proxies in front of the portal that each append the
  address they saw to ``X-Forwarded-For``. The client's address is the N-th entry from the right;
  everything left of it is what the client wrote and is never read.

Without either (the default) forwarded headers are ignored. A header that does not fit the
configuration (missing, too short, not an address) falls back to REMOTE_ADDR, the one value no
client can choose, instead of failing the request.
"""

import ipaddress
import logging
from typing import Any

from django.conf import settings
from django.core import checks
from django.http import HttpRequest

logger = logging.getLogger(__name__)


def _address(value: str) -> str | None:
    """The address in ``value`` ("203.0.113.9", "203.0.113.9:4711", "[2001:db8::1]:4711"), or
    None when it is not one."""
    value = value.strip()
    if value.startswith("["):
        value = value[1:].split("]", 1)[0]
    elif value.count(":") == 1:
        value = value.split(":", 1)[0]
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def _forwarded(request: HttpRequest) -> str | None:
    header = getattr(settings, "TRUSTED_CLIENT_IP_HEADER", "")
    if header:
        return _address(request.headers.get(header, ""))
    count = getattr(settings, "TRUSTED_PROXY_COUNT", 0)
    if count <= 0:
        return None
    hops = [hop for hop in request.headers.get("X-Forwarded-For", "").split(",") if hop.strip()]
    if len(hops) < count:
        if hops:
            logger.warning(
                "X-Forwarded-For has %d entries, TRUSTED_PROXY_COUNT is %d", len(hops), count
            )
        return None
    return _address(hops[-count])


def client_ip(request: HttpRequest) -> str | None:
    """The client's address as the trusted proxies saw it, else the connection's."""
    return _forwarded(request) or _address(request.META.get("REMOTE_ADDR", ""))


@checks.register(checks.Tags.security, deploy=True)
def check_trusted_proxies(app_configs: object = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production sits behind a TLS proxy (SECURE_PROXY_SSL_HEADER says so): without a word on
    how to read the client's address, every visitor has the proxy's, and ten wrong logins a
    minute by anyone lock out everyone."""
    if settings.TRUSTED_PROXY_COUNT or settings.TRUSTED_CLIENT_IP_HEADER:
        return []
    return [
        checks.Warning(
            "Neither TRUSTED_PROXY_COUNT nor TRUSTED_CLIENT_IP_HEADER is set: behind the reverse "
            "proxy every visitor has the proxy's address, and the per-address login limits "
            "lock out everyone at once.",
            hint="Set TRUSTED_PROXY_COUNT to the number of proxies that append to "
            "X-Forwarded-For (1 behind one nginx or load balancer), or TRUSTED_CLIENT_IP_HEADER "
            "to a header your outermost proxy sets itself (README, Configuration).",
            id="flexportal.W002",
        )
    ]
