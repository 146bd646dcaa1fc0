"""``http_request`` against a local server: allow-list, no redirects, no header injection."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.base import ActionContext
from garrison.respond.actions.http_request import MAX_BODY, HttpRequest, allowed
from garrison.respond.config import ResponseSettings

from .conftest import MakeContext, scripted

SECRET = "s3cr3t-t0ken-value"


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Server:
    port: int = 0
    seen: list[Seen] = field(default_factory=list)
    #: path -> (status, headers, body, delay)
    routes: dict[str, tuple[int, dict[str, str], bytes, float]] = field(default_factory=dict)


def _handler(server: Server) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            server.seen.append(Seen(self.command, self.path, headers, body))
            status, extra, reply, delay = server.routes.get(
                self.path.split("?")[0],
                (200, {"Content-Type": "application/json"}, b'{"ok": true}', 0.0),
            )
            if delay:
                time.sleep(delay)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def do_GET(self) -> None:
            self._serve()

        def do_POST(self) -> None:
            self._serve()

        def do_PUT(self) -> None:
            self._serve()

        def do_PATCH(self) -> None:
            self._serve()

        def do_DELETE(self) -> None:
            self._serve()

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


class _Quiet(ThreadingHTTPServer):
    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # the timeout test hangs up early


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server()
    httpd = _Quiet(("127.0.0.1", 0), _handler(state))
    state.port = httpd.server_address[1]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()
    thread.join()


class Resolver(httpx.HTTPTransport):
    """Sends every request to 127.0.0.1 (keeping the Host header): DNS for test names."""

    def __init__(self, port: int) -> None:
        super().__init__(verify=False)  # plain http to the local server
        self.port = port

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.url = request.url.copy_with(host="127.0.0.1", port=self.port)
        return super().handle_request(request)


@pytest.fixture
def ctx(make_ctx: MakeContext) -> ActionContext:
    settings = ResponseSettings(http_allow=["127.0.0.1", "*.example.test", "tickets.corp.test"])
    return make_ctx(scripted(), settings=settings)


def call(ctx: ActionContext, action: HttpRequest | None = None, **raw: Any) -> Any:
    action = action or HttpRequest()
    return action.run(action.parse(raw), ctx)


def test_a_json_post_to_an_allowed_host(server: Server, ctx: ActionContext) -> None:
    outcome = call(
        ctx,
        url=f"http://127.0.0.1:{server.port}/api/tickets?queue=soc",
        method="POST",
        json={"title": "Brute force from 203.0.113.7", "level": "high"},
        headers={"Authorization": f"Bearer {SECRET}", "X-Request-Id": "run-7"},
    )
    assert len(server.seen) == 1
    seen = server.seen[0]
    assert (seen.method, seen.path) == ("POST", "/api/tickets?queue=soc")
    assert json.loads(seen.body) == {"title": "Brute force from 203.0.113.7", "level": "high"}
    assert seen.headers["content-type"] == "application/json"
    assert seen.headers["authorization"] == f"Bearer {SECRET}"
    assert seen.headers["x-request-id"] == "run-7"
    assert seen.headers["host"] == f"127.0.0.1:{server.port}"
    assert outcome.output == {"status": 200, "truncated": False, "json": {"ok": True}}
    shown = f"POST http://127.0.0.1:{server.port}/api/tickets?…"
    assert outcome.summary == f"{shown} answered 200"
    assert [e.detail for e in outcome.effects] == [shown]


def test_a_get_without_body_returns_text(server: Server, ctx: ActionContext) -> None:
    server.routes["/status"] = (200, {"Content-Type": "text/plain"}, b"all good", 0.0)
    outcome = call(ctx, url=f"http://127.0.0.1:{server.port}/status", method="GET")
    assert server.seen[0].body == b"" and "content-type" not in server.seen[0].headers
    assert outcome.output == {"status": 200, "truncated": False, "text": "all good"}


def test_a_suffix_entry_allows_subdomains(server: Server, ctx: ActionContext) -> None:
    action = HttpRequest(transport=Resolver(server.port))
    call(ctx, action, url="http://api.example.test/v1/x", method="PUT")
    call(ctx, action, url="http://a.b.example.test/y", method="DELETE")
    assert [(s.method, s.headers["host"]) for s in server.seen] == [
        ("PUT", "api.example.test"),
        ("DELETE", "a.b.example.test"),
    ]


@pytest.mark.parametrize(
    "url",
    [
        "http://example.test/",  # the suffix itself is not a subdomain
        "http://badexample.test/",
        "http://api.example.test.evil.com/",
        "http://tickets.corp.test.evil.com/",
        "http://evil.com/?next=tickets.corp.test",
        "http://127.0.0.2/",
        "http://[::1]/",
        "http://localhost/",
    ],
)
def test_other_hosts_are_refused_before_anything_is_sent(
    server: Server, ctx: ActionContext, url: str
) -> None:
    action = HttpRequest(transport=Resolver(server.port))
    with pytest.raises(ActionError) as caught:
        call(ctx, action, url=url)
    assert "not on the allow-list" in caught.value.message
    assert "http_allow" in (caught.value.hint or "")
    with pytest.raises(ActionError):
        action.plan(action.parse({"url": url}), ctx)
    assert server.seen == []


@pytest.mark.parametrize(
    "url",
    [
        f"http://user:{SECRET}@127.0.0.1/",
        "http://user@127.0.0.1/",
        "file:///etc/passwd",
        "ftp://127.0.0.1/",
        "gopher://127.0.0.1:70/",
        "javascript:alert(1)",
        "//127.0.0.1/x",
        "http:///path",
        "not a url",
    ],
)
def test_bad_urls_are_refused_when_parsed(url: str) -> None:
    with pytest.raises(InputError) as caught:
        HttpRequest().parse({"url": url})
    assert SECRET not in str(caught.value)


def test_redirects_are_not_followed(server: Server, ctx: ActionContext) -> None:
    target = f"http://127.0.0.1:{server.port}/elsewhere?token={SECRET}"
    server.routes["/moved"] = (302, {"Location": target}, b"", 0.0)
    with pytest.raises(ActionError) as caught:
        call(ctx, url=f"http://127.0.0.1:{server.port}/moved", method="GET")
    assert [s.path for s in server.seen] == ["/moved"]
    assert "302" in caught.value.message and "not followed" in caught.value.message
    assert SECRET not in caught.value.message
    assert not caught.value.retryable


@pytest.mark.parametrize(
    "headers",
    [
        {"X-A": "v\r\nX-Injected: 1"},
        {"X-A": "v\nX-Injected: 1"},
        {"X-A": "v\x00"},
        {"X A": "v"},
        {"X-A:": "v"},
        {"": "v"},
        {"X-" + "a" * 63: "v"},
        {"X-A": "v" * 1025},
        {"Host": "evil.com"},
        {"content-length": "0"},
        {"Transfer-Encoding": "chunked"},
    ],
)
def test_header_injection_is_refused(headers: dict[str, str]) -> None:
    with pytest.raises(InputError):
        HttpRequest().parse({"url": "http://127.0.0.1/", "headers": headers})


@pytest.mark.parametrize(
    ("status", "retryable"), [(500, True), (503, True), (429, True), (404, False), (401, False)]
)
def test_non_2xx_answers_fail(
    server: Server, ctx: ActionContext, status: int, retryable: bool
) -> None:
    server.routes["/x"] = (status, {}, b"nope", 0.0)
    with pytest.raises(ActionError) as caught:
        call(ctx, url=f"http://127.0.0.1:{server.port}/x?key={SECRET}")
    assert caught.value.retryable is retryable
    assert f"answered {status}" in caught.value.message
    assert SECRET not in caught.value.message


def test_a_slow_server_times_out(server: Server, ctx: ActionContext) -> None:
    server.routes["/slow"] = (200, {}, b"late", 0.5)
    with pytest.raises(ActionError) as caught:
        call(ctx, url=f"http://127.0.0.1:{server.port}/slow", timeout=0.1)
    assert caught.value.retryable and "no answer within 0.1 s" in caught.value.message


def test_an_unreachable_host_is_retryable(ctx: ActionContext) -> None:
    with pytest.raises(ActionError) as caught:
        call(ctx, url="http://127.0.0.1:9/")  # discard port: nothing listens
    assert caught.value.retryable


def test_large_bodies_are_truncated(server: Server, ctx: ActionContext) -> None:
    server.routes["/big"] = (
        200,
        {"Content-Type": "application/json"},
        b"[" + b"1," * 60_000 + b"1]",
        0.0,
    )
    outcome = call(ctx, url=f"http://127.0.0.1:{server.port}/big", method="GET")
    assert outcome.output["truncated"] is True
    assert len(outcome.output["text"]) == MAX_BODY
    assert "json" not in outcome.output


def test_a_dry_run_sends_nothing_and_shows_no_secret(server: Server, ctx: ActionContext) -> None:
    action = HttpRequest()
    args = action.parse(
        {
            "url": f"http://127.0.0.1:{server.port}/hook?api_key={SECRET}",
            "headers": {"Authorization": SECRET},
        }
    )
    outcome = action.plan(args, ctx)
    assert server.seen == []
    assert SECRET not in repr(outcome)
    assert outcome.effects[0].detail == f"POST http://127.0.0.1:{server.port}/hook?…"


def test_other_argument_limits() -> None:
    for raw in (
        {"url": "http://127.0.0.1/", "method": "TRACE"},
        {"url": "http://127.0.0.1/", "timeout": 121},
        {"url": "http://127.0.0.1/", "timeout": 0},
        {"url": "http://127.0.0.1/", "json": float("nan")},
        {"url": "http://127.0.0.1/", "body": "x"},
    ):
        with pytest.raises(InputError):
            HttpRequest().parse(raw)


LABEL = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-", min_size=1, max_size=10)


@settings(max_examples=60, deadline=None)
@given(
    labels=st.lists(LABEL, min_size=1, max_size=3), suffix=st.lists(LABEL, min_size=1, max_size=3)
)
def test_suffix_entries_allow_exactly_the_subdomains(labels: list[str], suffix: list[str]) -> None:
    domain = ".".join(suffix)
    entry = [f"*.{domain}"]
    assert allowed(".".join([*labels, domain]), entry)
    assert allowed(".".join([*labels, domain]).upper() + ".", entry)
    assert not allowed(domain, entry)
    assert not allowed("x" + domain, entry)
    assert not allowed(f"{domain}.x_y", entry)  # LABEL never makes "x_y"


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=40))
def test_header_values_with_line_breaks_never_pass(text: str) -> None:
    value = f"a{text}\r\nInjected: yes"
    with pytest.raises(InputError):
        HttpRequest().parse({"url": "http://127.0.0.1/", "headers": {"X-Test": value}})
