"""The console in a real headless Chromium (Debian's package, driven by Playwright).

One admin signs in with MFA (enrolling from the QR code page), looks at every page, searches
events, closes an alert in the queue, and switches the language; every page is saved as a
screenshot in both languages under ``test-artifacts/screenshots/`` for people to review.
Any browser console error (a CSP violation, a script error) fails the test.

Chromium comes from ``apt-get install chromium`` (``.ci/run`` installs it). Without it the test
is skipped, unless ``GARRISON_REQUIRE_BROWSER=1`` (set by CI), which makes it fail instead.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from garrison.auth import totp
from garrison.platform import Platform
from garrison.settings import Settings
from tests.web.conftest import (
    CHROMIUM,
    PASSWORD,
    require_chromium,
    serving,
    store_examples,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
#: The example logs are from 2026-11-23; the server's clock starts there and runs on.
START = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


class RunningClock:
    """Real time, moved back to the examples' day (TOTP steps still advance)."""

    def __init__(self) -> None:
        self.origin = time.monotonic()

    def now(self) -> datetime:
        return START + timedelta(seconds=time.monotonic() - self.origin)


@dataclass
class Server:
    url: str
    platform: Platform
    secret: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    require_chromium(CHROMIUM)
    home = tmp_path_factory.mktemp("browser") / "home"
    platform = Platform.open(Settings(home=home, timezone="Asia/Shanghai"), RunningClock())
    _, enrolment = platform.users.create(
        "admin.wang", "admin", PASSWORD, actor="cli:root", display_name="王管理"
    )
    assert enrolment is not None
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root", display_name="李娜")
    platform.users.create("zhao.min", "auditor", PASSWORD, actor="cli:root")
    platform.tokens.create("kestra", ["read", "write"], actor="cli:root")
    store_examples(platform)
    with serving(platform) as url:
        yield Server(url, platform, enrolment.secret)
    platform.close()


PAGES = [
    ("overview", "/overview"),
    ("overview-7d", "/overview?span=7d"),
    ("alerts", "/alerts"),
    ("alerts-all", "/alerts?status=new&status=acknowledged&status=closed&status=suppressed"),
    ("events", "/events?q=event.outcome%3Afailure&since=30d"),
    ("timeline", "/events/timeline?kind=ip&value=203.0.113.45&since=30d"),
    ("rules", "/rules"),
    ("jobs", "/jobs"),
    ("audit", "/audit"),
    ("users", "/admin/users"),
    ("tokens", "/admin/tokens"),
    ("account", "/account"),
    ("api-docs", "/api/v1/docs"),
]


def test_admin_signs_in_with_mfa_works_the_queue_and_switches_language(
    server: Server, chromium: object
) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(chromium, Browser)
    context = chromium.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", device_scale_factor=1
    )
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))

    def shot(language: str, name: str) -> None:
        folder = ARTEFACTS / language
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    # Sign in: password, then the MFA step with the QR code (first login enrols).
    page.goto(server.url + "/overview")
    expect(page).to_have_url(server.url + "/login?next=/overview")
    shot("zh-CN", "login")
    page.get_by_test_id("login-name").fill("admin.wang")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    shot("zh-CN", "login-mfa-enrol")
    code = totp.code_at(server.secret, server.platform.clock.now())
    page.get_by_test_id("login-code").fill(code)
    page.get_by_test_id("login-verify").click()
    expect(page).to_have_url(server.url + "/overview")
    expect(page.locator('[data-chart="events"][data-ready="true"]')).to_be_visible()
    assert page.locator("canvas").count() >= 3  # ECharts drew the charts

    # Search events with the query language.
    page.goto(server.url + "/events?since=30d")
    page.locator("input[name=q]").fill("event.outcome:failure AND source.ip:203.0.113.45")
    page.locator("input[name=q]").press("Enter")
    expect(page.locator("body")).to_contain_text("203.0.113.45")
    assert "failure" in page.content()

    # Close an alert in place in the queue (htmx), with a verdict and a reason.
    page.goto(server.url + "/alerts")
    row = page.get_by_test_id("alert-row").first
    alert_id = int(row.get_attribute("data-alert-id") or 0)
    row.get_by_test_id("close").click()
    dialog = page.get_by_test_id("close-dialog")
    expect(dialog).to_be_visible()
    dialog.locator("input[value=false_positive]").check()
    page.get_by_test_id("close-reason").fill("运维人员的计划内扫描")
    page.get_by_test_id("close-submit").click()
    expect(page.locator(f"#alert-{alert_id} .status-closed")).to_be_visible()
    stored = server.platform.alerts.get(alert_id)
    assert (stored.status, stored.resolution) == ("closed", "false_positive")
    assert stored.status_by == "user:admin.wang"

    # Every page in Chinese, then switch the language and every page in English.
    for language, marker in (("zh-CN", "总览"), ("en", "Overview")):
        if language == "en":
            page.goto(server.url + "/alerts")
            page.get_by_test_id("switch-language").click()
            expect(page.locator("h1")).to_have_text("Alerts")
        for name, path in PAGES:
            response = page.goto(server.url + path)
            assert response is not None and response.status == 200, (
                name,
                response and response.status,
            )
            if name.startswith("overview"):
                expect(page.locator('[data-chart="events"][data-ready="true"]')).to_be_visible()
                expect(page.locator("nav")).to_contain_text(marker)
            shot(language, name)
        page.goto(server.url + f"/alerts/{alert_id}")
        shot(language, "alert-detail")
    assert server.platform.users.get("admin.wang").language == "en"
    assert problems == [], problems
    context.close()
