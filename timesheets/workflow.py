"""The werkbrief's workflow in one table: its states, who moves it from which state to which (by
role and by who enters the hours), who may change its hours when, and what "waiting for the
worker" and "waiting for the client" mean (DOMAIN.md, "Statuses" and the weekly cycle).

Everything else asks this module: the services (allowed actions, editing hours, corrections),
the selectors (their Q objects are built from ``waiting_pairs``), the templates (the
``workflow`` template library) and the notifications (through the selectors). Pure Python: no
Django import, so it reads, and is tested, as the rules alone.
"""

from collections.abc import Iterable
from dataclasses import dataclass

# States: the values stored in Werkbrief.status (timesheets.models.Status gives them their
# translated names). A werkbrief is made in RAPPORTEER.
RAPPORTEER = "rapporteer"  # to report: the hours are being filled in
INGEDIEND = "ingediend"  # submitted by the worker, waiting for the client
GOEDGEKEURD = "goedgekeurd"  # approved by the client
AFGEWEZEN = "afgewezen"  # rejected by the client: back to whoever fills in the hours
AFGEROND = "afgerond"  # closed by the back office for payroll
VERWERKT = "verwerkt"  # processed in a payroll run

INITIAL = RAPPORTEER

# Who acts. The system (tasks, commands) makes werkbriefjes and reminds people; it moves none.
WORKER = "worker"
CLIENT = "client"
BACK_OFFICE = "back_office"
SYSTEM = "system"
ACTORS = (WORKER, CLIENT, BACK_OFFICE, SYSTEM)

# Who enters the hours of a placement: the values of accounts.models.HoursEnteredBy.
WORKER_FILLS = "worker"
CLIENT_FILLS = "client"
MODES = (WORKER_FILLS, CLIENT_FILLS)


@dataclass(frozen=True)
class StateInfo:
    value: str
    # The client approved the hours: from here on only the back office changes them, and the
    # worker and the client ask it to through a correction request.
    approved: bool = False
    # Sent back by the client: whoever fills in the hours corrects them and sends them again.
    sent_back: bool = False
    # Paid in a payroll run already: a correction now is paid in a later run.
    paid: bool = False


STATES: dict[str, StateInfo] = {
    s.value: s
    for s in [
        StateInfo(RAPPORTEER),
        StateInfo(INGEDIEND),
        StateInfo(GOEDGEKEURD, approved=True),
        StateInfo(AFGEWEZEN, sent_back=True),
        StateInfo(AFGEROND, approved=True),
        StateInfo(VERWERKT, approved=True, paid=True),
    ]
}
ALL_STATES = frozenset(STATES)


@dataclass(frozen=True)
class Transition:
    action: str
    target: str
    # (actor, mode) -> the states the actor may take this step from, for that entry mode.
    # A pair that is missing may not take the step at all.
    allowed: dict[tuple[str, str], frozenset[str]]
    needs_comment: bool = False

    @property
    def sources(self) -> frozenset[str]:
        """Every state the step leaves from, for anyone in any mode."""
        return frozenset().union(*self.allowed.values())

    @property
    def actors(self) -> frozenset[str]:
        return frozenset(actor for actor, _mode in self.allowed)


def _each_mode(actor: str, states: Iterable[str]) -> dict[tuple[str, str], frozenset[str]]:
    return {(actor, mode): frozenset(states) for mode in MODES}


# THE TABLE -------------------------------------------------------------------------------------

TRANSITIONS: dict[str, Transition] = {
    t.action: t
    for t in [
        # The worker submits what it filled in; a rejected werkbrief is fixed and submitted
        # again. Where the client fills in the hours, the worker only reads them.
        Transition(
            "submit",
            INGEDIEND,
            {(WORKER, WORKER_FILLS): frozenset({RAPPORTEER, AFGEWEZEN})},
        ),
        # The client approves what was submitted, or, where it fills in the hours itself, what
        # it entered ("opslaan en accorderen").
        Transition(
            "approve",
            GOEDGEKEURD,
            {
                (CLIENT, WORKER_FILLS): frozenset({INGEDIEND}),
                (CLIENT, CLIENT_FILLS): frozenset({RAPPORTEER, AFGEWEZEN, INGEDIEND}),
            },
        ),
        # ... or rejects what was submitted, saying why.
        Transition("reject", AFGEWEZEN, _each_mode(CLIENT, {INGEDIEND}), needs_comment=True),
        # The back office closes approved weeks for payroll, then marks them processed.
        Transition("close", AFGEROND, _each_mode(BACK_OFFICE, {GOEDGEKEURD})),
        Transition("process", VERWERKT, _each_mode(BACK_OFFICE, {AFGEROND})),
    ]
}

# Who may change the hours (and the expenses) in which state, per entry mode. The back office
# corrects anything, always with a reason; after processing the correction is paid in a later
# payroll run (``StateInfo.paid``).
EDIT_HOURS: dict[tuple[str, str], frozenset[str]] = {
    (WORKER, WORKER_FILLS): frozenset({RAPPORTEER, AFGEWEZEN}),
    (WORKER, CLIENT_FILLS): frozenset(),
    (CLIENT, WORKER_FILLS): frozenset({INGEDIEND}),
    (CLIENT, CLIENT_FILLS): frozenset({RAPPORTEER, AFGEWEZEN, INGEDIEND}),
    **_each_mode(BACK_OFFICE, ALL_STATES),
}

# What waits for whom: the step that the actor is to take next. The dashboards' "actions
# waiting" and the reminder mails both read it (timesheets.selectors.waiting_for_*).
WAITING_STEP = {WORKER: "submit", CLIENT: "approve"}

# Comments: the worker, the client and the back office, in every state.
COMMENTERS = frozenset({WORKER, CLIENT, BACK_OFFICE})
# Correction requests: the worker or the client asks once the hours are approved; the back
# office handles them.
CORRECTION_REQUESTERS = frozenset({WORKER, CLIENT})
CORRECTION_HANDLERS = frozenset({BACK_OFFICE})

# ------------------------------------------------------------------------------------------------


def sources(*, action: str, actor: str, mode: str) -> frozenset[str]:
    """The states from which ``actor`` may take ``action`` on a werkbrief in entry ``mode``."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        return frozenset()
    return transition.allowed.get((actor, mode), frozenset())


def may(*, action: str, actor: str, state: str, mode: str) -> bool:
    return state in sources(action=action, actor=actor, mode=mode)


def actions(*, actor: str, state: str, mode: str) -> list[str]:
    """The steps ``actor`` may take now, in the table's order (the screens' buttons)."""
    return [a for a in TRANSITIONS if may(action=a, actor=actor, state=state, mode=mode)]


def bulk_sources(*, action: str, actor: str) -> frozenset[str]:
    """The states from which ``actor`` may take ``action`` whatever the entry mode: a bulk
    action checks the status alone."""
    per_mode = [sources(action=action, actor=actor, mode=mode) for mode in MODES]
    return frozenset.intersection(*per_mode)


def may_edit_hours(*, actor: str, state: str, mode: str) -> bool:
    return state in EDIT_HOURS.get((actor, mode), frozenset())


def waiting_pairs(*, actor: str) -> frozenset[tuple[str, str]]:
    """The (state, mode) pairs in which a werkbrief waits for ``actor``."""
    step = WAITING_STEP.get(actor)
    if step is None:
        return frozenset()
    return frozenset(
        (state, mode) for mode in MODES for state in sources(action=step, actor=actor, mode=mode)
    )


def is_waiting_for(*, actor: str, state: str, mode: str) -> bool:
    return (state, mode) in waiting_pairs(actor=actor)


def is_sent_back(*, state: str) -> bool:
    """Rejected: waits for a fix by whoever fills in the hours."""
    return STATES[state].sent_back


def is_approved(*, state: str) -> bool:
    return STATES[state].approved


def approved_states() -> tuple[str, ...]:
    return tuple(s for s, info in STATES.items() if info.approved)


def correction_paid_later(*, state: str) -> bool:
    """Whether a correction of hours now is paid in a later payroll run than the werkbrief."""
    return STATES[state].paid


def may_comment(*, actor: str, state: str) -> bool:
    return actor in COMMENTERS and state in STATES


def may_request_correction(*, actor: str, state: str) -> bool:
    return actor in CORRECTION_REQUESTERS and is_approved(state=state)


def may_handle_corrections(*, actor: str) -> bool:
    return actor in CORRECTION_HANDLERS


# States by what they mean, for code that filters, counts or labels by them ---------------------


def target(action: str) -> str:
    """The state ``action`` leads to: ``target("submit")`` is "submitted, waiting for the
    client", ``target("approve")`` "approved, not yet closed", ``target("reject")`` "sent
    back"."""
    return TRANSITIONS[action].target


def sent_back_states() -> tuple[str, ...]:
    return tuple(s for s, info in STATES.items() if info.sent_back)
