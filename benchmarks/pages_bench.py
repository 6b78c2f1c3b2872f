"""The portal's pages at 20 and at 5,000 workers: SQL queries, bytes and server time per page,
side by side.

    .venv/bin/python benchmarks/pages_bench.py [--workers 20 5000] [--repeat 7]

Works in a database of its own (created next to DATABASE_URL's, or in the embedded PostgreSQL,
and dropped afterwards). It loads the demo (`seed_demo`), then for each count runs
`seed_demo --workers N` (which fills the demo contact's client, Kwekerij De Groene Vallei, with
N workers and their werkbriefjes of the last weeks in every status) and requests every page of
the client contact klant@demo.nl and of the worker werknemer@demo.nl in-process through Django's
test client: the queries and bytes of one request, and the median server time of ``--repeat``
requests after a warm-up. A bounded page costs about the same at both counts.

Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks.bench_db import drop_database, own_database  # noqa: E402 (needs REPO on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flexportal.settings")
os.environ.setdefault("FLEXPORTAL_TESTING", "true")  # a settings mode without a SECRET_KEY
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "true"  # the demo's event mails, without a worker
os.environ.setdefault("SMS_BACKEND", "notifications.sms.MemorySmsBackend")
os.environ.setdefault("LOG_LEVEL", "WARNING")

BENCH_DB = f"flexportal_pages_{uuid.uuid4().hex[:8]}"


def pages() -> list[tuple[str, str, str]]:
    """(label, login, path) of every portal page that lists or summarises werkbriefjes or
    placements, and one werkbrief of each role."""
    from agencies.models import Agency
    from flexportal.tenancy import agency_scope
    from timesheets.models import Status, Werkbrief

    agency = Agency.objects.get(slug="demo")
    with agency_scope(agency):
        submitted = (
            Werkbrief.objects.filter(
                status=Status.INGEDIEND, placement__department__client__name__startswith="Kwek"
            )
            .order_by("week_start", "placement__worker__employee_number")
            .first()
        )
        own = (
            Werkbrief.objects.filter(placement__worker__membership__user__email="werknemer@demo.nl")
            .order_by("-week_start")
            .first()
        )
    client, worker = "klant@demo.nl", "werknemer@demo.nl"
    return [
        ("client: dashboard", client, "/client/"),
        ("client: werkbriefjes, page 1", client, "/client/werkbriefjes/"),
        ("client: werkbriefjes, page 20", client, "/client/werkbriefjes/?page=20"),
        ("client: werkbriefjes, submitted", client, "/client/werkbriefjes/?status=ingediend"),
        ("client: werkbriefjes, waiting", client, "/client/werkbriefjes/?waiting=1"),
        ("client: placements, page 1", client, "/client/placements/"),
        ("client: departments", client, "/client/departments/"),
        ("client: a werkbrief", client, f"/client/werkbrief/{submitted.pk}/"),
        ("worker: dashboard", worker, "/worker/"),
        ("worker: werkbriefjes", worker, "/worker/werkbriefjes/"),
        ("worker: placements", worker, "/worker/placements/"),
        ("worker: a werkbrief", worker, f"/worker/werkbrief/{own.pk}/"),
    ]


class _Recorder:
    """A database execute wrapper that notes each statement."""

    def __init__(self, statements: list):
        self.statements = statements

    def __call__(self, execute, sql, params, many, context):
        self.statements.append(sql)
        return execute(sql, params, many, context)


def measure(repeat: int) -> dict[str, tuple[int, int, float]]:
    """label -> (queries, bytes, median milliseconds)."""
    from django.db import connection
    from django.test import Client

    from accounts.models import Membership
    from agencies.models import Agency
    from flexportal.tenancy import agency_scope
    from tests.conftest import signed_in_session

    agency = Agency.objects.get(slug="demo")
    clients = {}
    results = {}
    for label, email, path in pages():
        if email not in clients:
            with agency_scope(agency):
                membership = Membership.objects.select_related("user", "agency").get(
                    agency=agency, user__email=email
                )
            http = Client(HTTP_HOST="demo.localhost")
            http.force_login(membership.user)
            signed_in_session(http, membership)
            clients[email] = http
        http = clients[email]
        http.get(path)  # warm-up: sessions, caches, compiled templates
        queries: list[str] = []
        with connection.execute_wrapper(_Recorder(queries)):
            response = http.get(path)
        assert response.status_code == 200, (label, response.status_code)
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            http.get(path)
            times.append((time.perf_counter() - started) * 1000)
        results[label] = (len(queries), len(response.content), statistics.median(times))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--workers", type=int, nargs="+", default=[20, 5000])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()

    admin_url = own_database(BENCH_DB)
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    try:
        call_command("migrate", verbosity=0)
        runs = {}
        for count in sorted(args.workers):
            started = time.perf_counter()
            call_command("seed_demo", workers=count, stdout=open(os.devnull, "w"))  # noqa: SIM115
            seeded = time.perf_counter() - started
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum would
            print(f"seed_demo --workers {count}: {seeded:.0f} s", flush=True)
            runs[count] = measure(args.repeat)
        report(runs)
    finally:
        drop_database(admin_url, BENCH_DB)


def report(runs: dict[int, dict]) -> None:
    counts = list(runs)
    head = f"{'page':32}" + "".join(f" | {f'{c:,} workers':^26}" for c in counts)
    print()
    print(head)
    print(f"{'':32}" + "".join(f" | {'queries':>7} {'KB':>7} {'ms':>8}" for _ in counts))
    for label in runs[counts[0]]:
        row = f"{label:32}"
        for count in counts:
            queries, size, ms = runs[count][label]
            row += f" | {queries:7d} {size / 1024:7.1f} {ms:8.1f}"
        print(row)


if __name__ == "__main__":
    main()
