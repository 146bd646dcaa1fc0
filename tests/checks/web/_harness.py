"""Real local HTTP(S) servers that play the behaviour a YAML fixture describes.

A fixture (``tests/checks/web/<check_id>/fail.yaml``) is data, not code::

    tls:                      # optional: serve HTTPS
      min: TLSv1              # lowest version accepted (default TLSv1_2)
      cert: valid             # valid | expired | expiring | not_yet_valid | self_signed | wrong_host
    default: {status: 404, body: "not found"}      # any path without a route
    routes:
      /:                      # exact path; "/?" is the page requested with a query
        status: 200
        headers: {Set-Cookie: ["a=1; Secure", "b=2"], Server: nginx}
        body: "<html>..."     # or body_hex: "504b0304..."
        repeat: 4096          # optional: the body repeated (large bodies)
        delay: 1.5            # optional: seconds before answering
      /manager/html:
        basic_auth: {realm: Tomcat Manager Application, user: tomcat, password: s3cret}
    secrets: [s3cret]         # strings no result may show
    expect: [Git repository]  # (fail fixtures) each must be in some failure's message

Certificates are made with ``cryptography`` by one test CA (:class:`Pki`).
"""

from __future__ import annotations

import base64
import contextlib
import ipaddress
import ssl
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

_VERSIONS = {
    "TLSv1": ssl.TLSVersion.TLSv1,
    "TLSv1_1": ssl.TLSVersion.TLSv1_1,
    "TLSv1_2": ssl.TLSVersion.TLSv1_2,
    "TLSv1_3": ssl.TLSVersion.TLSv1_3,
}
#: Certificate kind -> validity (days from now) and names.
_KINDS: dict[str, tuple[int, int, bool]] = {
    # kind: (not_before, not_after, names this host)
    "valid": (-1, 365, True),
    "expired": (-400, -10, True),
    "expiring": (-300, 10, True),
    "not_yet_valid": (10, 400, True),
    "self_signed": (-1, 365, True),
    "wrong_host": (-1, 365, False),
}


def _name(common: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common)])


class Pki:
    """A test CA in ``folder`` and the leaf certificates it signs (one per kind, cached)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder()
            .subject_name(_name("Garrison Test CA"))
            .issuer_name(_name("Garrison Test CA"))
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(days=2))
            .not_valid_after(now + timedelta(days=800))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False),
                critical=True,
            )
            .sign(self.key, hashes.SHA256())
        )
        self.ca_file = folder / "ca.pem"
        self.ca_file.write_bytes(self.cert.public_bytes(serialization.Encoding.PEM))
        self._leaves: dict[str, tuple[Path, Path]] = {}

    def context(self) -> ssl.SSLContext:
        """A client context trusting only this CA."""
        return ssl.create_default_context(cafile=str(self.ca_file))

    def leaf(self, kind: str) -> tuple[Path, Path]:
        """Certificate and key files of a leaf of ``kind``."""
        if kind in self._leaves:
            return self._leaves[kind]
        start, end, ours = _KINDS[kind]
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        names: list[x509.GeneralName] = (
            [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            if ours
            else [x509.DNSName("other.example")]
        )
        subject = _name("localhost" if ours else "other.example")
        self_signed = kind == "self_signed"
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(subject if self_signed else self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now + timedelta(days=start))
            .not_valid_after(now + timedelta(days=end))
            .add_extension(x509.SubjectAlternativeName(names), critical=False)
        )
        cert = builder.sign(key if self_signed else self.key, hashes.SHA256())
        cert_file, key_file = self.folder / f"{kind}.pem", self.folder / f"{kind}.key"
        cert_file.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        key_file.write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        self._leaves[kind] = (cert_file, key_file)
        return cert_file, key_file


@dataclass
class Route:
    """What one path answers."""

    status: int = 200
    headers: list[tuple[str, str]] = field(default_factory=list)
    body: bytes = b""
    basic_auth: dict[str, str] | None = None
    delay: float = 0.0

    @classmethod
    def parse(cls, spec: dict[str, Any]) -> Route:
        headers: list[tuple[str, str]] = []
        for name, value in (spec.get("headers") or {}).items():
            values = value if isinstance(value, list) else [value]
            headers += [(str(name), str(v)) for v in values]
        if "body_hex" in spec:
            body = bytes.fromhex(str(spec["body_hex"]).replace(" ", ""))
        else:
            body = str(spec.get("body", "")).encode()
        body *= int(spec.get("repeat", 1))
        return cls(
            int(spec.get("status", 200)),
            headers,
            body,
            spec.get("basic_auth"),
            float(spec.get("delay", 0)),
        )


@dataclass
class Site:
    """A fixture: routes, a default answer, TLS settings, secrets never to show."""

    routes: dict[str, Route]
    default: Route
    tls: dict[str, str] | None = None
    secrets: list[str] = field(default_factory=list)
    expect: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, path: Path) -> Site:
        spec = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        return cls(
            {str(p): Route.parse(r or {}) for p, r in (spec.get("routes") or {}).items()},
            Route.parse(spec.get("default") or {"status": 404, "body": "Not Found"}),
            spec.get("tls"),
            [str(s) for s in spec.get("secrets") or []],
            [str(s) for s in spec.get("expect") or []],
        )

    def route(self, target: str) -> Route:
        parts = urlsplit(target)
        if parts.query and f"{parts.path}?" in self.routes:
            return self.routes[f"{parts.path}?"]
        return self.routes.get(parts.path, self.default)


@dataclass(frozen=True)
class Seen:
    """A request the server received."""

    method: str
    path: str
    user_agent: str
    authorization: str | None


def _handler(site: Site, seen: list[Seen]) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "Fixture"
        sys_version = ""

        def do_GET(self) -> None:
            seen.append(
                Seen(
                    "GET",
                    self.path,
                    self.headers.get("User-Agent", ""),
                    self.headers.get("Authorization"),
                )
            )
            route = site.route(self.path)
            if route.delay:
                time.sleep(route.delay)
            if route.basic_auth and not self._authorised(route.basic_auth):
                realm = route.basic_auth.get("realm", "")
                self._send(401, [("WWW-Authenticate", f'Basic realm="{realm}"')], b"401")
                return
            self._send(route.status, route.headers, route.body)

        def _authorised(self, auth: dict[str, str]) -> bool:
            given = self.headers.get("Authorization", "")
            pair = f"{auth['user']}:{auth['password']}".encode()
            return given == "Basic " + base64.b64encode(pair).decode()

        def _send(self, status: int, headers: list[tuple[str, str]], body: bytes) -> None:
            self.send_response_only(status)
            names = {n.lower() for n, _ in headers}
            if "server" not in names:
                self.send_header("Server", "Fixture")
            for name, value in headers:
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            # The collector stops reading large bodies early, on purpose.
            with contextlib.suppress(BrokenPipeError, ConnectionResetError, ssl.SSLError):
                self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    tls: ssl.SSLContext | None = None

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.tls is not None:  # handshake in the request thread, not the accept loop
            request = self.tls.wrap_socket(request, server_side=True)
        super().finish_request(request, client_address)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # refused handshakes (TLS 1.0 against a TLS 1.2 server) are expected


def server_context(pki: Pki, tls: dict[str, str]) -> ssl.SSLContext:
    """The server's TLS context for a fixture's ``tls`` settings."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(*pki.leaf(tls.get("cert", "valid")))
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = _VERSIONS[tls.get("min", "TLSv1_2")]
        context.maximum_version = _VERSIONS[tls.get("max", "TLSv1_3")]
    return context


@dataclass
class Running:
    """A started server: its URL and the requests it saw."""

    url: str
    site: Site
    seen: list[Seen]


@contextmanager
def serve(site: Site, pki: Pki | None = None) -> Iterator[Running]:
    """Serve ``site`` on a free port of 127.0.0.1 until the block ends."""
    seen: list[Seen] = []
    server = _Server(("127.0.0.1", 0), _handler(site, seen))
    scheme = "http"
    if site.tls is not None:
        assert pki is not None, "an HTTPS fixture needs the test CA"
        server.tls = server_context(pki, site.tls)
        scheme = "https"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Running(f"{scheme}://127.0.0.1:{server.server_address[1]}/", site, seen)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
