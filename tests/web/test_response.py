"""The response pages: playbooks and their graph, runs step by step, the approval inbox.

Server-rendered pages through the test client, in both languages and for each role: auditors
see everything but act on nothing, analysts dry-run, cancel and decide what the playbook lets
them, administrators also run for real. Host commands go to a :class:`RecordingRunner`: the
tests assert the exact argv and that nothing ran where nothing should. A ``<script>`` in an
alert's title travels into a step's arguments, an approval's message and the run's data, and
must come out escaped everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from garrison.automation import Automation
from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.config import ResponseSettings
from garrison.respond.loader import parse
from garrison.settings import Settings
from garrison.web.i18n import translations
from garrison.web.views.response_graph import layout
from tests.web.conftest import Browser

XSS = "<script>alert(1)</script>"
ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
ADD = ("nft", "add", "element", "inet", "garrison", "blocklist4")
PLAYBOOK = """\
id: web-contain
title:
  en: Contain an attacker
  zh-CN: 遏制攻击者
description: Blocks an address after an analyst approves.
trigger:
  alert:
    tags: [attack.t1110]
inputs:
  address:
    type: ip
    default: ${{ alert.source_ip }}
    description: The address to block.
  note:
    type: string
    default: ${{ alert.title }}
  notify:
    type: boolean
    default: true
steps:
  - id: ask
    name: Ask an analyst
    approval:
      message: Block ${{ inputs.address }}? ${{ inputs.note }}
      approvers:
        roles: [analyst]
  - id: block
    name: Block the address
    action: block_ip
    args:
      address: ${{ inputs.address }}
      duration: 1h
      reason: note ${{ inputs.note }}
    on_error: tell_failure
  - id: tell
    action: notify
    needs: [block]
    if: inputs.notify
    args:
      subject: Blocked ${{ inputs.address }}
      message: note ${{ inputs.note }}
      roles: [technical]
compensate:
  - id: tell_failure
    action: notify
    args:
      subject: Blocking failed
      message: see the run
      roles: [technical]
"""
BROKEN = "id: broken\ntitle: x\nsteps: []\n"


def _text(response: object) -> str:
    return response.text  # type: ignore[attr-defined,no-any-return]


def _status(response: object) -> int:
    return response.status_code  # type: ignore[attr-defined,no-any-return]


def _location(response: object) -> str:
    return response.headers.get("location", "")  # type: ignore[attr-defined,no-any-return]


@pytest.fixture
def platform(clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    """A platform in Shanghai time with the test playbook and a broken file."""
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "contain.yml").write_text(PLAYBOOK)
    (folder / "broken.yml").write_text(BROKEN)
    settings = Settings(
        home=tmp_path / "home",
        timezone="Asia/Shanghai",
        response=ResponseSettings(playbooks=[folder], builtin_playbooks=False),
    )
    plat = Platform.open(settings, clock)
    yield plat
    plat.close()


@pytest.fixture
def runner() -> RecordingRunner:
    return RecordingRunner()


@pytest.fixture
def automation(platform: Platform, runner: RecordingRunner) -> Automation:
    return Automation(platform, runner=runner)


@pytest.fixture
def site(people: dict[str, Browser], automation: Automation) -> dict[str, Browser]:
    """Each role's browser, every app using the recording automation service."""
    for browser in people.values():
        browser.client.app.state.automation = automation  # type: ignore[attr-defined]
    return people


def waiting_run(automation: Automation, title: str = XSS, address: str = "203.0.113.5") -> int:
    """A run started on an alert (its title ``title``), waiting for an analyst."""
    context = {"alert": {"id": 7, "title": title, "source_ip": address}}
    run = automation.start("web-contain", actor="trigger:alert:7", context=context)
    assert run is not None and run.status == "waiting"
    return run.id


def adds(runner: RecordingRunner) -> list[tuple[str, ...]]:
    return [c for c in runner.calls if c[:6] == ADD]


def test_the_nav_item_opens_the_runs_with_tabs_in_both_languages(
    site: dict[str, Browser],
) -> None:
    for role, language in (("admin", "zh-CN"), ("analyst", "en"), ("auditor", "zh-CN")):
        gettext = translations(language).gettext
        page = _text(site[role].get("/overview"))
        assert 'href="/response"' in page and gettext("Response") in page
        runs = site[role].get("/response/runs")
        assert _status(runs) == 200
        assert f'<html lang="{language}">' in _text(runs)
        for tab in ("Runs", "Approvals", "Playbooks"):
            assert gettext(tab) in _text(runs)
    assert _location(site["auditor"].get("/response")) == "/response/runs"


def test_playbooks_list_titles_triggers_and_problems(site: dict[str, Browser]) -> None:
    zh = _text(site["admin"].get("/response/playbooks"))
    assert "遏制攻击者" in zh and 'data-playbook="web-contain"' in zh
    assert translations("zh-CN").gettext("Alert") in zh
    assert 'data-testid="problem-row"' in zh and "broken.yml" in zh
    en = _text(site["analyst"].get("/response/playbooks"))
    assert "Contain an attacker" in en and "遏制攻击者" not in en
    row = re.search(r'data-playbook="web-contain".*?</tr>', en, re.S)
    assert row is not None and '<td class="num">3 <span class="muted small">+1</span>' in row[0]


def test_a_playbook_shows_its_graph_yaml_and_the_forms_each_role_may_use(
    site: dict[str, Browser],
) -> None:
    admin = _text(site["admin"].get("/response/playbooks/web-contain"))
    nodes = re.findall(r'data-testid="graph-node" data-step="([^"]+)" data-kind="([^"]+)"', admin)
    assert nodes == [
        ("ask", "approval"),
        ("block", "action"),
        ("tell", "action"),
        ("tell_failure", "compensate"),
    ]
    assert admin.count('data-edge="order"') == 2
    assert admin.count('data-edge="needs"') == 1 and admin.count('data-edge="error"') == 1
    assert "<polygon" in admin  # the approval's hexagon
    # The YAML is shown as text: its ${{ }} and quotes escaped, nothing interpreted.
    assert "message: Block ${{ inputs.address }}? ${{ inputs.note }}" in admin
    assert 'data-testid="dry-run-form"' in admin and 'data-testid="run-form"' in admin
    assert 'name="input.notify"' in admin and 'name="input.address"' in admin
    analyst = _text(site["analyst"].get("/response/playbooks/web-contain"))
    assert 'data-testid="dry-run-form"' in analyst and 'data-testid="run-form"' not in analyst
    auditor = _text(site["auditor"].get("/response/playbooks/web-contain"))
    assert 'data-testid="dry-run-form"' not in auditor and "run-form" not in auditor
    assert _status(site["auditor"].get("/response/playbooks/nothing")) == 404


def test_an_analyst_dry_runs_and_sees_the_argv_without_running_it(
    site: dict[str, Browser], runner: RecordingRunner, automation: Automation
) -> None:
    started = site["analyst"].post(
        "/response/playbooks/web-contain/start",
        {"mode": "dry", "input.address": "203.0.113.9", "input.note": "drill"},
    )
    assert _status(started) == 303
    url = _location(started)
    assert re.fullmatch(r"/response/runs/\d+", url)
    page = _text(site["analyst"].get(url))
    assert 'data-testid="dry-run-tag"' in page
    assert (
        "nft add element inet garrison blocklist4 &#39;{ 203.0.113.9 timeout 3600s }&#39;" in page
    )
    assert 'data-status="succeeded"' in page
    assert runner.calls == [] and automation.blocks.list() == []
    (run,) = automation.runs.list()
    assert (run.dry_run, run.created_by, run.inputs["note"]) == (True, "user:li.na", "drill")


def test_bad_inputs_come_back_with_the_problem_and_what_was_typed(
    site: dict[str, Browser], automation: Automation
) -> None:
    refused = site["analyst"].post(
        "/response/playbooks/web-contain/start",
        {"mode": "dry", "input.address": "not-an-ip", "input.note": XSS},
    )
    assert _status(refused) == 400
    page = _text(refused)
    assert "input &#39;address&#39;" in page and 'value="not-an-ip"' in page
    assert ESCAPED in page and XSS not in page
    no_alert = site["analyst"].post(
        "/response/playbooks/web-contain/start", {"mode": "dry", "alert": "12x"}
    )
    assert _status(no_alert) == 400
    missing = site["analyst"].post(
        "/response/playbooks/web-contain/start", {"mode": "dry", "alert": "99"}
    )
    assert _status(missing) == 400 and "no alert 99" in _text(missing).lower()
    assert automation.runs.list() == []


def test_real_runs_need_an_administrator_who_confirms(
    site: dict[str, Browser], runner: RecordingRunner, automation: Automation
) -> None:
    form = {"mode": "run", "input.address": "203.0.113.20", "input.note": "real", "confirm": "yes"}
    assert _status(site["analyst"].post("/response/playbooks/web-contain/start", form)) == 403
    assert _status(site["auditor"].post("/response/playbooks/web-contain/start", form)) == 403
    unconfirmed = site["admin"].post(
        "/response/playbooks/web-contain/start", {**form, "confirm": ""}
    )
    assert _status(unconfirmed) == 400 and 'value="203.0.113.20"' in _text(unconfirmed)
    assert automation.runs.list() == []
    started = site["admin"].post("/response/playbooks/web-contain/start", form)
    assert _status(started) == 303
    (run,) = automation.runs.list()
    assert (run.status, run.dry_run, run.created_by) == ("waiting", False, "user:admin.wang")
    assert runner.calls == []  # the approval comes first


def test_the_inbox_escapes_and_lets_only_listed_roles_decide(
    site: dict[str, Browser], automation: Automation, runner: RecordingRunner
) -> None:
    run_id = waiting_run(automation)
    (approval,) = automation.runs.approvals()
    for role in ("admin", "analyst", "auditor"):
        page = _text(site[role].get("/response/approvals"))
        assert f'data-approval="{approval.id}"' in page
        assert f"Block 203.0.113.5? {ESCAPED}" in page and XSS not in page
        # Four hours from 12:00 UTC, in Shanghai time.
        assert "2026-11-24 00:00" in page and "Asia/Shanghai" in page
        shown = 'data-testid="decide-form"' in page
        assert shown == (role == "analyst"), role
    assert f'href="/response/runs/{run_id}"' in page

    # The server checks too: the administrator is not listed, the auditor may not write.
    url = f"/response/approvals/{approval.id}/approve"
    assert _status(site["auditor"].post(url, {"comment": "x"})) == 403
    refused = site["admin"].post(url, {"comment": "x"})
    assert _status(refused) == 403 and "may not decide" in _text(refused)
    assert runner.calls == []

    decided = site["analyst"].post(url, {"comment": f"checked {XSS}", "back": "inbox"})
    assert _status(decided) == 303
    assert _location(decided) == f"/response/approvals?done=approve&run={run_id}"
    inbox = _text(site["analyst"].get(_location(decided)))
    assert 'data-testid="done"' in inbox and 'data-testid="no-approvals"' in inbox
    assert 'data-testid="decided-row"' in inbox and XSS not in inbox
    assert adds(runner) == [(*ADD, "{ 203.0.113.5 timeout 3600s }")]

    page = _text(site["auditor"].get(f"/response/runs/{run_id}"))
    assert re.search(r'data-testid="decided-by">li\.na<', page)
    assert f"checked {ESCAPED}" in page
    steps = dict(
        re.findall(
            r'data-testid="run-step" data-step="(\w+)" data-item="0" '
            r'data-status="(\w+)"',
            page,
        )
    )
    assert steps == {"ask": "succeeded", "block": "succeeded", "tell": "succeeded"}
    # The alert's title reached the block step's arguments: shown escaped, never as markup.
    assert f"note {ESCAPED}" in page and XSS not in page
    assert "nft add element inet garrison blocklist4" in page
    assert 'data-testid="cancel-form"' not in page


def test_rejecting_on_the_run_page_stops_the_run(
    site: dict[str, Browser], automation: Automation, runner: RecordingRunner
) -> None:
    run_id = waiting_run(automation, title="scan")
    (approval,) = automation.runs.approvals()
    page = _text(site["analyst"].get(f"/response/runs/{run_id}"))
    assert 'data-testid="decide-form"' in page and 'data-testid="cancel-form"' in page
    rejected = site["analyst"].post(
        f"/response/approvals/{approval.id}/reject", {"comment": "our scanner", "back": "run"}
    )
    assert _location(rejected) == f"/response/runs/{run_id}?done=reject"
    assert automation.runs.get(run_id).status == "rejected"
    again = site["analyst"].post(
        f"/response/approvals/{approval.id}/approve", {"comment": "", "back": "run"}
    )
    assert _status(again) == 400 and "not waiting" in _text(again)
    assert runner.calls == []


def test_cancelling_needs_a_reason_and_an_unfinished_run(
    site: dict[str, Browser], automation: Automation
) -> None:
    run_id = waiting_run(automation, title="noise")
    url = f"/response/runs/{run_id}/cancel"
    assert _status(site["auditor"].post(url, {"reason": "x"})) == 403
    auditor_page = _text(site["auditor"].get(f"/response/runs/{run_id}"))
    assert 'data-testid="cancel-form"' not in auditor_page
    assert 'data-testid="decide-form"' not in auditor_page
    assert _status(site["analyst"].post(url, {"reason": "  "})) == 400
    done = site["analyst"].post(url, {"reason": "false positive"})
    assert _location(done) == f"/response/runs/{run_id}?done=cancelled"
    run = automation.runs.get(run_id)
    assert (run.status, run.error) == ("cancelled", "false positive")
    again = site["analyst"].post(url, {"reason": "again"})
    assert _status(again) == 400 and "already cancelled" in _text(again)
    assert _status(site["analyst"].get("/response/runs/999")) == 404


def test_the_run_list_filters_by_playbook_and_status(
    site: dict[str, Browser], automation: Automation, clock: FrozenClock
) -> None:
    first = waiting_run(automation, title="one")
    clock.advance(timedelta(minutes=1))
    second = automation.start(
        "web-contain", actor="user:li.na", dry_run=True, inputs={"address": "203.0.113.8"}
    )
    assert second is not None

    def ids(url: str) -> list[str]:
        return re.findall(
            r'data-testid="run-row" data-run-id="(\d+)"', _text(site["auditor"].get(url))
        )

    assert ids("/response/runs") == [str(second.id), str(first)]
    assert ids("/response/runs?status=waiting") == [str(first)]
    assert ids("/response/runs?playbook=web-contain&status=succeeded") == [str(second.id)]
    assert ids("/response/runs?playbook=other") == []
    assert ids(f"/response/runs?before={second.id}") == [str(first)]
    assert ids("/response/runs?status=bogus") == [str(second.id), str(first)]


def test_the_graph_layout_draws_order_needs_and_compensation() -> None:
    playbook, problems = parse(PLAYBOOK, "contain.yml")
    assert playbook is not None, problems
    graph = layout(playbook, statuses={"ask": "waiting"}, words={"approval": "审批"})
    by_id = {n.id: n for n in graph.nodes}
    assert [e.kind for e in graph.edges] == ["order", "order", "needs", "error"]
    assert by_id["ask"].kind == "approval" and by_id["ask"].points
    assert by_id["ask"].sub == "审批" and by_id["ask"].status == "waiting"
    assert by_id["tell"].sub == "notify · if"
    assert by_id["ask"].y < by_id["block"].y < by_id["tell"].y
    assert by_id["tell_failure"].x > by_id["block"].x + by_id["block"].w
    assert graph.width >= by_id["tell_failure"].x + by_id["tell_failure"].w
    assert all(n.y + n.h <= graph.height for n in graph.nodes)


def test_long_step_ids_are_shortened_in_boxes_but_kept_in_tooltips() -> None:
    long_id = "a" + "b" * 60
    text = f"id: t\ntitle: t\nsteps:\n  - id: {long_id}\n    name: Long\n    action: notify\n"
    text += "    args: {subject: s, message: m, roles: [technical]}\n"
    playbook, problems = parse(text, "t.yml")
    assert playbook is not None, problems
    (node,) = layout(playbook).nodes
    assert len(node.label) == 30 and node.label.endswith("…") and node.title == "Long"
