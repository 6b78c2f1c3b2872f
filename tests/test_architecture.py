"""The architecture, checked: imports run one way (ARCHITECTURE.md, "Which way imports go").

1. No import circle among the project's own modules. The graph holds every import, at module
   level and inside functions (a function-local import hides a circle from Python, not from the
   design), read with ``ast`` from the source.
2. Loading a domain app's models loads no other domain app's services: models are the bottom of
   an app, and a services module pulled in by a models import is a dependency running uphill.
"""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# The project's own packages (not the tests: they may import anything).
PACKAGES = [
    "flexportal",
    "agencies",
    "accounts",
    "staffing",
    "timesheets",
    "notifications",
    "documents",
    "payroll",
]

# The domain apps, whose models must load without any other domain app's services.
DOMAIN_APPS = ["agencies", "accounts", "staffing", "timesheets", "notifications"]


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            found[_module_name(path)] = path
    return found


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The project module an imported name lands in (a package's __init__ for a package), or
    None outside the project."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _runtime_nodes(tree: ast.AST):
    """Every node of the module except those under ``if TYPE_CHECKING:``: an import only a type
    checker reads runs never, so it makes no circle (function-local imports do count)."""
    todo = [tree]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                todo.extend(child.orelse)
            else:
                todo.append(child)


def import_graph() -> dict[str, set[str]]:
    """Every project module -> the project modules it imports (anywhere in its source)."""
    modules = _modules()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in _runtime_nodes(ast.parse(path.read_text(), str(path))):
            targets = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    anchor = package.split(".")
                    anchor = anchor[: len(anchor) - node.level + 1]
                    base = ".".join([*anchor, base] if base else anchor)
                # ``from x import y``: the module y when y is one, else (a name in) x.
                targets = [
                    f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules else base
                    for alias in node.names
                ]
            for target in targets:
                resolved = _resolve(target, modules)
                if resolved is not None and resolved != name:
                    graph[name].add(resolved)
    return graph


def find_circle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import circle (as a list of modules, first == last), or None."""
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        path.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return [*path[path.index(nxt) :], nxt]
            if nxt not in state:
                circle = visit(nxt)
                if circle:
                    return circle
        path.pop()
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            circle = visit(start)
            if circle:
                return circle
    return None


def test_the_graph_sees_function_local_imports():
    graph = import_graph()
    # accounts.views imports user_set_language inside set_language (a function-local import).
    assert "accounts.services" in graph["accounts.views"]
    assert "agencies.models" in graph["flexportal.tenancy"]
    # ... and not those under `if TYPE_CHECKING:` (tenancy names PortalRequest only for mypy).
    assert "flexportal.http" not in graph["flexportal.tenancy"]


def test_no_import_circle_among_the_projects_modules():
    circle = find_circle(import_graph())
    assert circle is None, "import circle: " + " -> ".join(circle)


def test_a_circle_is_found():
    assert find_circle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_circle({"a": {"b"}, "b": set()}) is None


# In a fresh interpreter: the app registry is set up as Django does it, except that the app's
# models are imported first, on their own, as soon as the registry accepts models; what that
# import loads (itself and everything it pulls in) is printed.
MODELS_IMPORT = """
import importlib, json, sys
import django
from django.apps import config

real_import_models = config.AppConfig.import_models
loaded = {{}}


def import_models(app_config):
    if not loaded:
        before = set(sys.modules)
        importlib.import_module("{app}.models")
        loaded["new"] = sorted(set(sys.modules) - before)
    return real_import_models(app_config)


config.AppConfig.import_models = import_models
django.setup()
print(json.dumps(loaded["new"]))
"""


def _services_module(name: str) -> bool:
    parts = name.split(".")
    return "services" in parts[1:]


@pytest.mark.parametrize("app", DOMAIN_APPS)
def test_an_apps_models_load_no_other_domain_apps_services(app):
    result = subprocess.run(
        [sys.executable, "-c", MODELS_IMPORT.format(app=app)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "flexportal.settings"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    assert f"{app}.models" in loaded
    others = [
        name
        for name in loaded
        if _services_module(name)
        and name.split(".")[0] in DOMAIN_APPS
        and name.split(".")[0] != app
    ]
    assert others == [], f"importing {app}.models loaded {others}"
