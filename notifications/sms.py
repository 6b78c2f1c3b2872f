"""SMS backends, chosen with SMS_BACKEND like Django's e-mail backends.

This module holds the development backends; the HTTP provider comes with the accounts issue.
"""

import datetime as dt
import json
import sys
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.module_loading import import_string


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


def send_sms(*, to: str, body: str) -> int:
    backend = import_string(settings.SMS_BACKEND)()
    return backend.send_messages([SmsMessage(to=to, body=body)])
