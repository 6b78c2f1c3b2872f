"""Model fields shared by the apps: values encrypted at rest (the BSN, authenticator secrets).

One key ring, ``FIELD_ENCRYPTION_KEYS`` (Fernet keys, newest first): the newest encrypts, every
key decrypts, so a key is rotated by putting a new one in front and, once
``manage.py encryption_keys_rotate`` has re-encrypted the rows, dropping the old one. Without
the setting (development and tests only: ``check --deploy`` refuses it) the key is derived from
SECRET_KEY. A value no key opens is read as ``Unreadable``: the page shows "cannot be read"
instead of failing, and saving the row writes the stored token back unchanged.
"""

import base64
import functools
from typing import Any, Self

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.signals import setting_changed
from django.db import models
from django.db.backends.base.base import BaseDatabaseWrapper
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _


def _derived_key(secret_key: str) -> str:
    derived = HKDF(
        algorithm=hashes.SHA256(), length=32, salt=None, info=b"flexportal-field-encryption"
    ).derive(secret_key.encode())
    return base64.urlsafe_b64encode(derived).decode()


@functools.cache
def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS) or [_derived_key(settings.SECRET_KEY)]
    return MultiFernet([Fernet(k) for k in keys])


@receiver(setting_changed)
def _keys_changed(*, setting: str, **kwargs: Any) -> None:
    if setting in ("FIELD_ENCRYPTION_KEYS", "SECRET_KEY"):
        _fernet.cache_clear()


def encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode()


def decrypt(token: str) -> str:
    """The clear text; raises cryptography's InvalidToken when no key of the ring opens it."""
    return _fernet().decrypt(token.encode()).decode()


def reencrypt(token: str, *, with_secret_key: bool = False) -> str:
    """The same clear text under the newest key (raises InvalidToken like ``decrypt``).
    ``with_secret_key`` also opens tokens of the key derived from SECRET_KEY (the development
    default), to move them under FIELD_ENCRYPTION_KEYS."""
    ring = _fernet()
    if with_secret_key:
        keys = [*settings.FIELD_ENCRYPTION_KEYS, _derived_key(settings.SECRET_KEY)]
        ring = MultiFernet([Fernet(k) for k in keys])
    return ring.rotate(token.encode()).decode()


def encrypted_fields() -> list[tuple[type[models.Model], "EncryptedCharField"]]:
    """Every (model, field) stored encrypted, for the key rotation."""
    from django.apps import apps

    return [
        (model, field)
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    ]


class Unreadable(str):
    """What an encrypted field holds when no configured key opens its token (the keys were
    changed without keeping the old one). Empty as a string, so it is shown and validated as
    "no value"; ``label`` says so in words; the token is kept so that saving the row does
    not destroy the value, which comes back once the right key is configured again."""

    label = _("cannot be read (encryption key missing)")
    token: str

    def __new__(cls, token: str) -> Self:
        value = super().__new__(cls, "")
        value.token = token
        return value

    def __repr__(self) -> str:
        return "Unreadable()"


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted (Fernet) at rest; clear text only in Python.

    It cannot be filtered on or ordered by in SQL. ``max_length`` limits the clear text; the
    column is a text column big enough for the token.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection: BaseDatabaseWrapper) -> str:
        return "text"

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, Unreadable):
            return value.token
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return encrypt(value)

    def from_db_value(
        self, value: str | None, expression: object, connection: BaseDatabaseWrapper
    ) -> str | None:
        if value in (None, ""):
            return value
        try:
            return decrypt(value)
        except InvalidToken:
            return Unreadable(value)


@checks.register(checks.Tags.security, deploy=True)
def check_encryption_keys(app_configs: object = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Production keeps its own key ring: a key derived from SECRET_KEY would make every BSN
    and authenticator secret unreadable the day SECRET_KEY is rotated."""
    if settings.FIELD_ENCRYPTION_KEYS:
        return []
    return [
        checks.Error(
            "FIELD_ENCRYPTION_KEYS is not set: the BSN and authenticator secrets would be "
            "encrypted with a key derived from SECRET_KEY, and become unreadable when "
            "SECRET_KEY changes.",
            hint="Set FIELD_ENCRYPTION_KEYS to a Fernet key (python -c 'from "
            "cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'); keep "
            "it apart from SECRET_KEY and back it up with the database.",
            id="flexportal.E001",
        )
    ]
