"""REST API v1 for scheduled jobs: list, add, remove, run by hand, history; scopes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient as Client

from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings


@pytest.fixture
def platform(clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(Settings(home=tmp_path / "home", timezone="Asia/Shanghai"), clock)
    yield plat
    plat.close()


@pytest.fixture
def client(platform: Platform) -> Client:
    return Client(create_app(platform))


@pytest.fixture
def tokens(platform: Platform) -> dict[str, str]:
    return {
        "read": platform.tokens.create("dash", ["read"], actor="cli:root"),
        "write": platform.tokens.create("soar", ["read", "write"], actor="cli:root"),
        "admin": platform.tokens.create("kestra", ["read", "write", "admin"], actor="cli:root"),
    }


def call(client: Client, method: str, url: str, token: str, body: Any = None) -> httpx.Response:
    response: httpx.Response = client.request(
        method, url, headers={"Authorization": f"Bearer {token}"}, json=body
    )
    return response


def test_jobs_are_listed_added_run_and_removed(
    client: Client, tokens: dict[str, str], clock: FrozenClock
) -> None:
    listed = call(client, "GET", "/api/v1/jobs", tokens["read"])
    assert listed.status_code == 200
    assert listed.json()["leader"] is None
    assert {j["name"] for j in listed.json()["jobs"]} == {"scans", "housekeeping", "retention"}
    assert client.get("/api/v1/jobs").status_code == 401

    body = {"kind": "housekeeping", "cron": "0 4 * * *", "args": {"history_days": 7}}
    assert call(client, "PUT", "/api/v1/jobs/tidy", tokens["write"], body).status_code == 403
    put = call(client, "PUT", "/api/v1/jobs/tidy", tokens["admin"], body)
    assert put.status_code == 200, put.text
    # 04:00 in Shanghai is 20:00 UTC the day before.
    assert put.json()["next_run"] == "2026-11-23T20:00:00+00:00"
    assert call(client, "GET", "/api/v1/jobs/tidy", tokens["read"]).json()["args"] == {
        "history_days": 7
    }

    ran = call(client, "POST", "/api/v1/jobs/tidy/run", tokens["admin"])
    assert ran.status_code == 201
    assert ran.json()["status"] == "ok" and ran.json()["holder"] == "token:kestra"
    history = call(client, "GET", "/api/v1/jobs/history?job=tidy&status=ok", tokens["read"])
    assert [r["id"] for r in history.json()] == [ran.json()["id"]]

    assert call(client, "DELETE", "/api/v1/jobs/tidy", tokens["admin"]).status_code == 204
    assert call(client, "DELETE", "/api/v1/jobs/tidy", tokens["admin"]).status_code == 404
    assert call(client, "GET", "/api/v1/jobs/tidy", tokens["read"]).status_code == 404


@pytest.mark.parametrize(
    ("name", "body", "status"),
    [
        ("x", {"kind": "nope", "cron": "* * * * *"}, 400),
        ("x", {"kind": "report", "cron": "* * * * *", "args": {"language": "fr"}}, 400),
        ("x", {"kind": "scans", "cron": "61 * * * *"}, 400),
        ("x", {"kind": "scans", "cron": "* * * * *", "missed": "never"}, 422),
        ("x", {"kind": "scans", "cron": "* * * * *", "extra": 1}, 422),
        ("Bad Name", {"kind": "scans", "cron": "* * * * *"}, 422),
    ],
)
def test_bad_jobs_are_refused(
    client: Client, tokens: dict[str, str], name: str, body: dict[str, Any], status: int
) -> None:
    answer = call(client, "PUT", f"/api/v1/jobs/{name}", tokens["admin"], body)
    assert answer.status_code == status, answer.text
    names = {j["name"] for j in call(client, "GET", "/api/v1/jobs", tokens["read"]).json()["jobs"]}
    assert "x" not in names
