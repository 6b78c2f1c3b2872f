"""Model fields shared by the apps."""

import base64
import functools

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.db import models


@functools.cache
def _fernet() -> MultiFernet:
    keys = list(settings.FIELD_ENCRYPTION_KEYS)
    if not keys:
        # No dedicated key configured: derive one from SECRET_KEY (documented in README).
        derived = HKDF(
            algorithm=hashes.SHA256(), length=32, salt=None, info=b"flexportal-field-encryption"
        ).derive(settings.SECRET_KEY.encode())
        keys = [base64.urlsafe_b64encode(derived).decode()]
    return MultiFernet([Fernet(k) for k in keys])


class EncryptedCharField(models.CharField):
    """A CharField stored encrypted (Fernet) at rest; clear text only in Python.

    It cannot be filtered on or ordered by in SQL. ``max_length`` limits the clear text; the
    column is a text column big enough for the token.
    """

    def get_internal_type(self) -> str:
        return "TextField"

    def db_type(self, connection) -> str:
        return "text"

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value in (None, ""):
            return value
        return _fernet().encrypt(value.encode()).decode()

    def from_db_value(self, value, expression, connection):
        if value in (None, ""):
            return value
        try:
            return _fernet().decrypt(value.encode()).decode()
        except InvalidToken as exc:
            raise ValueError(
                "An encrypted field cannot be read with FIELD_ENCRYPTION_KEYS / SECRET_KEY."
            ) from exc
