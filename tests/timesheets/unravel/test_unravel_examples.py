"""The worked cases of the CAO examples (timesheets/fixtures/cao_examples.json), each by name."""

from __future__ import annotations

from typing import Any

import pytest
from oracle import oracle_unravel
from unravel_helpers import case_scheme, example_cases

from timesheets.unravel import load_scheme, unravel

CASES = example_cases()


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_engine_gives_the_expected_result_of_each_worked_case(case: dict[str, Any]) -> None:
    assert unravel(load_scheme(case_scheme(case)), case["input"]) == case["expected"]


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_the_oracle_gives_the_expected_result_of_each_worked_case(case: dict[str, Any]) -> None:
    assert oracle_unravel(case_scheme(case), case["input"]) == case["expected"]


def test_there_are_worked_cases_for_all_three_schemes() -> None:
    assert {c["scheme_id"] for c in CASES} == {"A", "B", "C"}
    assert len(CASES) >= 8
