"""The issue's acceptance path, with the real command line and a real browser.

From an empty data directory: ``garrison users create-admin`` and ``garrison tokens create``,
then ``garrison serve`` as a separate process; an agent pushes SSH logs with its API token,
live detection in the server raises alerts, the administrator signs in with the TOTP code in
Chromium, sees the charts and acknowledges an alert in the queue; a script closes another alert
with the token; the audit trail records it all and verifies.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from garrison.auth import totp
from tests.web.conftest import CHROMIUM, FLAGS, PASSWORD, free_port, require_chromium
from tests.web.test_browser import ARTEFACTS

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.integration]

GARRISON = [sys.executable, "-m", "garrison.cli.main"]


def _auth_log(now: datetime) -> bytes:
    """Twelve failed SSH passwords from one address, then a success: a brute force."""
    lines = []
    for i in range(12):
        at = (now - timedelta(minutes=20, seconds=-5 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lines.append(
            f"<38>1 {at} web01 sshd 4242 - - Failed password for root from 203.0.113.9"
            f" port {40000 + i} ssh2"
        )
    at = (now - timedelta(minutes=18)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines.append(
        f"<38>1 {at} web01 sshd 4242 - - Accepted password for root from 203.0.113.9"
        " port 41000 ssh2"
    )
    return ("\n".join(lines) + "\n").encode()


@dataclass
class Install:
    url: str
    env: dict[str, str]
    secret: str
    token: str


def _run(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [*GARRISON, *args], env=env, input=stdin, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def install(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Install]:
    require_chromium(CHROMIUM)
    home = tmp_path_factory.mktemp("fresh") / "home"
    env = {
        **os.environ,
        "GARRISON_HOME": str(home),
        "GARRISON_TIMEZONE": "UTC",
        "GARRISON_DETECTION__INTERVAL_SECONDS": "1",
    }
    admin = json.loads(
        _run(
            env, "users", "create-admin", "admin.wang", "--password-stdin", "--json", stdin=PASSWORD
        )
    )
    secret = admin["totp_uri"].split("secret=")[1].split("&")[0]
    token = json.loads(
        _run(
            env,
            "tokens",
            "create",
            "agent",
            "--scope",
            "ingest",
            "--scope",
            "read",
            "--scope",
            "write",
            "--json",
        )
    )["token"]
    port = free_port()
    # The server logs every pass: a file, not a pipe nobody drains (a full pipe blocks it).
    log = home.parent / "serve.log"
    with log.open("wb") as sink:
        server = subprocess.Popen(
            [*GARRISON, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-syslog"],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert server.poll() is None, log.read_text(errors="replace")
            try:
                if httpx.get(url + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            assert time.monotonic() < deadline, "garrison serve did not start"
            time.sleep(0.2)
        yield Install(url, env, secret, token)
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()


def test_fresh_install_serves_the_console_and_the_api(install: Install) -> None:
    from playwright.sync_api import expect, sync_playwright

    api = httpx.Client(base_url=install.url, headers={"Authorization": f"Bearer {install.token}"})
    pushed = api.post("/api/v1/ingest", content=_auth_log(datetime.now(UTC)))
    assert pushed.status_code == 200 and pushed.json()["stored"] == 13, pushed.text
    deadline = time.monotonic() + 60
    while len(alerts := api.get("/api/v1/alerts").json()) < 3:
        assert time.monotonic() < deadline, f"live detection raised {alerts}"
        time.sleep(0.5)
    assert {"SSH brute force from one source", "SSH login success after brute force"} <= {
        a["title"] for a in alerts
    }

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900}, locale="zh-CN")
        problems: list[str] = []
        page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
        page.goto(install.url + "/")
        page.get_by_test_id("login-name").fill("admin.wang")
        page.get_by_test_id("login-password").fill(PASSWORD)
        page.get_by_test_id("login-submit").click()
        expect(page.get_by_test_id("totp-qr")).to_be_visible()
        page.get_by_test_id("login-code").fill(totp.code_at(install.secret, datetime.now(UTC)))
        page.get_by_test_id("login-verify").click()
        expect(page).to_have_url(install.url + "/overview")
        expect(page.get_by_test_id("kpi-events")).to_have_text("13")
        expect(page.locator('[data-chart="events"][data-ready="true"]')).to_be_visible()
        ARTEFACTS.joinpath("zh-CN").mkdir(parents=True, exist_ok=True)
        page.screenshot(
            path=str(ARTEFACTS / "zh-CN" / "fresh-install-overview.png"), full_page=True
        )
        page.goto(install.url + "/alerts")
        row = page.get_by_test_id("alert-row").first
        first = int(row.get_attribute("data-alert-id") or 0)
        row.get_by_test_id("ack").click()
        expect(page.locator(f"#alert-{first} .status-acknowledged")).to_be_visible()
        browser.close()
    assert problems == [], problems

    assert api.get(f"/api/v1/alerts/{first}").json()["status"] == "acknowledged"
    other = next(a["id"] for a in alerts if a["id"] != first)
    closed = api.post(
        f"/api/v1/alerts/{other}/close",
        json={"reason": "red-team exercise", "resolution": "true_positive"},
    )
    assert closed.status_code == 200 and closed.json()["status"] == "closed"
    assert api.get("/api/v1/users").status_code == 403  # the agent token is not an admin

    listed = _run(install.env, "audit", "list", "--json", "--limit", "50")
    trail = [json.loads(line) for line in listed.splitlines() if line.strip()]
    actions = {entry["action"] for entry in trail}
    assert {
        "user.create",
        "token.create",
        "login.success",
        "alert.acknowledge",
        "alert.close",
    } <= actions
    _run(install.env, "audit", "verify")
