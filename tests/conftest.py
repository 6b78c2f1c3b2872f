"""Shared fixtures: two agencies, each with a worker, a client contact and a staff member.

The personas of agency A must never see anything of agency B; most tests use both.
"""

from dataclasses import dataclass

import pytest
from django.test import Client as HttpClient

from accounts.models import Agency, Role
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

    def http(self, membership=None) -> HttpClient:
        """A test client on this agency's subdomain, logged in as ``membership``'s person."""
        client = HttpClient(HTTP_HOST=self.host)
        if membership is not None:
            client.force_login(membership.user)
        return client

    def scope(self):
        return agency_scope(self.agency)


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

    try:
        cache.clear()
    except RuntimeError:
        pass  # the database cache, in a test without database access: nothing to clear
    yield
