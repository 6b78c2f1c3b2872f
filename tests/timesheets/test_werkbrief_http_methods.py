"""The werkbrief screens answer only the methods they serve: GET and HEAD to read, POST to act;
PUT, DELETE, PATCH, OPTIONS or PROPFIND get 405 with the allowed methods, after the werkbrief is
fetched (so a foreign id stays a 404 whatever the method), and change nothing."""

import pytest

from timesheets.models import Expense, ExpenseType, Werkbrief

pytestmark = pytest.mark.django_db

ODD_METHODS = ["PUT", "DELETE", "PATCH", "OPTIONS", "PROPFIND", "TRACE"]


@pytest.fixture
def expense(tenant_a, werkbrief):
    with tenant_a.scope():
        kind = ExpenseType.objects.create(agency=tenant_a.agency, name="Parkeren")
        return Expense.objects.create(
            agency=tenant_a.agency,
            werkbrief=werkbrief,
            expense_type=kind,
            date=werkbrief.week_start,
            amount=5,
        )


def _pages(role, wb, expense):
    read_and_post = [f"/{role}/werkbrief/{wb.pk}/"]
    read_and_post.append(
        f"/{role}/werkbrief/{wb.pk}/{'submit' if role == 'worker' else 'approve'}/"
    )
    post_only = [
        f"/{role}/werkbrief/{wb.pk}/preview/",
        f"/{role}/werkbrief/{wb.pk}/expenses/",
        f"/{role}/werkbrief/{wb.pk}/comments/",
        f"/{role}/werkbrief/{wb.pk}/correction/",
        f"/{role}/expenses/{expense.pk}/remove/",
    ]
    if role == "client":
        post_only.append(f"/client/werkbrief/{wb.pk}/reject/")
    read_only = [f"/{role}/", f"/{role}/werkbriefjes/", f"/{role}/expenses/{expense.pk}/receipt/"]
    return (
        [(url, "GET, HEAD, POST") for url in read_and_post]
        + [(url, "POST") for url in post_only]
        + [(url, "GET, HEAD") for url in read_only]
    )


@pytest.mark.parametrize("role", ["worker", "client"])
@pytest.mark.parametrize("method", ODD_METHODS)
def test_other_methods_than_get_head_and_post_are_not_allowed(
    tenant_a, werkbrief, expense, role, method
):
    membership = tenant_a.worker.membership if role == "worker" else tenant_a.contact.membership
    client = tenant_a.http(membership)
    for url, allowed in _pages(role, werkbrief, expense):
        response = client.generic(method, url, "text=x&version=1")
        assert response.status_code == 405, f"{method} {url}"
        assert response["Allow"] == allowed, f"{method} {url}"
    with tenant_a.scope():
        assert Werkbrief.objects.get(pk=werkbrief.pk).version == werkbrief.version
        assert Expense.objects.filter(pk=expense.pk).exists()


@pytest.mark.parametrize("method", ODD_METHODS)
def test_a_foreign_werkbrief_is_not_found_whatever_the_method(tenant_a, tenant_b, method):
    from tests.test_isolation_sweep import _werkbrief_of

    foreign = _werkbrief_of(tenant_b)
    client = tenant_a.http(tenant_a.worker.membership)
    assert client.generic(method, f"/worker/werkbrief/{foreign.pk}/").status_code == 404
