"""A fake Docker daemon: the Engine API endpoints the container actions use, over a real
unix socket or TCP, keeping containers in memory and recording every request as received.

It answers as Docker does (``docs.docker.com/reference/api/engine``): versioned paths
(``/v1.44/...``; a newer version than ``max_version`` gets Docker's 400 "client version ... is
too new"), ``{"message": ...}`` errors, 404 for unknown containers, 409 for conflicts (pausing a
paused container), 304 for stopping a stopped one or starting a running one, 201 with ``Id``
for a commit, the file system as a tar stream for an export. ``fail`` forces an answer for one
``(method, path)``.
"""

from __future__ import annotations

import hashlib
import io
import json
import re
import socketserver
import sys
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

_VERSIONED = re.compile(r"^/v(\d+)\.(\d+)(/.*)$")


def tar_of(files: dict[str, bytes]) -> bytes:
    """A real tar archive holding ``files`` (what an export streams)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 1_700_000_000
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


@dataclass
class Request:
    """One request as the daemon saw it."""

    method: str
    path: str  # with the version prefix and the query string
    headers: dict[str, str]
    body: Any  # parsed JSON, or None


@dataclass
class FakeDocker:
    """In-memory containers and the recorded requests."""

    max_version: str = "1.44"
    containers: dict[str, dict[str, Any]] = field(default_factory=dict)
    requests: list[Request] = field(default_factory=list)
    fail: dict[tuple[str, str], tuple[int, str]] = field(default_factory=dict)
    export_data: bytes = field(default_factory=lambda: tar_of({"etc/hostname": b"web\n"}))
    #: Send only this many bytes of the export, then close (a broken stream).
    export_cut: int | None = None
    #: Seconds to wait before answering (timeouts).
    delay: float = 0.0
    commits: int = 0

    def add(
        self,
        name: str,
        *,
        running: bool = True,
        paused: bool = False,
        mode: str = "bridge",
        networks: dict[str, dict[str, Any]] | None = None,
    ) -> dict[str, Any]:
        """A container named ``name`` (on the default bridge unless told otherwise)."""
        if networks is None:
            networks = {"bridge": endpoint("172.17.0.2")}
        container = {
            "Id": hashlib.sha256(name.encode()).hexdigest(),
            "Name": f"/{name}",
            "State": {"Running": running, "Paused": paused, "Status": "running"},
            "HostConfig": {"NetworkMode": mode},
            "NetworkSettings": {"Networks": networks},
        }
        self.containers[name] = container
        return container

    def paths(self) -> list[str]:
        """``METHOD path`` of every request, in order."""
        return [f"{r.method} {r.path}" for r in self.requests]

    # --- the API ------------------------------------------------------------------------

    def answer(self, method: str, raw: str, body: Any) -> tuple[int, Any]:
        """Status and JSON body (or bytes for the export) for one request."""
        parts = urlsplit(raw)
        match = _VERSIONED.match(parts.path)
        if match is None:
            return 404, {"message": "page not found"}
        version = (int(match.group(1)), int(match.group(2)))
        major, minor = (int(x) for x in self.max_version.split("."))
        if version > (major, minor):
            return 400, {
                "message": f"client version {version[0]}.{version[1]} is too new. Maximum "
                f"supported API version is {self.max_version}"
            }
        path, query = match.group(3), parse_qs(parts.query)
        forced = self.fail.get((method, path))
        if forced is not None:
            return forced[0], {"message": forced[1]}
        segments = path.strip("/").split("/")
        if segments[0] == "containers" and len(segments) == 3:
            return self._container(method, segments[1], segments[2])
        if segments[0] == "networks" and len(segments) == 3 and method == "POST":
            return self._network(segments[1], segments[2], body or {})
        if segments == ["commit"] and method == "POST":
            name = query.get("container", [""])[0]
            if name not in self.containers:
                return 404, {"message": f"No such container: {name}"}
            self.commits += 1
            return 201, {"Id": f"sha256:{self.commits:064x}"}
        return 404, {"message": "page not found"}

    def _container(self, method: str, name: str, verb: str) -> tuple[int, Any]:
        container = self.containers.get(name)
        if container is None:
            return 404, {"message": f"No such container: {name}"}
        state = container["State"]
        if method == "GET" and verb == "json":
            return 200, container
        if method == "GET" and verb == "export":
            return 200, self.export_data
        if method != "POST":
            return 404, {"message": "page not found"}
        if verb == "pause":
            if not state["Running"]:
                return 409, {"message": f"Container {container['Id']} is not running"}
            if state["Paused"]:
                return 409, {"message": f"Container {container['Id']} is already paused"}
            state["Paused"] = True
            return 204, None
        if verb == "unpause":
            if not state["Paused"]:
                return 409, {"message": f"Container {container['Id']} is not paused"}
            state["Paused"] = False
            return 204, None
        if verb == "stop":
            if not state["Running"]:
                return 304, None
            state.update(Running=False, Paused=False)
            return 204, None
        if verb == "start":
            if state["Running"]:
                return 304, None
            state["Running"] = True
            return 204, None
        return 404, {"message": "page not found"}

    def _network(self, network: str, verb: str, body: dict[str, Any]) -> tuple[int, Any]:
        name = body.get("Container", "")
        container = self.containers.get(name)
        if container is None:
            return 404, {"message": f"No such container: {name}"}
        networks = container["NetworkSettings"]["Networks"]
        if verb == "disconnect":
            if network not in networks:
                return 403, {"message": f"container {name} is not connected to {network}"}
            del networks[network]
            return 200, None
        if verb == "connect":
            config = dict(body.get("EndpointConfig") or {})
            networks[network] = {**endpoint("172.30.0.9"), **config}
            return 200, None
        return 404, {"message": "page not found"}


def endpoint(address: str, **settings: Any) -> dict[str, Any]:
    """A ``NetworkSettings.Networks`` entry as ``docker inspect`` shows it."""
    return {
        "IPAMConfig": None,
        "Links": None,
        "Aliases": None,
        "MacAddress": "02:42:ac:11:00:02",
        "DriverOpts": None,
        "NetworkID": "7d86e7a4e1f4",
        "EndpointID": "1b2c3d4e5f60",
        "Gateway": address.rsplit(".", 1)[0] + ".1",
        "IPAddress": address,
        "IPPrefixLen": 16,
        **settings,
    }


def _handler(fake: FakeDocker) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            body = json.loads(raw) if raw else None
            fake.requests.append(
                Request(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    body,
                )
            )
            if fake.delay:
                time.sleep(fake.delay)
            status, reply = fake.answer(self.command, self.path, body)
            if isinstance(reply, bytes):
                self._send_bytes(status, reply)
                return
            data = b"" if reply is None else json.dumps(reply).encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
            if status not in (204, 304):
                self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _send_bytes(self, status: int, data: bytes) -> None:
            self.send_response(status)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if fake.export_cut is not None:
                self.wfile.write(data[: fake.export_cut])
                self.wfile.flush()
                self.close_connection = True
                return
            for start in range(0, len(data), 4096):
                self.wfile.write(data[start : start + 4096])

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def address_string(self) -> str:
            return "docker-client"

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Quiet:
    """Servers that stay quiet when a client hangs up early (the timeout tests do)."""

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)  # type: ignore[misc]


class _UnixServer(_Quiet, socketserver.ThreadingMixIn, socketserver.UnixStreamServer):
    daemon_threads = True


class _TcpServer(_Quiet, ThreadingHTTPServer):
    pass


@contextmanager
def serve_unix(fake: FakeDocker) -> Iterator[str]:
    """Serve ``fake`` on a unix socket; yields ``unix:///path/docker.sock``.

    The socket lives in a short temporary directory: socket paths are limited to ~100 bytes.
    """
    with tempfile.TemporaryDirectory(prefix="gdk") as folder:
        path = Path(folder) / "docker.sock"
        server = _UnixServer(str(path), _handler(fake))
        yield from _running(server, f"unix://{path}")


@contextmanager
def serve_tcp(fake: FakeDocker) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1; yields ``http://127.0.0.1:<port>``."""
    server = _TcpServer(("127.0.0.1", 0), _handler(fake))
    yield from _running(server, f"http://127.0.0.1:{server.server_address[1]}")


def _running(server: socketserver.BaseServer, url: str) -> Iterator[str]:
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
