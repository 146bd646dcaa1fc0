"""Issue 5's acceptance path: a brute force then a login, pushed to the server, becomes one
incident graded by the asset, and a passed deadline pages the local receivers.

The logs go in through the HTTP ingest endpoint of ``garrison serve``'s application; the
server's worker pass (detection, then the incident step) is called as its loop calls it, with
a frozen clock that the test moves past the 15-minute confirmation deadline. A local webhook
receiver and a local DingTalk-robot stand-in record the exact requests.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from garrison.core.clock import FrozenClock
from garrison.incidents.assets import Asset
from garrison.incidents.grading import Grade
from garrison.notify.webhook import verify
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings

WEBHOOK_SECRET = "local-test-secret-0123456789"
DING_SECRET = "SEC-local-ding-secret"


class Receiver:
    """A local HTTP server that records every request and answers like a robot."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                length = int(self.headers.get("content-length", "0"))
                owner.requests.append(
                    {
                        "path": self.path,
                        "headers": dict(self.headers),
                        "body": self.rfile.read(length),
                    }
                )
                payload = b'{"errcode":0,"errmsg":"ok"}'
                self.send_response(200)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

            def log_message(self, *args: object) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


@pytest.fixture
def platform(
    db_url: str, clock: FrozenClock, tmp_path: Path, receiver: Receiver
) -> Iterator[Platform]:
    notify = {
        "timezone": "Asia/Shanghai",
        "channels": {
            "soc-hook": {
                "type": "webhook",
                "url": receiver.url + "/hook",
                "secret": WEBHOOK_SECRET,
            },
            "soc-ding": {
                "type": "dingtalk",
                "access_token": "tok123",
                "secret": DING_SECRET,
                "base_url": receiver.url + "/robot/send",
            },
        },
        "people": {"li.na": {"name": "李娜", "language": "zh-CN"}},
        "routes": [
            {"events": ["incident.new", "sla.breach"], "channels": ["soc-hook", "soc-ding"]},
            {"events": ["task.assigned"], "channels": ["soc-hook"], "roles": ["assignee"]},
            {"events": ["incident.escalated"], "channels": ["soc-hook"], "roles": ["command"]},
        ],
    }
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC", notify=notify),
        clock,
    )
    yield plat
    plat.close()


def _auth_log() -> bytes:
    lines = [
        f"<38>1 2026-11-23T11:50:{s:02d}Z bastion sshd 4242 - - Failed password for root"
        f" from 203.0.113.9 port {40000 + s} ssh2"
        for s in range(0, 60, 5)
    ]
    lines.append(
        "<38>1 2026-11-23T11:51:30Z bastion sshd 4242 - - Accepted password for root"
        " from 203.0.113.9 port 41000 ssh2"
    )
    return ("\n".join(lines) + "\n").encode()


def test_brute_force_then_login_opens_one_graded_incident_and_a_breach_pages(
    platform: Platform, clock: FrozenClock, receiver: Receiver
) -> None:
    platform.assets.upsert(
        [Asset("bastion", "critical", "ops team", ("bastion",), "jump host")], actor="cli:root"
    )
    token = platform.tokens.create("agent", ["ingest"], actor="cli:root")
    client = TestClient(create_app(platform))
    pushed = client.post(
        "/api/v1/ingest", content=_auth_log(), headers={"Authorization": f"Bearer {token}"}
    )
    assert pushed.status_code == 200 and pushed.json()["stored"] == 13
    # What the server's loop does every interval: detect, then the incident step.
    for _ in range(2):
        platform.detect()
        platform.incident_step()
    incidents = platform.incidents.list()
    assert len(incidents) == 1
    incident = incidents[0]
    assert len(incident.alert_ids) == 3  # both brute-force alerts and the login after them
    assert incident.assets == ("bastion",) and incident.grade is Grade.III  # critical asset
    assert {d.kind for d in incident.deadlines} == {"confirm", "report", "recover"}
    opened = [json.loads(r["body"]) for r in receiver.requests if r["path"] == "/hook"]
    assert [b["event"] for b in opened] == ["incident.new"]

    receiver.requests.clear()
    clock.advance(timedelta(minutes=16))
    _, clocks = platform.incident_step()
    assert [(c.kind, c.event) for c in clocks] == [("confirm", "breach")]
    hook = next(r for r in receiver.requests if r["path"] == "/hook")
    body = json.loads(hook["body"])
    assert body["event"] == "sla.breach" and body["fields"]["incident_id"] == f"INC-{incident.id}"
    assert verify(
        WEBHOOK_SECRET,
        hook["headers"]["X-Garrison-Timestamp"],
        hook["body"],
        hook["headers"]["X-Garrison-Signature"],
    )
    ding = next(r for r in receiver.requests if r["path"].startswith("/robot/send"))
    query = parse_qs(urlsplit(ding["path"]).query)
    timestamp = query["timestamp"][0]
    expected = base64.b64encode(
        hmac.new(
            DING_SECRET.encode(), f"{timestamp}\n{DING_SECRET}".encode(), hashlib.sha256
        ).digest()
    ).decode()
    assert query["access_token"] == ["tok123"] and query["sign"] == [expected]
    markdown = json.loads(ding["body"])["markdown"]
    assert f"INC-{incident.id}" in markdown["text"] and "时限已超" in markdown["title"]
    # Nothing more to send, and the incident's timeline and the audit trail show it all.
    assert platform.incident_step()[1] == [] and platform.send_notifications() == 0
    timeline = [e.text for e in platform.incidents.timeline(incident.id)]
    assert any("sla.breach sent" in text for text in timeline)
    assert platform.audit_verify().ok


def test_assigning_a_task_notifies_its_owner(
    platform: Platform, clock: FrozenClock, receiver: Receiver
) -> None:
    platform.users.create("li.na", "analyst", "Correct-Horse-7-Battery", actor="cli:root")
    platform.users.create("wang.wu", "analyst", "Correct-Horse-7-Battery", actor="cli:root")
    incident = platform.incidents.open("Phishing wave", actor="user:li.na")
    platform.send_notifications()
    receiver.requests.clear()
    first, second = incident.tasks[0], incident.tasks[1]
    platform.incidents.assign_task(first.id, "li.na", actor="user:admin")
    assert platform.send_notifications() == 1
    body = json.loads(receiver.requests[0]["body"])
    assert body["event"] == "task.assigned" and body["recipients"][0]["id"] == "li.na"
    assert "li.na，您被分派" in body["text"] and first.title_zh in body["text"]
    # wang.wu has no contact details in [notify] people: recorded as failed, nothing sent,
    # and the worker goes on.
    receiver.requests.clear()
    platform.incidents.assign_task(second.id, "wang.wu", actor="user:admin")
    assert platform.send_notifications() == 1 and receiver.requests == []
    timeline = [e.text for e in platform.incidents.timeline(incident.id)]
    assert "notification task.assigned failed: unknown people: wang.wu" in timeline
    assert platform.incidents.get(incident.id).tasks[0].owner == "li.na"


def test_escalation_pages_the_command_group_kept_in_the_database(
    platform: Platform, receiver: Receiver
) -> None:
    from garrison.incidents.sla import Milestone

    platform.users.create("li.na", "analyst", "Correct-Horse-7-Battery", actor="cli:root")
    platform.responders.add("command", "li.na", actor="cli:root")
    assert platform.responders.members()["command"] == ["li.na"]
    incident = platform.incidents.open("Ransomware on the file server", actor="user:li.na")
    platform.send_notifications()
    receiver.requests.clear()
    platform.incidents.mark(incident.id, Milestone.ESCALATED, actor="user:li.na", note="CISO")
    platform.send_notifications()
    body = json.loads(receiver.requests[0]["body"])
    assert body["event"] == "incident.escalated"
    assert [r["id"] for r in body["recipients"]] == ["li.na"]
    platform.responders.remove("command", "li.na", actor="cli:root")
    assert platform.responders.members()["command"] == []
