"""Browser sessions through the API: login with MFA, cookie, CSRF, logout; both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from garrison.auth import totp
from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings

GOOD = "Correct-Horse-7-Battery"


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


def browser(platform: Platform) -> httpx.Client:
    """A cookie-keeping client over the ASGI app (sync, via a transport per request)."""
    return httpx.Client(transport=_SyncASGI(create_app(platform)), base_url="http://test")


class _SyncASGI(httpx.BaseTransport):
    def __init__(self, app: object) -> None:
        self.app = app

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        import asyncio

        async def go() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)  # type: ignore[arg-type]
            response = await transport.handle_async_request(request)
            body = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=body)

        return asyncio.run(go())


def test_admin_logs_in_with_mfa_and_works_with_the_csrf_token(
    platform: Platform, clock: FrozenClock
) -> None:
    _user, enrolment = platform.users.create("zhang.wei", "admin", GOOD, actor="cli:root")
    assert enrolment is not None
    client = browser(platform)
    first = client.post("/api/v1/session", json={"name": "zhang.wei", "password": GOOD})
    assert first.status_code == 401 and first.json()["error"]["code"] == "auth.mfa_required"
    wrong = client.post("/api/v1/session", json={"name": "zhang.wei", "password": "nope"})
    assert wrong.json()["error"] == {"code": "auth.failed", "message": "invalid credentials"}
    code = totp.code_at(enrolment.secret, clock.now())
    ok = client.post("/api/v1/session", json={"name": "zhang.wei", "password": GOOD, "code": code})
    assert ok.status_code == 200
    cookie = ok.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    csrf = ok.json()["csrf_token"]
    me = client.get("/api/v1/session").json()
    assert me["kind"] == "user" and "admin" in me["scopes"]
    body = {"conditions": {"source.ip": "10.0.0.5"}, "reason": "scanner"}
    assert client.post("/api/v1/suppressions", json=body).status_code == 403  # no CSRF token
    made = client.post("/api/v1/suppressions", json=body, headers={"X-CSRF-Token": csrf})
    assert made.status_code == 201
    entries = platform.audit_entries(action="suppression.")
    assert entries[0].actor == "user:zhang.wei"
    assert client.delete("/api/v1/session").status_code == 204
    assert client.get("/api/v1/session").status_code == 401


def test_sessions_end_on_idle_disable_and_role_limits_apply(
    platform: Platform, clock: FrozenClock
) -> None:
    platform.users.create("li.na", "analyst", GOOD, actor="cli:root")
    client = browser(platform)
    assert (
        client.post("/api/v1/session", json={"name": "li.na", "password": GOOD}).status_code == 200
    )
    assert client.get("/api/v1/alerts").status_code == 200
    assert client.get("/api/v1/users").status_code == 403  # analysts are not admins
    clock.advance(timedelta(minutes=31))
    assert client.get("/api/v1/alerts").status_code == 401  # idle timeout
    assert (
        client.post("/api/v1/session", json={"name": "li.na", "password": GOOD}).status_code == 200
    )
    platform.users.disable("li.na", actor="cli:root", reason="left")
    assert client.get("/api/v1/alerts").status_code == 401
