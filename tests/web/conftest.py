"""Console fixtures: a platform on SQLite, an HTTP client, and logged-in people of each role."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from argon2 import PasswordHasher
from fastapi.testclient import TestClient

from garrison.auth import passwords, totp
from garrison.automation import Automation
from garrison.core.clock import FrozenClock
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings

PASSWORD = "Correct-Horse-7-Battery"
CHROMIUM = os.environ.get("GARRISON_CHROMIUM", "/usr/bin/chromium")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
_CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@pytest.fixture(autouse=True)
def fast_hashes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests create and log in many accounts, not attack them."""
    monkeypatch.setattr(
        passwords, "_hasher", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    )


@pytest.fixture
def platform(clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    """A platform on SQLite with the UTC time zone."""
    plat = Platform.open(Settings(home=tmp_path / "home", timezone="UTC"), clock)
    yield plat
    plat.close()


class Browser:
    """A test client that logs in through the console's forms, like a person would."""

    def __init__(self, platform: Platform, clock: FrozenClock) -> None:
        self.platform = platform
        self.clock = clock
        self.client = TestClient(create_app(platform), follow_redirects=False)
        self.csrf = ""

    def login(self, name: str, *, secret: str | None = None) -> None:
        """Log in with the password (and the TOTP code for accounts that need one)."""
        self.client.get("/login")
        token = self.client.cookies.get("garrison_login") or ""
        response = self.client.post(
            "/login", data={"name": name, "password": PASSWORD, "csrf": token, "next": "/overview"}
        )
        if response.headers.get("location", "").startswith("/login/mfa"):
            assert secret is not None, "this account needs a TOTP secret"
            page = self.client.get("/login/mfa")
            match = _CSRF.search(page.text)
            assert match is not None
            response = self.client.post(
                "/login/mfa",
                data={"code": totp.code_at(secret, self.clock.now()), "csrf": match.group(1)},
            )
        assert response.status_code == 303 and response.headers["location"] == "/overview", (
            response.text
        )
        overview = self.client.get("/overview")
        match = _CSRF.search(overview.text)
        assert match is not None
        self.csrf = match.group(1)

    def get(self, url: str, **kwargs: object) -> object:
        """GET ``url``."""
        return self.client.get(url, **kwargs)  # type: ignore[arg-type]

    def post(self, url: str, data: dict[str, str] | None = None, *, htmx: bool = False) -> object:
        """POST a form with the session's CSRF token (as htmx or a plain form would)."""
        headers = {"HX-Request": "true", "X-CSRF-Token": self.csrf} if htmx else {}
        form = dict(data or {})
        if not htmx:
            form["csrf"] = self.csrf
        return self.client.post(url, data=form, headers=headers)


@pytest.fixture
def people(platform: Platform, clock: FrozenClock) -> dict[str, Browser]:
    """One logged-in browser per role: ``admin`` (with MFA), ``analyst``, ``auditor``."""
    _, enrolment = platform.users.create("admin.wang", "admin", PASSWORD, actor="cli:root")
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root", language="en")
    platform.users.create("zhao.min", "auditor", PASSWORD, actor="cli:root")
    assert enrolment is not None
    browsers = {}
    for role, name, secret in (
        ("admin", "admin.wang", enrolment.secret),
        ("analyst", "li.na", None),
        ("auditor", "zhao.min", None),
    ):
        browser = Browser(platform, clock)
        browser.login(name, secret=secret)
        browsers[role] = browser
    return browsers


EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "logs"


def store_examples(platform: Platform) -> None:
    """Store the example logs (from 2026-11-23) and run detection over them."""
    summary = IngestSummary()
    for path in sorted(EXAMPLES.iterdir()):
        ingest_path(
            str(path),
            sink=platform.store,
            summary=summary,
            options=platform.ingest_options(year=2026),
            clock=platform.clock,
        )
    platform.detect()


def require_chromium(path: str) -> None:
    """Skip without Chromium, or fail when CI requires the browser tests to run."""
    if not Path(path).exists():
        message = f"Chromium not found at {path} (apt-get install chromium)"
        if os.environ.get("GARRISON_REQUIRE_BROWSER") == "1":
            pytest.fail(message)
        pytest.skip(message)


@pytest.fixture
def seeded(platform: Platform) -> Platform:
    """The platform with the example logs stored and detection run over them (alerts)."""
    store_examples(platform)
    return platform


def free_port() -> int:
    """A local TCP port nothing listens on."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serving(platform: Platform, automation: Automation | None = None) -> Iterator[str]:
    """The platform's application on a free local port, in a thread; yields its URL.

    ``automation`` replaces the application's response service (one with a recording
    command runner, so that nothing changes the test host).
    """
    port = free_port()
    app = create_app(platform)
    if automation is not None:
        app.state.automation = automation
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    running = uvicorn.Server(config)
    thread = threading.Thread(target=running.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not running.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        running.should_exit = True
        thread.join(timeout=10)


@pytest.fixture(scope="module")
def chromium() -> Iterator[object]:
    """One headless Chromium per test module (Playwright, the system's browser)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield launched
        launched.close()
