"""The CAO unravelling engine ("ontrafelaar") for schemes in the `cao-ontrafel/1` format.

Pure Python, no Django: the portal calls it, payroll trusts it to the minute.

    scheme = load_scheme(doc)          # raises SchemeInvalid(.problems) on a bad document
    result = unravel(scheme, input)    # {"buckets": {...}, "warnings": [...], "error": None}
    why = explain(scheme, input)       # the same result, with each shift cut into segments

See /shared/cao/FORMAT.md for the format and its semantics.
"""

from __future__ import annotations

from .engine import load_scheme
from .engine import run as _run
from .errors import (
    ATW_BREAK_SHORT,
    ATW_BREAK_TOPUP,
    BAD_INPUT,
    BREAK_EXCEEDS_SHIFT,
    NONEXISTENT_LOCAL_TIME,
    OVERLAPPING_SHIFTS,
    ZERO_LENGTH_SHIFT,
    Problem,
    SchemeInvalid,
)
from .explain import Explanation, Reason, SegmentExplanation, ShiftExplanation, explain
from .scheme import Scheme, validate_scheme

__all__ = [
    "ATW_BREAK_SHORT",
    "ATW_BREAK_TOPUP",
    "BAD_INPUT",
    "BREAK_EXCEEDS_SHIFT",
    "NONEXISTENT_LOCAL_TIME",
    "OVERLAPPING_SHIFTS",
    "ZERO_LENGTH_SHIFT",
    "Explanation",
    "Problem",
    "Reason",
    "Scheme",
    "SchemeInvalid",
    "SegmentExplanation",
    "ShiftExplanation",
    "explain",
    "load_scheme",
    "unravel",
    "validate_scheme",
]


def unravel(scheme: Scheme, input_doc: object) -> dict:
    """Split the shifts of `input_doc` into pay buckets under `scheme` (FORMAT.md).

    Returns `{"buckets": {name: minutes, ...}, "warnings": [...], "error": None}` with only
    non-zero buckets and the distinct warning codes sorted, or `{"buckets": {}, "warnings": [],
    "error": CODE}`. Never raises for a loaded scheme, whatever `input_doc` holds.
    """
    return _run(scheme, input_doc)
