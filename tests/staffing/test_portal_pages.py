"""The worker's and the client contact's pages of the foundation: dashboards and placements."""

import pytest

from tests import factories
from tests.queries import (
    CLIENT_DEPARTMENTS,
    CLIENT_HOME,
    CLIENT_PLACEMENTS,
    CLIENT_REQUEST,
    WORKER_HOME,
    WORKER_PLACEMENTS,
    WORKER_REQUEST,
    expect_queries,
)

pytestmark = pytest.mark.django_db

# What each list page runs after the request's own queries, one line a query (tests.queries):
# the same for 5 rows and for 200.
PAGES = {
    "/worker/": WORKER_HOME,
    "/worker/placements/": WORKER_PLACEMENTS,
    "/client/": CLIENT_HOME,
    "/client/placements/": CLIENT_PLACEMENTS,
    "/client/departments/": CLIENT_DEPARTMENTS,
}


def _add_placements(tenant, count):
    with tenant.scope():
        for _ in range(count):
            factories.PlacementFactory(
                agency=tenant.agency,
                department=tenant.department,
                function=tenant.function,
                worker=tenant.worker,
            )


def test_a_worker_sees_their_placements(tenant_a, tenant_b):
    response = tenant_a.http(tenant_a.worker.membership).get("/worker/placements/")
    assert tenant_a.department.name in response.content.decode()
    assert tenant_b.department.name not in response.content.decode()


def test_a_worker_does_not_see_a_colleagues_placement(tenant_a):
    with tenant_a.scope():
        colleague = factories.PlacementFactory(
            agency=tenant_a.agency, department=tenant_a.department, function=tenant_a.function
        )
    client = tenant_a.http(tenant_a.worker.membership)
    assert client.get(f"/worker/placements/{colleague.pk}/").status_code == 404


def test_a_contact_sees_only_the_departments_they_may_see(tenant_a):
    with tenant_a.scope():
        hidden = factories.DepartmentFactory(agency=tenant_a.agency, client=tenant_a.client)
        hidden_placement = factories.PlacementFactory(
            agency=tenant_a.agency, department=hidden, function=tenant_a.function
        )
        tenant_a.contact.sees_all_departments = False
        tenant_a.contact.save()
        tenant_a.contact.departments.set([tenant_a.department])
    client = tenant_a.http(tenant_a.contact.membership)
    assert hidden.name not in client.get("/client/departments/").content.decode()
    assert client.get(f"/client/placements/{hidden_placement.pk}/").status_code == 404
    assert client.get(f"/client/placements/{tenant_a.placement.pk}/").status_code == 200


def test_a_contact_does_not_see_another_clients_placements(tenant_a):
    with tenant_a.scope():
        other = factories.PlacementFactory(agency=tenant_a.agency)
    client = tenant_a.http(tenant_a.contact.membership)
    assert client.get(f"/client/placements/{other.pk}/").status_code == 404


def test_the_client_dashboard_counts_departments_and_current_placements(tenant_a):
    response = tenant_a.http(tenant_a.contact.membership).get("/client/")
    assert response.context["counts"] == {"departments": 1, "placements": 1}


def test_a_worker_cannot_open_client_pages_and_back(tenant_a):
    assert tenant_a.http(tenant_a.worker.membership).get("/client/").status_code == 404
    assert tenant_a.http(tenant_a.contact.membership).get("/worker/").status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_and_back(tenant_a):
    response = tenant_a.http().get("/worker/placements/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/login/?next=/worker/placements/"


@pytest.mark.parametrize(
    ("persona", "url"),
    [
        ("worker", "/worker/"),
        ("worker", "/worker/placements/"),
        ("contact", "/client/"),
        ("contact", "/client/placements/"),
        ("contact", "/client/departments/"),
    ],
)
def test_list_pages_run_a_fixed_number_of_queries(tenant_a, persona, url):
    membership = getattr(tenant_a, persona).membership
    client = tenant_a.http(membership)
    request = CLIENT_REQUEST if persona == "contact" else WORKER_REQUEST
    _add_placements(tenant_a, 4)
    with expect_queries(*request, *PAGES[url]) as few:
        assert client.get(url).status_code == 200
    _add_placements(tenant_a, 195)
    with expect_queries(*request, *PAGES[url]) as many:
        assert client.get(url).status_code == 200
    assert len(few) == len(many), f"{url}: {len(few)} queries with 5 rows, {len(many)} with 200"


def _placements_at_the_contacts_department(tenant, count):
    with tenant.scope():
        for _ in range(count - tenant.department.placements.count()):
            factories.PlacementFactory(
                agency=tenant.agency, department=tenant.department, function=tenant.function
            )


def test_a_contact_sees_the_placements_by_name_a_page_at_a_time(tenant_a):
    _placements_at_the_contacts_department(tenant_a, 60)
    client = tenant_a.http(tenant_a.contact.membership)
    first = client.get("/client/placements/")
    second = client.get("/client/placements/", {"page": 2})
    rows = list(first.context["placements"]) + list(second.context["placements"])
    assert len(first.context["placements"]) == 50
    assert len({p.pk for p in rows}) == 60
    names = [(p.worker.last_name, p.worker.first_name) for p in rows]
    assert names == sorted(names)
    assert "?page=2" in first.content.decode()


@pytest.mark.parametrize("count", [5, 200])
def test_the_contacts_placements_run_the_same_queries_for_5_and_200(tenant_a, count):
    _placements_at_the_contacts_department(tenant_a, count)
    client = tenant_a.http(tenant_a.contact.membership)
    client.get("/client/placements/")
    with expect_queries(*CLIENT_REQUEST, *PAGES["/client/placements/"]):
        assert client.get("/client/placements/").status_code == 200


@pytest.mark.parametrize("count", [5, 200])
def test_the_workers_placements_run_the_same_queries_for_5_and_200(tenant_a, count):
    _add_placements(tenant_a, count - 1)
    client = tenant_a.http(tenant_a.worker.membership)
    client.get("/worker/placements/")
    with expect_queries(*WORKER_REQUEST, *PAGES["/worker/placements/"]):
        response = client.get("/worker/placements/")
    assert len(response.context["placements"]) == min(count, 50)


@pytest.mark.parametrize(
    ("persona", "prefix", "page"),
    [
        (
            "worker",
            "/worker",
            ("placement: the placement, among the worker's own, with department and client",),
        ),
        (
            "contact",
            "/client",
            (
                "clientcontact: the client contact (which departments it sees)",
                "placement: the placement, among those departments', with worker and client",
            ),
        ),
    ],
)
def test_a_placements_page_runs_its_named_queries(tenant_a, persona, prefix, page):
    membership = getattr(tenant_a, persona).membership
    client = tenant_a.http(membership)
    request = CLIENT_REQUEST if persona == "contact" else WORKER_REQUEST
    url = f"{prefix}/placements/{tenant_a.placement.pk}/"
    client.get(url)
    with expect_queries(*request, *page):
        assert client.get(url).status_code == 200
