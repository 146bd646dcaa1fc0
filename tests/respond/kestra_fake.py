"""A fake Kestra server following Kestra's executions API, recording every request.

Endpoints (Kestra's ``ExecutionController``, tenant-scoped)::

    POST /api/v1/{tenant}/executions/{namespace}/{id}               multipart inputs, ?labels=k:v
    POST /api/v1/{tenant}/executions/webhook/{namespace}/{id}/{key} any body
    GET  /api/v1/{tenant}/executions/{executionId}
    POST /api/v1/{tenant}/executions/{executionId}/resume           multipart inputs; 204, or 409

Errors are Kestra's ``{"message": ...}``. Authentication is checked when ``token`` or
``basic`` is set (401 otherwise). Each new execution walks through ``script``: every GET
moves it one state on (the last state stays); ``after_resume`` is the walk after a resume.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit


@dataclass
class Seen:
    """One request as Kestra saw it."""

    method: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] | None = None  # multipart fields (name -> value)
    files: list[str] = field(default_factory=list)  # names of parts that had a filename


@dataclass
class FakeKestra:
    """Flows, executions and the recorded requests."""

    tenant: str = "main"
    flows: dict[tuple[str, str], str | None] = field(default_factory=dict)  # -> webhook key
    executions: dict[str, dict[str, Any]] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    token: str | None = None
    basic: str | None = None  # the expected "Basic ..." header
    script: list[str] = field(default_factory=lambda: ["RUNNING", "RUNNING", "SUCCESS"])
    after_resume: list[str] = field(default_factory=lambda: ["RUNNING", "SUCCESS"])
    fail: dict[tuple[str, str], int] = field(default_factory=dict)
    url: str = ""

    def paths(self) -> list[str]:
        """``METHOD path?query`` of every request."""
        out = []
        for s in self.seen:
            query = "&".join(f"{k}={v}" for k, v in s.query)
            out.append(f"{s.method} {s.path}" + (f"?{query}" if query else ""))
        return out

    def _new(self, namespace: str, flow_id: str, inputs: dict[str, Any]) -> dict[str, Any]:
        execution_id = f"4Vh1E2dWwm6MSvsCnVkS{len(self.executions):02d}"
        record = {
            "id": execution_id,
            "namespace": namespace,
            "flowId": flow_id,
            "flowRevision": 1,
            "inputs": inputs,
            "labels": [],
            "state": {"current": "CREATED", "histories": [{"state": "CREATED"}]},
            "walk": list(self.script),
        }
        self.executions[execution_id] = record
        return record

    @staticmethod
    def _public(record: dict[str, Any], url: str) -> dict[str, Any]:
        data = {k: v for k, v in record.items() if k != "walk"}
        data["url"] = url
        return data

    def answer(self, seen: Seen) -> tuple[int, Any]:
        """Status and JSON body for one request."""
        if self.token is not None and seen.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"message": "Unauthorized"}
        if self.basic is not None and seen.headers.get("authorization") != self.basic:
            return 401, {"message": "Unauthorized"}
        prefix = f"/api/v1/{self.tenant}/executions/"
        if not seen.path.startswith(prefix):
            return 404, {"message": "Page Not Found"}
        forced = self.fail.get((seen.method, seen.path))
        if forced is not None:
            return forced, {"message": "Internal Server Error: boom"}
        parts = [unquote(p) for p in seen.path[len(prefix) :].split("/")]
        if seen.method == "POST" and parts[0] == "webhook" and len(parts) == 4:
            return self._webhook(parts[1], parts[2], parts[3], seen)
        if seen.method == "GET" and len(parts) == 1:
            return self._get(parts[0])
        if seen.method == "POST" and len(parts) == 2 and parts[1] == "resume":
            return self._resume(parts[0], seen)
        if seen.method == "POST" and len(parts) == 2:
            return self._create(parts[0], parts[1], seen)
        return 404, {"message": "Page Not Found"}

    def _create(self, namespace: str, flow_id: str, seen: Seen) -> tuple[int, Any]:
        if (namespace, flow_id) not in self.flows:
            return 404, {"message": f"Flow not found: {namespace}.{flow_id}"}
        ctype = seen.headers.get("content-type", "")
        if seen.body and not ctype.startswith("multipart/form-data"):
            return 415, {"message": "Unsupported Media Type"}
        labels = [v.split(":") for k, v in seen.query if k == "labels"]
        if any(len(pair) != 2 for pair in labels):  # Kestra's RequestUtils.toMap
            return 422, {"message": "Invalid queryString parameter"}
        record = self._new(namespace, flow_id, dict(seen.form or {}))
        record["labels"] = [{"key": key, "value": value} for key, value in labels]
        return 200, self._public(record, self._ui(record))

    def _webhook(self, namespace: str, flow_id: str, key: str, seen: Seen) -> tuple[int, Any]:
        if self.flows.get((namespace, flow_id), "") != key:
            return 404, {"message": "Webhook not found"}
        record = self._new(namespace, flow_id, {})
        data = self._public(record, self._ui(record))
        return 200, {k: data[k] for k in ("id", "namespace", "flowId", "state", "url")}

    def _get(self, execution_id: str) -> tuple[int, Any]:
        record = self.executions.get(execution_id)
        if record is None:
            return 404, {"message": f"Execution not found: {execution_id}"}
        if record["walk"]:
            state = record["walk"].pop(0) if len(record["walk"]) > 1 else record["walk"][0]
            record["state"] = {"current": state, "histories": [{"state": state}]}
        return 200, self._public(record, self._ui(record))

    def _resume(self, execution_id: str, seen: Seen) -> tuple[int, Any]:
        record = self.executions.get(execution_id)
        if record is None:
            return 404, {"message": f"Execution not found: {execution_id}"}
        if record["state"]["current"] != "PAUSED":
            return 409, {"message": f"Execution '{execution_id}' is not paused"}
        record["state"] = {"current": "RUNNING", "histories": [{"state": "RUNNING"}]}
        record["walk"] = list(self.after_resume)
        record["resumed_with"] = dict(seen.form or {})
        return 204, None

    def _ui(self, record: dict[str, Any]) -> str:
        return f"{self.url}/ui/{self.tenant}/executions/{record['namespace']}/{record['flowId']}/{record['id']}"

    def pause(self, execution_id: str) -> None:
        """Put an execution in ``PAUSED`` (as a Pause task would)."""
        record = self.executions[execution_id]
        record["state"] = {"current": "PAUSED", "histories": [{"state": "PAUSED"}]}
        record["walk"] = ["PAUSED"]


def _parse_multipart(ctype: str, body: bytes) -> tuple[dict[str, str], list[str]]:
    message = message_from_bytes(
        f"Content-Type: {ctype}\r\n\r\n".encode() + body, policy=policy.HTTP
    )
    form: dict[str, str] = {}
    files: list[str] = []
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if part.get_filename() is not None:
            files.append(str(name))
        payload = part.get_payload(decode=True)
        form[str(name)] = payload.decode() if isinstance(payload, bytes) else ""
    return form, files


def _handler(fake: FakeKestra) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            headers = {k.lower(): v for k, v in self.headers.items()}
            seen = Seen(self.command, parts.path, parse_qsl(parts.query), headers, body)
            ctype = headers.get("content-type", "")
            if ctype.startswith("multipart/form-data"):
                seen.form, seen.files = _parse_multipart(ctype, body)
            fake.seen.append(seen)
            status, reply = fake.answer(seen)
            data = b"" if reply is None else json.dumps(reply).encode()
            self.send_response(status)
            if data:
                self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def serve(fake: FakeKestra) -> Iterator[str]:
    """Serve ``fake`` on 127.0.0.1; yields its base URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield fake.url
    finally:
        server.shutdown()
        server.server_close()
        thread.join()
