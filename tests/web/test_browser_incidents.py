"""The incident board and an incident's page in a real headless Chromium (Playwright).

An analyst opens an incident from the example alerts with the board's form, watches the SLA
countdowns tick, moves an incident to containment with a reason, completes a task and adds a
note, in Chinese and then in English; the board and the incident page are saved as screenshots
under ``test-artifacts/screenshots/{zh-CN,en}/incidents*.png``. Any browser console error (a
CSP violation, a script error) fails the test, as in ``test_browser.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import pytest

from garrison.incidents.assets import Asset
from garrison.incidents.grading import Grade
from garrison.incidents.phases import Phase
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.platform import Platform
from garrison.settings import Settings
from garrison.storage.sql.incident_clocks import sweep
from tests.web.conftest import CHROMIUM, EXAMPLES, PASSWORD, require_chromium, serving
from tests.web.test_browser import ARTEFACTS, RunningClock

pytestmark = [pytest.mark.browser, pytest.mark.slow]


class ShiftedClock(RunningClock):
    """The examples' day in real time, plus a shift the test moves forward (clocks age)."""

    def __init__(self) -> None:
        super().__init__()
        self.shift = timedelta(0)

    def now(self) -> datetime:
        return super().now() + self.shift


@dataclass
class Board:
    url: str
    platform: Platform
    clock: ShiftedClock
    ids: dict[str, int]


def _store(platform: Platform, names: set[str]) -> None:
    summary = IngestSummary()
    for path in sorted(EXAMPLES.iterdir()):
        if path.name in names:
            ingest_path(
                str(path),
                sink=platform.store,
                summary=summary,
                options=platform.ingest_options(year=2026),
                clock=platform.clock,
            )
    platform.detect()


def _alert_id(platform: Platform, title: str) -> int:
    from garrison.alerts.query import AlertFilter

    return next(
        a.id for a in platform.alerts.search(AlertFilter(limit=500)) if a.alert.title == title
    )


@pytest.fixture(scope="module")
def board(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Board]:
    """A server with four incidents of four grades whose clocks stand at different points."""
    require_chromium(CHROMIUM)
    home = tmp_path_factory.mktemp("browser-incidents") / "home"
    clock = ShiftedClock()
    platform = Platform.open(Settings(home=home, timezone="Asia/Shanghai"), clock)
    platform.users.create("li.na", "analyst", PASSWORD, actor="cli:root", display_name="李娜")
    # Windows alerts first; the rest four minutes later, so that the incidents' clocks (which
    # start at the first alert) stand at different points when the page is opened.
    _store(platform, {"security.evtx"})
    clock.shift += timedelta(minutes=4)
    _store(platform, {p.name for p in EXAMPLES.iterdir()} - {"security.evtx"})
    platform.assets.upsert(
        [
            Asset("web01", "critical", "运维部 张伟", ("web01", "10.0.1.10"), "server", "官网"),
            Asset("WS-FIN-07", "important", "财务部", ("WS-FIN-07.corp.example.com",), "pc"),
        ],
        actor="cli:root",
        replace=True,
    )
    store = platform.incidents
    actor = "user:li.na"
    ids: dict[str, int] = {}
    # Detected 16.5 minutes ago: its 15-minute confirm clock is breached (and swept: recorded).
    ids["breached"] = store.open(
        "财务终端 WS-FIN-07 审计日志被清除",
        actor=actor,
        alert_ids=[
            _alert_id(platform, "Windows audit log cleared"),
            _alert_id(platform, "Windows account added to a privileged group"),
        ],
        loss="serious",
    ).id
    # Detected 12.5 minutes ago: past 80 % of its confirm clock.
    ids["warning"] = store.open(
        "web01 遭 SSH 暴力破解后登录成功",
        actor=actor,
        alert_ids=[
            _alert_id(platform, "SSH brute force from one source"),
            _alert_id(platform, "SSH brute force against one account"),
            _alert_id(platform, "SSH login from an address not seen for the account"),
        ],
        loss="serious",
        summary="203.0.113.45 对 web01 的 root、oracle 账户进行口令爆破，随后 alice 从陌生地址登录。",
    ).id
    clock.shift += timedelta(minutes=12, seconds=30)
    sweep(platform.store.engine, clock)  # the worker's SLA sweep (without its automation)
    ids["major"] = store.open(
        "文件服务器疑似勒索软件加密",
        actor=actor,
        incident_type="malware",
        loss="extremely_serious",
        impact="major",
        grade=Grade.I,
        grade_reason="涉及全部财务数据，按特别重大事件处置",
    ).id
    ids["cloud"] = store.open(
        "云审计日志被停用",
        actor=actor,
        alert_ids=[
            _alert_id(platform, "Cloud audit trail stopped or deleted"),
            _alert_id(platform, "Aliyun ActionTrail stopped or deleted"),
        ],
        loss="minor",
    ).id
    closed = store.open("误报：运维计划内扫描", actor=actor, loss="minor")
    store.transition(closed.id, Phase.CLOSED, actor=actor, reason="计划内扫描，非安全事件")

    with serving(platform) as url:
        yield Board(url, platform, clock, ids)
    platform.close()


def test_board_countdowns_and_incident_work_in_both_languages(
    board: Board, chromium: object
) -> None:
    from playwright.sync_api import Browser, Page, expect

    assert isinstance(chromium, Browser)
    context = chromium.new_context(
        viewport={"width": 1440, "height": 900}, locale="zh-CN", device_scale_factor=1
    )
    page: Page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    url = board.url

    def shot(language: str, name: str, *, full_page: bool = True) -> None:
        folder = ARTEFACTS / language
        folder.mkdir(parents=True, exist_ok=True)
        # From the top: a page scrolled by a click would draw the sticky bars mid-page.
        page.mouse.wheel(0, -100_000)
        page.wait_for_timeout(100)
        page.screenshot(path=str(folder / f"{name}.png"), full_page=full_page)

    page.goto(url + "/login")
    page.get_by_test_id("login-name").fill("li.na")
    page.get_by_test_id("login-password").fill(PASSWORD)
    page.get_by_test_id("login-submit").click()
    expect(page).to_have_url(url + "/overview")

    # The board: most severe first, grade colours, countdowns ticking every second.
    page.get_by_test_id("nav-siren").click()
    expect(page).to_have_url(url + "/incidents")
    cards = page.get_by_test_id("incident-card")
    expect(cards).to_have_count(4)
    assert cards.first.get_attribute("data-incident-id") == str(board.ids["major"])
    expect(cards.first).to_have_class("incident-card grade-band-red")
    warning = page.locator(f'[data-incident-id="{board.ids["warning"]}"]')
    expect(warning.get_by_test_id("next-clock")).to_have_attribute("data-state", "warning")
    breached = page.locator(f'[data-incident-id="{board.ids["breached"]}"]')
    expect(breached.get_by_test_id("next-clock")).to_have_attribute("data-state", "breached")
    expect(breached.get_by_test_id("countdown")).to_contain_text("已超时")
    countdown = cards.first.get_by_test_id("countdown")
    expect(countdown).to_contain_text("剩余")
    before = countdown.inner_text()
    page.wait_for_timeout(1300)
    after = countdown.inner_text()
    assert before != after, (before, after)
    shot("zh-CN", "incidents")

    # A new incident from an example alert, with the board's form.
    page.get_by_test_id("new-incident").click()
    dialog = page.get_by_test_id("new-incident-dialog")
    expect(dialog).to_be_visible()
    web_alert = _alert_id(board.platform, "Web attack payload in a request")
    dialog.get_by_test_id("incident-title").fill("官网遭 Web 攻击载荷探测")
    dialog.get_by_test_id("incident-alerts").fill(str(web_alert))
    shot("zh-CN", "incidents-new", full_page=False)
    dialog.get_by_test_id("incident-submit").click()
    expect(page.get_by_test_id("done")).to_be_visible()
    created = next(i for i in board.platform.incidents.list() if web_alert in i.alert_ids)
    assert created.title == "官网遭 Web 攻击载荷探测"
    assert created.type == "web_intrusion"

    # The brute force incident: contain it with a reason, finish a task, add a note.
    incident_id = board.ids["warning"]
    page.goto(url + "/incidents")
    page.locator(f'[data-incident-id="{incident_id}"]').get_by_test_id("incident-link").click()
    expect(page).to_have_url(url + f"/incidents/{incident_id}")
    expect(page.get_by_test_id("clock-confirm")).to_have_attribute("data-state", "warning")
    page.get_by_test_id("phase-reason").fill("已确认 alice 账户从陌生地址登录成功，进入遏制")
    page.get_by_test_id("phase-contain").click()
    expect(page.get_by_test_id("incident-body")).to_have_attribute("data-phase", "contain")
    expect(page.get_by_test_id("clock-confirm")).to_have_attribute("data-state", "met")
    first_task = page.get_by_test_id("task-row").first
    task_id = first_task.get_attribute("data-task-id")
    first_task.get_by_test_id("task-done").click()
    expect(page.locator(f'[data-task-id="{task_id}"]')).to_have_class("task done")
    page.get_by_test_id("note-text").fill("已在边界防火墙封禁 203.0.113.45，并重置 alice 的口令。")
    page.get_by_test_id("note-submit").click()
    expect(page.get_by_test_id("timeline")).to_contain_text("已在边界防火墙封禁 203.0.113.45")
    stored = board.platform.incidents.get(incident_id)
    assert stored.phase is Phase.CONTAIN
    assert any(t.done_by == "user:li.na" for t in stored.tasks)
    assert [e.kind for e in board.platform.incidents.timeline(incident_id)][-1] == "note"
    page.get_by_test_id("mark-reported").click()
    expect(page.get_by_test_id("mark-reported")).to_be_disabled()
    page.goto(url + f"/incidents/{incident_id}")
    shot("zh-CN", "incidents-detail")
    breached_page = url + f"/incidents/{board.ids['breached']}"
    page.goto(breached_page)
    expect(page.get_by_test_id("clock-confirm")).to_have_attribute("data-state", "breached")
    expect(page.get_by_test_id("timeline")).to_contain_text("SLA 超时")
    shot("zh-CN", "incidents-breached")

    # English: the same pages.
    page.get_by_test_id("switch-language").click()
    expect(page.locator("h1")).to_contain_text("Incidents")
    shot("en", "incidents-breached")
    page.goto(url + "/incidents")
    expect(page.get_by_test_id("incident-card").first.get_by_test_id("countdown")).to_contain_text(
        "in "
    )
    shot("en", "incidents")
    page.get_by_test_id("new-incident").click()
    expect(page.get_by_test_id("new-incident-dialog")).to_be_visible()
    shot("en", "incidents-new", full_page=False)
    page.keyboard.press("Escape")
    page.goto(url + f"/incidents/{incident_id}")
    expect(page.get_by_test_id("timeline")).to_contain_text("Phase changed: Triage → Contain")
    shot("en", "incidents-detail")

    # The report links answer with a download.
    with page.expect_download() as download:
        page.get_by_test_id("report-en-pdf").click()
    assert download.value.suggested_filename == f"incident-{incident_id}-en.pdf"
    assert problems == [], problems
    context.close()
