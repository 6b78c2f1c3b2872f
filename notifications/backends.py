"""E-mail backend for development: the console, and one .eml file per message in a folder."""

import datetime as dt
import uuid
from pathlib import Path

from django.conf import settings
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.console import EmailBackend as ConsoleBackend


class ConsoleAndFolderEmailBackend(BaseEmailBackend):
    """Prints each message and writes it to EMAIL_FILE_PATH as a .eml a mail program can open."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.folder = Path(settings.EMAIL_FILE_PATH)
        self.console = ConsoleBackend(*args, **kwargs)

    def send_messages(self, email_messages) -> int:
        if not email_messages:
            return 0
        self.folder.mkdir(parents=True, exist_ok=True)
        for message in email_messages:
            stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
            path = self.folder / f"{stamp}-{uuid.uuid4().hex[:8]}.eml"
            path.write_bytes(message.message().as_bytes())
        self.console.send_messages(email_messages)
        return len(email_messages)
