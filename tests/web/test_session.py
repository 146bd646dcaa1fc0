"""Logging in through the console: password, MFA step with QR enrolment, lockout, logout."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from garrison.auth import totp
from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from tests.web.conftest import PASSWORD

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


def _client(platform: Platform) -> TestClient:
    return TestClient(create_app(platform), follow_redirects=False)


def _post_password(client: TestClient, name: str, password: str = PASSWORD, **extra: str) -> object:
    client.get("/login")
    token = client.cookies.get("garrison_login") or ""
    return client.post("/login", data={"name": name, "password": password, "csrf": token, **extra})


def test_pages_send_visitors_to_the_login_page_and_back(platform: Platform) -> None:
    client = _client(platform)
    response = client.get("/alerts?status=new")
    assert response.status_code == 303
    assert response.headers["location"] == "/login?next=/alerts%3Fstatus%3Dnew"
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root")
    answer = _post_password(client, "li.na", next="/alerts?status=new")
    assert answer.headers["location"] == "/alerts?status=new"  # type: ignore[attr-defined]


def test_admin_enrols_with_the_qr_code_then_needs_the_code(
    platform: Platform, clock: FrozenClock
) -> None:
    _, enrolment = platform.users.create("admin.wang", "admin", PASSWORD, actor="cli:root")
    assert enrolment is not None
    client = _client(platform)
    first = _post_password(client, "admin.wang")
    assert first.headers["location"].startswith("/login/mfa")  # type: ignore[attr-defined]
    # The password step alone opens nothing.
    assert client.get("/overview").status_code == 303
    page = client.get("/login/mfa")
    assert "data:image/svg+xml" in page.text and enrolment.secret in page.text
    assert page.headers["cache-control"] == "no-store"
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    wrong = client.post("/login/mfa", data={"code": "000000", "csrf": csrf})
    assert wrong.status_code in (401, 303)
    code = totp.code_at(enrolment.secret, clock.now())
    done = client.post("/login/mfa", data={"code": code, "csrf": csrf})
    assert done.status_code == 303 and done.headers["location"] == "/overview"
    assert client.get("/overview").status_code == 200
    # Enrolled: the next login asks for a code and shows no QR code any more.
    other = _client(platform)
    _post_password(other, "admin.wang")
    again = other.get("/login/mfa")
    assert "data:image/svg+xml" not in again.text and enrolment.secret not in again.text


def test_the_mfa_step_needs_its_own_csrf_token(platform: Platform) -> None:
    platform.users.create("admin.wang", "admin", PASSWORD, actor="cli:root")
    client = _client(platform)
    _post_password(client, "admin.wang")
    response = client.post("/login/mfa", data={"code": "123456", "csrf": "forged"})
    assert response.status_code == 403


def test_login_without_the_form_token_is_refused(platform: Platform) -> None:
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root")
    client = _client(platform)
    response = client.post("/login", data={"name": "li.na", "password": PASSWORD, "csrf": "x"})
    assert response.status_code == 401 and client.get("/overview").status_code == 303


def test_failures_lock_the_account_with_one_message_for_every_failure(platform: Platform) -> None:
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root")
    client = _client(platform)
    texts = set()
    for _ in range(5):
        response = _post_password(client, "li.na", "wrong-password")
        assert response.status_code == 401  # type: ignore[attr-defined]
        texts.add(response.text)  # type: ignore[attr-defined]
    locked = _post_password(client, "li.na")
    unknown = _post_password(client, "nobody")
    assert locked.status_code == 401 and unknown.status_code == 401  # type: ignore[attr-defined]
    assert platform.users.get("li.na").locked_until is not None
    actions = [e.action for e in platform.audit_entries(limit=20)]
    assert "user.lock" in actions and actions.count("login.failure") >= 6


def test_open_redirects_are_not_followed(platform: Platform) -> None:
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root")
    client = _client(platform)
    answer = _post_password(client, "li.na", next="//evil.example/x")
    assert answer.headers["location"] == "/overview"  # type: ignore[attr-defined]


def test_logout_ends_the_session_and_needs_the_csrf_token(platform: Platform) -> None:
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root")
    client = _client(platform)
    _post_password(client, "li.na")
    page = client.get("/overview")
    csrf = CSRF.search(page.text).group(1)  # type: ignore[union-attr]
    assert client.post("/logout", data={"csrf": "wrong"}).status_code == 403
    assert client.get("/overview").status_code == 200
    assert client.post("/logout", data={"csrf": csrf}).status_code == 303
    assert client.get("/overview").status_code == 303


def test_login_page_follows_the_browser_language_and_the_choice(platform: Platform) -> None:
    client = _client(platform)
    english = client.get("/login", headers={"Accept-Language": "en-US,en;q=0.9"})
    assert "Sign in" in english.text and 'lang="en"' in english.text
    chinese = _client(platform).get("/login", headers={"Accept-Language": "zh-TW,zh;q=0.9"})
    assert "登录" in chinese.text and 'lang="zh-CN"' in chinese.text
    chosen = _client(platform).get("/login?lang=en", headers={"Accept-Language": "zh-CN"})
    assert 'lang="en"' in chosen.text


def test_every_response_carries_the_security_headers(platform: Platform) -> None:
    client = _client(platform)
    for url in ("/login", "/api/v1/openapi.json", "/healthz"):
        headers = client.get(url).headers
        assert "script-src 'self'" in headers["content-security-policy"]
        assert headers["x-frame-options"] == "DENY"
        assert headers["x-content-type-options"] == "nosniff"
    page = client.get("/login")
    assert "<script>" not in page.text  # no inline script: the CSP would block it
    assert "Secure" not in page.headers.get("set-cookie", "")  # plain HTTP in tests
    assert (
        "HttpOnly" in page.headers["set-cookie"] and "SameSite=strict" in page.headers["set-cookie"]
    )
