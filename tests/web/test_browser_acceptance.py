"""Acceptance in a real headless Chromium: a brute-force sample to a visible, approved block.

An SSH brute-force sample from an internal address is ingested; detection raises the alert;
the response worker starts the shipped ``brute-force-block`` playbook, which waits for an
administrator because the source is internal. The administrator finds the run and its
approval in the console, approves, and sees the block applied with its exact nftables argv,
once. Host commands are recorded, not run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from garrison.automation import Automation
from garrison.platform import Platform
from garrison.respond.actions.argv import RecordingRunner
from garrison.settings import AuthSettings, Settings
from tests.test_automation import ADD, brute_force, ingest
from tests.web.conftest import CHROMIUM, PASSWORD, require_chromium, serving
from tests.web.test_browser import RunningClock

pytestmark = [pytest.mark.browser, pytest.mark.slow]


@pytest.fixture
def site(tmp_path: Path) -> Iterator[tuple[str, Platform, Automation, RecordingRunner]]:
    require_chromium(CHROMIUM)
    settings = Settings(
        home=tmp_path / "home", timezone="UTC", auth=AuthSettings(mfa_roles=["auditor"])
    )
    platform = Platform.open(settings, RunningClock())
    platform.users.create("admin.wang", "admin", PASSWORD, actor="cli:root")
    runner = RecordingRunner()
    automation = Automation(platform, runner=runner)
    with serving(platform, automation) as url:
        yield url, platform, automation, runner
    platform.close()


def test_a_brute_force_sample_ends_in_an_approved_block_seen_in_the_console(
    site: tuple[str, Platform, Automation, RecordingRunner], tmp_path: Path, chromium: object
) -> None:
    from playwright.sync_api import Browser, Page, expect

    url, platform, automation, runner = site
    ingest(platform, tmp_path, brute_force("10.20.30.40"))
    (run_id,) = automation.step().started
    assert automation.runs.get(run_id).status == "waiting"
    assert [c for c in runner.calls if c[:6] == ADD] == []

    assert isinstance(chromium, Browser)
    page: Page = chromium.new_page(locale="zh-CN")
    problems: list[str] = []
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(url + "/login")
    page.get_by_test_id("login-name").fill("admin.wang")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(url + "/overview")

    page.get_by_test_id("nav-zap").click()
    row = page.get_by_test_id("run-row")
    expect(row).to_have_count(1)
    expect(row).to_have_attribute("data-status", "waiting")
    expect(row).to_contain_text("brute-force-block")

    page.get_by_test_id("tab-approvals").click()
    approval = page.get_by_test_id("approval-row")
    expect(approval.get_by_test_id("approval-message")).to_have_text(
        "Block the internal address 10.20.30.40 for 24h?"
    )
    approval.get_by_test_id("decide-comment").fill("verified: a scanner gone wrong")
    approval.get_by_test_id("approve").click()
    expect(page.get_by_test_id("done")).to_be_visible()
    page.get_by_test_id("done-run").click()
    expect(page).to_have_url(url + f"/response/runs/{run_id}")
    expect(page.get_by_test_id("run-status").locator("[data-status]")).to_have_attribute(
        "data-status", "succeeded"
    )
    block = page.locator('[data-testid="run-step"][data-step="block"]')
    expect(block).to_have_attribute("data-status", "succeeded")
    expect(block.get_by_test_id("step-commands")).to_contain_text(
        "nft add element inet garrison blocklist4 '{ 10.20.30.40 timeout 86400s }'"
    )
    expect(page.get_by_test_id("decided-by")).to_have_text("admin.wang")
    page.close()
    assert problems == []
    assert [c for c in runner.calls if c[:6] == ADD] == [(*ADD, "{ 10.20.30.40 timeout 86400s }")]
