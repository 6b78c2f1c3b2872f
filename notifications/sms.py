"""SMS backends, chosen with SMS_BACKEND like Django's e-mail backends.

* ConsoleSmsBackend: prints each message (development default).
* MemorySmsBackend: keeps messages in ``notifications.sms.outbox`` (tests).
* FileSmsBackend: one JSON file per message in SMS_FILE_PATH.
* CmSmsBackend: CM.com's business messaging gateway over HTTPS (production), configured with
  SMS_API_KEY (the product token), SMS_SENDER and optionally SMS_API_URL.

Every backend takes numbers in E.164 (+31612345678): ``accounts.validators.normalise_mobile_number``
makes them. A backend that cannot deliver raises SmsError; callers show a message, never a 500.
"""

import datetime as dt
import http.client
import json
import logging
import sys
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

CM_DEFAULT_URL = "https://gw.cmtelecom.com/v1.0/message"


class SmsError(Exception):
    """The message could not be handed to the provider."""


@dataclass(frozen=True)
class SmsMessage:
    to: str
    body: str


class BaseSmsBackend:
    """``open``/``close`` bracket a batch of messages (a connection kept open between them, where
    the backend has one); ``send_messages`` outside them works on its own."""

    def open(self) -> None:
        pass

    def close(self) -> None:
        pass

    def send_messages(self, messages: list[SmsMessage]) -> int:
        raise NotImplementedError


class ConsoleSmsBackend(BaseSmsBackend):
    def send_messages(self, messages):
        for message in messages:
            sys.stdout.write(f"SMS to {message.to}: {message.body}\n")
        sys.stdout.flush()
        return len(messages)


outbox: list[SmsMessage] = []


class MemorySmsBackend(BaseSmsBackend):
    """For tests: messages land in notifications.sms.outbox."""

    def send_messages(self, messages):
        outbox.extend(messages)
        return len(messages)


class FileSmsBackend(BaseSmsBackend):
    def send_messages(self, messages):
        folder = Path(settings.SMS_FILE_PATH)
        folder.mkdir(parents=True, exist_ok=True)
        for message in messages:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            path = folder / f"{stamp}-{uuid.uuid4().hex[:8]}.json"
            path.write_text(json.dumps({"to": message.to, "body": message.body}))
        return len(messages)


class CmSmsBackend(BaseSmsBackend):
    """CM.com (Dutch SMS gateway): one JSON POST per call, authenticated by a product token.

    Numbers go out as 0031612345678, as CM expects. A non-2xx answer, a non-zero ``errorCode`` or
    a network failure raises SmsError; the product token never appears in the error. Between
    ``open`` and ``close`` the HTTPS connection is kept (one TLS handshake per batch).
    """

    def __init__(self, *, url: str | None = None, api_key: str | None = None, sender=None):
        self.url = url or settings.SMS_API_URL or CM_DEFAULT_URL
        self.api_key = api_key if api_key is not None else settings.SMS_API_KEY
        self.sender = (sender or settings.SMS_SENDER)[:11]  # alphanumeric senders: 11 at most
        self.timeout = settings.SMS_TIMEOUT_SECONDS
        self._connection: http.client.HTTPConnection | None = None

    def open(self) -> None:
        if self._connection is None:
            parts = urllib.parse.urlsplit(self.url)
            host = parts.hostname or ""
            if parts.scheme == "https":
                self._connection = http.client.HTTPSConnection(
                    host, parts.port, timeout=self.timeout
                )
            else:  # a gateway on localhost in tests
                self._connection = http.client.HTTPConnection(
                    host, parts.port, timeout=self.timeout
                )

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def payload(self, messages: list[SmsMessage]) -> dict:
        return {
            "messages": {
                "authentication": {"producttoken": self.api_key},
                "msg": [
                    {
                        "allowedChannels": ["SMS"],
                        "from": self.sender,
                        "to": [{"number": "00" + m.to.removeprefix("+")}],
                        "body": {"type": "auto", "content": m.body},
                        "reference": uuid.uuid4().hex[:32],
                    }
                    for m in messages
                ],
            }
        }

    def send_messages(self, messages):
        if not messages:
            return 0
        data = json.dumps(self.payload(messages)).encode()
        one_off = self._connection is None
        self.open()
        parts = urllib.parse.urlsplit(self.url)
        path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        try:
            self._connection.request(
                "POST",
                path,
                body=data,
                headers={"Content-Type": "application/json; charset=utf-8"},
            )
            response = self._connection.getresponse()
            status, body = response.status, response.read()
        except (OSError, http.client.HTTPException) as exc:
            self.close()
            logger.warning("CM.com could not be reached: %s", exc)
            raise SmsError("The SMS provider could not be reached.") from None
        finally:
            if one_off:
                self.close()
        if not 200 <= status < 300:
            logger.warning("CM.com refused an SMS: HTTP %s", status)
            raise SmsError(f"The SMS provider answered HTTP {status}.")
        try:
            answer = json.loads(body or b"{}")
        except ValueError:
            answer = {}
        if isinstance(answer, dict) and answer.get("errorCode") not in (None, 0):
            logger.warning("CM.com refused an SMS: %s", answer.get("details"))
            raise SmsError("The SMS provider refused the message.")
        return len(messages)


def get_backend() -> BaseSmsBackend:
    return import_string(settings.SMS_BACKEND)()


def send_sms(*, to: str, body: str, backend: BaseSmsBackend | None = None) -> int:
    """Send one SMS through ``backend`` (an open one) or the configured backend; raises SmsError
    when it cannot."""
    return (backend or get_backend()).send_messages([SmsMessage(to=to, body=body)])
