"""The CAO example schemes and worked cases, read from the project's own copy.

`timesheets/fixtures/cao_examples.json` is the file `manage.py load_example_schemes` loads; a clone
of the repository alone has it, so the tests never look outside the repository.
"""

import json

from timesheets.management.commands.load_example_schemes import FIXTURE

EXAMPLES = json.loads(FIXTURE.read_text(encoding="utf-8"))
