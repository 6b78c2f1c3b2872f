"""`manage.py cao_unravel SCHEME.json INPUT.json`: print the engine's output JSON (FORMAT.md).

INPUT may be one input object or a list of them (then a list of outputs, in the same order).
Domain errors are part of the JSON (exit 0); an unreadable file or an invalid scheme exits 2 with
the problems on stderr.
"""

import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand

from timesheets.unravel import SchemeInvalid, load_scheme, unravel


class Command(BaseCommand):
    help = "Unravel shifts under a cao-ontrafel/1 scheme and print the output JSON."
    requires_system_checks: list = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("scheme", help="the scheme document (JSON)")
        parser.add_argument("input", help="one input object, or a list of them (JSON)")
        parser.add_argument("--indent", type=int, default=None)

    def _read(self, path: str):
        try:
            return json.loads(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            self.stderr.write(f"{path}: cannot read JSON: {error}")
            sys.exit(2)

    def handle(self, *args, scheme: str, input: str, indent, **options):
        document = self._read(scheme)
        inputs = self._read(input)
        try:
            loaded = load_scheme(document)
        except SchemeInvalid as invalid:
            self.stderr.write(f"{scheme}: not a valid cao-ontrafel/1 scheme:")
            for problem in invalid.problems:
                self.stderr.write(f"  {problem.path}: {problem.reason}")
            sys.exit(2)
        if isinstance(inputs, list):
            output = [unravel(loaded, item) for item in inputs]
        else:
            output = unravel(loaded, inputs)
        self.stdout.write(json.dumps(output, indent=indent, ensure_ascii=False))
