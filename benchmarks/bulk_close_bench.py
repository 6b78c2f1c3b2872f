"""The back office closes, then processes, a week of 5,000 approved werkbriefjes in one request.

    .venv/bin/python benchmarks/bulk_close_bench.py [--werkbrieven 5000] [--compare]

Works in a database of its own (created next to DATABASE_URL's, or in the embedded PostgreSQL,
and dropped afterwards). One agency, one client, ``--werkbrieven`` workers each with a placement
and an approved werkbrief of last week. The admin's actions "close" and "process" run through
the whole request cycle (Django's test client, every middleware) on the whole list
("select all"), and print the time and the SQL queries of each. ``--compare`` first times the
old way on the same rows, one werkbrief at a time through ``werkbrief_transition`` (rolled
back). Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks.bench_db import drop_database, own_database  # noqa: E402 (needs REPO on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flexportal.settings")
os.environ.setdefault("FLEXPORTAL_TESTING", "true")  # a settings mode without a SECRET_KEY
os.environ.setdefault("SMS_BACKEND", "notifications.sms.MemorySmsBackend")
os.environ.setdefault("LOG_LEVEL", "WARNING")

BENCH_DB = f"flexportal_bench_{uuid.uuid4().hex[:8]}"


def make_week(count: int):
    """An agency with ``count`` workers, each with an approved werkbrief of last week."""
    from accounts.models import Membership, User
    from agencies.models import Agency, Role
    from flexportal.tenancy import agency_scope
    from staffing.models import FlexworkerProfile, Placement
    from tests import factories
    from timesheets.models import Status, Werkbrief

    agency = Agency.objects.create(slug="bench", name="Bench", two_factor_roles=[])
    today = dt.date.today()
    week = today - dt.timedelta(days=today.weekday() + 7)
    with agency_scope(agency):
        department = factories.DepartmentFactory(agency=agency)
        function = factories.JobFunctionFactory(agency=agency, client=department.client)
        staff = factories.MembershipFactory(agency=agency, role=Role.STAFF)
        users = User.objects.bulk_create(
            User(email=f"w{i}@bench.nl", first_name="Werker", last_name=str(i))
            for i in range(count)
        )
        memberships = Membership.objects.bulk_create(
            Membership(agency=agency, user=u, role=Role.FLEXWORKER) for u in users
        )
        workers = FlexworkerProfile.objects.bulk_create(
            FlexworkerProfile(
                agency=agency,
                membership=m,
                employee_number=f"B{i:06d}",
                first_name="Werker",
                last_name=str(i),
            )
            for i, m in enumerate(memberships)
        )
        placements = Placement.objects.bulk_create(
            Placement(
                agency=agency,
                worker=w,
                department=department,
                function=function,
                start_date=week - dt.timedelta(days=365),
                hourly_wage="15.00",
                client_rate="30.00",
            )
            for w in workers
        )
        Werkbrief.objects.bulk_create(
            Werkbrief(
                agency=agency,
                placement=p,
                week_start=week,
                status=Status.GOEDGEKEURD,
                worked_minutes=2400,
            )
            for p in placements
        )
    return agency, staff


class _Rollback(Exception):
    pass


def old_way(agency, staff) -> float:
    """One werkbrief at a time through the state machine, as before (rolled back)."""
    from django.db import transaction

    from flexportal.tenancy import agency_scope
    from timesheets import services
    from timesheets.models import Werkbrief

    started = time.perf_counter()
    try:
        with agency_scope(agency), transaction.atomic():
            for wb in Werkbrief.objects.select_related("placement"):
                services.werkbrief_transition(
                    werkbrief=wb, membership=staff, action="close", version=None
                )
            raise _Rollback
    except _Rollback:
        pass
    return time.perf_counter() - started


def admin_action(client, action: str) -> tuple[float, int, int]:
    """One POST of the action on the whole list; its time, its SQL queries, its status. The
    queries are counted by a wrapper (Django's debug cursor would format every huge one)."""
    from django.db import connection

    count = 0

    def counting(execute, sql, params, many, context):
        nonlocal count
        count += 1
        if os.environ.get("BENCH_SHOW_QUERIES"):
            print(f"  {sql[:100]}")
        return execute(sql, params, many, context)

    started = time.perf_counter()
    with connection.execute_wrapper(counting):
        response = client.post(
            "/admin/timesheets/werkbrief/",
            {"action": action, "select_across": "1", "_selected_action": ["x"], "index": "0"},
        )
    return time.perf_counter() - started, count, response.status_code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--werkbrieven", type=int, default=5000)
    parser.add_argument("--compare", action="store_true", help="time the old way first")
    args = parser.parse_args()

    admin_url = own_database(BENCH_DB)
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import setup_test_environment

    setup_test_environment()
    try:
        call_command("migrate", verbosity=0)
        started = time.perf_counter()
        agency, staff = make_week(args.werkbrieven)
        made = time.perf_counter() - started
        print(f"{args.werkbrieven:,} approved werkbriefjes made in {made:.1f} s")
        if args.compare:
            print(f"old way, one at a time (close): {old_way(agency, staff):.1f} s")
        from tests.conftest import signed_in_session

        client = Client(HTTP_HOST=f"{agency.slug}.localhost")
        client.force_login(staff.user)
        signed_in_session(client, staff, verified=False)
        for action in ("close_selected", "process_selected"):
            seconds, queries, status = admin_action(client, action)
            print(f"admin {action}: {seconds:.2f} s, {queries} queries, HTTP {status}")
        from flexportal.tenancy import agency_scope
        from timesheets.models import Werkbrief, WerkbriefTransition

        with agency_scope(agency):
            statuses = set(Werkbrief.objects.values_list("status", flat=True))
            print(f"statuses now: {statuses}; transitions: {WerkbriefTransition.objects.count():,}")
    finally:
        drop_database(admin_url, BENCH_DB)


if __name__ == "__main__":
    main()
