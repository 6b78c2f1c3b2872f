"""Named query counts: a page or a service runs exactly the queries a test names, one line each.

    with expect_queries(
        *CLIENT_REQUEST,
        "placement: the number of placements (for the pages)",
        "placement: the placements of the page, with worker, department, client and function",
    ):
        client.get("/client/placements/")

Each step names one query and starts with the table it reads or writes first, as the model's
name in lower case (``"placement: ..."`` matches ``staffing_placement``, whatever the app
label), or with the statement for those without a table (``"SAVEPOINT: ..."``);
that part is checked against the SQL, so the names stay true when a query is swapped for
another. On a difference the failure lists the steps beside the numbered SQL, so the query that
appeared or disappeared is plain to see.
"""

import contextlib
import re
from collections.abc import Iterator

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

# What every portal page costs before its view runs (flexportal.tenancy, the session, the login,
# the second factor of accounts.middleware, request.memberships).
WORKER_REQUEST = (
    "agency: the agency, from the host",
    "session: the session",
    "user: the person",
    "membership: the person's membership of this agency",
)
CLIENT_REQUEST = (
    "agency: the agency, from the host",
    "session: the session",
    "user: the person",
    "staticdevice: the second factor the session was verified with (the agency asks it)",
    "membership: the person's membership of this agency",
)
# The back office: staff must have a second factor. (The tests' sessions are verified with a
# static device, tests.conftest.signed_in_session; a real login reads the device it used.)
STAFF_REQUEST = (
    "agency: the agency, from the host",
    "session: the session",
    "user: the person",
    "staticdevice: the second factor the session was verified with (staff must have one)",
    "membership: the person's memberships of this agency (request.memberships)",
)

# The portal's pages, after the request's queries. One place for each, as several tests ask them.

WORKER_HOME = (  # /worker/ (timesheets.views.worker_home)
    "werkbrief: the worker's open werkbriefjes up to this week, with placement, department, "
    "client and function (selectors.worker_home)",
    "placement: the worker's current placements (accounts.selectors.placements_current)",
)
WORKER_WERKBRIEVEN = (  # /worker/werkbriefjes/ (selectors.worker_status_overview)
    "werkbrief: the number of werkbriefjes (for the pages)",
    "werkbrief: the werkbriefjes of the page, with placement, department, client and function",
)
WORKER_PLACEMENTS = (  # /worker/placements/
    "placement: the number of placements (for the pages)",
    "placement: the placements of the page, with department, client and function",
)
CLIENT_HOME = (  # /client/ (timesheets.views.client_home)
    "clientcontact: the client contact (the page's heading and menu)",
    "department: the menu counts: departments and current placements, in one query",
    "clientcontact: the client contact again (which departments' werkbriefjes it sees)",
    "department: the ids of those departments",
    "werkbrief: the counts of what is on its way (submitted, rejected, approved, waiting)",
    "werkbrief: the first DASHBOARD_ROWS that wait, with worker, department and client",
    "werkbrief: what waits, counted per week",
)
CLIENT_WERKBRIEVEN = (  # /client/werkbriefjes/ (one week, a page at a time)
    "clientcontact: the client contact (which departments' werkbriefjes it sees)",
    "department: the ids of those departments",
    "werkbrief: the number of werkbriefjes in the week (for the pages)",
    "werkbrief: the ids of the page's werkbriefjes, sorted by name",
    "werkbrief: those werkbriefjes, with worker, department, client and function",
)
CLIENT_PLACEMENTS = (  # /client/placements/
    "clientcontact: the client contact (which departments it sees)",
    "placement: the number of placements (for the pages)",
    "placement: the placements of the page, with worker, department, client and function",
)
CLIENT_DEPARTMENTS = (  # /client/departments/
    "clientcontact: the client contact (which departments it sees)",
    "department: those departments with their cost centres",
)

# The werkbrief page (timesheets.werkbrief_page.werkbrief_page): the werkbrief is read once,
# with placement, worker, person, department, client, function and CAO version; then the same
# for one day, expense and comment as for seven, whatever the state.
_WERKBRIEF_DETAILS = (
    "werkbriefday: its days",
    "manualhours: the hours typed per hour type on those days, with their hour types",
    "expense: its expenses with their types",
    "werkbriefcomment: its comments with their authors",
    "werkbrieftransition: its status history with who moved it",
)
WORKER_WERKBRIEF = (  # /worker/werkbrief/<id>/ while the worker fills it in
    "werkbrief: the werkbrief with its details, among the worker's own (werkbrief_page)",
    *_WERKBRIEF_DETAILS,
    "hourtype: the agency's active hour types (the clock's columns; no CAO scheme)",
    "expensetype: the active expense types (the expense form, only while hours can change)",
    "werkbriefchange: the changes of hours with who made them",
    "hourtype: the names of the hour types those changes name (only where a change of the "
    "clock's buckets is recorded)",
)
WORKER_WERKBRIEF_SUBMITTED = tuple(  # the same page once submitted: no expense form
    step for step in WORKER_WERKBRIEF if not step.startswith("expensetype:")
)
CLIENT_WERKBRIEF = (  # /client/werkbrief/<id>/ while it waits for the contact's approval
    "clientcontact: the client contact (which departments' werkbriefjes it sees)",
    "werkbrief: the werkbrief with its details, among the departments' (werkbrief_page)",
    *_WERKBRIEF_DETAILS,
    "clientcontact: the client contact again, for the hours it may edit (can_edit_hours)",
    "department: whether the placement's department is one of its own (can_edit_hours)",
    "clientcontact: the client contact again, for the buttons (allowed_actions)",
    "department: whether the placement's department is one of its own (allowed_actions)",
    "hourtype: the agency's active hour types (the clock's columns; no CAO scheme)",
    "expensetype: the active expense types (the expense form, while the contact corrects)",
    "werkbriefchange: the changes of hours with who made them",
    "hourtype: the names of the hour types those changes name (only where a change of the "
    "clock's buckets is recorded)",
)


_STEP = re.compile(r"^([A-Za-z_]+): ")
_TARGET = re.compile(
    r'^\s*(?:SELECT\b.*?\bFROM\s+"(?P<select>[^"]+)"'
    r'|INSERT\s+INTO\s+"(?P<insert>[^"]+)"'
    r'|UPDATE\s+"(?P<update>[^"]+)"'
    r'|DELETE\s+FROM\s+"(?P<delete>[^"]+)"'
    r"|(?P<statement>[A-Z]+))",
    re.DOTALL,
)


def target(sql: str) -> str:
    """The table a query reads or writes first (``accounts_placement``), or its statement
    (``SAVEPOINT``)."""
    match = _TARGET.match(sql)
    if match is None:
        return "?"
    return next(value for value in match.groupdict().values() if value)


_COLUMNS = re.compile(r'"[^"]+"\."[^"]+"(?: AS "[^"]+")?(?:, "[^"]+"\."[^"]+"(?: AS "[^"]+")?)+')


def _short(sql: str) -> str:
    """The SQL with its lists of plain columns cut, so that its tables and conditions show."""
    return _COLUMNS.sub("…", sql)[:400]


def _fits(step: str, sql: str) -> bool:
    named = _STEP.match(step)
    if named is None:
        return False
    word, table = named.group(1), target(sql)
    return table == word or table.endswith(f"_{word}")


def _report(steps: tuple[str, ...], sql: list[str]) -> str:
    lines = [f"{len(steps)} queries named, {len(sql)} run:"]
    for i in range(max(len(steps), len(sql))):
        step = steps[i] if i < len(steps) else "(not named)"
        query = sql[i] if i < len(sql) else "(not run)"
        mark = "  " if i < len(steps) and i < len(sql) and _fits(step, query) else "!!"
        lines.append(f"{mark}{i + 1:>3}. {step}")
        lines.append(f"        {_short(query)}")
    return "\n".join(lines)


@contextlib.contextmanager
def expect_queries(*steps: str) -> Iterator[CaptureQueriesContext]:
    """Fail unless the block runs exactly ``steps``' queries, each on the table it names."""
    unnamed = [step for step in steps if not _STEP.match(step)]
    assert not unnamed, f"a step starts with its table or statement ('placement: ...'): {unnamed}"
    with CaptureQueriesContext(connection) as captured:
        yield captured
    sql = [q["sql"] for q in captured.captured_queries]
    if len(sql) != len(steps) or not all(map(_fits, steps, sql)):
        pytest.fail(_report(steps, sql))
