"""Demo data: agencies `demo` and `acme` with clients, departments, workers, placements and
werkbriefjes that show every feature: hour types (the "clock"), expense types with receipts,
the example CAO schemes on some placements (unravelling), placements where the client fills in
the hours, past weeks in every status, comments and correction requests.

``--workers N`` fills the demo contact's client (klant@demo.nl) with N more workers across its
departments and their werkbriefjes in every status, made with bulk inserts, to show scale.

Idempotent: running it again changes nothing (rows are found by their natural keys; with
``--workers N`` only the workers missing up to N are added).
"""

import datetime as dt
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils import timezone

from accounts import services
from accounts.models import Membership, User
from agencies.models import Agency, Role
from flexportal.tenancy import agency_scope
from staffing import services as staffing_services
from staffing.models import (
    Client,
    ClientContact,
    CostCentre,
    Department,
    FlexworkerProfile,
    HoursEnteredBy,
    JobFunction,
    Phase,
    Placement,
    TimeEntry,
)
from timesheets import demo as timesheets_demo
from timesheets.deadlines import week_start_of
from timesheets.models import Werkbrief, WerkbriefDay

DEMO_PASSWORD = "Flexportal-demo-1"  # noqa: S105 - documented demo login

AGENCIES = {
    "demo": {
        "name": "Demo Uitzendbureau",
        "primary_colour": "#1f5fa8",
        "accent_colour": "#f0a500",
        "contact_email": "planning@demo.nl",
        "contact_phone": "+31 174 519 549",
        "address": "Havenstraat 12\n2671 AB Naaldwijk",
        "website": "https://demo.example.nl",
        # The documented demo logins work without a phone; acme keeps the default (a second
        # factor for staff and client contacts) to show it.
        "two_factor_roles": [],
        "domain": "demo.nl",
    },
    "acme": {
        "name": "Acme Flex",
        "primary_colour": "#6b2d86",
        "accent_colour": "#00a19a",
        "contact_email": "backoffice@acme.nl",
        "contact_phone": "+31 20 123 4567",
        "address": "Keizersgracht 100\n1015 CV Amsterdam",
        "website": "https://acme.example.nl",
        "domain": "acme.nl",
    },
}

# Per client: name, KvK number, departments (name, example CAO scheme or None, how hours are
# entered), functions, and the contact who approves its hours (the first client's contact is
# the documented klant@ login). Departments without a scheme get the agency's hour types.
CLIENTS = {
    "demo": [
        (
            "Kwekerij De Groene Vallei",
            "27124581",
            [
                ("Oogst", "A", TimeEntry.TIMES),
                ("Inpak", None, TimeEntry.TIMES),
                ("Expeditie", None, TimeEntry.TOTAL),
            ],
            ["Oogstmedewerker", "Inpakker", "Heftruckchauffeur"],
            ("Karin", "", "Klant", "Teamleider"),
        ),
        (
            "Distributiecentrum Venlo B.V.",
            "12045678",
            [("Inbound", "C", TimeEntry.TIMES), ("Outbound", "C", TimeEntry.TIMES)],
            ["Orderpicker", "Reachtruckchauffeur"],
            ("Ruud", "", "Hendriks", "Planner"),
        ),
        (
            "Bakkerij Van Dijk",
            "34012987",
            [("Productie", None, TimeEntry.TIMES)],
            ["Productiemedewerker", "Bakker"],
            ("Ellen", "", "Smit", "Productieleider"),
        ),
    ],
    "acme": [
        (
            "Haven Logistiek Rotterdam",
            "24098765",
            [("Crossdock", "C", TimeEntry.TIMES), ("Douane-expeditie", None, TimeEntry.TIMES)],
            ["Magazijnmedewerker", "Planner"],
            ("Karin", "", "Klant", "Teamleider"),
        ),
        (
            "Schoonmaak Totaal",
            "30087654",
            [("Kantoren", "B", TimeEntry.TIMES)],
            ["Schoonmaker"],
            ("Yvonne", "van", "Leeuwen", "Objectleider"),
        ),
    ],
}

# Every demo worker is a different person with a name of their own (first name, infix, last
# name, the language they read the portal in). The first is the documented werknemer@ login.
WORKERS = {
    "demo": [
        ("Daan", "de", "Vries", "nl"),
        ("Piotr", "", "Kowalski", "pl"),
        ("Sanne", "", "Jansen", "nl"),
        ("Mihai", "", "Popescu", "ro"),
        ("Agnieszka", "", "Nowak", "pl"),
        ("Lotte", "van", "Dijk", "nl"),
        ("Georgi", "", "Petrov", "bg"),
        ("Zsófia", "", "Nagy", "hu"),
        ("João", "", "Silva", "pt"),
        ("Bram", "", "Bakker", "nl"),
        ("Ioana", "", "Ionescu", "ro"),
        ("Tomasz", "", "Wiśniewski", "pl"),
        ("Fleur", "", "Visser", "nl"),
        ("Dimitar", "", "Georgiev", "bg"),
        ("Anna", "", "Lewandowska", "pl"),
        ("Thijs", "van den", "Berg", "nl"),
        ("Elena", "", "Marin", "ro"),
        ("Tamás", "", "Kovács", "hu"),
        ("Ana", "", "Santos", "pt"),
        ("Kees", "", "Mulder", "nl"),
        ("Katarzyna", "", "Wójcik", "pl"),
        ("Andrei", "", "Stan", "ro"),
        ("Emma", "de", "Boer", "nl"),
        ("Maria", "", "Dimitrova", "bg"),
        ("Sem", "", "Meijer", "nl"),
        ("Marta", "", "Kamińska", "pl"),
        ("Vasile", "", "Dumitru", "ro"),
        ("Noor", "", "Smit", "nl"),
        ("Lukas", "", "Schneider", "de"),
        ("Jesse", "", "Hendriks", "nl"),
    ],
    "acme": [
        ("Ruben", "de", "Jong", "nl"),
        ("Paweł", "", "Zieliński", "pl"),
        ("Iris", "", "Vermeulen", "nl"),
        ("Cristina", "", "Radu", "ro"),
        ("Bogdan", "", "Ivanov", "bg"),
        ("Eszter", "", "Tóth", "hu"),
        ("Rui", "", "Ferreira", "pt"),
        ("Mark", "", "Jacobs", "en"),
    ],
}

# For the --workers bulk: first names (with the language their bearer reads the portal in) and
# last names, combined into distinct full names.
BULK_FIRST_NAMES = {
    "nl": "Daan Sem Lucas Levi Finn Milan Noah Bram Thijs Ruben Jesse Luuk Stijn Tim Lars Emma "
    "Julia Mila Tess Sophie Zoë Sara Nina Eva Lotte Fleur Noor Anouk Lisa Femke Jan Pieter Kees "
    "Willem Gijs Hanna Iris Roos Maud Sanne",
    "pl": "Piotr Tomasz Paweł Krzysztof Michał Jakub Agnieszka Katarzyna Magdalena Joanna Marta "
    "Aleksandra",
    "ro": "Mihai Andrei Vasile Ionuț Cristian Florin Ioana Elena Andreea Cristina Mihaela Gabriela",
    "bg": "Georgi Dimitar Ivan Nikolai Maria Desislava",
    "hu": "Tamás László Zsófia Eszter",
    "pt": "João Rui Pedro Tiago Ana Beatriz",
}
BULK_FIRST = [(name, lang) for lang, names in BULK_FIRST_NAMES.items() for name in names.split()]
BULK_LAST_NAMES = [
    "Jansen",
    "de Vries",
    "van den Berg",
    "van Dijk",
    "Bakker",
    "Janssen",
    "Visser",
    "Smit",
    "Meijer",
    "de Boer",
    "Mulder",
    "de Groot",
    "Bos",
    "Vos",
    "Peters",
    "Hendriks",
    "van Leeuwen",
    "Dekker",
    "Brouwer",
    "de Wit",
    "Dijkstra",
    "Smits",
    "de Graaf",
    "van der Meer",
    "van der Linden",
    "Kok",
    "Jacobs",
    "de Haan",
    "Vermeulen",
    "Kowalski",
    "Nowak",
    "Wiśniewski",
    "Wójcik",
    "Kowalczyk",
    "Kamiński",
    "Lewandowski",
    "Zieliński",
    "Popescu",
    "Ionescu",
    "Popa",
    "Dumitru",
    "Stan",
    "Stoica",
    "Gheorghe",
    "Rusu",
    "Munteanu",
    "Matei",
    "Ivanov",
    "Georgiev",
    "Dimitrov",
    "Petrov",
    "Nagy",
    "Kovács",
    "Tóth",
    "Szabó",
    "Horváth",
    "Silva",
    "Santos",
    "Ferreira",
    "Oliveira",
    "Pereira",
    "Costa",
    "Verhoeven",
    "Kuipers",
    "Willems",
    "Koster",
]
BULK_PREFIX = "B"  # employee numbers B000001...: the --workers bulk, apart from the demo's own

CITIES = [("Naaldwijk", "2671"), ("Venlo", "5911"), ("Rotterdam", "3011"), ("Westland", "2691")]
STREETS = ["Dorpsstraat", "Kerkweg", "Molenstraat", "Julianastraat", "Havenkade", "Lindelaan"]
# Valid test IBANs and BSNs (they pass the checks; they belong to nobody).
IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL39RABO0300065264", "NL02ABNA0123456789"]
BSNS = ["111222333", "123456782", "999999990", "100000009"]


class Command(BaseCommand):
    help = "Create the demo agencies, people, placements and werkbriefjes (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers",
            type=int,
            default=0,
            help="Fill the demo contact's client with N more workers and their werkbriefjes "
            "(bulk inserts; only the ones missing up to N are added).",
        )

    def handle(self, *args, workers: int, **options):
        # One hash for every demo login: hashing is slow on purpose, and the password is the
        # same for all.
        self.password_hash = make_password(DEMO_PASSWORD)
        today = timezone.localdate()
        with transaction.atomic():
            self._superuser()
            for slug, spec in AGENCIES.items():
                agency = self._agency(slug, spec)
                with agency_scope(agency):
                    staff, setup = self._agency_data(agency, spec, today)
                    if workers and slug == "demo":
                        # Before the demo's own werkbriefjes, so that their generation (one
                        # werkbrief at a time) finds the bulk's made already (in bulk).
                        self._bulk_workers(agency, workers, today)
                    timesheets_demo.seed_werkbrieven(
                        agency=agency,
                        staff=staff,
                        today=today,
                        setup=setup,
                        employee_prefix=agency.slug[:1],
                    )
        self.stdout.write(self.style.SUCCESS("Demo data ready."))

    def _superuser(self) -> None:
        user = User.objects.filter(email="admin@flexportal.nl").first()
        if user is None:
            User.objects.create_superuser(
                "admin@flexportal.nl", DEMO_PASSWORD, first_name="Platform", last_name="Beheer"
            )

    def _agency(self, slug: str, spec: dict) -> Agency:
        fields = {k: v for k, v in spec.items() if k != "domain"}
        agency, _created = Agency.objects.get_or_create(slug=slug, defaults=fields)
        return agency

    def _demo_password(self, user: User) -> None:
        if not user.has_usable_password():
            user.password = self.password_hash
            user.save(update_fields=["password"])

    def _login(self, agency, email, first, last, role, language="nl") -> Membership:
        user = services.user_get_or_create(
            email=email, first_name=first, last_name=last, language=language
        )
        self._demo_password(user)
        return services.membership_ensure(agency=agency, user=user, role=role)

    def _agency_data(self, agency: Agency, spec: dict, today: dt.date):
        domain = spec["domain"]
        staff = self._login(agency, f"backoffice@{domain}", "Bianca", "Backoffice", Role.STAFF)
        setup = timesheets_demo.seed_setup(agency=agency)
        departments: list[tuple[Department, list[JobFunction], str | None, str]] = []
        for index, (name, kvk, dept_specs, function_names, person) in enumerate(
            CLIENTS[agency.slug]
        ):
            client, _ = Client.objects.get_or_create(
                agency=agency,
                name=name,
                defaults={
                    "kvk_number": kvk,
                    "email": f"info@client{index + 1}.{domain}",
                    "invoice_email": f"facturen@client{index + 1}.{domain}",
                    "address": (
                        f"Industrieweg {10 + index}\n"
                        f"{CITIES[index % 4][1]} XX {CITIES[index % 4][0]}"
                    ),
                },
            )
            functions = [
                JobFunction.objects.get_or_create(agency=agency, client=client, name=f)[0]
                for f in function_names
            ]
            for number, (dept_name, scheme, time_entry) in enumerate(dept_specs, start=1):
                centre, _ = CostCentre.objects.get_or_create(
                    agency=agency,
                    client=client,
                    code=f"{150 + number}",
                    defaults={"name": f"Locatie {dept_name}"},
                )
                department, _ = Department.objects.get_or_create(
                    agency=agency, client=client, name=dept_name, defaults={"cost_centre": centre}
                )
                # Each department its own function (Inpak: Inpakker); a client with more
                # functions than departments spreads the rest over its last department.
                own = (
                    functions[number - 1 :]
                    if number == len(dept_specs)
                    else [functions[number - 1]]
                )
                departments.append((department, own, scheme, time_entry))
            first, infix, last, job_title = person
            last_name = f"{infix} {last}".strip()
            if index == 0:
                staffing_services.client_contact_create(
                    agency=agency,
                    client=client,
                    email=f"klant@{domain}",
                    first_name=first,
                    last_name=last_name,
                    job_title=job_title,
                    can_approve_hours=True,
                    can_see_planning=True,
                    can_see_invoices=True,
                    can_manage_users=True,
                    can_sign_documents=True,
                )
                self._demo_password(User.objects.get(email=f"klant@{domain}"))
            elif not ClientContact.objects.filter(client=client).exists():
                # Every client has someone who approves its hours.
                staffing_services.client_contact_create(
                    agency=agency,
                    client=client,
                    email=f"planning{index + 1}@{domain}",
                    first_name=first,
                    last_name=last_name,
                    job_title=job_title,
                    can_approve_hours=True,
                )

        for number, (first, infix, last, language) in enumerate(WORKERS[agency.slug]):
            employee_number = f"{agency.slug[:1].upper()}{1000 + number}"
            profile = FlexworkerProfile.objects.filter(
                agency=agency, employee_number=employee_number
            ).first()
            if profile is None:
                city, postcode = CITIES[number % len(CITIES)]
                profile = staffing_services.flexworker_create(
                    agency=agency,
                    email=f"werknemer@{domain}" if number == 0 else f"werker{number:02d}@{domain}",
                    employee_number=employee_number,
                    first_name=first,
                    infix=infix,
                    last_name=last,
                    language=language,
                    birth_date=dt.date(1975 + number % 30, 1 + number % 12, 1 + number % 28),
                    street=STREETS[number % len(STREETS)],
                    house_number=str(number + 1),
                    postal_code=f"{postcode} {'ABCDEFGH'[number % 8]}{'KLMNPRST'[number % 7]}",
                    city=city,
                    phone=f"06{12345600 + number}",
                    iban=IBANS[number % len(IBANS)],
                    bsn=BSNS[number % len(BSNS)],
                )
            self._demo_password(profile.membership.user)
            if not Placement.objects.filter(worker=profile).exists():
                # The werknemer@ login works in Inpak: no CAO scheme, so overtime and irregular
                # hours are entered by hand (the "clock"); Oogst's placements are unravelled.
                department, functions, scheme, time_entry = departments[
                    (number or 1) % len(departments)
                ]
                wage = Decimal("14.40") + Decimal(number % 6) / 2
                by_client = number % 7 == 6
                Placement.objects.create(
                    agency=agency,
                    worker=profile,
                    department=department,
                    function=functions[number % len(functions)],
                    shift_team=["Vroeg", "Laat", "Nacht", ""][number % 4],
                    start_date=today - dt.timedelta(weeks=6 + number % 20),
                    end_date=None if number % 5 else today + dt.timedelta(weeks=8),
                    phase=[Phase.A, Phase.A, Phase.B, Phase.C][number % 4],
                    hourly_wage=wage,
                    client_rate=(wage * Decimal("1.85")).quantize(Decimal("0.01")),
                    contract_minutes_per_week=None if number % 3 == 0 else 40 * 60,
                    fixed_times=number % 3 == 1,
                    hours_entered_by=HoursEnteredBy.CLIENT if by_client else HoursEnteredBy.WORKER,
                    hour_invitations=not by_client,
                    hour_reminders=not by_client,
                    time_entry=time_entry,
                    cao_scheme=setup.schemes.get(scheme) if scheme else None,
                )

        return staff, setup

    def _bulk_workers(self, agency: Agency, count: int, today: dt.date) -> None:
        """Up to ``count`` extra workers at the demo contact's client, across its departments,
        with their werkbriefjes in every status; made with bulk inserts."""
        contact = ClientContact.objects.select_related("client", "membership").get(
            membership__user__email="klant@demo.nl"
        )
        client = contact.client
        departments = list(client.departments.order_by("name"))
        functions = list(client.functions.order_by("name"))
        existing = set(
            FlexworkerProfile.objects.filter(employee_number__startswith=BULK_PREFIX).values_list(
                "employee_number", flat=True
            )
        )
        numbers = [n for n in range(1, count + 1) if _bulk_number(n) not in existing]
        names = _bulk_names(count)
        users = []
        for n in numbers:
            first, infix, last, language = names[n - 1]
            user = User(
                email=f"bulk{n:06d}@{agency.slug}.example",
                first_name=first,
                last_name=f"{infix} {last}".strip(),
                preferred_language=language,
            )
            user.set_unusable_password()  # they never log in; no hashing needed
            users.append(user)
        User.objects.bulk_create(users, batch_size=2000)
        memberships = Membership.objects.bulk_create(
            [Membership(agency=agency, user=u, role=Role.FLEXWORKER) for u in users],
            batch_size=2000,
        )
        profiles = FlexworkerProfile.objects.bulk_create(
            [
                FlexworkerProfile(
                    agency=agency,
                    membership=m,
                    employee_number=_bulk_number(n),
                    first_name=names[n - 1][0],
                    infix=names[n - 1][1],
                    last_name=names[n - 1][2],
                    city=CITIES[n % len(CITIES)][0],
                )
                for n, m in zip(numbers, memberships, strict=True)
            ],
            batch_size=2000,
        )
        # Whole weeks, so every werkbrief has its five working days.
        start = week_start_of(today) - dt.timedelta(weeks=8)
        Placement.objects.bulk_create(
            [
                Placement(
                    agency=agency,
                    worker=p,
                    department=departments[n % len(departments)],
                    function=functions[n % len(functions)],
                    shift_team=["Vroeg", "Laat", ""][n % 3],
                    start_date=start,
                    hourly_wage=Decimal("15.00"),
                    client_rate=Decimal("27.75"),
                    contract_minutes_per_week=40 * 60,
                    hours_entered_by=HoursEnteredBy.CLIENT
                    if n % 10 == 9
                    else HoursEnteredBy.WORKER,
                    hour_invitations=n % 10 != 9,
                    hour_reminders=n % 10 != 9,
                    time_entry=TimeEntry.TIMES,
                )
                for n, p in zip(numbers, profiles, strict=True)
            ],
            batch_size=2000,
        )
        filled = timesheets_demo.seed_bulk_werkbrieven(
            agency=agency,
            placement_ids=list(
                Placement.objects.filter(
                    worker__employee_number__startswith=BULK_PREFIX
                ).values_list("pk", flat=True)
            ),
            contact=contact.membership,
            staff=Membership.objects.get(user__email="backoffice@demo.nl", role=Role.STAFF),
            today=today,
            employee_prefix=BULK_PREFIX,
        )
        # Fresh statistics for the planner, as autovacuum would gather them a little later.
        with connection.cursor() as cursor:
            for model in (Placement, FlexworkerProfile, Werkbrief, WerkbriefDay):
                cursor.execute(f"ANALYZE {model._meta.db_table}")
        self.stdout.write(
            f"{len(numbers)} workers added at {client.name} ({count} in all); "
            f"{filled} werkbriefjes filled."
        )


def _bulk_number(n: int) -> str:
    return f"{BULK_PREFIX}{n:06d}"


def _bulk_names(count: int) -> list[tuple[str, str, str, str]]:
    """``count`` full names (first, infix, last, language), different from each other as long
    as the lists allow (5,280) and from the demo's own workers."""
    taken = {(first, f"{infix} {last}".strip()) for first, infix, last, _ in WORKERS["demo"]}
    names = []
    firsts, lasts = len(BULK_FIRST), len(BULK_LAST_NAMES)
    k = 0
    while len(names) < count:
        # Round q pairs first name r with last name q + 7r: every pair once in firsts * lasts.
        first, language = BULK_FIRST[k % firsts]
        last = BULK_LAST_NAMES[(k // firsts + 7 * (k % firsts)) % lasts]
        k += 1
        if (first, last) in taken and k <= firsts * lasts:
            continue
        infix, _, surname = last.rpartition(" ")
        names.append((first, infix, surname, language))
    return names
