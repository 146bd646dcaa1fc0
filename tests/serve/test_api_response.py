"""The response API: playbooks, dry and real runs, approvals by role and scope, cancel, blocks.

Host commands go to a :class:`RecordingRunner` put on ``app.state.automation``: the tests
assert the exact argv a real run executes, and that dry runs and refused calls execute none.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient as Client

from garrison.auth.principal import ROLE_SCOPES, Principal
from garrison.automation import Automation
from garrison.core.clock import FrozenClock
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.platform import Platform
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.config import ResponseSettings
from garrison.serve.api_response import roles_of
from garrison.serve.app import create_app
from garrison.settings import Settings
from garrison.web.services import automation_of

PLAYBOOK = """\
id: test-block
title:
  en: Block an address
  zh-CN: 封禁地址
description: Blocks an address for an hour after an approval.
tags: [attack.t1110]
trigger:
  alert:
    tags: [attack.t1110]
inputs:
  address:
    type: ip
    default: ${{ alert.source_ip }}
    description: What to block.
  note:
    type: string
    default: none
steps:
  - id: ask
    name: Ask an administrator
    if: inputs.note != "skip"
    approval:
      message: Block ${{ inputs.address }}? ${{ inputs.note }}
      approvers:
        roles: [admin]
  - id: block
    action: block_ip
    args:
      address: ${{ inputs.address }}
      duration: 1h
      reason: note ${{ inputs.note }}
  - id: tell
    action: notify
    needs: [block]
    args:
      subject: Blocked ${{ inputs.address }}
      message: ${{ inputs.note }}
      roles: [technical]
"""
BROKEN = "id: broken\ntitle: x\nsteps:\n  - id: a\n    action: no_such_action\n"
ADD = ("nft", "add", "element", "inet", "garrison", "blocklist4")


@pytest.fixture
def platform(clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    folder = tmp_path / "playbooks"
    folder.mkdir()
    (folder / "block.yml").write_text(PLAYBOOK)
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
def client(platform: Platform, runner: RecordingRunner) -> Client:
    app = create_app(platform)
    app.state.automation = Automation(platform, runner=runner)
    return Client(app)


@pytest.fixture
def tokens(platform: Platform) -> dict[str, str]:
    return {
        "read": platform.tokens.create("dash", ["read"], actor="cli:root"),
        "write": platform.tokens.create("soar", ["read", "write"], actor="cli:root"),
        "admin": platform.tokens.create("ops", ["read", "write", "admin"], actor="cli:root"),
    }


def call(
    client: Client, method: str, url: str, token: str, body: object = None, **params: Any
) -> httpx.Response:
    response: httpx.Response = client.request(
        method,
        url,
        headers={"Authorization": f"Bearer {token}"},
        json=body,
        params=params or None,
    )
    return response


def adds(runner: RecordingRunner) -> list[tuple[str, ...]]:
    return [c for c in runner.calls if c[:6] == ADD]


def test_playbooks_are_listed_with_steps_and_problems(
    client: Client, tokens: dict[str, str]
) -> None:
    assert client.get("/api/v1/playbooks").status_code == 401
    listed = call(client, "GET", "/api/v1/playbooks", tokens["read"])
    assert listed.status_code == 200
    body = listed.json()
    (playbook,) = body["playbooks"]
    assert playbook["id"] == "test-block"
    assert playbook["titles"] == {"en": "Block an address", "zh-CN": "封禁地址"}
    assert playbook["enabled"] is True and playbook["builtin"] is False
    assert playbook["trigger"]["alert"]["tags"] == ["attack.t1110"]
    assert len(playbook["revision"]) == 16
    assert "source" not in playbook
    assert [s["id"] for s in playbook["steps"]] == ["ask", "block", "tell"]
    assert playbook["steps"][0] == {
        "id": "ask",
        "name": "Ask an administrator",
        "kind": "approval",
        "action": None,
        "needs": [],
        "if": 'inputs.note != "skip"',
        "for_each": None,
        "on_error": "stop",
    }
    assert playbook["steps"][2]["needs"] == ["block"]
    assert playbook["inputs"]["address"]["type"] == "ip"
    (problem,) = body["problems"]
    assert problem["path"].endswith("broken.yml") and "no_such_action" in problem["message"]


def test_one_playbook_has_its_source(client: Client, tokens: dict[str, str]) -> None:
    found = call(client, "GET", "/api/v1/playbooks/test-block", tokens["read"])
    assert found.status_code == 200
    assert found.json()["source"] == PLAYBOOK
    missing = call(client, "GET", "/api/v1/playbooks/nothing", tokens["read"])
    assert missing.status_code == 404
    assert missing.json()["error"]["hint"] == "known: test-block"
    assert call(client, "GET", "/api/v1/playbooks/Bad%20Id", tokens["read"]).status_code == 422


def test_a_dry_run_shows_the_argv_and_changes_nothing(
    client: Client, tokens: dict[str, str], runner: RecordingRunner
) -> None:
    body = {"inputs": {"address": "203.0.113.7"}, "dry_run": True}
    assert (
        call(client, "POST", "/api/v1/playbooks/test-block/run", tokens["read"], body).status_code
        == 403
    )
    started = call(client, "POST", "/api/v1/playbooks/test-block/run", tokens["write"], body)
    assert started.status_code == 201, started.text
    run = started.json()
    assert (run["status"], run["dry_run"], run["created_by"]) == ("succeeded", True, "token:soar")
    by_step = {s["step"]: s for s in run["steps"]}
    assert by_step["block"]["effects"][-1]["argv"] == [*ADD, "{ 203.0.113.7 timeout 3600s }"]
    assert by_step["block"]["args"]["address"] == "203.0.113.7"
    assert runner.calls == []
    assert call(client, "GET", "/api/v1/blocks", tokens["read"]).json() == []


def test_bad_inputs_and_unknown_playbooks_are_refused(
    client: Client, tokens: dict[str, str], runner: RecordingRunner
) -> None:
    url = "/api/v1/playbooks/test-block/run"
    wrong = call(client, "POST", url, tokens["write"], {"inputs": {"nope": "1"}, "dry_run": True})
    assert wrong.status_code == 400 and "unknown input 'nope'" in wrong.json()["error"]["message"]
    bad_ip = {"inputs": {"address": "not-an-ip"}, "dry_run": True}
    assert call(client, "POST", url, tokens["write"], bad_ip).status_code == 400
    missing = call(client, "POST", "/api/v1/playbooks/nothing/run", tokens["admin"], {})
    assert missing.status_code == 404
    no_alert = call(client, "POST", url, tokens["write"], {"dry_run": True, "alert_id": 999})
    assert no_alert.status_code == 404
    extra = call(client, "POST", url, tokens["write"], {"dry_run": True, "shell": "yes"})
    assert extra.status_code == 422
    assert runner.calls == []


def test_a_real_run_needs_admin_waits_for_approval_then_blocks(
    client: Client, tokens: dict[str, str], runner: RecordingRunner
) -> None:
    url = "/api/v1/playbooks/test-block/run"
    body = {"inputs": {"address": "203.0.113.9", "note": "<b>why</b>"}}
    refused = call(client, "POST", url, tokens["write"], body)
    assert refused.status_code == 403 and "admin" in refused.json()["error"]["message"]
    started = call(client, "POST", url, tokens["admin"], body)
    assert started.status_code == 201
    run = started.json()
    assert run["status"] == "waiting" and runner.calls == []
    (approval,) = run["approvals"]
    assert approval["message"] == "Block 203.0.113.9? <b>why</b>"

    inbox = call(client, "GET", "/api/v1/approvals", tokens["read"])
    assert [a["id"] for a in inbox.json()] == [approval["id"]]
    decide = f"/api/v1/approvals/{approval['id']}/approve"
    assert call(client, "POST", decide, tokens["read"], {}).status_code == 403  # no write scope
    # A write token is an analyst; this approval asks for an administrator.
    analyst = call(client, "POST", decide, tokens["write"], {"comment": "ok"})
    assert analyst.status_code == 403
    assert runner.calls == []

    decided = call(client, "POST", decide, tokens["admin"], {"comment": "checked"})
    assert decided.status_code == 200, decided.text
    result = decided.json()
    assert result["approval"]["status"] == "approved"
    assert result["approval"]["decisions"][0]["actor"] == "token:ops"
    assert result["approval"]["decisions"][0]["comment"] == "checked"
    assert result["run"]["status"] == "succeeded"
    assert adds(runner) == [(*ADD, "{ 203.0.113.9 timeout 3600s }")]

    again = call(client, "POST", decide, tokens["admin"], {})
    assert again.status_code == 400  # no longer waiting
    assert call(client, "GET", "/api/v1/approvals", tokens["read"]).json() == []
    every = call(client, "GET", "/api/v1/approvals", tokens["read"], status="all").json()
    assert [a["status"] for a in every] == ["approved"]
    (block,) = call(client, "GET", "/api/v1/blocks", tokens["read"]).json()
    assert (block["address"], block["backend"], block["run_id"]) == (
        "203.0.113.9",
        "nftables",
        run["id"],
    )

    shown = call(client, "GET", f"/api/v1/runs/{run['id']}", tokens["read"]).json()
    assert [s["status"] for s in shown["steps"]] == ["succeeded", "succeeded", "succeeded"]
    assert call(client, "GET", "/api/v1/runs/999", tokens["read"]).status_code == 404


def test_rejecting_stops_the_run(
    client: Client, tokens: dict[str, str], runner: RecordingRunner
) -> None:
    url = "/api/v1/playbooks/test-block/run"
    run = call(client, "POST", url, tokens["admin"], {"inputs": {"address": "203.0.113.10"}})
    (approval,) = run.json()["approvals"]
    rejected = call(
        client,
        "POST",
        f"/api/v1/approvals/{approval['id']}/reject",
        tokens["admin"],
        {"comment": "our scanner"},
    )
    assert rejected.status_code == 200
    assert rejected.json()["run"]["status"] == "rejected"
    assert runner.calls == []


def test_cancel_and_the_run_list_filters(
    client: Client, tokens: dict[str, str], runner: RecordingRunner
) -> None:
    url = "/api/v1/playbooks/test-block/run"
    waiting = call(client, "POST", url, tokens["admin"], {"inputs": {"address": "203.0.113.11"}})
    dry = call(
        client,
        "POST",
        url,
        tokens["write"],
        {"inputs": {"address": "203.0.113.12"}, "dry_run": True},
    )
    run_id = waiting.json()["id"]
    cancel = f"/api/v1/runs/{run_id}/cancel"
    assert call(client, "POST", cancel, tokens["read"], {"reason": "x"}).status_code == 403
    assert call(client, "POST", cancel, tokens["write"], {"reason": ""}).status_code == 422
    cancelled = call(client, "POST", cancel, tokens["write"], {"reason": "false positive"})
    assert cancelled.status_code == 200
    assert cancelled.json()["status"] == "cancelled"
    assert cancelled.json()["error"] == "false positive"
    assert cancelled.json()["approvals"][0]["status"] == "cancelled"
    assert call(client, "POST", cancel, tokens["write"], {"reason": "again"}).status_code == 400

    listed = call(client, "GET", "/api/v1/runs", tokens["read"]).json()
    assert [r["id"] for r in listed] == [dry.json()["id"], run_id]
    only = call(client, "GET", "/api/v1/runs", tokens["read"], status="cancelled").json()
    assert [r["id"] for r in only] == [run_id]
    older = call(client, "GET", "/api/v1/runs", tokens["read"], before=dry.json()["id"]).json()
    assert [r["id"] for r in older] == [run_id]
    assert call(client, "GET", "/api/v1/runs", tokens["read"], playbook="other").json() == []
    assert call(client, "GET", "/api/v1/runs", tokens["read"], status="odd").status_code == 422
    assert (
        call(client, "GET", "/api/v1/runs", tokens["read"], limit=1).json()[0]["id"]
        == (dry.json()["id"])
    )
    assert runner.calls == []


def brute_force(source: str) -> str:
    return "".join(
        f"Nov 23 11:00:{i:02d} web01 sshd[{2000 + i}]: Failed password for root"
        f" from {source} port {40000 + i} ssh2\n"
        for i in range(8)
    )


def test_a_run_on_a_stored_alert_reads_its_data(
    client: Client, platform: Platform, tokens: dict[str, str], tmp_path: Path
) -> None:
    log = tmp_path / "auth.log"
    log.write_text(brute_force("198.51.100.23"))
    ingest_path(
        str(log),
        sink=platform.store,
        summary=IngestSummary(),
        options=platform.ingest_options(year=2026),
        clock=platform.clock,
    )
    platform.detect()
    from garrison.alerts.query import AlertFilter

    alert = next(a for a in platform.alerts.search(AlertFilter()) if a.alert.group)
    started = call(
        client,
        "POST",
        "/api/v1/playbooks/test-block/run",
        tokens["write"],
        {"dry_run": True, "alert_id": alert.id},
    )
    assert started.status_code == 201, started.text
    run = started.json()
    assert run["subject"] == f"alert:{alert.id}"
    assert run["inputs"]["address"] == "198.51.100.23"


def test_roles_come_from_the_account_or_the_token_scopes() -> None:
    person = Principal("user", "li.na", ROLE_SCOPES["analyst"])
    assert roles_of(person) == ["analyst"]
    assert roles_of(Principal("user", "wang", ROLE_SCOPES["admin"])) == ["admin"]
    assert roles_of(Principal("user", "zhao", ROLE_SCOPES["auditor"])) == ["auditor"]
    token = Principal("token", "ops", frozenset({"read", "write", "admin"}))
    assert roles_of(token) == ["admin", "analyst"]
    assert roles_of(Principal("token", "dash", frozenset({"read"}))) == []
    assert roles_of(Principal("token", "aud", frozenset({"read", "audit"}))) == ["auditor"]


def test_the_app_builds_its_automation_once_on_first_use(platform: Platform) -> None:
    app = create_app(platform)
    assert getattr(app.state, "automation", None) is None
    first = automation_of(app)
    assert isinstance(first, Automation) and first.platform is platform
    assert automation_of(app) is first
    token = platform.tokens.create("dash", ["read"], actor="cli:root")
    listed = Client(app).get("/api/v1/runs", headers={"Authorization": f"Bearer {token}"})
    assert listed.status_code == 200 and app.state.automation is first
