"""The werkbrief's workflow table (timesheets.workflow): every transition for every actor, entry
mode and state, who edits hours when, what waits for whom; and that the services, the
selectors' Q objects and the templates derive their rules from it rather than keep their own."""

import ast
import datetime as dt
import itertools
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines

from agencies.models import Role
from staffing.models import HoursEnteredBy
from tests import factories
from timesheets import selectors, services, workflow
from timesheets.models import Status, Werkbrief

W, C, B, S = workflow.WORKER, workflow.CLIENT, workflow.BACK_OFFICE, workflow.SYSTEM
WF, CF = workflow.WORKER_FILLS, workflow.CLIENT_FILLS
RAP, ING, GOED, AFW, AFR, VER = (
    Status.RAPPORTEER,
    Status.INGEDIEND,
    Status.GOEDGEKEURD,
    Status.AFGEWEZEN,
    Status.AFGEROND,
    Status.VERWERKT,
)

# The rules as DOMAIN.md states them, written out in full: (action, actor, mode) -> the states
# it is allowed from. Every combination not listed is refused.
EXPECTED_TRANSITIONS = {
    ("submit", W, WF): {RAP, AFW},
    ("approve", C, WF): {ING},
    ("approve", C, CF): {RAP, AFW, ING},
    ("reject", C, WF): {ING},
    ("reject", C, CF): {ING},
    ("close", B, WF): {GOED},
    ("close", B, CF): {GOED},
    ("process", B, WF): {AFR},
    ("process", B, CF): {AFR},
}
EXPECTED_TARGETS = {"submit": ING, "approve": GOED, "reject": AFW, "close": AFR, "process": VER}
EXPECTED_EDIT_HOURS = {
    (W, WF): {RAP, AFW},
    (C, WF): {ING},
    (C, CF): {RAP, AFW, ING},
    (B, WF): set(Status.values),
    (B, CF): set(Status.values),
}
EXPECTED_WAITING = {
    W: {(RAP, WF), (AFW, WF)},
    C: {(ING, WF), (ING, CF), (RAP, CF), (AFW, CF)},
    B: set(),
    S: set(),
}

EVERY = list(
    itertools.product(workflow.TRANSITIONS, workflow.ACTORS, workflow.MODES, Status.values)
)


def test_the_tables_states_are_the_stored_statuses():
    assert set(workflow.STATES) == set(Status.values)
    assert Werkbrief._meta.get_field("status").default == workflow.INITIAL
    assert set(workflow.MODES) == set(HoursEnteredBy.values)


def test_the_table_has_exactly_the_five_steps_with_their_targets():
    assert {a: t.target for a, t in workflow.TRANSITIONS.items()} == EXPECTED_TARGETS
    assert [a for a, t in workflow.TRANSITIONS.items() if t.needs_comment] == ["reject"]


@pytest.mark.parametrize(("action", "actor", "mode", "state"), EVERY)
def test_every_step_for_every_actor_mode_and_state(action, actor, mode, state):
    expected = state in EXPECTED_TRANSITIONS.get((action, actor, mode), set())
    assert workflow.may(action=action, actor=actor, state=state, mode=mode) is expected
    assert (action in workflow.actions(actor=actor, state=state, mode=mode)) is expected


def test_the_system_moves_no_werkbrief_and_edits_no_hours():
    for state, mode in itertools.product(Status.values, workflow.MODES):
        assert workflow.actions(actor=S, state=state, mode=mode) == []
        assert not workflow.may_edit_hours(actor=S, state=state, mode=mode)


def test_an_unknown_action_is_allowed_nowhere():
    assert workflow.sources(action="delete", actor=B, mode=WF) == frozenset()


@pytest.mark.parametrize(
    ("actor", "mode", "state"),
    list(itertools.product(workflow.ACTORS, workflow.MODES, Status.values)),
)
def test_who_edits_hours_in_which_state_and_mode(actor, mode, state):
    expected = state in EXPECTED_EDIT_HOURS.get((actor, mode), set())
    assert workflow.may_edit_hours(actor=actor, state=state, mode=mode) is expected


@pytest.mark.parametrize("actor", workflow.ACTORS)
def test_what_waits_for_whom(actor):
    assert set(workflow.waiting_pairs(actor=actor)) == EXPECTED_WAITING[actor]
    for state, mode in itertools.product(Status.values, workflow.MODES):
        expected = (state, mode) in EXPECTED_WAITING[actor]
        assert workflow.is_waiting_for(actor=actor, state=state, mode=mode) is expected


def test_bulk_steps_depend_on_the_status_alone():
    assert workflow.bulk_sources(action="close", actor=B) == {GOED}
    assert workflow.bulk_sources(action="process", actor=B) == {AFR}
    assert workflow.bulk_sources(action="close", actor=C) == set()
    # approve depends on the mode: it never goes in bulk from a state valid in one mode only
    assert workflow.bulk_sources(action="approve", actor=C) == {ING}


def test_what_the_states_mean():
    assert [s for s in Status.values if workflow.is_sent_back(state=s)] == [AFW]
    assert set(workflow.approved_states()) == {GOED, AFR, VER}
    assert [s for s in Status.values if workflow.correction_paid_later(state=s)] == [VER]
    for state in Status.values:
        for actor in (W, C):
            assert workflow.may_request_correction(actor=actor, state=state) is (
                state in {GOED, AFR, VER}
            )
            assert workflow.may_comment(actor=actor, state=state)
        assert not workflow.may_request_correction(actor=B, state=state)
        assert workflow.may_comment(actor=B, state=state)
        assert not workflow.may_comment(actor=S, state=state)
    assert workflow.may_handle_corrections(actor=B)
    assert not any(workflow.may_handle_corrections(actor=a) for a in (W, C, S))


def test_the_workflow_module_imports_no_django():
    source = Path(workflow.__file__).read_text()
    assert not re.search(r"^\s*(from|import)\s+(django|accounts|timesheets\.models)", source, re.M)


# Derived: the services and the selectors ---------------------------------------------------------


@pytest.fixture
def both_modes(tenant_a, last_week):
    """A werkbrief in every state for a placement of each entry mode (12 in all)."""
    with tenant_a.scope():
        by_client = factories.PlacementFactory(
            agency=tenant_a.agency,
            department=tenant_a.department,
            function=tenant_a.function,
            hours_entered_by=HoursEnteredBy.CLIENT,
        )
        sheets = []
        for placement in (tenant_a.placement, by_client):
            for weeks_on, state in enumerate(Status.values):
                wb = services.werkbrief_ensure(
                    placement=placement, week_start=last_week + dt.timedelta(weeks=weeks_on)
                )
                Werkbrief.objects.filter(pk=wb.pk).update(status=state)
                sheets.append(wb.pk)
        return list(Werkbrief.objects.filter(pk__in=sheets).select_related("placement"))


@pytest.mark.parametrize(
    ("q", "actor"),
    [(selectors.waiting_for_worker, W), (selectors.waiting_for_client, C)],
)
def test_the_waiting_q_matches_the_tables_predicate_in_every_state_and_mode(
    tenant_a, both_modes, q, actor
):
    assert len({(wb.status, wb.placement.hours_entered_by) for wb in both_modes}) == 12
    with tenant_a.scope():
        matched = set(Werkbrief.objects.filter(q()).values_list("pk", flat=True))
        annotated = dict(
            Werkbrief.objects.annotate(
                waits=selectors.ExpressionWrapper(q(), output_field=selectors.BooleanField())
            ).values_list("pk", "waits")
        )
    for wb in both_modes:
        expected = workflow.is_waiting_for(
            actor=actor, state=wb.status, mode=wb.placement.hours_entered_by
        )
        assert (wb.pk in matched) is expected, (wb.status, wb.placement.hours_entered_by)
        assert annotated[wb.pk] is expected


def test_a_q_of_no_pairs_matches_nothing(tenant_a, both_modes):
    with tenant_a.scope():
        assert not Werkbrief.objects.filter(selectors.workflow_q(frozenset())).exists()


def test_the_selectors_named_state_sets_come_from_the_table():
    assert set(selectors.DONE) == set(workflow.approved_states())
    assert set(selectors.OPEN_FOR_WORKER) == workflow.sources(action="submit", actor=W, mode=WF)


@pytest.mark.parametrize("persona", ["worker", "contact", "staff"])
def test_the_services_buttons_and_hours_follow_the_table(tenant_a, both_modes, persona):
    membership = getattr(tenant_a, persona)
    membership = getattr(membership, "membership", membership)
    actor = services.actor_of(membership=membership)
    with tenant_a.scope():
        if persona == "worker":  # the worker's own placement only
            both_modes = [wb for wb in both_modes if wb.placement_id == tenant_a.placement.pk]
        for wb in both_modes:
            mode = wb.placement.hours_entered_by
            assert services.allowed_actions(
                werkbrief=wb, membership=membership
            ) == workflow.actions(actor=actor, state=wb.status, mode=mode)
            assert services.can_edit_hours(
                werkbrief=wb, membership=membership
            ) is workflow.may_edit_hours(actor=actor, state=wb.status, mode=mode)


def test_the_roles_map_onto_the_tables_actors():
    assert services.ACTOR_OF_ROLE == {
        Role.FLEXWORKER: W,
        Role.CLIENT_CONTACT: C,
        Role.STAFF: B,
    }


# Derived: the templates --------------------------------------------------------------------------

STATUS_VALUE = "|".join(Status.values)
# A status value as a literal on either side of a comparison, or in a list tested with "in".
COMPARISON = re.compile(
    rf"""(==|!=)\s*['"]({STATUS_VALUE})['"]"""
    rf"""|['"]({STATUS_VALUE})['"]\s*(==|!=)"""
    rf"""|['"]({STATUS_VALUE})['"]\s+(not\s+)?in\b"""
    rf"""|\bin\s+['"][^'"]*\b({STATUS_VALUE})\b"""
    rf"""|\{{%\s*(if|elif|ifequal|ifnotequal)\b[^%]*\b(status)\b[^%]*['"]({STATUS_VALUE})['"]""",
)


def _template_files():
    dirs = [Path(d) for engine in settings.TEMPLATES for d in engine.get("DIRS", [])]
    dirs += [p for p in Path(settings.BASE_DIR).glob("*/templates") if ".venv" not in p.parts]
    for directory in dirs:
        yield from (p for p in directory.rglob("*") if p.suffix in {".html", ".txt"})


def test_no_template_compares_a_status_itself():
    files = list(_template_files())
    assert any(p.name == "werkbrief.html" for p in files)  # the walk finds the templates
    offenders = [
        f"{path}:{number}: {line.strip()}"
        for path in files
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if COMPARISON.search(line)
    ]
    assert offenders == []


def test_the_pattern_would_catch_a_comparison():
    for line in [
        '{% if wb.status == "afgewezen" %}',
        "{% if 'ingediend' == wb.status %}",
        "{% if wb.status != 'verwerkt' %}",
        '{% if wb.status in "goedgekeurd afgerond" %}',
    ]:
        assert COMPARISON.search(line), line
    assert not COMPARISON.search('<a href="?status=ingediend">')


@pytest.mark.parametrize("state", Status.values)
def test_the_templates_ask_the_table_whether_a_werkbrief_was_sent_back(state):
    source = "{% load workflow %}{% if wb|sent_back %}yes{% endif %}"
    template = engines["django"].from_string(source)
    assert (template.render({"wb": Werkbrief(status=state)}) == "yes") is (state == AFW)


# Derived: the Python modules ---------------------------------------------------------------------

PACKAGES = ["accounts", "agencies", "staffing", "timesheets", "notifications", "documents"]
PACKAGES += ["payroll", "flexportal"]
# The table and the model's choices name the states; migrations and tests are not the app.
NOT_SCANNED = {"timesheets/workflow.py", "timesheets/models.py"}
# Modules that name a state as data, not as a rule, with the reason.
STATES_AS_DATA = {
    # The demo makes werkbriefjes in states it chooses, with the path of steps to each.
    "timesheets/demo.py",
}
STATE_CONSTANTS = {"RAPPORTEER", "INGEDIEND", "GOEDGEKEURD", "AFGEWEZEN", "AFGEROND", "VERWERKT"}
STATE_CONSTANTS |= {"INITIAL"}


def _python_modules():
    root = Path(settings.BASE_DIR)
    for package in PACKAGES:
        for path in sorted((root / package).rglob("*.py")):
            name = path.relative_to(root).as_posix()
            if "migrations" in path.parts or name in NOT_SCANNED | STATES_AS_DATA:
                continue
            yield name, path.read_text()


def _status_names(tree) -> set[str]:
    """The local names of the werkbrief's ``Status`` in a module."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "timesheets.models"
        for alias in node.names
        if alias.name == "Status"
    }


def status_comparisons(source: str) -> list[str]:
    """Where a module names a werkbrief state itself instead of asking the table: a member of
    ``Status``, a status value compared (or in a list compared with), the table's state
    constants compared, or the entry mode compared with a literal."""
    tree = ast.parse(source)
    status = _status_names(tree)
    found = []
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Attribute)
            and isinstance(node.value, ast.Name)
            and node.value.id in status
            and node.attr in Status.names
        ):
            found.append(f"{node.lineno}: Status.{node.attr}")
        if not isinstance(node, ast.Compare):
            continue
        sides = [node.left, *node.comparators]
        parts = [p for side in sides for p in ast.walk(side)]
        for part in parts:
            if isinstance(part, ast.Constant) and part.value in Status.values:
                found.append(f"{node.lineno}: {part.value!r} compared")
            if (
                isinstance(part, ast.Attribute)
                and isinstance(part.value, ast.Name)
                and part.value.id == "workflow"
                and part.attr in STATE_CONSTANTS
            ):
                found.append(f"{node.lineno}: workflow.{part.attr} compared")
        mode = any(isinstance(s, ast.Attribute) and s.attr == "hours_entered_by" for s in sides)
        if mode and any(isinstance(s, ast.Constant) and isinstance(s.value, str) for s in sides):
            found.append(f"{node.lineno}: hours_entered_by compared with a literal")
    return found


def test_no_python_module_compares_a_status_itself():
    modules = dict(_python_modules())
    assert "timesheets/services.py" in modules and "timesheets/admin.py" in modules
    offenders = [
        f"{name}:{where}"
        for name, source in modules.items()
        for where in status_comparisons(source)
    ]
    assert offenders == []


def test_the_python_scan_would_catch_a_comparison():
    head = "from timesheets.models import Status\n"
    for line in [
        "x = wb.status == Status.AFGEWEZEN",
        "qs.filter(status=Status.INGEDIEND)",
        "x = wb.status != 'verwerkt'",
        "x = wb.status in ('goedgekeurd', 'afgerond')",
        "x = wb.status == workflow.AFGEWEZEN",
        "x = wb.placement.hours_entered_by == 'client'",
    ]:
        assert status_comparisons(head + line), line
    assert not status_comparisons(head + "x = workflow.is_sent_back(wb.status)")
    assert not status_comparisons("from notifications.models import Status\nx = Status.SENT")


def test_the_states_by_what_they_mean():
    assert workflow.target("submit") == ING
    assert workflow.target("approve") == GOED
    assert workflow.target("reject") == AFW
    assert workflow.sent_back_states() == (AFW,)
