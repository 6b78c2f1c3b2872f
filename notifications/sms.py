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
import json
import logging
import sys
import urllib.error
import urllib.request
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
    """CM.com (Dutch SMS gateway): one JSON POST per batch, authenticated by a product token.

    Numbers go out as 0031612345678, as CM expects. A non-2xx answer, a non-zero ``errorCode`` or
    a network failure raises SmsError; the product token never appears in the error.
    """

    def __init__(self, *, url: str | None = None, api_key: str | None = None, sender=None):
        self.url = url or settings.SMS_API_URL or CM_DEFAULT_URL
        self.api_key = api_key if api_key is not None else settings.SMS_API_KEY
        self.sender = (sender or settings.SMS_SENDER)[:11]  # alphanumeric senders: 11 at most
        self.timeout = settings.SMS_TIMEOUT_SECONDS

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
        request = urllib.request.Request(  # noqa: S310 - the URL comes from settings, https
            self.url,
            data=data,
            method="POST",
            headers={"Content-Type": "application/json; charset=utf-8"},
        )
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310
                body = response.read()
        except urllib.error.HTTPError as exc:
            logger.warning("CM.com refused an SMS: HTTP %s", exc.code)
            raise SmsError(f"The SMS provider answered HTTP {exc.code}.") from None
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            logger.warning("CM.com could not be reached: %s", exc)
            raise SmsError("The SMS provider could not be reached.") from None
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


def send_sms(*, to: str, body: str) -> int:
    """Send one SMS through the configured backend; raises SmsError when it cannot."""
    return get_backend().send_messages([SmsMessage(to=to, body=body)])
