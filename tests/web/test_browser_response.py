"""The response pages in a real headless Chromium (Playwright).

A run started on an alert waits for an analyst. The analyst opens "Response" from the
navigation, finds the approval in the inbox (its message carries a ``<script>`` from the
alert's title, which must show as text), approves it with a comment, and opens the run: the
approval step and the block succeeded, the block's exact nftables argv is listed, and the
analyst is named as the approver. Then the playbook page draws its graph, in Chinese and in
English. Pages are saved under ``test-artifacts/screenshots/{zh-CN,en}/response*.png``; any
browser console error (a CSP violation, a script error) fails the test.

The server's automation service records host commands instead of running them.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from garrison.automation import Automation
from garrison.platform import Platform
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.config import ResponseSettings
from garrison.settings import Settings
from tests.web.conftest import CHROMIUM, PASSWORD, require_chromium, serving
from tests.web.test_browser import ARTEFACTS, RunningClock
from tests.web.test_response import ADD, PLAYBOOK, XSS

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@dataclass
class Site:
    url: str
    platform: Platform
    automation: Automation
    runner: RecordingRunner
    run_id: int


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """A server with one run waiting for an analyst's approval."""
    require_chromium(CHROMIUM)
    root = tmp_path_factory.mktemp("browser-response")
    folder = root / "playbooks"
    folder.mkdir()
    (folder / "contain.yml").write_text(PLAYBOOK)
    settings = Settings(
        home=root / "home",
        timezone="Asia/Shanghai",
        response=ResponseSettings(playbooks=[folder], builtin_playbooks=False),
    )
    platform = Platform.open(settings, RunningClock())
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root", display_name="李娜")
    runner = RecordingRunner()
    automation = Automation(platform, runner=runner)
    context = {"alert": {"id": 3, "title": f"SSH brute force {XSS}", "source_ip": "203.0.113.7"}}
    run = automation.start("web-contain", actor="trigger:alert:3", context=context)
    assert run is not None and run.status == "waiting"
    with serving(platform, automation) as url:
        yield Site(url, platform, automation, runner, run.id)
    platform.close()


def test_an_analyst_approves_in_the_inbox_and_the_run_goes_on(site: Site, chromium: object) -> None:
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

    page.get_by_test_id("nav-zap").click()
    expect(page).to_have_url(url + "/response/runs")
    expect(page.get_by_test_id("run-row")).to_have_count(1)
    expect(page.get_by_test_id("run-row")).to_have_attribute("data-status", "waiting")
    shot("zh-CN", "response-runs")

    page.get_by_test_id("tab-approvals").click()
    expect(page).to_have_url(url + "/response/approvals")
    row = page.get_by_test_id("approval-row")
    expect(row).to_have_count(1)
    # The alert's title is shown as text: the script is neither run nor turned into markup.
    expect(row.get_by_test_id("approval-message")).to_have_text(
        f"Block 203.0.113.7? SSH brute force {XSS}"
    )
    expect(row.get_by_test_id("approval-count")).to_have_text("0 / 1")
    shot("zh-CN", "response-approvals")
    row.get_by_test_id("decide-comment").fill("confirmed with the web team")
    row.get_by_test_id("approve").click()

    expect(page.get_by_test_id("done")).to_be_visible()
    expect(page.get_by_test_id("no-approvals")).to_be_visible()
    page.get_by_test_id("done-run").click()
    expect(page).to_have_url(url + f"/response/runs/{site.run_id}")
    expect(page.get_by_test_id("run-status").locator("[data-status]")).to_have_attribute(
        "data-status", "succeeded"
    )
    ask = page.locator('[data-testid="run-step"][data-step="ask"]')
    expect(ask).to_have_attribute("data-status", "succeeded")
    block = page.locator('[data-testid="run-step"][data-step="block"]')
    expect(block).to_have_attribute("data-status", "succeeded")
    expect(block.get_by_test_id("step-commands")).to_contain_text(
        "nft add element inet garrison blocklist4 '{ 203.0.113.7 timeout 3600s }'"
    )
    expect(block.get_by_test_id("step-args")).to_contain_text(XSS)
    expect(page.get_by_test_id("decided-by")).to_have_text("li.na")
    expect(page.get_by_test_id("decision")).to_contain_text("confirmed with the web team")
    shot("zh-CN", "response-run")
    assert [c for c in site.runner.calls if c[:6] == ADD] == [
        (*ADD, "{ 203.0.113.7 timeout 3600s }")
    ]

    for language in ("zh-CN", "en"):
        page.goto(url + "/response/playbooks")
        expect(page.get_by_test_id("playbook-row")).to_have_count(1)
        title = "遏制攻击者" if language == "zh-CN" else "Contain an attacker"
        expect(page.get_by_test_id("playbook-link")).to_have_text(title)
        shot(language, "response-playbooks")
        page.get_by_test_id("playbook-link").click()
        graph = page.get_by_test_id("playbook-graph")
        expect(graph.get_by_test_id("graph-node")).to_have_count(4)
        box = graph.get_by_test_id("graph-svg").bounding_box()
        assert box is not None and box["width"] > 300 and box["height"] > 150
        expect(page.get_by_test_id("playbook-source")).to_contain_text("id: web-contain")
        expect(page.get_by_test_id("dry-run-form")).to_be_visible()
        expect(page.get_by_test_id("run-form")).to_have_count(0)  # analysts do not run for real
        shot(language, "response-playbook")
        if language == "zh-CN":
            page.get_by_test_id("switch-language").click()
            expect(page.locator("html")).to_have_attribute("lang", "en")

    # A dry run from the page: the argv is listed and nothing more is executed.
    executed = len(site.runner.calls)
    page.get_by_test_id("dry-input-address").fill("198.51.100.4")
    page.get_by_test_id("dry-run").click()
    expect(page.get_by_test_id("dry-run-tag").first).to_be_visible()
    expect(page.get_by_test_id("step-commands").first).to_contain_text("198.51.100.4")
    shot("en", "response-run")
    assert len(site.runner.calls) == executed

    assert problems == [], problems
    context.close()
