"""`manage.py seed_demo` makes the demo agencies and logins and shows every feature of the
product; ``--workers N`` fills the demo contact's client with N workers and their werkbriefjes
in bulk; a second run changes nothing."""

import os

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Membership, User
from agencies.models import Agency, Role
from flexportal.tenancy import agency_scope, scopes_disabled
from staffing.models import ClientContact, FlexworkerProfile, HoursEnteredBy, Placement
from staffing.selectors import placements_visible_to
from timesheets.models import (
    CaoScheme,
    CorrectionRequest,
    Expense,
    ExpenseType,
    HourType,
    ManualHours,
    Status,
    Werkbrief,
    WerkbriefChange,
    WerkbriefComment,
    WerkbriefTransition,
)

pytestmark = pytest.mark.django_db

QUIET = {"stdout": open(os.devnull, "w")}  # noqa: SIM115


def _seed(**options):
    call_command("seed_demo", **options, **QUIET)


def _counts():
    with scopes_disabled():
        return {
            model.__name__: model.objects.count()
            for model in (
                Agency,
                User,
                Membership,
                FlexworkerProfile,
                Placement,
                Werkbrief,
                WerkbriefTransition,
                WerkbriefChange,
                WerkbriefComment,
                Expense,
                ManualHours,
                CorrectionRequest,
                HourType,
                ExpenseType,
                CaoScheme,
            )
        }


def test_seed_demo_is_idempotent():
    _seed()
    first = _counts()
    _seed()
    assert _counts() == first


def test_seed_demo_makes_the_documented_logins_and_only_acme_asks_a_second_factor():
    _seed()
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
    assert Agency.objects.get(slug="demo").two_factor_roles == []
    assert set(Agency.objects.get(slug="acme").two_factor_roles) == {
        Role.STAFF,
        Role.CLIENT_CONTACT,
    }


def test_the_demo_shows_every_feature_at_both_agencies():
    _seed()
    for slug in ("demo", "acme"):
        with agency_scope(Agency.objects.get(slug=slug)):
            # The configuration: the clock's hour types, expense types, the example schemes.
            assert {"ot_125", "ot_150", "ort_50"} <= set(
                HourType.objects.values_list("code", flat=True)
            )
            kinds = set(ExpenseType.objects.values_list("kind", "requires_receipt"))
            assert {(ExpenseType.Kind.KILOMETRES, False), (ExpenseType.Kind.AMOUNT, True)} <= kinds
            assert CaoScheme.objects.filter(is_example=True).count() == 3
            placements = Placement.objects.all()
            assert placements.filter(cao_scheme__isnull=False).exists()
            assert placements.filter(cao_scheme__isnull=True).exists()
            assert placements.filter(hours_entered_by=HoursEnteredBy.CLIENT).exists()
            # Past weeks in every status, unravelled or entered by hand, with what goes on.
            statuses = set(Werkbrief.objects.values_list("status", flat=True))
            assert statuses == set(Status.values), slug
            assert Werkbrief.objects.filter(
                cao_version__isnull=False, worked_minutes__gt=0
            ).exists()
            assert ManualHours.objects.exists()
            assert Expense.objects.exclude(receipt="").exists()
            assert Expense.objects.filter(expense_type__kind=ExpenseType.Kind.KILOMETRES).exists()
            assert WerkbriefComment.objects.exists()
            assert WerkbriefChange.objects.filter(actor__email__startswith="klant@").exists()
            assert set(CorrectionRequest.objects.values_list("state", flat=True)) == {
                CorrectionRequest.State.OPEN,
                CorrectionRequest.State.HANDLED,
            }
            # Every worker is a different person.
            names = [p.full_name for p in FlexworkerProfile.objects.all()]
            assert len(names) == len(set(names)), slug
    with agency_scope(Agency.objects.get(slug="demo")):
        worker = FlexworkerProfile.objects.get(membership__user__email="werknemer@demo.nl")
        placement = worker.placements.get()
        # The werknemer@ login enters overtime by hand and has a rejected week to fix.
        assert placement.cao_scheme_id is None
        assert Werkbrief.objects.filter(placement=placement, status=Status.AFGEWEZEN).exists()
        assert Expense.objects.filter(werkbrief__placement=placement).exclude(receipt="").exists()
        # What the klant@ login sees: submitted ones, ones it fills itself, unravelled ones.
        contact = ClientContact.objects.get(membership__user__email="klant@demo.nl")
        seen = Werkbrief.objects.filter(
            placement__in=placements_visible_to(membership=contact.membership)
        )
        assert seen.filter(status=Status.INGEDIEND).exists()
        assert seen.filter(placement__hours_entered_by=HoursEnteredBy.CLIENT).exists()
        assert seen.filter(cao_version__isnull=False).exists()
        assert seen.filter(days__manual_hours__isnull=False).exists()


def test_bulk_workers_fill_the_demo_contacts_client_with_werkbriefjes_in_every_status():
    _seed(workers=40)
    agency = Agency.objects.get(slug="demo")
    with agency_scope(agency):
        contact = ClientContact.objects.get(membership__user__email="klant@demo.nl")
        bulk = Placement.objects.filter(worker__employee_number__startswith="B")
        assert bulk.count() == 40
        visible = placements_visible_to(membership=contact.membership)
        assert set(bulk.values_list("pk", flat=True)) <= set(visible.values_list("pk", flat=True))
        assert bulk.values("department").distinct().count() == contact.client.departments.count()
        sheets = Werkbrief.objects.filter(placement__in=bulk)
        assert set(sheets.values_list("status", flat=True)) == set(Status.values)
        processed = sheets.filter(status=Status.VERWERKT).first()
        assert processed.worked_minutes == 40 * 60
        assert sum(d.worked_minutes for d in processed.days.all()) == 40 * 60
        assert list(processed.transitions.values_list("to_status", flat=True)) == [
            Status.INGEDIEND,
            Status.GOEDGEKEURD,
            Status.AFGEROND,
            Status.VERWERKT,
        ]
        waiting = sheets.filter(status=Status.INGEDIEND).first()
        assert waiting.transitions.get().actor == waiting.placement.worker.membership.user
        names = [p.full_name for p in FlexworkerProfile.objects.all()]
        assert len(names) == len(set(names))


def test_bulk_workers_are_made_in_a_fixed_number_of_queries_and_only_once():
    _seed()
    with CaptureQueriesContext(connection) as twenty:
        _seed(workers=20)
    with CaptureQueriesContext(connection) as sixty:
        _seed(workers=60)  # 40 more
    assert len(sixty) == len(twenty)
    counts = _counts()
    _seed(workers=60)
    assert _counts() == counts
    assert counts["FlexworkerProfile"] == _demo_workers() + 60


def _demo_workers() -> int:
    with scopes_disabled():
        return FlexworkerProfile.objects.exclude(employee_number__startswith="B").count()


def test_five_thousand_bulk_workers_have_full_names_all_different():
    from timesheets.management.commands.seed_demo import WORKERS, _bulk_names

    names = _bulk_names(5000)
    assert all(first and last for first, _infix, last, _language in names)
    full = {(first, infix, last) for first, infix, last, _language in names}
    assert len(full) == 5000
    assert not full & {(first, infix, last) for first, infix, last, _ in WORKERS["demo"]}
