"""Shared helpers for the unravel tests: the example schemes and cases (the project's own copy,
timesheets/fixtures/cao_examples.json), and small builders for inputs."""

from __future__ import annotations

import copy
import json
from functools import cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[3]
EXAMPLES = REPO / "timesheets" / "fixtures" / "cao_examples.json"


@cache
def _examples() -> dict[str, Any]:
    return json.loads(EXAMPLES.read_text(encoding="utf-8"))


def example_scheme(scheme_id: str, **overrides: Any) -> dict[str, Any]:
    """A fresh copy of example scheme A, B or C with top-level keys replaced."""
    doc = copy.deepcopy(_examples()["schemes"][scheme_id])
    doc.update(copy.deepcopy(overrides))
    return doc


def example_cases() -> list[dict[str, Any]]:
    return copy.deepcopy(_examples()["cases"])


def case_scheme(case: dict[str, Any]) -> dict[str, Any]:
    """FORMAT of examples.json: schemes[scheme_id] with scheme_variant merged over it."""
    return example_scheme(case["scheme_id"], **(case["scheme_variant"] or {}))


def shift(date: str, start: str, end: str, break_minutes: int = 0) -> dict[str, Any]:
    return {"date": date, "start": start, "end": end, "break_minutes": break_minutes}


def week(
    *shifts: dict[str, Any], hours_per_week: float | None = 40, fixed_times: bool = True
) -> dict[str, Any]:
    return {
        "worker": {"contract": {"hours_per_week": hours_per_week, "fixed_times": fixed_times}},
        "shifts": list(shifts),
    }


def ok(buckets: dict[str, int], *warnings: str) -> dict[str, Any]:
    return {"buckets": buckets, "warnings": sorted(warnings), "error": None}


def error(code: str) -> dict[str, Any]:
    return {"buckets": {}, "warnings": [], "error": code}


def plain_scheme(**overrides: Any) -> dict[str, Any]:
    """A minimal valid scheme (no ORT, no overtime, breaks in the middle, no ATW, no minimum
    call) for tests that switch on one rule at a time."""
    doc: dict[str, Any] = {
        "format": "cao-ontrafel/1",
        "id": "T",
        "name": "test scheme",
        "timezone": "Europe/Amsterdam",
        "ambiguous_local_time": "earlier",
        "holidays": {"include": [], "bevrijdingsdag": "never", "extra_dates": []},
        "buckets": {
            "normal": {"kind": "hours", "pct": 100},
            "ot_125": {"kind": "hours", "pct": 125},
            "ot_150": {"kind": "hours", "pct": 150},
            "ot_200": {"kind": "hours", "pct": 200},
            "call": {"kind": "hours", "pct": 100},
            "ort_25": {"kind": "supplement", "pct": 25},
            "ort_50": {"kind": "supplement", "pct": 50},
            "ort_100": {"kind": "supplement", "pct": 100},
        },
        "normal_bucket": "normal",
        "ort": {"overlap": "max", "windows": []},
        "overtime": {"daily": None, "weekly": None, "rate_overrides": []},
        "combine": {"mode": "highest", "tie": "overtime"},
        "breaks": {
            "placement": {"mode": "middle"},
            "atw_minimum": {"policy": "ignore", "rules": []},
        },
        "minimum_call": {"enabled": False},
    }
    doc.update(copy.deepcopy(overrides))
    return doc
