"""Demo werkbriefjes for `manage.py seed_demo`.

- ``seed_setup``: the agency's hour types (overtime 125 % and 150 %, ORT: the "clock"), expense
  types (kilometre allowance, parking and meals with a receipt) and the example CAO schemes.
- ``seed_werkbrieven``: the past weeks of the demo's own workers in every status, through the
  services (so the history, the unravelling and the mails are the real ones): overtime by hand
  or unravelled, an absence, expenses with receipts, comments, a correction by the client,
  correction requests.
- ``seed_bulk_werkbrieven``: the werkbriefjes of the ``--workers`` bulk in every status, in a
  fixed number of bulk statements (thousands of workers in seconds).

Deterministic and idempotent: only empty werkbriefjes still to report are filled, and what
happens to each follows from the worker's employee number and the week, so a second run
changes nothing.
"""

import datetime as dt
import functools
import io
import json
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from django.core.files.base import ContentFile
from django.db import connection, transaction
from django.utils import timezone

from accounts.models import Membership
from flexportal import uploads
from staffing.models import ClientContact, HoursEnteredBy, TimeEntry
from timesheets import deadlines, services
from timesheets.hours import parse_clock
from timesheets.models import (
    Absence,
    CaoScheme,
    ExpenseType,
    HourType,
    Status,
    Werkbrief,
    WerkbriefDay,
    WerkbriefTransition,
)
from timesheets.services import DayInput, WerkbriefError

CAO_EXAMPLES = Path(__file__).resolve().parent / "fixtures" / "cao_examples.json"

HOUR_TYPES = [
    # code, name, kind, percentage (the screens show the percentage beside the name)
    ("ot_125", "Overuren", HourType.Kind.HOURS, 125),
    ("ot_150", "Overuren zaterdag", HourType.Kind.HOURS, 150),
    ("ort_50", "ORT (onregelmatige uren)", HourType.Kind.SUPPLEMENT, 50),
]
EXPENSE_TYPES = {
    # key: name, kind, rate per km, maximum, needs a receipt
    "km": ("Kilometervergoeding", ExpenseType.Kind.KILOMETRES, Decimal("0.23"), None, False),
    "parking": ("Parkeerkosten", ExpenseType.Kind.AMOUNT, None, Decimal("25.00"), True),
    "meal": ("Maaltijd bij overwerk", ExpenseType.Kind.AMOUNT, None, Decimal("15.00"), True),
}


@dataclass(frozen=True)
class DemoSetup:
    hour_types: dict[str, HourType]
    expense_types: dict[str, ExpenseType]
    schemes: dict[str, CaoScheme]  # by the example's id: "A", "B", "C"


def seed_setup(*, agency) -> DemoSetup:
    """The agency's hour types, expense types and the example CAO schemes (idempotent)."""
    hour_types = {
        code: HourType.objects.get_or_create(
            agency=agency, code=code, defaults={"name": name, "kind": kind, "percentage": pct}
        )[0]
        for code, name, kind, pct in HOUR_TYPES
    }
    expense_types = {
        key: ExpenseType.objects.get_or_create(
            agency=agency,
            name=name,
            defaults={
                "kind": kind,
                "rate": rate,
                "max_amount": maximum,
                "requires_receipt": receipt,
            },
        )[0]
        for key, (name, kind, rate, maximum, receipt) in EXPENSE_TYPES.items()
    }
    examples = json.loads(CAO_EXAMPLES.read_text(encoding="utf-8"))
    loaded = services.cao_examples_load(agency=agency, examples=examples)
    schemes = dict(zip(sorted(examples["schemes"]), loaded, strict=True))
    return DemoSetup(hour_types, expense_types, schemes)


# The demo's own workers, through the services ----------------------------------------------------


def _plan(number: int, weeks_ago: int, by_client: bool) -> str:
    """What became of a werkbrief: missing, draft, submitted, rejected, approved, closed or
    processed. Last week is still on its way; older weeks are approved and processed."""
    if weeks_ago == 1:
        plan = ["missing", "submitted", "rejected", "approved", "submitted"][number % 5]
    elif weeks_ago == 2:
        plan = "rejected" if number % 10 == 0 else "approved" if number % 4 == 1 else "closed"
    else:
        plan = "closed" if number % 6 == 5 else "processed"
    if by_client:
        # The client fills these in: it has saved some without approving; it rejects nothing.
        plan = {"submitted": "draft", "rejected": "approved"}.get(plan, plan)
    return plan


def _shift(date: dt.date, start: str, end: str, break_minutes: int = 30, **more) -> DayInput:
    return DayInput(
        date=date,
        start=parse_clock(start),
        end=parse_clock(end, allow_24=True),
        break_minutes=break_minutes,
        **more,
    )


def _days(wb: Werkbrief, number: int, weeks_ago: int, setup: DemoSetup) -> list[DayInput]:
    """The week's hours, telling for the placement: long days and a Saturday under a CAO
    scheme (overtime and ORT unravelled), night shifts, overtime entered by hand (the clock)
    where there is no scheme, a total per day where the placement enters totals."""
    placement = wb.placement
    dates = {d.date.weekday(): d.date for d in wb.days.all()}
    by_hand = (
        placement.cao_scheme_id is None and placement.hours_entered_by != HoursEnteredBy.CLIENT
    )
    ot_125 = setup.hour_types["ot_125"].pk
    ort = setup.hour_types["ort_50"].pk
    days: list[DayInput] = []
    if placement.time_entry == TimeEntry.TOTAL:
        for weekday, date in dates.items():
            if weekday < 5:
                overtime = by_hand and weekday == 3
                manual = {ot_125: 90} if overtime else {}
                days.append(DayInput(date=date, total=570 if overtime else 480, manual=manual))
        return days
    night = placement.shift_team == "Nacht"
    for weekday, date in dates.items():
        if weekday == 2 and number % 9 == 4 and weeks_ago == 2:
            days.append(DayInput(date=date, absence=Absence.SICK, absence_minutes=480))
        elif night and weekday < 4:
            manual = {ort: 480} if by_hand else {}
            days.append(_shift(date, "22:00", "06:30", manual=manual))
        elif night or weekday > 5:
            continue
        elif placement.cao_scheme_id is not None:
            if weekday == 5:
                if number % 2 == 0:
                    days.append(_shift(date, "07:00", "12:00", 0))
            elif weekday == 4:
                days.append(_shift(date, "07:00", "15:30"))
            else:
                days.append(_shift(date, "07:00", "17:30"))
        elif weekday == 3 and by_hand:
            days.append(_shift(date, "07:30", "18:00", manual={ot_125: 120}))
        elif weekday < 5:
            days.append(_shift(date, "07:30", "16:00"))
    return days


def _moment(agency, week_start: dt.date, day: int, hour: int, minute: int = 0) -> dt.datetime:
    """A time in the week after ``week_start`` (day 0 is its Monday), at the latest now."""
    when = dt.datetime.combine(
        week_start + dt.timedelta(days=7 + day), dt.time(hour, minute), tzinfo=agency.tzinfo
    )
    return min(when, timezone.now())


RECEIPT_LINES = [
    "Parkeergarage Centrum",
    "Stationsplein 1, Naaldwijk",
    "",
    "Inrijden   07:12",
    "Uitrijden  16:31",
    "",
    "Totaal     EUR 7,50",
    "Betaald met pin",
]


@functools.cache
def _receipt_pdf() -> bytes:
    """A parking receipt as a small, valid PDF (one page of text in Courier)."""
    text = "BT /F1 11 Tf 14 TL 20 260 Td " + " ".join(f"({line}) '" for line in RECEIPT_LINES)
    stream = f"{text} ET".encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 226 300] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(stream), stream),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>",
    ]
    pdf = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(pdf))
        pdf += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(pdf)
    pdf += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    pdf += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    pdf += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return pdf


@functools.cache
def _receipt_png() -> bytes:
    """A photographed meal receipt, as a PNG (drawn once per run)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (320, 420), "white")
    draw = ImageDraw.Draw(image)
    lines = [
        "SNACKBAR DE HOEK",
        "Kerkweg 4, Naaldwijk",
        "",
        "1x Broodje kroket   3,90",
        "1x Patat            3,50",
        "1x Soep van de dag  3,20",
        "1x Koffie           1,80",
        "",
        "TOTAAL             12,40",
        "PIN                12,40",
    ]
    for row, text in enumerate(lines):
        draw.text((24, 24 + row * 30), text, fill="black")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _receipt(name: str, content: bytes) -> uploads.CheckedFile:
    """A receipt through the one upload check, as the worker's page sends it."""
    return uploads.validate_upload(ContentFile(content, name=name), uploads.DOCUMENT)


def _expenses(wb, membership, number: int, days: list[DayInput], setup: DemoSetup) -> None:
    """Expenses the worker declared with the hours: kilometres, parking and a meal on the
    overtime day, the last two with a receipt."""
    worked = [d.date for d in days if d.start is not None or d.total]
    if not worked:
        return
    types = setup.expense_types
    if number % 3 == 0:
        for date in worked[:2]:
            services.expense_add(
                werkbrief=wb,
                membership=membership,
                version=None,
                expense_type=types["km"],
                date=date,
                amount=None,
                kilometres=34,
                description="Naar de klantlocatie en terug",
            )
    if number % 4 == 0:
        receipt = _receipt("parkeren.pdf", _receipt_pdf())
        services.expense_add(
            werkbrief=wb,
            membership=membership,
            version=None,
            expense_type=types["parking"],
            date=worked[min(1, len(worked) - 1)],
            amount=Decimal("7.50"),
            kilometres=None,
            description="Parkeergarage Centrum",
            receipt=receipt,
        )
    overtime = [d.date for d in days if d.manual]
    if overtime and number % 2 == 0:
        receipt = _receipt("bonnetje.png", _receipt_png())
        services.expense_add(
            werkbrief=wb,
            membership=membership,
            version=None,
            expense_type=types["meal"],
            date=overtime[0],
            amount=Decimal("12.40"),
            kilometres=None,
            description="Avondeten bij overwerk",
            receipt=receipt,
        )


def seed_werkbrieven(*, agency, staff, today: dt.date, setup: DemoSetup, employee_prefix: str):
    """The last three weeks of the workers whose employee number starts with the prefix."""
    services.werkbrieven_generate(agency=agency, today=today)
    this_week = deadlines.week_start_of(today)
    contacts: dict = {}
    for contact in (
        ClientContact.objects.filter(can_approve_hours=True)
        .select_related("membership__user")
        .order_by("created_at")
    ):
        contacts.setdefault(contact.client_id, contact.membership)
    sheets = (
        Werkbrief.objects.filter(
            status=Status.RAPPORTEER,
            worked_minutes=0,
            week_start__gte=this_week - dt.timedelta(weeks=3),
            week_start__lt=this_week,
            placement__worker__employee_number__startswith=employee_prefix.upper(),
        )
        .select_related(
            "placement__worker__membership__user", "placement__department", "placement__agency"
        )
        .order_by("week_start", "placement__worker__employee_number")
    )
    for wb in sheets:
        weeks_ago = (this_week - wb.week_start).days // 7
        number = int("".join(c for c in wb.placement.worker.employee_number if c.isdecimal()) or 0)
        number %= 1000
        contact = contacts.get(wb.placement.department.client_id)
        if contact is None:
            continue
        by_client = wb.placement.hours_entered_by == HoursEnteredBy.CLIENT
        plan = _plan(number, weeks_ago, by_client)
        if plan == "missing":
            continue  # some of last week's hours are still missing
        try:
            _fill(wb, plan, number, weeks_ago, by_client, contact, staff, setup)
        except WerkbriefError:
            continue  # e.g. a placement that ended mid-week: leave it for the person to fill


def _fill(wb, plan, number, weeks_ago, by_client, contact, staff, setup) -> None:
    agency = wb.placement.agency
    worker = wb.placement.worker.membership
    writer = contact if by_client else worker
    week = wb.week_start
    days = _days(wb, number, weeks_ago, setup)
    if not days:
        return
    wb = services.werkbrief_save_hours(
        werkbrief=wb, membership=writer, version=None, days=days, now=_moment(agency, week, 0, 8)
    )
    if not by_client:
        _expenses(wb, worker, number, days, setup)
    if plan == "draft":
        return
    if not by_client:
        wb = services.werkbrief_submit(
            werkbrief=wb, membership=worker, version=None, now=_moment(agency, week, 0, 9, number)
        )
        if any(d.manual for d in days) and number % 2 == 1:
            services.werkbrief_comment_add(
                werkbrief=wb,
                membership=worker,
                text="Donderdag twee uur langer gebleven voor een spoedorder.",
            )
    if plan == "submitted":
        return
    if plan == "rejected":
        services.werkbrief_reject(
            werkbrief=wb,
            membership=contact,
            version=None,
            reason="Vrijdag was een halve dag, graag aanpassen.",
            now=_moment(agency, week, 1, 10),
        )
        return
    if wb.placement.cao_scheme_id is not None and (number % 4 == 3 or number % 12 == 0):
        # The client corrects a day before approving; the history keeps before and after.
        corrected = [_shift(d.date, "07:00", "14:00") if d.date.weekday() == 4 else d for d in days]
        wb = services.werkbrief_save_hours(
            werkbrief=wb,
            membership=contact,
            version=None,
            days=corrected,
            reason="Vrijdag om 14:00 gestopt, volgens de prikklok.",
            now=_moment(agency, week, 1, 9),
        )
    wb = services.werkbrief_approve(
        werkbrief=wb, membership=contact, version=None, now=_moment(agency, week, 1, 11)
    )
    if any(d.manual for d in days) and number % 2 == 1:
        services.werkbrief_comment_add(
            werkbrief=wb, membership=contact, text="Klopt, dank voor het extra werk."
        )
    if number % 7 == 2:
        request = services.correction_request_create(
            werkbrief=wb,
            membership=contact,
            message="Dinsdag is tot 15:00 gewerkt in plaats van 16:00; graag corrigeren.",
        )
        if weeks_ago >= 3:
            services.correction_requests_handle(
                requests=type(request).objects.filter(pk=request.pk), membership=staff
            )
    if plan == "approved":
        return
    wb = services.werkbrief_transition(
        werkbrief=wb,
        membership=staff,
        action="close",
        version=None,
        now=_moment(agency, week, 2, 10),
    )
    if plan == "processed":
        services.werkbrief_transition(
            werkbrief=wb,
            membership=staff,
            action="process",
            version=None,
            now=_moment(agency, week, 3, 15),
        )


# The --workers bulk ------------------------------------------------------------------------------

BULK_SHIFT = (dt.time(7, 0), dt.time(15, 30), 30, 480)  # start, end, break, worked minutes


def _bulk_plan(number: int, weeks_ago: int, by_client: bool) -> str:
    """A status per werkbrief: last week every status, older weeks closed and processed."""
    if by_client:
        # The client fills these in: half of last week's still waits for it.
        if weeks_ago == 1:
            return Status.RAPPORTEER if number % 20 < 10 else Status.GOEDGEKEURD
        return Status.GOEDGEKEURD if weeks_ago == 2 else Status.VERWERKT
    if weeks_ago == 1:
        return [
            Status.RAPPORTEER,
            Status.RAPPORTEER,
            Status.INGEDIEND,
            Status.INGEDIEND,
            Status.INGEDIEND,
            Status.INGEDIEND,
            Status.AFGEWEZEN,
            Status.GOEDGEKEURD,
            Status.GOEDGEKEURD,
            Status.GOEDGEKEURD,
        ][number % 10]
    if weeks_ago == 2:
        return Status.GOEDGEKEURD if number % 10 == 0 else Status.AFGEROND
    return Status.AFGEROND if number % 20 == 0 else Status.VERWERKT


# The path of each status from "to report": who takes each step ("worker", "contact" or
# "staff"), on which day after the week and at what hour.
PATHS = {
    Status.INGEDIEND: [(Status.INGEDIEND, "worker", 0, 9)],
    Status.AFGEWEZEN: [
        (Status.INGEDIEND, "worker", 0, 9),
        (Status.AFGEWEZEN, "contact", 1, 10),
    ],
    Status.GOEDGEKEURD: [
        (Status.INGEDIEND, "worker", 0, 9),
        (Status.GOEDGEKEURD, "contact", 1, 11),
    ],
    Status.AFGEROND: [
        (Status.INGEDIEND, "worker", 0, 9),
        (Status.GOEDGEKEURD, "contact", 1, 11),
        (Status.AFGEROND, "staff", 2, 10),
    ],
    Status.VERWERKT: [
        (Status.INGEDIEND, "worker", 0, 9),
        (Status.GOEDGEKEURD, "contact", 1, 11),
        (Status.AFGEROND, "staff", 2, 10),
        (Status.VERWERKT, "staff", 3, 15),
    ],
}
REJECTION = "Vrijdag was een halve dag, graag aanpassen."


def _insert_select(model, values: dict[str, str], tail: str, params: dict) -> int:
    """INSERT INTO the model's table SELECT ``values`` (SQL per field name) ``tail``; fields
    not in ``values`` get their model default, so a new field with a default needs nothing
    here. Thousands of rows in one statement, made by the database instead of Python."""
    columns, expressions = [], []
    params = dict(params)
    for field in model._meta.concrete_fields:
        columns.append(connection.ops.quote_name(field.column))
        if field.attname in values:
            expressions.append(values[field.attname])
        else:
            params[f"default_{field.column}"] = field.get_db_prep_save(
                field.get_default(), connection
            )
            expressions.append(f"%(default_{field.column})s")
    sql = (
        f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
        f"SELECT {', '.join(expressions)} {tail}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


ROW = {"id": "gen_random_uuid()", "created_at": "now()", "updated_at": "now()"}


def _bulk_generate(*, agency, placement_ids: list, today: dt.date) -> None:
    """The werkbriefjes of the bulk placements in werkbrieven_generate's window, with their
    seven days, in two statements (the placements run whole weeks)."""
    this_week = deadlines.week_start_of(today)
    _insert_select(
        Werkbrief,
        {**ROW, "agency_id": "p.agency_id", "placement_id": "p.id", "week_start": "g.week::date"},
        "FROM staffing_placement p CROSS JOIN generate_series("
        "%(first)s::date, %(last)s::date, interval '7 days') AS g(week) "
        "WHERE p.id = ANY(%(placements)s) AND p.agency_id = %(agency)s "
        "ON CONFLICT DO NOTHING",
        {
            "first": this_week - dt.timedelta(weeks=4),
            "last": this_week + dt.timedelta(weeks=1),
            "placements": placement_ids,
            "agency": agency.pk,
        },
    )
    _insert_select(
        WerkbriefDay,
        {
            **ROW,
            "agency_id": "w.agency_id",
            "werkbrief_id": "w.id",
            "date": "w.week_start + g.n",
        },
        "FROM timesheets_werkbrief w CROSS JOIN generate_series(0, 6) AS g(n) "
        "WHERE w.placement_id = ANY(%(placements)s) AND w.agency_id = %(agency)s "
        "AND NOT EXISTS (SELECT 1 FROM timesheets_werkbriefday d WHERE d.werkbrief_id = w.id)",
        {"placements": placement_ids, "agency": agency.pk},
    )


@transaction.atomic
def seed_bulk_werkbrieven(
    *,
    agency,
    placement_ids: list,
    contact: Membership,
    staff: Membership,
    today: dt.date,
    employee_prefix: str,
) -> int:
    """The werkbriefjes of the bulk placements, their past weeks filled in bulk: the status
    with its history, 8 hours on each working day. A fixed number of statements per week and
    status, whatever the number of workers. Returns how many were filled."""
    _bulk_generate(agency=agency, placement_ids=placement_ids, today=today)
    this_week = deadlines.week_start_of(today)
    rows = (
        Werkbrief.objects.filter(
            placement__in=placement_ids,
            status=Status.RAPPORTEER,
            worked_minutes=0,
            week_start__lt=this_week,
        )
        .values_list(
            "pk", "week_start", "placement__hours_entered_by", "placement__worker__employee_number"
        )
        .order_by()
    )
    groups: dict[tuple[dt.date, str, bool], list] = defaultdict(list)
    for pk, week, entered_by, employee_number in rows:
        number = int(employee_number[len(employee_prefix) :])
        by_client = entered_by == HoursEnteredBy.CLIENT
        plan = _bulk_plan(number, (this_week - week).days // 7, by_client)
        if plan != Status.RAPPORTEER:
            groups[(week, plan, by_client)].append(pk)
    start, end, break_minutes, worked = BULK_SHIFT
    week_minutes = 5 * worked  # the bulk placements run whole weeks
    actors = {"contact": contact.user_id, "staff": staff.user_id}
    filled = []
    for (week, plan, by_client), ids in sorted(groups.items()):
        # The client fills its own in and approves them at once: no submission.
        path = [step for step in PATHS[plan] if not (by_client and step[0] == Status.INGEDIEND)]
        moments = {status: _moment(agency, week, day, hour) for status, _who, day, hour in path}
        approved_at = moments.get(Status.GOEDGEKEURD)
        Werkbrief.objects.filter(pk__in=ids).update(
            status=plan,
            version=1 + len(path),
            worked_minutes=week_minutes,
            buckets={"normal": week_minutes},
            submitted_at=moments.get(Status.INGEDIEND),
            approved_at=approved_at,
            payroll_week=(
                deadlines.payroll_week_for(agency, week, approved_at) if approved_at else None
            ),
            rejection_reason=REJECTION if plan == Status.AFGEWEZEN else "",
            updated_at=timezone.now(),
        )
        source = Status.RAPPORTEER
        for status, who, _day, _hour in path:
            actor = "m.user_id" if who == "worker" else "%(actor)s"
            _insert_select(
                WerkbriefTransition,
                {
                    **ROW,
                    "agency_id": "w.agency_id",
                    "werkbrief_id": "w.id",
                    "from_status": "%(source)s",
                    "to_status": "%(target)s",
                    "actor_id": actor,
                    "at": "%(at)s",
                    "comment": "%(comment)s",
                },
                "FROM timesheets_werkbrief w "
                "JOIN staffing_placement p ON p.id = w.placement_id "
                "JOIN staffing_flexworkerprofile f ON f.id = p.worker_id "
                "JOIN accounts_membership m ON m.id = f.membership_id "
                "WHERE w.id = ANY(%(ids)s)",
                {
                    "ids": ids,
                    "source": source,
                    "target": status,
                    "actor": actors.get(who),
                    "at": moments[status],
                    "comment": REJECTION if status == Status.AFGEWEZEN else "",
                },
            )
            source = status
        # Every working day gets the same shift.
        WerkbriefDay.objects.filter(werkbrief__in=ids, date__week_day__in=[2, 3, 4, 5, 6]).update(
            start=start,
            end=end,
            break_minutes=break_minutes,
            worked_minutes=worked,
            buckets={"normal": worked},
            updated_at=timezone.now(),
        )
        filled += ids
    return len(filled)


__all__ = ["DemoSetup", "seed_bulk_werkbrieven", "seed_setup", "seed_werkbrieven"]
