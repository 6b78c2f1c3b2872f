"""`manage.py seed_demo` makes the demo agencies and logins; a second run changes nothing."""

import pytest
from django.core.management import call_command

from accounts.models import Agency, FlexworkerProfile, Membership, Placement, Role, User
from flexportal.tenancy import agency_scope, scopes_disabled

pytestmark = pytest.mark.django_db


def _counts():
    with scopes_disabled():
        return (
            Agency.objects.count(),
            User.objects.count(),
            Membership.objects.count(),
            FlexworkerProfile.objects.count(),
            Placement.objects.count(),
        )


def test_seed_demo_is_idempotent():
    call_command("seed_demo")
    first = _counts()
    call_command("seed_demo")
    assert _counts() == first


def test_seed_demo_makes_the_documented_logins():
    call_command("seed_demo")
    for slug, domain in [("demo", "demo.nl"), ("acme", "acme.nl")]:
        agency = Agency.objects.get(slug=slug)
        with agency_scope(agency):
            for email, role in [
                (f"werknemer@{domain}", Role.FLEXWORKER),
                (f"klant@{domain}", Role.CLIENT_CONTACT),
                (f"backoffice@{domain}", Role.STAFF),
            ]:
                user = User.objects.get(email=email)
                assert user.check_password("Flexportal-demo-1")
                assert Membership.objects.filter(user=user, role=role, is_active=True).exists()
    assert User.objects.get(email="admin@flexportal.nl").is_superuser
    with agency_scope(Agency.objects.get(slug="demo")):
        assert FlexworkerProfile.objects.count() >= 30


def test_seed_demo_adds_benchmark_workers_in_bulk():
    call_command("seed_demo")
    before = _counts()
    call_command("seed_demo", workers=50)
    after = _counts()
    assert after[3] - before[3] == 50
    assert after[4] - before[4] == 50


def test_the_demo_agency_needs_no_second_factor_and_acme_does():
    call_command("seed_demo")
    assert Agency.objects.get(slug="demo").two_factor_roles == []
    assert set(Agency.objects.get(slug="acme").two_factor_roles) == {
        Role.STAFF,
        Role.CLIENT_CONTACT,
    }
