"""SMS backends, chosen like Django's e-mail backends: console, memory, a folder, and CM.com over
HTTPS (tested against a fake gateway on localhost)."""

import json
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest

from notifications import sms


class FailingSmsBackend(sms.BaseSmsBackend):
    """A provider that is down; used by tests elsewhere too."""

    def send_messages(self, messages):
        raise sms.SmsError("down")


@pytest.fixture
def gateway():
    """A fake CM.com gateway: records each request, answers with ``gateway.reply``."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keeps a connection open while the client does

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            server.requests.append(
                {
                    "path": self.path,
                    "headers": dict(self.headers),
                    "json": json.loads(body),
                    "client": self.client_address,
                }
            )
            status, payload = server.reply
            answer = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Handler)
    server.handler = Handler
    server.requests = []
    server.reply = (200, {"details": "Created 1 message(s)", "errorCode": 0})
    server.url = f"http://127.0.0.1:{server.server_port}/v1.0/message"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()


def _cm(gateway):
    return sms.CmSmsBackend(url=gateway.url, api_key="product-token-123", sender="Demo Uitzend")


def test_the_memory_backend_keeps_messages_for_tests(settings):
    settings.SMS_BACKEND = "notifications.sms.MemorySmsBackend"
    sms.outbox.clear()
    assert sms.send_sms(to="+31612345678", body="123456") == 1
    assert sms.outbox == [sms.SmsMessage(to="+31612345678", body="123456")]
    sms.outbox.clear()


def test_the_file_backend_writes_one_file_per_message(settings, tmp_path):
    settings.SMS_BACKEND = "notifications.sms.FileSmsBackend"
    settings.SMS_FILE_PATH = tmp_path / "sms"
    sms.send_sms(to="+31612345678", body="Uw code is 123456")
    (written,) = (tmp_path / "sms").iterdir()
    assert json.loads(written.read_text()) == {"to": "+31612345678", "body": "Uw code is 123456"}


def test_the_console_backend_prints(settings, capsys):
    settings.SMS_BACKEND = "notifications.sms.ConsoleSmsBackend"
    sms.send_sms(to="+48600123456", body="kod 654321")
    assert "SMS to +48600123456: kod 654321" in capsys.readouterr().out


def test_cm_gets_the_message_with_the_product_token_and_00_numbers(gateway):
    assert _cm(gateway).send_messages([sms.SmsMessage(to="+31612345678", body="Code 123456")]) == 1
    (request,) = gateway.requests
    assert request["headers"]["Content-Type"].startswith("application/json")
    messages = request["json"]["messages"]
    assert messages["authentication"] == {"producttoken": "product-token-123"}
    (message,) = messages["msg"]
    assert message["from"] == "Demo Uitzen"  # alphanumeric senders have 11 characters at most
    assert message["to"] == [{"number": "0031612345678"}]
    assert message["body"] == {"type": "auto", "content": "Code 123456"}
    assert message["allowedChannels"] == ["SMS"]


def test_cm_sends_a_batch_over_one_connection(gateway):
    backend = _cm(gateway)
    backend.open()
    try:
        for n in range(3):
            backend.send_messages([sms.SmsMessage(to="+31612345678", body=f"Bericht {n}")])
    finally:
        backend.close()
    assert [r["json"]["messages"]["msg"][0]["body"]["content"] for r in gateway.requests] == [
        "Bericht 0",
        "Bericht 1",
        "Bericht 2",
    ]
    assert len({r["client"] for r in gateway.requests}) == 1, "one connection"
    # Outside open/close each call has a connection of its own.
    _cm(gateway).send_messages([sms.SmsMessage(to="+31612345678", body="Los")])
    assert len({r["client"] for r in gateway.requests}) == 2


def test_cm_reconnects_when_the_gateway_closes_after_each_answer(gateway):
    gateway.handler.protocol_version = "HTTP/1.0"
    backend = _cm(gateway)
    backend.open()
    try:
        for n in range(2):
            backend.send_messages([sms.SmsMessage(to="+31612345678", body=f"Bericht {n}")])
    finally:
        backend.close()
    assert len(gateway.requests) == 2
    assert len({r["client"] for r in gateway.requests}) == 2


def test_cm_refusing_raises_an_sms_error_without_the_token(gateway):
    gateway.reply = (400, {"details": "No account found for the given authentication"})
    with pytest.raises(sms.SmsError) as error:
        _cm(gateway).send_messages([sms.SmsMessage(to="+31612345678", body="x")])
    assert "product-token-123" not in str(error.value)
    gateway.reply = (200, {"details": "Insufficient balance", "errorCode": 999})
    with pytest.raises(sms.SmsError):
        _cm(gateway).send_messages([sms.SmsMessage(to="+31612345678", body="x")])


def test_cm_unreachable_raises_an_sms_error():
    backend = sms.CmSmsBackend(url="http://127.0.0.1:9/v1.0/message", api_key="t", sender="X")
    with pytest.raises(sms.SmsError):
        backend.send_messages([sms.SmsMessage(to="+31612345678", body="x")])


def test_cm_is_chosen_by_the_environment(gateway, settings):
    settings.SMS_BACKEND = "notifications.sms.CmSmsBackend"
    settings.SMS_API_URL = gateway.url
    settings.SMS_API_KEY = "from-the-environment"
    sms.send_sms(to="+48600123456", body="kod")
    assert gateway.requests[0]["json"]["messages"]["authentication"]["producttoken"] == (
        "from-the-environment"
    )
    assert gateway.requests[0]["json"]["messages"]["msg"][0]["to"] == [{"number": "0048600123456"}]


def test_cm_without_a_product_token_does_not_start():
    environment = {k: v for k, v in os.environ.items() if k != "SMS_API_KEY"}
    environment.update(SMS_BACKEND="notifications.sms.CmSmsBackend", SMS_API_KEY="")
    result = subprocess.run(
        [sys.executable, "-c", "import flexportal.settings"],
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0
    assert "SMS_API_KEY" in result.stderr
