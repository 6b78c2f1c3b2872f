"""What the integration tests run against: a real Celery worker (and beat) as subprocesses on the
pytest database, this machine's Redis (keys and queue of their own, so parallel runs and other
projects on the same Redis do not meet) and an SMTP sink (aiosmtpd) on a random local port.

Without REDIS_URL the subprocesses use the filesystem broker in a folder of the test's own.
"""

import asyncio
import contextlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from email.parser import BytesHeaderParser
from pathlib import Path
from urllib.parse import quote

from aiosmtpd.smtp import SMTP
from celery import Celery
from django.conf import settings
from django.db import connection

from flexportal.embedded import filesystem_broker_options

CELERY = str(Path(sys.executable).with_name("celery"))
ROOT = Path(settings.BASE_DIR)


def wait_until(condition, *, timeout: float, interval: float = 0.2, what: str = "it"):
    """Poll ``condition`` until it is true; fail with ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"Timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


class SmtpSink:
    """Records every message it accepts: Message-ID, recipients, subject and kind (and, with
    ``keep_content``, the sender and the message as sent, for the benchmark's floor)."""

    def __init__(self, *, keep_content: bool = False):
        logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd's chatter
        self.keep_content = keep_content
        self.messages: list[dict] = []
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self._server = asyncio.run_coroutine_threadsafe(
            self._loop.create_server(
                lambda: SMTP(self, hostname="sink.local", ident="flexportal-test-sink"),
                "127.0.0.1",
                0,
            ),
            self._loop,
        ).result(timeout=10)
        self.port = self._server.sockets[0].getsockname()[1]

    async def handle_DATA(self, server, session, envelope):  # aiosmtpd calls it so
        headers = BytesHeaderParser().parsebytes(envelope.content)
        message = {
            "message_id": headers["Message-ID"],
            "to": list(envelope.rcpt_tos),
            "subject": headers["Subject"],
            "kind": headers["X-Flexportal-Kind"],
        }
        if self.keep_content:
            message["from"] = envelope.mail_from
            message["content"] = envelope.original_content
        with self._lock:
            self.messages.append(message)
        return "250 Message accepted for delivery"

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def snapshot(self) -> list[dict]:
        with self._lock:
            return list(self.messages)

    def clear(self) -> list[dict]:
        """Forget what was received (returned): the next run starts counting from zero."""
        with self._lock:
            received, self.messages = self.messages, []
        return received

    def unique_ids(self) -> set[str]:
        return {m["message_id"] for m in self.snapshot()}

    def duplicates(self) -> dict[str, int]:
        """Message-IDs the sink accepted more than once (what a mailbox would keep once)."""
        counts = Counter(m["message_id"] for m in self.snapshot())
        return {k: n for k, n in counts.items() if n > 1}

    def stop(self):
        async def shutdown():
            self._server.close()
            others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
            for task in others:
                task.cancel()
            await asyncio.gather(*others, return_exceptions=True)

        asyncio.run_coroutine_threadsafe(shutdown(), self._loop).result(timeout=10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
        self._loop.close()


def database_url() -> str:
    """The pytest database (test_<name>), for the subprocesses."""
    db = connection.settings_dict
    user = quote(db.get("USER") or "", safe="")
    password = quote(db.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = quote(db.get("HOST") or "", safe="")
    port = f":{db['PORT']}" if db.get("PORT") else ""
    return f"postgres://{credentials}{host}{port}/{db['NAME']}"


class CeleryRun:
    """Celery worker and beat subprocesses with a queue and keys of their own."""

    def __init__(self, folder: Path, sink: SmtpSink, **env):
        self.folder = folder
        self.name = f"fp-it-{uuid.uuid4().hex[:10]}"
        self.queue = self.name
        self.redis_url = settings.REDIS_URL
        self.prefix = f"{self.name}:"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url(),
            "EMAIL_URL": sink.url,
            "CELERY_QUEUE": self.queue,
            "CELERY_KEY_PREFIX": self.prefix,
            "CELERY_TASK_ALWAYS_EAGER": "false",
            "FLEXPORTAL_LOCAL_DIR": str(folder),
            "DB_CONN_MAX_AGE": "0",
            "LOG_LEVEL": "INFO",
            "NOTIFICATION_LEASE_SECONDS": "15",
            "NOTIFICATION_RETRY_AFTER_SECONDS": "5",
            **env,
        }
        if not self.redis_url:
            self.env.pop("REDIS_URL", None)
        self.processes: list[subprocess.Popen] = []
        self._publisher = None

    # Processes ----------------------------------------------------------------------------------

    def _start(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = (self.folder / log_name).open("ab")
        process = subprocess.Popen(  # our own celery, fixed arguments
            [CELERY, "-A", "flexportal", *args],
            cwd=ROOT,
            env=self.env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: killpg reaches the pool too
        )
        self.processes.append(process)
        return process

    def worker(
        self, number: int = 1, concurrency: int = 2, include: tuple[str, ...] = ()
    ) -> subprocess.Popen:
        """A worker on the run's queue; ``include``: modules with more tasks (the benchmark's)."""
        return self._start(
            [
                "worker",
                *(f"--include={module}" for module in include),
                "-Q",
                self.queue,
                "-c",
                str(concurrency),
                "-n",
                f"{self.name}-{number}@%h",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "--loglevel=INFO",
            ],
            f"worker-{number}.log",
        )

    def beat(self, tick_seconds: int = 1) -> subprocess.Popen:
        self.env["NOTIFICATION_TICK_SECONDS"] = str(tick_seconds)
        try:
            return self._start(
                ["beat", "--loglevel=INFO", "-s", str(self.folder / "beat-schedule")],
                "beat.log",
            )
        finally:
            self.env.pop("NOTIFICATION_TICK_SECONDS")

    def beat_ticks(self) -> int:
        path = self.folder / "beat.log"
        text = path.read_text(errors="replace") if path.exists() else ""
        return text.count("Sending due task notifications-tick")

    @staticmethod
    def kill(process: subprocess.Popen, sig=signal.SIGKILL) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, sig)
        process.wait(timeout=30)

    def stop(self, process: subprocess.Popen) -> None:
        """A warm shutdown (SIGTERM), SIGKILL when it takes too long."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.kill(process)

    def log(self) -> str:
        return "\n".join(
            f"--- {p.name}\n{p.read_text(errors='replace')[-4000:]}"
            for p in sorted(self.folder.glob("*.log"))
        )

    # Publishing and the queue -------------------------------------------------------------------

    @property
    def publisher(self) -> Celery:
        """A Celery app of the test's own (the project's app stays eager for the unit tests)."""
        if self._publisher is None:
            if self.redis_url:
                self._publisher = Celery(
                    "flexportal-it",
                    broker=self.redis_url,
                    broker_transport_options={"global_keyprefix": self.prefix},
                    set_as_current=False,  # the project's tasks keep the project's app
                )
            else:
                self._publisher = Celery(
                    "flexportal-it",
                    broker="filesystem://",
                    broker_transport_options=filesystem_broker_options(self.folder),
                    set_as_current=False,
                )
        return self._publisher

    def send(self, task: str, *args) -> None:
        self.publisher.send_task(task, args=list(args), queue=self.queue)

    def queued(self) -> int:
        """Messages waiting in the queue (not the ones a worker has taken)."""
        if self.redis_url:
            with self.publisher.connection_for_read() as conn:
                return conn.default_channel.client.llen(self.queue)
        return len(list((self.folder / "celery" / "queue").glob("*.msg")))

    def close(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                self.kill(process)
        if self.redis_url:
            import redis

            client = redis.Redis.from_url(self.redis_url)
            keys = list(client.scan_iter(match=f"{self.prefix}*"))
            if keys:
                client.delete(*keys)
            client.close()
        if self._publisher is not None:
            self._publisher.close()
