"""`manage.py load_example_schemes AGENCY_SLUG...`: the three example CAO schemes of
shared/cao/examples.json (a copy ships in timesheets/fixtures) as schemes of the agencies,
named as examples. Idempotent."""

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agencies.models import Agency
from flexportal.tenancy import agency_scope
from timesheets import services

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "cao_examples.json"


class Command(BaseCommand):
    help = "Load the example CAO unravelling schemes into agencies (as examples)."

    def add_arguments(self, parser):
        parser.add_argument("agencies", nargs="+", help="agency slugs")
        parser.add_argument("--file", default=str(FIXTURE), help="an examples.json file")

    def handle(self, *args, agencies, file, **options):
        try:
            examples = json.loads(Path(file).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as error:
            raise CommandError(f"{file}: {error}") from error
        for slug in agencies:
            agency = Agency.objects.filter(slug=slug).first()
            if agency is None:
                raise CommandError(f"There is no agency {slug!r}.")
            with agency_scope(agency):
                schemes = services.cao_examples_load(agency=agency, examples=examples)
            names = ", ".join(s.name for s in schemes)
            self.stdout.write(f"{agency.slug}: {names}")
