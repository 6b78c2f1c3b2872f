"""Tenancy: agencies on subdomains, and fail-closed scoping of every tenant-owned query.

How it works (ARCHITECTURE.md has the long version):

1. AgencyMiddleware resolves the agency from the host (<slug>.<FLEXPORTAL_DOMAIN>). An unknown
   subdomain gets a 404 page; the bare domain serves the platform admin (PLATFORM_URLCONF).
2. AgencyScopeMiddleware runs the rest of the request inside ``agency_scope(request.agency)``.
   AgencySessionMiddleware binds every session to the agency (or the platform domain) where it
   began: anywhere else it is no session at all.
3. Every tenant-owned model derives from TenantModel, whose default manager filters on the active
   agency, and **raises ScopeError** when no agency scope is active: a forgotten scope fails
   loudly instead of returning every agency's rows. Celery tasks and commands enter the scope
   explicitly with ``agency_scope``; the few places that must cross tenants (the platform admin,
   migrations of data) say so with ``scopes_disabled()``.

We reuse django-scopes' context (``scope``/``scopes_disabled``) but not its manager: that one lets
``exists()``, ``in_bulk()`` and ``contains()`` through unscoped and treats ``agency=None`` as
"everything"; ours blocks every way a query can reach the database.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn

from django.conf import settings
from django.db import models
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django_scopes import ScopeError, get_scope, scope, scopes_disabled

from agencies.models import Agency

if TYPE_CHECKING:
    from flexportal.http import PortalRequest

    GetResponse = Callable[[PortalRequest], HttpResponse]

# ``Agency`` is exported as the tenant model: what the agency foreign key of every TenantModel
# names, for infrastructure that builds on the tenancy base and imports no domain app
# (notifications).
__all__ = [
    "Agency",
    "AgencyMiddleware",
    "AgencyScopeMiddleware",
    "AgencySessionMiddleware",
    "ScopeError",
    "TenantManager",
    "TenantModel",
    "agency_scope",
    "scopes_disabled",
]


@contextlib.contextmanager
def agency_scope(agency: Agency) -> Iterator[None]:
    """Run the block with tenant queries limited to ``agency`` (which must not be None)."""
    if agency is None or getattr(agency, "pk", None) is None:
        raise ScopeError("agency_scope() needs a saved agency.")
    with scope(agency=agency.pk):
        yield


def active_agency_id() -> Any:
    """The agency id of the active scope, or None (outside a scope or with scopes disabled)."""
    current = get_scope()
    if not current.get("_enabled", True):
        return None
    return current.get("agency")


class FailClosedQuerySet(models.QuerySet):
    """A queryset made outside any agency scope: it may be built, but never run."""

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ScopeError(
            f"{self.model.__name__} is tenant-owned: query it inside agency_scope(), "
            "or say scopes_disabled() where crossing agencies is intended."
        )

    _fetch_all = _refuse
    _iterator = _refuse
    exists = _refuse
    contains = _refuse
    count = _refuse
    aggregate = _refuse
    update = _refuse
    _update = _refuse
    delete = _refuse
    _raw_delete = _refuse
    explain = _refuse
    select_for_update = _refuse


class TenantQuerySet(models.QuerySet):
    pass


_TenantManagerBase = models.Manager.from_queryset(TenantQuerySet)


class TenantManager(_TenantManagerBase):
    """Default manager of tenant-owned models: filtered by the active agency scope, fail closed."""

    def get_queryset(self) -> models.QuerySet[Any]:
        current = get_scope()
        if not current.get("_enabled", True):
            return super().get_queryset()
        agency_id = current.get("agency")
        if agency_id is None:
            return FailClosedQuerySet(self.model, using=self._db)
        return super().get_queryset().filter(agency_id=agency_id)


class TenantModel(models.Model):
    """Base of every row that belongs to one agency."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    agency = models.ForeignKey(
        Agency,
        on_delete=models.CASCADE,
        editable=False,
        related_name="+",
        verbose_name=_("agency"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = TenantManager()

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        # A new row takes the agency of the active scope; a row may never move between agencies
        # or be written into an agency other than the active one.
        scoped_id = active_agency_id()
        if self.agency_id is None and scoped_id is not None:
            self.agency_id = scoped_id
        if self.agency_id is None:
            raise ScopeError(f"{type(self).__name__} needs an agency.")
        if scoped_id is not None and self.agency_id != scoped_id:
            raise ScopeError(f"{type(self).__name__} belongs to another agency than the scope.")
        super().save(*args, **kwargs)


def agency_from_host(host: str) -> Agency | None:
    """The agency named by the host's subdomain; None for the bare platform domain.

    Raises Http404 for an unknown or inactive subdomain.
    """
    hostname = host.split(":", 1)[0].lower().rstrip(".")
    domain = settings.FLEXPORTAL_DOMAIN.split(":", 1)[0]
    candidates = [domain]
    if settings.DEBUG or getattr(settings, "TESTING", False):
        candidates += ["localhost", "testserver"]
    for base in candidates:
        if hostname == base:
            return None
        if hostname.endswith("." + base):
            slug = hostname[: -len(base) - 1]
            if "." in slug:
                break
            agency = Agency.objects.filter(slug=slug, is_active=True).first()
            if agency is None:
                break
            return agency
    raise Http404("Unknown agency")


class AgencyMiddleware:
    """Sets request.agency from the host; the bare domain gets the platform URLconf."""

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponse:
        try:
            request.agency = agency_from_host(request.get_host())
        except Http404:
            request.agency = None
            response = TemplateResponse(request, "tenancy/unknown_agency.html", status=404)
            return response.render()
        if request.agency is None:
            request.urlconf = settings.PLATFORM_URLCONF
        return self.get_response(request)


class AgencyScopeMiddleware:
    """Runs the rest of the request inside the agency's scope (right after AgencyMiddleware).

    On the platform domain no scope is active, so any tenant query there raises; the platform
    admin (superusers only) disables scoping explicitly, see flexportal.admin_sites.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponse:
        if request.agency is None:
            return self.get_response(request)
        with agency_scope(request.agency):
            response = self.get_response(request)
            # Lazy responses render here, still inside the scope.
            if hasattr(response, "render") and not getattr(response, "is_rendered", True):
                response = response.render()
            return response


SESSION_OWNER_KEY = "flexportal_session_owner"
PLATFORM_SESSION_OWNER = "platform"


def session_owner(agency: Agency | None) -> str:
    """Whom a session belongs to: an agency's id, or the platform domain."""
    return PLATFORM_SESSION_OWNER if agency is None else str(agency.pk)


class AgencySessionMiddleware:
    """A session belongs to the agency, or the platform domain, where it began (right after
    SessionMiddleware).

    Browsers keep session cookies per host already; this holds when a cookie travels anyway
    (copied, stolen, or a cookie domain set too wide). Elsewhere the request gets a new, empty
    session: signed in nowhere, with none of the half-finished flows (activation, reset) of the
    original, and the original is neither read nor written, so not ended either. A session that
    names no owner (older than this rule, or made around the portal's login) is no session at
    all. Every session that holds anything is stamped with its owner on the way out.
    """

    def __init__(self, get_response: GetResponse) -> None:
        self.get_response = get_response

    def __call__(self, request: PortalRequest) -> HttpResponse:
        owner = session_owner(request.agency)
        session = request.session
        # Only a request that brings a session cookie loads (and so "accesses") its session here.
        if session.session_key is not None and session.get(SESSION_OWNER_KEY) != owner:
            request.session = type(session)()
        response = self.get_response(request)
        session = request.session
        if not session.is_empty() and session.get(SESSION_OWNER_KEY) != owner:
            session[SESSION_OWNER_KEY] = owner
        return response
