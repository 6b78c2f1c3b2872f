"""The dashboards' "actions waiting" and the reminders come from one definition of what waits
for whom (timesheets.selectors.waiting_for_worker / waiting_for_client)."""

import pytest

from staffing.models import HoursEnteredBy
from tests import factories
from tests.notifications.conftest import act, fill, werkbrief
from timesheets import notifications as notification_selectors
from timesheets import selectors

pytestmark = pytest.mark.django_db


@pytest.fixture
def mixed_week(tenant_a, week):
    """Four placements of the same worker in four states, and one the client fills in."""
    worker, contact = tenant_a.worker.membership, tenant_a.contact.membership
    sheets = {}
    with tenant_a.scope():
        for name in ("to_fill", "submitted", "rejected", "approved", "by_client"):
            placement = factories.PlacementFactory(
                agency=tenant_a.agency,
                department=tenant_a.department,
                function=tenant_a.function,
                worker=tenant_a.worker,
                hours_entered_by=(
                    HoursEnteredBy.CLIENT if name == "by_client" else HoursEnteredBy.WORKER
                ),
            )
            sheets[name] = werkbrief(tenant_a, week, placement=placement)
        sheets["submitted"] = act(fill(sheets["submitted"], worker), worker, "submit")
        rejected = act(fill(sheets["rejected"], worker), worker, "submit")
        sheets["rejected"] = act(rejected, contact, "reject", "Nee")
        approved = act(fill(sheets["approved"], worker), worker, "submit")
        sheets["approved"] = act(approved, contact, "approve")
    return sheets


def test_the_worker_dashboard_and_the_worker_reminder_list_the_same_werkbriefjes(
    tenant_a, mixed_week, week
):
    with tenant_a.scope():
        home = selectors.worker_home(membership=tenant_a.worker.membership, today=week)
        on_dashboard = {str(w.pk) for w in [home.current, *home.other_open] if w}
        (recipient,) = notification_selectors.worker_reminder_recipients(
            agency=tenant_a.agency, week_start=week
        )
    expected = {str(mixed_week[n].pk) for n in ("to_fill", "rejected")}
    # The tenant's own placement adds no werkbrief of this week (none was made for it).
    assert on_dashboard == expected == set(recipient.context["werkbrief_ids"])


def test_the_client_dashboard_and_the_client_reminder_agree_on_what_waits(
    tenant_a, mixed_week, week
):
    contact = tenant_a.contact.membership
    with tenant_a.scope():
        on_dashboard = {w.pk for w in selectors.client_awaiting(membership=contact, today=week)}
        in_reminder = {
            w.pk
            for w in selectors.client_week_open(membership=contact, week_start=week)
            if w.waiting
        }
        (recipient,) = notification_selectors.client_reminder_recipients(
            agency=tenant_a.agency, week_start=week
        )
    assert on_dashboard == in_reminder == {mixed_week[n].pk for n in ("submitted", "by_client")}
    assert recipient.user_id == contact.user_id
