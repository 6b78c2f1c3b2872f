"""Every write service checks access and locks what it changes, whatever its caller did before
(issue 12, item 7): called directly, past the screens' accessors, a person who may not see the
werkbrief is refused with PermissionDenied, and a change the werkbrief's state no longer
allows is refused on the locked row, whatever the caller's copy says."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests import factories
from timesheets import services
from timesheets.models import (
    CorrectionRequest,
    Expense,
    ExpenseType,
    Status,
    Werkbrief,
    WerkbriefComment,
)
from timesheets.services import DayInput

pytestmark = pytest.mark.django_db


def _filled(tenant, wb):
    day = DayInput(date=wb.week_start, start=8 * 60, end=16 * 60 + 30, break_minutes=30)
    return services.werkbrief_save_hours(
        werkbrief=wb, membership=tenant.worker.membership, version=wb.version, days=[day]
    )


def _submitted(tenant, wb):
    wb = _filled(tenant, wb)
    return services.werkbrief_submit(
        werkbrief=wb, membership=tenant.worker.membership, version=wb.version
    )


def _approved(tenant, wb):
    wb = _submitted(tenant, wb)
    return services.werkbrief_approve(
        werkbrief=wb, membership=tenant.contact.membership, version=wb.version
    )


@pytest.fixture
def outsiders(tenant_a, tenant_b):
    """People who do not see tenant A's werkbrief: B's three personas, another worker of A,
    and a contact of A who sees only another department."""
    with tenant_a.scope():
        other_worker = factories.FlexworkerProfileFactory(agency=tenant_a.agency)
        other_department = factories.DepartmentFactory(
            agency=tenant_a.agency, client=tenant_a.client
        )
        other_contact = factories.ClientContactFactory(
            agency=tenant_a.agency, client=tenant_a.client, sees_all_departments=False
        )
        other_contact.departments.set([other_department])
    return {
        "B's worker": tenant_b.worker.membership,
        "B's contact": tenant_b.contact.membership,
        "B's staff": tenant_b.staff,
        "another worker": other_worker.membership,
        "a contact of another department": other_contact.membership,
    }


OUTSIDERS = [
    "B's worker",
    "B's contact",
    "B's staff",
    "another worker",
    "a contact of another department",
]


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_comment_from_someone_who_does_not_see_the_werkbrief_is_refused(
    tenant_a, werkbrief, outsiders, who
):
    with tenant_a.scope():
        with pytest.raises(PermissionDenied):
            services.werkbrief_comment_add(
                werkbrief=werkbrief, membership=outsiders[who], text="Hallo"
            )
        assert not WerkbriefComment.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_a_correction_request_from_someone_who_does_not_see_the_werkbrief_is_refused(
    tenant_a, werkbrief, outsiders, who
):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        with pytest.raises(PermissionDenied):
            services.correction_request_create(
                werkbrief=wb, membership=outsiders[who], message="Maandag 9 uur"
            )
        assert not CorrectionRequest.objects.exists()


@pytest.mark.parametrize("who", OUTSIDERS)
def test_the_werkbriefs_other_writes_refuse_someone_who_does_not_see_it(
    tenant_a, werkbrief, outsiders, who
):
    membership = outsiders[who]
    with tenant_a.scope():
        wb = _filled(tenant_a, werkbrief)
        kind = ExpenseType.objects.create(agency=tenant_a.agency, name="Parkeren")
        expense = services.expense_add(
            werkbrief=wb,
            membership=tenant_a.worker.membership,
            version=None,
            expense_type=kind,
            date=wb.week_start,
            amount=Decimal("5.00"),
            kilometres=None,
            description="",
        )
        wb.refresh_from_db()
        day = DayInput(date=wb.week_start, start=9 * 60, end=17 * 60)
        calls = {
            "save hours": lambda: services.werkbrief_save_hours(
                werkbrief=wb, membership=membership, version=None, days=[day], reason="x"
            ),
            "add an expense": lambda: services.expense_add(
                werkbrief=wb,
                membership=membership,
                version=None,
                expense_type=kind,
                date=wb.week_start,
                amount=Decimal("1.00"),
                kilometres=None,
                description="",
            ),
            "remove an expense": lambda: services.expense_remove(
                expense=expense, membership=membership, version=None
            ),
            **{
                action: lambda action=action: services.werkbrief_transition(
                    werkbrief=wb, membership=membership, action=action, version=None, comment="x"
                )
                for action in services.TRANSITIONS
            },
        }
        for name, call in calls.items():
            with pytest.raises(PermissionDenied):
                call()
                pytest.fail(f"{name} was not refused")
        current = Werkbrief.objects.get(pk=wb.pk)
        assert (current.status, current.version) == (wb.status, wb.version)
        assert list(Expense.objects.values_list("pk", flat=True)) == [expense.pk]


def test_a_contact_who_sees_but_may_not_approve_is_still_refused_as_before(tenant_a, werkbrief):
    """Seeing the werkbrief without the right to act stays a refused action with its reason
    (the page says it), not a PermissionDenied."""
    with tenant_a.scope():
        wb = _submitted(tenant_a, werkbrief)
        tenant_a.contact.can_approve_hours = False
        tenant_a.contact.save()
        with pytest.raises(services.TransitionNotAllowed) as refused:
            services.werkbrief_approve(
                werkbrief=wb, membership=tenant_a.contact.membership, version=wb.version
            )
    assert not isinstance(refused.value, PermissionDenied)


def test_a_correction_request_reads_the_state_of_the_locked_row_not_the_callers_copy(
    tenant_a, werkbrief
):
    with tenant_a.scope():
        stale = Werkbrief.objects.get(pk=werkbrief.pk)
        stale.status = Status.GOEDGEKEURD  # the caller believes it is approved; it is not
        with pytest.raises(services.WerkbriefError):
            services.correction_request_create(
                werkbrief=stale, membership=tenant_a.contact.membership, message="9 uur"
            )
        assert not CorrectionRequest.objects.exists()


def test_the_back_office_asks_no_correction_of_itself(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        with pytest.raises(PermissionDenied):
            services.correction_request_create(
                werkbrief=wb, membership=tenant_a.staff, message="9 uur"
            )


@pytest.mark.parametrize("persona", ["worker", "contact"])
def test_only_the_back_office_handles_correction_requests(tenant_a, werkbrief, persona):
    membership = getattr(tenant_a, persona).membership
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        services.correction_request_create(
            werkbrief=wb, membership=tenant_a.contact.membership, message="9 uur"
        )
        with pytest.raises(PermissionDenied):
            services.correction_requests_handle(
                requests=CorrectionRequest.objects.all(), membership=membership
            )
        assert CorrectionRequest.objects.get().state == CorrectionRequest.State.OPEN


def test_another_agencys_back_office_handles_none_of_its_requests(tenant_a, tenant_b, werkbrief):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        services.correction_request_create(
            werkbrief=wb, membership=tenant_a.contact.membership, message="9 uur"
        )
        with pytest.raises(PermissionDenied):
            services.correction_requests_handle(
                requests=CorrectionRequest.objects.all(), membership=tenant_b.staff
            )
        assert CorrectionRequest.objects.get().state == CorrectionRequest.State.OPEN


def test_an_inactive_back_office_member_handles_nothing(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        services.correction_request_create(
            werkbrief=wb, membership=tenant_a.contact.membership, message="9 uur"
        )
        tenant_a.staff.is_active = False
        with pytest.raises(PermissionDenied):
            services.correction_requests_handle(
                requests=CorrectionRequest.objects.all(), membership=tenant_a.staff
            )


def _locks(call) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        call()
    return [q["sql"] for q in captured.captured_queries if "FOR UPDATE" in q["sql"]]


def test_the_comment_correction_and_handling_services_lock_their_rows(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        contact = tenant_a.contact.membership
        (comment_lock,) = _locks(
            lambda: services.werkbrief_comment_add(werkbrief=wb, membership=contact, text="Top")
        )
        assert 'FROM "timesheets_werkbrief"' in comment_lock
        (request_lock,) = _locks(
            lambda: services.correction_request_create(
                werkbrief=wb, membership=contact, message="9 uur"
            )
        )
        assert 'FROM "timesheets_werkbrief"' in request_lock
        (handle_lock,) = _locks(
            lambda: services.correction_requests_handle(
                requests=CorrectionRequest.objects.all(), membership=tenant_a.staff
            )
        )
        assert 'FROM "timesheets_correctionrequest"' in handle_lock
        assert CorrectionRequest.objects.get().state == CorrectionRequest.State.HANDLED


def test_whoever_sees_the_werkbrief_still_comments_in_every_state(tenant_a, werkbrief):
    """Behaviour stays: the worker, the contact (even one who may not approve) and the back
    office comment on a werkbrief whatever its state."""
    with tenant_a.scope():
        tenant_a.contact.can_approve_hours = False
        tenant_a.contact.save()
        for state in Status.values:
            Werkbrief.objects.filter(pk=werkbrief.pk).update(status=state)
            for membership in (
                tenant_a.worker.membership,
                tenant_a.contact.membership,
                tenant_a.staff,
            ):
                services.werkbrief_comment_add(
                    werkbrief=werkbrief, membership=membership, text=f"{state} {membership.pk}"
                )
        assert WerkbriefComment.objects.count() == 3 * len(Status.values)


def test_a_contact_who_may_not_approve_still_asks_for_a_correction(tenant_a, werkbrief):
    with tenant_a.scope():
        wb = _approved(tenant_a, werkbrief)
        tenant_a.contact.can_approve_hours = False
        tenant_a.contact.save()
        services.correction_request_create(
            werkbrief=wb, membership=tenant_a.contact.membership, message="9 uur"
        )
        assert CorrectionRequest.objects.count() == 1


def test_every_write_service_of_a_werkbrief_takes_the_person():
    """The writes on a werkbrief name who does them (and so who is checked)."""
    import inspect

    for name in [
        "werkbrief_transition",
        "werkbrieven_bulk_transition",
        "werkbrief_save_hours",
        "expense_add",
        "expense_remove",
        "werkbrief_comment_add",
        "correction_request_create",
        "correction_requests_handle",
    ]:
        parameter = inspect.signature(getattr(services, name)).parameters["membership"]
        assert parameter.kind is inspect.Parameter.KEYWORD_ONLY, name
        assert parameter.default is inspect.Parameter.empty, name
