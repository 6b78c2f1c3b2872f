"""Error and warning codes of the `cao-ontrafel/1` format, and the scheme validation error.

The codes are the strings FORMAT.md names; they end up verbatim in the unravel output, so they are
part of the contract with payroll and must never be renamed.
"""

from __future__ import annotations

from dataclasses import dataclass

# Errors (FORMAT.md "Semantics" 1 and 2). On an error nothing else is computed.
BAD_INPUT = "BAD_INPUT"
NONEXISTENT_LOCAL_TIME = "NONEXISTENT_LOCAL_TIME"
BREAK_EXCEEDS_SHIFT = "BREAK_EXCEEDS_SHIFT"
OVERLAPPING_SHIFTS = "OVERLAPPING_SHIFTS"

#: When one input has several errors, the first code in this order is reported, so the answer
#: does not depend on the order in which the shifts were entered.
ERROR_PRIORITY = (BAD_INPUT, NONEXISTENT_LOCAL_TIME, BREAK_EXCEEDS_SHIFT, OVERLAPPING_SHIFTS)

# Warnings (FORMAT.md "Semantics" 1 and 2).
ZERO_LENGTH_SHIFT = "ZERO_LENGTH_SHIFT"
ATW_BREAK_TOPUP = "ATW_BREAK_TOPUP"
ATW_BREAK_SHORT = "ATW_BREAK_SHORT"


@dataclass(frozen=True)
class Problem:
    """One reason a scheme document is refused: where (a JSON path such as
    `$.ort.windows[2].to`) and why (a sentence in plain English)."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


class SchemeInvalid(ValueError):
    """Raised by `load_scheme` for a document that is not a valid `cao-ontrafel/1` scheme.

    `problems` lists every problem found, not only the first, so whoever typed the scheme can fix
    them in one go.
    """

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        super().__init__(f"invalid cao-ontrafel/1 scheme ({len(self.problems)} problems):\n{lines}")


class InputError(Exception):
    """Internal: aborts an unravelling with one of the error codes above."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code
