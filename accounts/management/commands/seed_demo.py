"""Demo data: agencies `demo` and `acme` with clients, departments, workers and placements.

Idempotent: running it again changes nothing (rows are found by their natural keys).
"""

import datetime as dt
import random
from decimal import Decimal

from django.core.management.base import BaseCommand
from django.db import transaction

from accounts import services
from accounts.models import (
    Agency,
    Client,
    CostCentre,
    Department,
    FlexworkerProfile,
    HoursEnteredBy,
    JobFunction,
    Membership,
    Phase,
    Placement,
    Role,
    User,
)
from flexportal.tenancy import agency_scope
from timesheets.demo import seed_werkbrieven

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

CLIENTS = {
    "demo": [
        (
            "Kwekerij De Groene Vallei",
            "27124581",
            ["Oogst", "Inpak", "Expeditie"],
            ["Oogstmedewerker", "Inpakker", "Heftruckchauffeur"],
        ),
        (
            "Distributiecentrum Venlo B.V.",
            "12045678",
            ["Inbound", "Outbound"],
            ["Orderpicker", "Reachtruckchauffeur"],
        ),
        ("Bakkerij Van Dijk", "34012987", ["Productie"], ["Productiemedewerker", "Bakker"]),
    ],
    "acme": [
        (
            "Haven Logistiek Rotterdam",
            "24098765",
            ["Crossdock", "Douane-expeditie"],
            ["Magazijnmedewerker", "Planner"],
        ),
        ("Schoonmaak Totaal", "30087654", ["Kantoren"], ["Schoonmaker"]),
    ],
}

FIRST_NAMES = [
    "Jan",
    "Anna",
    "Piotr",
    "Agnieszka",
    "Mihai",
    "Elena",
    "Georgi",
    "Maria",
    "Tamás",
    "Zsófia",
    "João",
    "Ana",
    "Daan",
    "Sanne",
    "Tomasz",
    "Kasia",
    "Andrei",
    "Ioana",
    "Dimitar",
    "Lucas",
]
LAST_NAMES = [
    ("", "Jansen"),
    ("de", "Vries"),
    ("", "Kowalski"),
    ("", "Nowak"),
    ("", "Popescu"),
    ("", "Ionescu"),
    ("", "Petrov"),
    ("", "Dimitrova"),
    ("", "Nagy"),
    ("", "Kovács"),
    ("", "Silva"),
    ("", "Santos"),
    ("van", "Dijk"),
    ("", "Bakker"),
    ("", "Wiśniewski"),
    ("", "Lewandowska"),
    ("", "Stan"),
    ("", "Marin"),
    ("", "Georgiev"),
    ("van den", "Berg"),
]
LANGUAGES = ["nl", "pl", "ro", "bg", "hu", "pt", "en", "de"]
CITIES = [("Naaldwijk", "2671"), ("Venlo", "5911"), ("Rotterdam", "3011"), ("Westland", "2691")]
# Valid test IBANs and BSNs (they pass the checks; they belong to nobody).
IBANS = ["NL91ABNA0417164300", "NL20INGB0001234567", "NL39RABO0300065264", "NL02ABNA0123456789"]
BSNS = ["111222333", "123456782", "999999990", "100000009"]


class Command(BaseCommand):
    help = "Create the demo agencies, people and placements (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--workers", type=int, default=0, help="Add N extra workers at one client."
        )

    def handle(self, *args, workers: int, **options):
        rng = random.Random(2026)  # demo data, not security
        with transaction.atomic():
            self._superuser()
            for slug, spec in AGENCIES.items():
                agency = self._agency(slug, spec)
                with agency_scope(agency):
                    self._agency_data(agency, spec, rng, worker_count=30 if slug == "demo" else 8)
                    if workers and slug == "demo":
                        self._bulk_workers(agency, workers)
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

    def _login(self, agency, email, first, last, role, language="nl") -> Membership:
        user = services.user_get_or_create(
            email=email, first_name=first, last_name=last, language=language
        )
        if not user.has_usable_password():
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        return services.membership_ensure(agency=agency, user=user, role=role)

    def _agency_data(self, agency: Agency, spec: dict, rng: random.Random, worker_count: int):
        domain = spec["domain"]
        staff = self._login(agency, f"backoffice@{domain}", "Bianca", "Backoffice", Role.STAFF)
        departments: list[tuple[Department, list[JobFunction]]] = []
        for index, (name, kvk, dept_names, function_names) in enumerate(CLIENTS[agency.slug]):
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
            for number, dept_name in enumerate(dept_names, start=1):
                centre, _ = CostCentre.objects.get_or_create(
                    agency=agency,
                    client=client,
                    code=f"{150 + number}",
                    defaults={"name": f"Locatie {dept_name}"},
                )
                department, _ = Department.objects.get_or_create(
                    agency=agency, client=client, name=dept_name, defaults={"cost_centre": centre}
                )
                departments.append((department, functions))
            if index == 0:
                services.client_contact_create(
                    agency=agency,
                    client=client,
                    email=f"klant@{domain}",
                    first_name="Karin",
                    last_name="Klant",
                    job_title="Teamleider",
                    can_approve_hours=True,
                    can_see_planning=True,
                    can_see_invoices=True,
                    can_manage_users=True,
                    can_sign_documents=True,
                )
                user = User.objects.get(email=f"klant@{domain}")
                if not user.has_usable_password():
                    user.set_password(DEMO_PASSWORD)
                    user.save(update_fields=["password"])
            else:
                # Every client has someone who approves its hours.
                services.client_contact_create(
                    agency=agency,
                    client=client,
                    email=f"planning{index + 1}@{domain}",
                    first_name="Pim",
                    last_name=f"Planner {index + 1}",
                    job_title="Planner",
                    can_approve_hours=True,
                )

        today = dt.date.today()
        for number in range(worker_count):
            first = FIRST_NAMES[number % len(FIRST_NAMES)]
            infix, last = LAST_NAMES[(number * 7) % len(LAST_NAMES)]
            email = f"werknemer@{domain}" if number == 0 else f"werker{number:02d}@{domain}"
            city, postcode = CITIES[number % len(CITIES)]
            profile = FlexworkerProfile.objects.filter(
                agency=agency, employee_number=f"{agency.slug[:1].upper()}{1000 + number}"
            ).first()
            if profile is None:
                profile = services.flexworker_create(
                    agency=agency,
                    email=email,
                    employee_number=f"{agency.slug[:1].upper()}{1000 + number}",
                    first_name=first,
                    infix=infix,
                    last_name=last,
                    language=LANGUAGES[number % len(LANGUAGES)],
                    birth_date=dt.date(1975 + number % 30, 1 + number % 12, 1 + number % 28),
                    street="Dorpsstraat",
                    house_number=str(number + 1),
                    postal_code=f"{postcode} AB",
                    city=city,
                    phone=f"06{12345600 + number}",
                    iban=IBANS[number % len(IBANS)],
                    bsn=BSNS[number % len(BSNS)],
                )
            user = profile.membership.user
            if not user.has_usable_password():
                user.set_password(DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if not Placement.objects.filter(worker=profile).exists():
                department, functions = departments[number % len(departments)]
                wage = Decimal("14.40") + Decimal(number % 6) / 2
                Placement.objects.create(
                    agency=agency,
                    worker=profile,
                    department=department,
                    function=functions[number % len(functions)],
                    shift_team=["Vroeg", "Laat", "Nacht", ""][number % 4],
                    start_date=today - dt.timedelta(weeks=4 + number % 20),
                    end_date=None if number % 5 else today + dt.timedelta(weeks=8),
                    phase=[Phase.A, Phase.A, Phase.B, Phase.C][number % 4],
                    hourly_wage=wage,
                    client_rate=(wage * Decimal("1.85")).quantize(Decimal("0.01")),
                    contract_minutes_per_week=None if number % 3 == 0 else 40 * 60,
                    fixed_times=number % 3 == 1,
                    hours_entered_by=HoursEnteredBy.CLIENT
                    if number % 7 == 6
                    else HoursEnteredBy.WORKER,
                    hour_invitations=number % 7 != 6,
                    hour_reminders=number % 7 != 6,
                )

        seed_werkbrieven(agency=agency, staff=staff, today=today)

    def _bulk_workers(self, agency: Agency, count: int) -> None:
        """N extra workers at the first client, for benchmarks; made with bulk inserts."""
        client = Client.objects.order_by("name").first()
        department = client.departments.order_by("name").first()
        function = client.functions.order_by("name").first()
        start = FlexworkerProfile.objects.filter(employee_number__startswith="B").count()
        users = [
            User(
                email=f"bench{start + i:06d}@{agency.slug}.bench",
                first_name="Bench",
                last_name=f"{start + i:06d}",
            )
            for i in range(count)
        ]
        for user in users:
            user.set_unusable_password()
        User.objects.bulk_create(users, batch_size=1000)
        memberships = Membership.objects.bulk_create(
            [Membership(agency=agency, user=u, role=Role.FLEXWORKER) for u in users],
            batch_size=1000,
        )
        profiles = FlexworkerProfile.objects.bulk_create(
            [
                FlexworkerProfile(
                    agency=agency,
                    membership=m,
                    employee_number=f"B{start + i:06d}",
                    first_name="Bench",
                    last_name=f"{start + i:06d}",
                )
                for i, m in enumerate(memberships)
            ],
            batch_size=1000,
        )
        Placement.objects.bulk_create(
            [
                Placement(
                    agency=agency,
                    worker=p,
                    department=department,
                    function=function,
                    start_date=dt.date.today() - dt.timedelta(weeks=8),
                    hourly_wage=Decimal("15.00"),
                    client_rate=Decimal("27.75"),
                    contract_minutes_per_week=40 * 60,
                )
                for p in profiles
            ],
            batch_size=1000,
        )
        self.stdout.write(f"Added {count} benchmark workers at {client.name}.")
