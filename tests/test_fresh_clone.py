"""A clone of the repository alone runs: no code or test reads a folder beside it.

Developers and CI have the project's shared folder beside the clone; a user does not. Only
scripts under `.ci/` may read it.
"""

import re
from pathlib import Path

from django.conf import settings

REPO = Path(settings.BASE_DIR)
SKIPPED = {".ci", ".venv", ".local", ".git", "node_modules"}
# The relative path up to the shared folder, `parents[3] / "shared..."`, `.parent / "shared"`:
# the ways the tests reached it.
OUTSIDE = re.compile(r"""\.\./shared|(parents?\[\d\]|\.parent)\s*/\s*["']shared""")


def _project_files():
    for path in REPO.rglob("*.py"):
        if not SKIPPED.intersection(path.relative_to(REPO).parts):
            yield path


def test_no_code_or_test_reads_the_folder_beside_the_clone():
    offenders = [
        f"{path.relative_to(REPO)}:{number}"
        for path in _project_files()
        if path != Path(__file__)
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if OUTSIDE.search(line)
    ]
    assert offenders == []


def test_the_cao_examples_the_tests_use_are_the_projects_own_copy():
    from tests.cao_examples import EXAMPLES

    assert set(EXAMPLES["schemes"]) >= {"A", "B", "C"}
    assert EXAMPLES["cases"]
