"""Local receivers for the notification tests: an HTTP server and an SMTP server with STARTTLS.

Both run in a thread of the test process, record every request exactly as received and answer
with scripted replies, so tests assert the bytes on the wire (bodies, headers, signatures).
The ``clock`` fixture (frozen at 2026-11-23 12:00 UTC) comes from ``tests/conftest.py``.
"""

from __future__ import annotations

import ssl
import subprocess
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

SMTP_USER = "garrison"
SMTP_PASSWORD = "s3cret-smtp-pässword"


@dataclass
class Captured:
    """One HTTP request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A local HTTP server: ``replies`` are answered in order, then ``default``."""

    url: str
    requests: list[Captured] = field(default_factory=list)
    replies: list[tuple[int, dict[str, str], bytes]] = field(default_factory=list)
    default: tuple[int, dict[str, str], bytes] = (
        200,
        {"Content-Type": "application/json"},
        b'{"errcode":0,"errmsg":"ok","code":0,"msg":"success"}',
    )


def _handler(receiver: Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            receiver.requests.append(
                Captured("POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status, headers, reply = (
                receiver.replies.pop(0) if receiver.replies else receiver.default
            )
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP server on 127.0.0.1 with an ephemeral port."""
    rec = Receiver(url="")
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(rec))
    rec.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield rec
    server.shutdown()
    server.server_close()
    thread.join()


@pytest.fixture
def client() -> Iterator[httpx.Client]:
    """An httpx client that ignores proxy settings of the environment."""
    with httpx.Client(trust_env=False) as c:
        yield c


# --- SMTP --------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def tls_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and its key, made with the openssl CLI."""
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "ec",
            "-pkeyopt",
            "ec_paramgen_curve:prime256v1",
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "2",
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1,DNS:localhost",
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
def client_tls(tls_files: tuple[Path, Path]) -> ssl.SSLContext:
    """A client context that trusts only the test certificate."""
    return ssl.create_default_context(cafile=str(tls_files[0]))


class _EphemeralController(Controller):
    """aiosmtpd's controller, but on a port chosen by the OS."""

    def _trigger_server(self) -> None:
        server: Any = self.server
        self.port = server.sockets[0].getsockname()[1]
        super()._trigger_server()  # type: ignore[no-untyped-call]


@dataclass
class MailSink:
    """Messages accepted by the test SMTP server."""

    port: int = 0
    envelopes: list[tuple[str, list[str], bytes]] = field(default_factory=list)
    logins: list[tuple[bytes, bool]] = field(default_factory=list)
    tls_sessions: list[bool] = field(default_factory=list)

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(raw, policy=policy.default) for _, _, raw in self.envelopes]


class _Handler:
    def __init__(self, sink: MailSink) -> None:
        self.sink = sink

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        self.sink.tls_sessions.append(session.ssl is not None)
        self.sink.envelopes.append(
            (envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content)
        )
        return "250 OK"


def _authenticator(sink: MailSink):  # type: ignore[no-untyped-def]
    def check(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (
            data.login == SMTP_USER.encode() and data.password == SMTP_PASSWORD.encode()
        )
        sink.logins.append((data.login if isinstance(data, LoginPassword) else b"", ok))
        return AuthResult(success=ok, handled=False)

    return check


def _start(sink: MailSink, **kwargs: Any) -> _EphemeralController:
    controller = _EphemeralController(
        _Handler(sink), hostname="127.0.0.1", port=0, authenticator=_authenticator(sink), **kwargs
    )
    controller.start()
    sink.port = controller.port
    return controller


@pytest.fixture
def smtp_server(tls_files: tuple[Path, Path]) -> Iterator[MailSink]:
    """An SMTP server that offers STARTTLS, requires it, and requires TLS before AUTH."""
    server_tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_tls.load_cert_chain(str(tls_files[0]), str(tls_files[1]))
    sink = MailSink()
    controller = _start(sink, tls_context=server_tls, require_starttls=True, auth_require_tls=True)
    yield sink
    controller.stop()


@pytest.fixture
def plain_smtp_server() -> Iterator[MailSink]:
    """An SMTP server that does not offer STARTTLS."""
    sink = MailSink()
    controller = _start(sink, auth_require_tls=False)
    yield sink
    controller.stop()


@pytest.fixture
def breach() -> Any:
    """An SLA breach message in Chinese, with a hostile title."""
    from garrison.notify.templates import render

    return render(
        "sla.breach",
        "zh-CN",
        {
            "incident_id": "INC-42",
            "title": "web01 失陷 [click](http://evil.example) @all",
            "grade": "I",
            "deadline_kind": "report",
            "deadline": datetime(2026, 11, 23, 11, 0, tzinfo=UTC),
            "link": "https://garrison.example/incidents/INC-42",
        },
    )
