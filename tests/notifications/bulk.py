"""Many workers at once, with bulk inserts: for the query-count tests, the integration tests and
benchmarks/notify_bench.py. Every worker has one placement and an open werkbrief of ``week``."""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.hashers import make_password

from accounts.models import Membership, User
from agencies.models import Agency, Role
from flexportal.tenancy import agency_scope
from staffing.models import (
    Client,
    ClientContact,
    Department,
    FlexworkerProfile,
    JobFunction,
    Placement,
)
from timesheets.models import Status, Werkbrief

LANGUAGES = ["nl", "en", "pl", "ro", "de"]


def _people(agency: Agency, prefix: str, count: int, role: str) -> list[Membership]:
    users = [
        User(
            email=f"{prefix}{i:06d}@{agency.slug}.example",
            first_name=prefix.title(),
            last_name=f"{i:06d}",
            preferred_language=LANGUAGES[i % len(LANGUAGES)],
        )
        for i in range(count)
    ]
    # Activated accounts (a password), with one hash computed once: hashing is slow on purpose.
    password = make_password(f"{prefix}-{agency.slug}-bulk-Password-1")
    for user in users:
        user.password = password
    User.objects.bulk_create(users, batch_size=2000)
    return Membership.objects.bulk_create(
        [Membership(agency=agency, user=u, role=role) for u in users], batch_size=2000
    )


def agency_with_workers(
    *,
    slug: str,
    workers: int,
    week: dt.date,
    contacts: int = 2,
    submitted_every: int = 0,
    **agency_fields,
) -> Agency:
    """An agency with ``workers`` flexworkers at one client department, each with a werkbrief of
    ``week`` still to fill in (every ``submitted_every``-th one submitted, 38:30 entered), and
    ``contacts`` client contacts who approve hours."""
    agency = Agency.objects.create(slug=slug, name=f"{slug.title()} Uitzend", **agency_fields)
    with agency_scope(agency):
        client = Client.objects.create(agency=agency, name=f"{slug.title()} Klant B.V.")
        department = Department.objects.create(agency=agency, client=client, name="Productie")
        function = JobFunction.objects.create(agency=agency, client=client, name="Operator")
        profiles = FlexworkerProfile.objects.bulk_create(
            [
                FlexworkerProfile(
                    agency=agency,
                    membership=m,
                    employee_number=f"W{i:06d}",
                    first_name=m.user.first_name,
                    last_name=m.user.last_name,
                )
                for i, m in enumerate(_people(agency, "worker", workers, Role.FLEXWORKER))
            ],
            batch_size=2000,
        )
        placements = Placement.objects.bulk_create(
            [
                Placement(
                    agency=agency,
                    worker=p,
                    department=department,
                    function=function,
                    start_date=week - dt.timedelta(weeks=4),
                    hourly_wage=Decimal("15.00"),
                    client_rate=Decimal("27.75"),
                )
                for p in profiles
            ],
            batch_size=2000,
        )
        Werkbrief.objects.bulk_create(
            [
                Werkbrief(
                    agency=agency,
                    placement=p,
                    week_start=week,
                    status=Status.INGEDIEND
                    if submitted_every and i % submitted_every == 0
                    else Status.RAPPORTEER,
                    worked_minutes=38 * 60 + 30
                    if submitted_every and i % submitted_every == 0
                    else 0,
                )
                for i, p in enumerate(placements)
            ],
            batch_size=2000,
        )
        ClientContact.objects.bulk_create(
            [
                ClientContact(agency=agency, membership=m, client=client)
                for m in _people(agency, "contact", contacts, Role.CLIENT_CONTACT)
            ]
        )
    return agency


def schedule_due_now(tz, *, now: dt.datetime, kinds=("worker",)) -> dict:
    """Agency settings under which the reminders of ``kinds`` ("worker", "client") are due right
    now (their slot a minute ago, the cut-offs two days ahead) and nothing else is: for tests
    and benchmarks against a real worker, which checks the cut-off on the real clock."""
    now = now.astimezone(tz)
    slot = now - dt.timedelta(minutes=1)
    cutoff = now + dt.timedelta(days=2)
    before_cutoff = cutoff - dt.timedelta(minutes=1)
    at = {"weekday": slot.weekday(), "time": slot.strftime("%H:%M")}

    def time_of(moment: dt.datetime) -> dt.time:
        return moment.time().replace(second=0, microsecond=0, tzinfo=None)

    return {
        "worker_deadline_weekday": cutoff.weekday(),
        "worker_deadline_time": time_of(cutoff),
        "client_deadline_weekday": cutoff.weekday(),
        "client_deadline_time": time_of(cutoff),
        "worker_reminder_slots": [at] if "worker" in kinds else [],
        "client_reminder_slots": [at] if "client" in kinds else [],
        # The ready notice falls just before the cut-off: not due now.
        "ready_notice_weekday": before_cutoff.weekday(),
        "ready_notice_time": time_of(before_cutoff),
    }
