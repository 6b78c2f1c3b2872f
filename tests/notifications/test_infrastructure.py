"""Notifications are infrastructure: the mail log, rendering and delivery import no domain app.

Each domain app registers its message kinds with notifications.registry (timesheets.notifications,
accounts.notifications) and calls notifications.services; imports run one way, domain ->
notifications. These tests read the source (every import statement, also those inside a
function) rather than what happens to be loaded.
"""

import ast
from pathlib import Path

import pytest

from notifications import registry
from notifications.models import Kind

ROOT = Path(__file__).resolve().parents[2]
NOTIFICATIONS = ROOT / "notifications"
# The project's own modules notifications may build on: the tenancy base (the tenant model's
# rows, scopes) and the admin sites the mail log is shown on.
INFRASTRUCTURE = {"flexportal.tenancy", "flexportal.admin_sites", "flexportal.admin_forms"}


def domain_apps() -> set[str]:
    """Every app of the project but notifications: a top-level folder with an apps.py."""
    return {path.parent.name for path in ROOT.glob("*/apps.py")} - {"notifications"}


def imports_of(path: Path) -> list[tuple[int, str]]:
    """(line, module) of every import in the file, wherever it stands (module level, in a
    function, under TYPE_CHECKING)."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found += [(node.lineno, node.module)]
            # "from flexportal import navigation" imports flexportal.navigation
            found += [(node.lineno, f"{node.module}.{alias.name}") for alias in node.names]
    return found


def test_the_project_has_domain_apps_to_keep_out():
    assert {"accounts", "timesheets"} <= domain_apps()


def test_no_notifications_module_imports_a_domain_app():
    domain = domain_apps()
    offending = []
    for path in sorted(NOTIFICATIONS.rglob("*.py")):
        for line, module in imports_of(path):
            if module.split(".")[0] in domain:
                offending.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offending == []


def test_notifications_builds_only_on_the_tenancy_base_of_the_project():
    offending = []
    for path in sorted(NOTIFICATIONS.rglob("*.py")):
        for line, module in imports_of(path):
            top = module.split(".")[0]
            if top != "flexportal" or module == "flexportal":
                continue
            if not any(module == m or module.startswith(f"{m}.") for m in INFRASTRUCTURE):
                offending.append(f"{path.relative_to(ROOT)}:{line} imports {module}")
    assert offending == []


def test_the_walk_finds_imports_inside_functions(tmp_path):
    source = tmp_path / "example.py"
    source.write_text(
        "def f():\n    from timesheets import selectors\n    import accounts.models\n"
    )
    modules = {module for _line, module in imports_of(source)}
    assert {"timesheets", "timesheets.selectors", "accounts.models"} <= modules


def test_every_kind_of_the_mail_log_is_registered_by_an_app():
    """A kind nobody registered could be reserved but never prepared (it would fail)."""
    assert {kind.value for kind in Kind} == {entry.kind for entry in registry.kinds()}


def test_the_scheduled_kinds_come_from_the_apps_that_registered_them():
    scheduled = {entry.kind for entry in registry.kinds() if entry.scheduled}
    assert scheduled == {Kind.WERKBRIEF_READY, Kind.WORKER_REMINDER, Kind.CLIENT_REMINDER}
    assert {entry.kind for entry in registry.kinds() if entry.one_time_link} == {
        Kind.INVITATION,
        Kind.PASSWORD_RESET,
        Kind.EMAIL_CHANGE,
    }
    assert {entry.kind for entry in registry.kinds() if entry.sms} == {
        Kind.WORKER_REMINDER,
        Kind.CLIENT_REMINDER,
    }


def test_a_kind_registered_twice_with_another_definition_is_refused():
    entry = registry.get(Kind.WORKER_REMINDER)
    registry.register(entry)  # the same definition again (an app loaded twice): no change
    with pytest.raises(ValueError, match="registered twice"):
        registry.register(registry.MessageKind(Kind.WORKER_REMINDER, entry.prepare))
    assert registry.get(Kind.WORKER_REMINDER) is entry


def test_a_batch_reads_what_its_rows_share_once():
    batch = registry.Batch(agency=None, notifications=[], now=None)
    reads = []
    for _row in range(3):
        batch.once("memberships", lambda b: reads.append(b) or {"read": len(reads)})
    assert reads == [batch]
    assert batch.once("memberships", lambda b: {}) == {"read": 1}
