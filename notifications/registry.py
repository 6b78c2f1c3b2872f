"""What the domain apps tell the mail log about their messages: the registry of message kinds.

The mail log (notifications.models), rendering and delivery (notifications.services) know no
domain app. Each domain app registers its kinds from its ``<app>/notifications.py`` (imported in
its AppConfig.ready()), and calls notifications.services to reserve rows; imports run one way,
domain -> notifications:

* ``register(MessageKind(...))``: how a row of that kind is prepared for sending: ``prepare``
  reads what the message shows and checks that it is still due (raise ``Skip`` when it is not:
  approved meanwhile, past the cut-off...); ``recipients`` finds who gets a scheduled kind;
  ``sms``, ``one_time_link`` and ``resend`` say how the ledger treats it.
* ``register_schedule(due)``: the scheduled kinds' hook, ``due(agency, now)`` -> the slots due
  now (notifications.schedule.Due); the tick reserves each slot once (notifications_tick).
* ``register_language(language_for)``: the language to write to a person in.

A ``Batch`` is the rows one delivery task sends: ``batch.once(key, load)`` reads what many of
them need once for the whole batch (their memberships, the werkbriefjes they are about), so a
batch costs a fixed number of queries whatever its size.
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.conf import settings

from notifications.schedule import Due


class Tenant(Protocol):
    """What the mail log needs of an agency (the tenant): the model is the one its rows' agency
    foreign key names (flexportal.tenancy.TenantModel)."""

    pk: Any
    slug: str
    name: str
    contact_email: str
    logo: Any
    is_active: bool

    @property
    def tzinfo(self) -> dt.tzinfo: ...

    def base_url(self) -> str: ...


class Skip(Exception):
    """The reason for the message is gone (approved meanwhile, past the cut-off...). The reason
    is kept in the log untranslated (the source text) and shown in the reader's language."""


class CannotResend(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


@dataclass
class Recipient:
    """Who gets a message: a person (``user_id``) or, without one, an ``address`` (the
    agency's own)."""

    user_id: Any  # the person's id (a UUID), or None
    membership_id: Any
    sms: bool
    context: dict = field(default_factory=dict)
    deep_link_path: str = ""
    address: str = ""


@dataclass
class Prepared:
    """What a row's message shows, ready to render; ``sms_number`` says where its text message
    goes (called only for a row of the SMS channel)."""

    context: dict
    deep_link_path: str
    sms_number: Callable[[], str] | None = None
    address: str = ""  # another address than the recipient's own


class Batch:
    """The rows of one delivery (their agency and the moment), and what they need from the
    database, read once for all of them."""

    def __init__(self, agency: Tenant, notifications: list[Any], now: dt.datetime) -> None:
        self.agency = agency
        self.notifications = notifications
        self.now = now
        self._loaded: dict[object, Any] = {}

    def once(self, key: object, load: Callable[["Batch"], Any]) -> Any:
        """``load(batch)`` the first time ``key`` is asked for, the same value after."""
        if key not in self._loaded:
            self._loaded[key] = load(self)
        return self._loaded[key]


@dataclass(frozen=True)
class MessageKind:
    kind: str
    # (notification, batch, force) -> Prepared; raises Skip when the message is no longer due.
    # ``force``: sent again by hand from the mail log, whether still due or not.
    prepare: Callable[[Any, Batch, bool], Prepared]
    # Scheduled kinds: (agency=, week_start=) -> [Recipient], read in bulk.
    recipients: Callable[..., list[Recipient]] | None = None
    sms: bool = False  # also by text message to the people who chose that
    # Its link holds a one-time token the log never stores: only the first attempt, right after
    # the event, can send it; it is not retried.
    one_time_link: bool = False
    # "Send again" for a kind that cannot be sent again as it was: (notification=, actor=).
    # A one-time link without it cannot be sent again at all (CannotResend).
    resend: Callable[..., None] | None = None

    @property
    def scheduled(self) -> bool:
        return self.recipients is not None


_kinds: dict[str, MessageKind] = {}
_schedules: list[Callable[[Any, dt.datetime], Iterable[Due]]] = []
_language: list[Callable[..., str]] = []


def register(*kinds: MessageKind) -> None:
    for kind in kinds:
        if kind.kind in _kinds and _kinds[kind.kind] != kind:
            raise ValueError(f"message kind {kind.kind!r} is registered twice")
        _kinds[kind.kind] = kind


def register_schedule(due: Callable[[Any, dt.datetime], Iterable[Due]]) -> None:
    if due not in _schedules:
        _schedules.append(due)


def register_language(language_for: Callable[..., str]) -> None:
    _language[:] = [language_for]


def get(kind: str) -> MessageKind:
    try:
        return _kinds[kind]
    except KeyError:
        raise LookupError(f"no app registered the message kind {kind!r}") from None


def kinds() -> list[MessageKind]:
    return list(_kinds.values())


def due(agency: Tenant, now: dt.datetime) -> list[Due]:
    """The scheduled slots due at ``now`` for the agency, from every registered schedule."""
    return [slot for schedule in _schedules for slot in schedule(agency, now)]


def language_for(*, user: Any, agency: Tenant | None) -> str:
    """The language to write to ``user`` (None: the agency's own address) in."""
    if _language:
        return _language[0](user=user, agency=agency)
    return settings.LANGUAGE_CODE
