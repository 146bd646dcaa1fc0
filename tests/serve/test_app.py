"""The HTTP ingest API, end to end through the ASGI app on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from fastapi import FastAPI

from garrison import __version__
from garrison.core.clock import FrozenClock
from garrison.core.errors import StorageError
from garrison.events.model import Event
from garrison.platform import Platform
from garrison.search.request import SearchRequest
from garrison.serve.app import create_app
from garrison.settings import Settings

LIMIT = 4096

ACCESS_LINES = [
    '203.0.113.9 - - [21/Nov/2026:18:01:02 +0800] "GET /index.html HTTP/1.1" 200 612 "-" '
    '"curl/8.4.0"',
    '198.51.100.23 - admin [21/Nov/2026:18:01:04 +0800] "POST /wp-login.php HTTP/1.1" 401 - '
    '"-" "python-requests/2.31.0"',
    '198.51.100.8 - - [21/Nov/2026:18:01:09 +0800] "GET /products.php?id=1 HTTP/1.1" 500 0 '
    '"-" "sqlmap/1.7.11"',
]
ACCESS_BODY = ("\n".join(ACCESS_LINES) + "\n").encode()

NDJSON_BODY = b"".join(
    orjson.dumps(obj) + b"\n"
    for obj in (
        {
            "timestamp": "2026-11-23T10:00:00Z",
            "client_ip": "192.0.2.10",
            "status": 403,
            "request_uri": "/admin",
        },
        {
            "timestamp": "2026-11-23T10:00:01Z",
            "client_ip": "192.0.2.11",
            "status": "200",
            "host": "db01",
        },
    )
)


class Client:
    """A synchronous facade over httpx's ASGI transport (one event loop per request)."""

    def __init__(self, app: FastAPI, *, raise_app_exceptions: bool = True) -> None:
        self.app = app
        self.raise_app_exceptions = raise_app_exceptions

    def request(self, method: str, url: str, **kwargs: Any) -> httpx.Response:
        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(
                app=self.app, raise_app_exceptions=self.raise_app_exceptions
            )
            async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
                return await client.request(method, url, **kwargs)

        return asyncio.run(go())

    def get(self, url: str, **kwargs: Any) -> httpx.Response:
        return self.request("GET", url, **kwargs)

    def ingest(
        self, body: Any, token: str | None, *, query: str = "", scheme: str = "Bearer"
    ) -> httpx.Response:
        headers = {"Authorization": f"{scheme} {token}"} if token is not None else {}
        return self.request("POST", "/api/v1/ingest" + query, content=body, headers=headers)


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    settings = Settings(
        home=tmp_path / "home", database_url=db_url, timezone="UTC", max_request_bytes=LIMIT
    )
    plat = Platform.open(settings, clock)
    yield plat
    plat.close()


@pytest.fixture
def client(platform: Platform) -> Client:
    return Client(create_app(platform))


@pytest.fixture
def token(platform: Platform) -> str:
    return platform.sources.add("web01", default_format="access", host_name="web01")


def summary(
    *,
    records: int,
    stored: int,
    duplicates: int = 0,
    unparsed: int = 0,
    by_dataset: dict[str, int],
    formats: dict[str, str],
) -> dict[str, Any]:
    """The exact JSON summary the ingest endpoint answers with."""
    return {
        "files": 1,
        "records": records,
        "events": records,
        "unparsed": unparsed,
        "stored": stored,
        "duplicates": duplicates,
        "unreadable": 0,
        "by_dataset": by_dataset,
        "formats": formats,
    }


def search(platform: Platform, query: str = "") -> list[Event]:
    """Matching events in the order they were sent (by time, then by offset in the body)."""
    found = platform.search(SearchRequest(query=query, limit=1000))
    return sorted(found, key=lambda e: (e.timestamp, e.get("log.offset")))


def assert_error(response: httpx.Response, status: int, code: str) -> dict[str, Any]:
    """An error answer: the status, a JSON body with the code and a message, no traceback."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    assert "Traceback" not in response.text
    assert 'File "' not in response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message"]
    return dict(error)


# -- success ---------------------------------------------------------------------------------


def test_access_lines_are_stored_with_their_fields(
    client: Client, platform: Platform, token: str
) -> None:
    response = client.ingest(ACCESS_BODY, token)

    assert response.status_code == 200, response.text
    assert response.json() == summary(
        records=3, stored=3, by_dataset={"web.access": 3}, formats={"http:web01": "access"}
    )
    events = search(platform)
    assert [e.get("source.ip") for e in events] == ["203.0.113.9", "198.51.100.23", "198.51.100.8"]
    assert [e.get("http.response.status_code") for e in events] == [200, 401, 500]
    assert {e.get("host.name") for e in events} == {"web01"}
    assert [e.original for e in events] == ACCESS_LINES
    (login,) = search(platform, "source.ip:198.51.100.23")
    assert login.get("user.name") == "admin"
    assert login.get("event.outcome") == "failure"
    assert [e.get("source.ip") for e in search(platform, "http.response.status_code>=500")] == [
        "198.51.100.8"
    ]
    assert len(search(platform, "host.name:web01")) == 3


def test_same_body_twice_is_stored_once(client: Client, platform: Platform, token: str) -> None:
    first = client.ingest(ACCESS_BODY, token)
    again = client.ingest(ACCESS_BODY, token)

    assert first.json()["stored"] == 3
    assert again.status_code == 200
    assert again.json() == summary(
        records=3,
        stored=0,
        duplicates=3,
        by_dataset={"web.access": 3},
        formats={"http:web01": "access"},
    )
    assert platform.store.count() == 3


def test_crlf_and_blank_lines_do_not_change_the_records(
    client: Client, platform: Platform, token: str
) -> None:
    body = b"\r\n\r\n" + "\r\n\r\n".join(ACCESS_LINES).encode() + b"\r\n\n"

    response = client.ingest(body, token)

    assert response.json()["records"] == 3
    assert [e.original for e in search(platform)] == ACCESS_LINES


def test_ndjson_with_format_query_overrides_the_source_default(
    client: Client, platform: Platform, token: str
) -> None:
    response = client.ingest(NDJSON_BODY, token, query="?format=json")

    assert response.status_code == 200, response.text
    assert response.json() == summary(
        records=2, stored=2, by_dataset={"json": 2}, formats={"http:web01": "json"}
    )
    first, second = search(platform)
    assert first.get("source.ip") == "192.0.2.10"
    assert first.get("http.response.status_code") == 403
    assert first.get("host.name") == "web01"  # added: the record names no host
    assert second.get("source.ip") == "192.0.2.11"
    assert second.get("host.name") == "db01"  # the record's own host wins


def test_format_is_detected_when_the_source_has_no_default(
    client: Client, platform: Platform
) -> None:
    agent = platform.sources.add("agent-7")

    response = client.ingest(NDJSON_BODY, agent)

    assert response.json() == summary(
        records=2, stored=2, by_dataset={"json": 2}, formats={"http:agent-7": "json"}
    )
    assert [e.get("host.name") for e in search(platform)] == [None, "db01"]


def test_bearer_scheme_is_case_insensitive(client: Client, platform: Platform, token: str) -> None:
    response = client.ingest(ACCESS_BODY, token, scheme="bearer")

    assert response.status_code == 200, response.text
    assert platform.store.count() == 3


def test_garbage_lines_are_stored_unparsed_never_dropped(
    client: Client, platform: Platform, token: str
) -> None:
    body = (
        ACCESS_LINES[0].encode()
        + b"\n\x00\xff garbage, not a log line\n"
        + b'{"not": "an access log"}\n'
    )

    response = client.ingest(body, token)

    assert response.status_code == 200, response.text
    assert response.json() == summary(
        records=3,
        stored=3,
        unparsed=2,
        by_dataset={"web.access": 3},
        formats={"http:web01": "access"},
    )
    bad = search(platform, "event.kind:pipeline_error")
    assert [e.original for e in bad] == [
        "\ufffd\ufffd garbage, not a log line",
        '{"not": "an access log"}',
    ]
    assert all(e.get("error.message") for e in bad)
    assert {e.get("host.name") for e in bad} == {"web01"}


def test_unrecognised_body_without_a_format_is_stored_unparsed(
    client: Client, platform: Platform
) -> None:
    agent = platform.sources.add("agent-7")

    response = client.ingest(b"hello\nworld\n", agent)

    assert response.status_code == 200
    assert response.json() == summary(
        records=2,
        stored=2,
        unparsed=2,
        by_dataset={"unknown": 2},
        formats={"http:agent-7": "unknown"},
    )
    assert [e.original for e in search(platform, "event.kind:pipeline_error")] == [
        "hello",
        "world",
    ]


def test_empty_body_is_an_empty_delivery(client: Client, platform: Platform, token: str) -> None:
    response = client.ingest(b"\n \n", token)

    assert response.status_code == 200
    assert response.json() == summary(records=0, stored=0, by_dataset={}, formats={})
    assert platform.store.count() == 0


def test_body_of_exactly_the_limit_is_accepted(
    client: Client, platform: Platform, token: str
) -> None:
    body = b"x" * (LIMIT - 1) + b"\n"

    response = client.ingest(body, token)

    assert response.status_code == 200, response.text
    assert response.json()["unparsed"] == 1
    assert platform.store.count() == 1


# -- refusals --------------------------------------------------------------------------------


def test_missing_token_is_401_with_bearer_challenge(client: Client, platform: Platform) -> None:
    response = client.ingest(ACCESS_BODY, None)

    assert_error(response, 401, "auth.failed")
    assert response.headers["www-authenticate"] == "Bearer"
    assert platform.store.count() == 0


@pytest.mark.parametrize(
    ("scheme", "value"),
    [
        ("Bearer", "gst_" + "A" * 43),  # well-formed, never issued
        ("Bearer", "not-a-token"),
        ("Bearer", ""),
        ("Basic", "{token}"),  # the right token under another scheme
        ("", "{token}"),  # no scheme at all
    ],
)
def test_wrong_token_is_401(
    client: Client, platform: Platform, token: str, scheme: str, value: str
) -> None:
    response = client.ingest(ACCESS_BODY, value.format(token=token), scheme=scheme)

    assert_error(response, 401, "auth.failed")
    assert response.headers["www-authenticate"] == "Bearer"
    assert platform.store.count() == 0


def test_revoked_token_is_401(client: Client, platform: Platform, token: str) -> None:
    assert client.ingest(ACCESS_BODY, token).status_code == 200
    platform.sources.revoke("web01")

    response = client.ingest(NDJSON_BODY, token, query="?format=json")

    assert_error(response, 401, "auth.failed")
    assert platform.store.count() == 3


def test_unknown_format_is_400(client: Client, platform: Platform, token: str) -> None:
    response = client.ingest(ACCESS_BODY, token, query="?format=no-such-format")

    error = assert_error(response, 400, "input.invalid")
    assert "no-such-format" in error["message"]
    assert error["hint"] == "see GET /api/v1/formats"
    assert "www-authenticate" not in response.headers
    assert platform.store.count() == 0


def test_body_over_the_limit_is_413(client: Client, platform: Platform, token: str) -> None:
    body = ACCESS_BODY * (LIMIT // len(ACCESS_BODY) + 1)
    assert len(body) > LIMIT

    response = client.ingest(body, token)

    assert_error(response, 413, "request.too_large")
    assert platform.store.count() == 0


def test_chunked_body_over_the_limit_is_413(client: Client, platform: Platform, token: str) -> None:
    """Without a Content-Length the limit is enforced while the body streams in."""

    async def chunks() -> AsyncIterator[bytes]:
        for _ in range(LIMIT // len(ACCESS_BODY) + 1):
            yield ACCESS_BODY

    response = client.ingest(chunks(), token)

    assert_error(response, 413, "request.too_large")
    assert platform.store.count() == 0


def test_unknown_format_is_checked_only_after_authentication(client: Client) -> None:
    response = client.ingest(ACCESS_BODY, None, query="?format=no-such-format")

    assert_error(response, 401, "auth.failed")


def test_storage_failure_is_a_json_500_without_internals(
    platform: Platform, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise StorageError("database unavailable")

    monkeypatch.setattr(platform.store, "append", broken)

    response = Client(create_app(platform)).ingest(ACCESS_BODY, token)

    assert_error(response, 500, "storage.error")


def test_unexpected_failure_is_a_bare_500(
    platform: Platform, token: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any, **_kwargs: Any) -> Any:
        raise RuntimeError("secret internals /etc/garrison")

    monkeypatch.setattr(platform.store, "append", broken)
    client = Client(create_app(platform), raise_app_exceptions=False)

    response = client.ingest(ACCESS_BODY, token)

    assert response.status_code == 500
    assert "Traceback" not in response.text
    assert "secret internals" not in response.text


# -- other endpoints -------------------------------------------------------------------------


def test_healthz(client: Client) -> None:
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": __version__}


def test_openapi_lists_the_ingest_endpoint(client: Client) -> None:
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    paths = response.json()["paths"]
    assert "post" in paths["/api/v1/ingest"]
    assert "/healthz" in paths
    assert "/api/v1/formats" in paths


def test_formats_lists_every_parser(client: Client) -> None:
    response = client.get("/api/v1/formats")

    assert response.status_code == 200
    formats = {f["name"]: f["description"] for f in response.json()}
    assert {"access", "json", "syslog"} <= set(formats)
    assert all(formats.values())
