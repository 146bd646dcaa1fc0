"""The incident and asset API: roles, the lifecycle, validation, the report download."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient as Client

from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings

ASSETS_CSV = "name,importance,owner,addresses\nportal,critical,web team,10.0.0.0/24 portal\n"


@pytest.fixture
def platform(clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(Settings(home=tmp_path / "home", timezone="UTC"), clock)
    yield plat
    plat.close()


@pytest.fixture
def client(platform: Platform) -> Client:
    return Client(create_app(platform))


def call(client: Client, method: str, url: str, token: str, body: object = None) -> httpx.Response:
    return client.request(method, url, headers={"Authorization": f"Bearer {token}"}, json=body)


def test_an_incident_through_its_life_over_the_api(platform: Platform, client: Client) -> None:
    admin = platform.tokens.create("ops", ["read", "write", "admin"], actor="cli:root")
    imported = call(
        client, "POST", "/api/v1/assets/import", admin, {"format": "csv", "content": ASSETS_CSV}
    )
    assert imported.status_code == 200 and imported.json() == {"imported": 1}
    made = call(
        client,
        "POST",
        "/api/v1/incidents",
        admin,
        {"title": "Defacement of the portal", "type": "web_intrusion", "loss": "serious"},
    )
    assert made.status_code == 201, made.text
    incident = made.json()
    assert incident["grade"] == "IV" and incident["tasks"][0]["phase"] == "triage"
    number = incident["id"]
    bad = call(
        client,
        "POST",
        f"/api/v1/incidents/{number}/transition",
        admin,
        {"phase": "recover", "reason": "skip"},
    )
    assert bad.status_code == 400 and "cannot move" in bad.json()["error"]["message"]
    moved = call(
        client,
        "POST",
        f"/api/v1/incidents/{number}/transition",
        admin,
        {"phase": "contain", "reason": "confirmed"},
    )
    assert moved.json()["phase"] == "contain"
    regraded = call(
        client,
        "POST",
        f"/api/v1/incidents/{number}/regrade",
        admin,
        {"grade": "II", "reason": "customer data exposed"},
    )
    assert regraded.json()["grade"] == "II"
    assert "escalate" in {d["kind"] for d in regraded.json()["deadlines"]}
    marked = call(
        client,
        "POST",
        f"/api/v1/incidents/{number}/mark",
        admin,
        {"milestone": "escalated", "note": "command group convened"},
    )
    clocks = {d["kind"]: d["state"] for d in marked.json()["deadlines"]}
    assert clocks["escalate"] == "met"
    task = marked.json()["tasks"][0]["id"]
    assert call(client, "POST", f"/api/v1/incidents/tasks/{task}/done", admin).status_code == 200
    note = call(client, "POST", f"/api/v1/incidents/{number}/notes", admin, {"text": "imaged disk"})
    assert note.status_code == 201
    detail = call(client, "GET", f"/api/v1/incidents/{number}", admin).json()
    assert [e["kind"] for e in detail["timeline"]][-1] == "note"
    pdf = call(client, "GET", f"/api/v1/incidents/{number}/report?lang=en", admin)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert "incident-" in pdf.headers["content-disposition"]
    html = call(client, "GET", f"/api/v1/incidents/{number}/report?format=html", admin)
    assert "安全事件处置报告" in html.text
    actions = {e.action for e in platform.audit_entries(limit=30)}
    assert {"incident.open", "incident.transition", "incident.regrade", "incident.mark"} <= actions


def test_roles_and_validation(platform: Platform, client: Client) -> None:
    reader = platform.tokens.create("dash", ["read"], actor="cli:root")
    writer = platform.tokens.create("soar", ["read", "write"], actor="cli:root")
    assert call(client, "GET", "/api/v1/incidents", reader).status_code == 200
    refused = call(client, "POST", "/api/v1/incidents", reader, {"title": "x"})
    assert refused.status_code == 403
    assert call(client, "PUT", "/api/v1/assets", writer, []).status_code == 403
    invalid = call(
        client, "POST", "/api/v1/incidents", writer, {"title": "x", "grade": "V", "extra": 1}
    )
    assert invalid.status_code == 422
    override = call(client, "POST", "/api/v1/incidents", writer, {"title": "x", "grade": "I"})
    assert override.status_code == 400 and "reason" in override.json()["error"]["message"]
    assert call(client, "GET", "/api/v1/incidents/999", reader).status_code == 404
    rejected = call(
        client,
        "POST",
        "/api/v1/assets/import",
        platform.tokens.create("adm", ["admin"], actor="cli:root"),
        {"format": "yaml", "content": "- {name: db, importance: vital}\n"},
    )
    assert rejected.status_code == 400 and rejected.json()["error"]["details"][0]["where"]


def test_evidence_is_sealed_hashed_and_every_access_is_in_custody(
    platform: Platform, client: Client
) -> None:
    import hashlib

    token = platform.tokens.create("ir", ["read", "write"], actor="cli:root")
    number = call(client, "POST", "/api/v1/incidents", token, {"title": "exfil"}).json()["id"]
    payload = b"pcap bytes \x00\x01 \xe4\xb8\xad" * 1000
    added = client.post(
        f"/api/v1/incidents/{number}/evidence?name=capture.pcap&description=from%20the%20tap",
        content=payload,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert added.status_code == 201, added.text
    item = added.json()
    assert item["sha256"] == hashlib.sha256(payload).hexdigest() and item["size"] == len(payload)
    sealed = list((platform.settings.home / "evidence").rglob("*.sealed"))
    assert len(sealed) == 1 and payload[:40] not in sealed[0].read_bytes()
    download = call(client, "GET", f"/api/v1/evidence/{item['id']}", token)
    assert download.content == payload
    assert download.headers["x-content-sha256"] == item["sha256"]
    custody = call(client, "GET", f"/api/v1/evidence/{item['id']}/custody", token).json()
    assert [(c["actor"], c["action"]) for c in custody] == [
        ("token:ir", "add"),
        ("token:ir", "download"),
    ]
    listed = call(client, "GET", f"/api/v1/incidents/{number}/evidence", token).json()
    assert [e["name"] for e in listed] == ["capture.pcap"]
    assert call(client, "GET", "/api/v1/evidence/" + "0" * 32, token).status_code == 404
    reader = platform.tokens.create("ro", ["read"], actor="cli:root")
    refused = client.post(
        f"/api/v1/incidents/{number}/evidence?name=x",
        content=b"x",
        headers={"Authorization": f"Bearer {reader}"},
    )
    assert refused.status_code == 403


def test_response_roles_over_the_api(platform: Platform, client: Client) -> None:
    platform.users.create("zhang.wei", "analyst", "Correct-Horse-7-Battery", actor="cli:root")
    admin = platform.tokens.create("adm", ["read", "admin"], actor="cli:root")
    reader = platform.tokens.create("ro", ["read"], actor="cli:root")
    added = call(client, "POST", "/api/v1/responders/command/zhang.wei", admin)
    assert added.status_code == 200 and added.json()["command"] == ["zhang.wei"]
    assert call(client, "POST", "/api/v1/responders/command/zhang.wei", reader).status_code == 403
    assert call(client, "POST", "/api/v1/responders/chefs/zhang.wei", admin).status_code == 422
    assert call(client, "POST", "/api/v1/responders/command/nobody", admin).status_code == 404
    listed = call(client, "GET", "/api/v1/responders", reader).json()
    assert listed == {"command": ["zhang.wei"], "technical": [], "communication": []}
    removed = call(client, "DELETE", "/api/v1/responders/command/zhang.wei", admin)
    assert removed.json()["command"] == []
