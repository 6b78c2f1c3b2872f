"""Shared fixtures: two agencies, each with a worker, a client contact and a staff member.

The personas of agency A must never see anything of agency B; most tests use both.
"""

import contextlib
import time
from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from agencies.models import Agency, Role
from flexportal.tenancy import agency_scope
from tests import factories


@dataclass
class Tenant:
    agency: Agency
    worker: object  # FlexworkerProfile
    contact: object  # ClientContact
    staff: object  # Membership
    client: object
    department: object
    function: object
    placement: object

    @property
    def host(self) -> str:
        return f"{self.agency.slug}.localhost"

    def http(self, membership=None, *, verified: bool | None = None) -> HttpClient:
        """A test client on this agency's subdomain, logged in as ``membership``'s person.

        The session looks like one the portal's login leaves (see ``signed_in_session``): where
        the role requires a second factor it is verified, unless ``verified=False``.
        """
        client = HttpClient(HTTP_HOST=self.host)
        if membership is not None:
            client.force_login(membership.user)
            signed_in_session(client, membership, verified=verified)
        return client

    def scope(self):
        return agency_scope(self.agency)

    def fill_every_admin(self) -> None:
        """A row of this agency in every model of the back office (the personas alone leave
        some empty), so that the isolation sweeps request a foreign object of each."""
        import datetime as dt

        from accounts import services as account_services
        from notifications.models import Channel, Kind, Notification
        from staffing.models import CostCentre
        from timesheets.models import (
            CaoScheme,
            CorrectionRequest,
            Expense,
            ExpenseType,
            HourType,
        )
        from timesheets.services import werkbrief_ensure

        with self.scope():
            CostCentre.objects.create(
                agency=self.agency, client=self.client, code="KP-1", name="Kostenplaats"
            )
            HourType.objects.create(
                agency=self.agency,
                code="sweep",
                name="Toeslag",
                kind=HourType.Kind.SUPPLEMENT,
                percentage=25,
            )
            CaoScheme.objects.create(agency=self.agency, name="CAO")
            ExpenseType.objects.create(agency=self.agency, name="Reiskosten")
            # An invitation, its account event and its line in the mail log (the event is
            # recorded once the mail went out, after the commit).
            from django.test import TestCase

            with TestCase.captureOnCommitCallbacks(execute=True):
                account_services.invitation_send(membership=self.contact.membership)
            Notification.objects.create(
                agency=self.agency,
                recipient=self.worker.membership.user,
                kind=Kind.WORKER_REMINDER,
                channel=Channel.MAIL,
                week_start=self.placement.start_date,
                slot="sweep",
            )
            start = self.placement.start_date
            wb = werkbrief_ensure(
                placement=self.placement, week_start=start - dt.timedelta(start.weekday())
            )
            CorrectionRequest.objects.create(
                agency=self.agency,
                werkbrief=wb,
                requested_by=self.contact.membership.user,
                message="Woensdag 8 uur.",
            )
            Expense.objects.create(
                agency=self.agency,
                werkbrief=wb,
                expense_type=ExpenseType.objects.get(agency=self.agency, name="Reiskosten"),
                date=wb.week_start,
                amount=5,
            )


def signed_in_session(client: HttpClient, membership, *, verified: bool | None = None) -> None:
    """Give a force-logged-in test client the session state of a real login: the agency it
    belongs to (flexportal.tenancy.AgencySessionMiddleware), the session clock
    (accounts.middleware.SessionSecurityMiddleware) and the second factor. ``verified=None``
    verifies exactly when the agency requires a second factor for the membership's role, with a
    test OTP device; ``verified=False`` leaves the code owed, as right after the password."""
    from allauth.account.internal.flows.login import (
        _AUTHENTICATION_METHODS_USER_SESSION_KEY,
        AUTHENTICATION_METHODS_SESSION_KEY,
    )
    from allauth.account.internal.userkit import user_id_to_str
    from django_otp import DEVICE_ID_SESSION_KEY, user_has_device
    from django_otp.plugins.otp_static.models import StaticDevice

    from accounts import auth
    from flexportal.tenancy import SESSION_OWNER_KEY, session_owner

    user = membership.user
    if verified is None:
        verified = membership.agency.requires_two_factor(membership.role)
    session = client.session
    now = int(time.time())
    session[SESSION_OWNER_KEY] = session_owner(membership.agency)
    session[auth.SESSION_STARTED_KEY] = now
    session[auth.SESSION_SEEN_KEY] = now
    if verified:
        device, _created = StaticDevice.objects.get_or_create(
            user=user, name="test-session", defaults={"confirmed": True}
        )
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    has_device = verified or user_has_device(user)
    session[auth.TWO_FACTOR_STATE_KEY] = (
        auth.TWO_FACTOR_PENDING if has_device else auth.TWO_FACTOR_NONE
    )
    # allauth's record of the password typed at login (re-authentication counts from it).
    session[AUTHENTICATION_METHODS_SESSION_KEY] = [{"method": "password", "at": time.time()}]
    session[_AUTHENTICATION_METHODS_USER_SESSION_KEY] = user_id_to_str(user)
    session.save()


def make_tenant(slug: str) -> Tenant:
    agency = factories.AgencyFactory(slug=slug, name=f"{slug.title()} Uitzendbureau")
    with agency_scope(agency):
        client = factories.ClientFactory(agency=agency)
        department = factories.DepartmentFactory(client=client, agency=agency)
        function = factories.JobFunctionFactory(client=client, agency=agency)
        worker = factories.FlexworkerProfileFactory(
            agency=agency, membership__user__email=f"worker@{slug}.nl"
        )
        contact = factories.ClientContactFactory(
            client=client, agency=agency, membership__user__email=f"contact@{slug}.nl"
        )
        staff = factories.MembershipFactory(
            agency=agency, role=Role.STAFF, user__email=f"staff@{slug}.nl"
        )
        placement = factories.PlacementFactory(
            agency=agency, department=department, function=function, worker=worker
        )
    return Tenant(agency, worker, contact, staff, client, department, function, placement)


@pytest.fixture
def tenant_a(db) -> Tenant:
    return make_tenant("alpha")


@pytest.fixture
def tenant_b(db) -> Tenant:
    return make_tenant("bravo")


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and cached values must not leak from one test into the next."""
    from django.core.cache import cache

    # RuntimeError: the database cache, in a test without database access: nothing to clear.
    with contextlib.suppress(RuntimeError):
        _clear_own_cache_keys(cache)
    yield


def _clear_own_cache_keys(cache) -> None:
    """Parallel test workers share one Redis, each with its own KEY_PREFIX (settings.py); a
    plain clear() is FLUSHDB and would wipe another worker's rate limits mid-test."""
    prefix = getattr(cache, "key_prefix", "")
    redis = getattr(getattr(cache, "_cache", None), "get_client", None)
    if not prefix or redis is None:
        cache.clear()
        return
    client = redis(write=True)
    keys = list(client.scan_iter(match=f"{prefix}:*"))
    if keys:
        client.delete(*keys)
