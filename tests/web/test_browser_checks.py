"""The compliance pages in a real headless Chromium (Playwright).

An analyst opens the targets, the compliance charts of a target (ECharts must draw every
chart), a scan whose findings are filtered in place (htmx), and a finding, in Chinese and then
in English; the pages are saved as screenshots under
``test-artifacts/screenshots/{zh-CN,en}/checks*.png``. Any browser console error (a CSP
violation, a script error) fails the test, as in ``test_browser.py``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta

import pytest

from garrison.checks.base import Status
from garrison.checks.scan import Scan
from garrison.checks.targets import ScanTarget
from garrison.platform import Platform
from garrison.settings import Settings
from garrison.web.views import checks_common
from tests.web.conftest import CHROMIUM, PASSWORD, require_chromium, serving
from tests.web.test_browser import ARTEFACTS, RunningClock
from tests.web.test_checks import XSS, _finding, _scores, container_checks

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Site:
    url: str
    platform: Platform
    scans: list[int]


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server with a scan target scanned three times, its score rising."""
    require_chromium(CHROMIUM)
    home = tmp_path_factory.mktemp("browser-checks") / "home"
    clock = RunningClock()
    platform = Platform.open(Settings(home=home, timezone="Asia/Shanghai"), clock)
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root", display_name="李娜")
    platform.scans.save_target(
        ScanTarget("web-01", "config", "/srv/app/docker-compose.yml", schedule="0 7 * * 1-5"),
        actor="cli:root",
    )
    ids = []
    for day, score in enumerate((55.0, 70.0, 82.5)):
        started = clock.now() - timedelta(days=3 - day)
        findings = [
            _finding("docker_run_root_user", Status.FAIL, "deploy.sh", line=3 + day),
            _finding(
                "docker_run_privileged",
                Status.PASS if day else Status.FAIL,
                "run.sh",
                severity="critical",
                message=f"privileged {XSS}" if not day else "not privileged",
            ),
            _finding("docker_run_docker_sock", Status.PASS, "compose.yml", severity="critical"),
        ]
        scan = Scan(
            "web-01",
            "config",
            started,
            started + timedelta(seconds=42),
            tuple(f.check_id for f in findings),
            tuple(findings),
        )
        ids.append(platform.scans.save(scan, scores=_scores(score, 50.0 + day), actor="scheduler"))
    with pytest.MonkeyPatch.context() as patch, serving(platform) as url:
        # Check texts from the container checks only, whatever else is being built.
        patch.setattr(checks_common, "_metadata", container_checks)
        yield Site(url, platform, ids)
    platform.close()


def test_compliance_pages_draw_their_charts_in_both_languages(site: Site, chromium: object) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(chromium, Browser)
    context = chromium.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", device_scale_factor=1
    )
    page: Page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    url = site.url

    def shot(language: str, name: str) -> None:
        folder = ARTEFACTS / language
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=True)

    page.goto(url + "/login")
    page.get_by_test_id("login-name").fill("li.na")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(url + "/overview")

    for language in ("zh-CN", "en"):
        page.goto(url + "/checks")
        expect(page.get_by_test_id("target-row")).to_have_count(1)
        expect(page.get_by_test_id("scan-row")).to_have_count(3)
        shot(language, "checks")

        page.get_by_test_id("tab-compliance").click()
        expect(page).to_have_url(url + "/checks/compliance")
        for chart in ("frameworks", "families", "history"):
            node = page.locator(f'[data-checks-chart="{chart}"]')
            expect(node).to_have_attribute("data-ready", "true")
            expect(node.locator("canvas")).to_have_count(1)
            box = node.locator("canvas").bounding_box()
            assert box is not None and box["width"] > 100 and box["height"] > 100, chart
        expect(page.get_by_test_id("framework-table")).to_contain_text("82.5")
        shot(language, "checks-compliance")

        # The newest scan: filter its findings in place (htmx swaps only the table).
        page.goto(url + f"/checks/scans/{site.scans[-1]}")
        expect(page.get_by_test_id("finding-row")).to_have_count(3)
        expect(page.get_by_test_id("changes-new-count")).to_have_text("0")
        page.locator('input[name="status"][value="fail"]').check()
        page.get_by_test_id("filter-submit").click()
        expect(page.get_by_test_id("finding-row")).to_have_count(1)
        expect(page).to_have_url(re.compile(rf"/checks/scans/{site.scans[-1]}\?status=fail"))
        shot(language, "checks-scan")

        page.get_by_test_id("finding-row").first.locator("a").first.click()
        expect(page.get_by_test_id("finding-resource")).to_have_text("deploy.sh:5")
        expect(page.get_by_test_id("remediation-commands")).to_contain_text("docker run --user")
        shot(language, "checks-finding")

        # The first scan's failure carried a script in its message: shown as text.
        page.goto(url + f"/checks/scans/{site.scans[0]}?status=fail&severity=critical")
        expect(page.get_by_test_id("finding-row")).to_contain_text(XSS)

        if language == "zh-CN":
            page.get_by_test_id("switch-language").click()
            expect(page.locator("h1")).to_contain_text("Scan #")

    assert problems == [], problems
    context.close()
