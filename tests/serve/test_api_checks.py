"""The checks API: scopes, ad-hoc and target scans, findings with filters, SARIF, reports."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient as Client

from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings

COMPOSE = """services:
  agent:
    image: registry.example.com/agent:1.4
    user: root
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
"""
SCRIPT = "#!/bin/sh\ndocker run --user=root -v /var/run/docker.sock:/var/run/docker.sock img\n"


@pytest.fixture
def platform(clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(Settings(home=tmp_path / "home", timezone="Asia/Shanghai"), clock)
    yield plat
    plat.close()


@pytest.fixture
def client(platform: Platform) -> Client:
    return Client(create_app(platform))


@pytest.fixture
def tokens(platform: Platform) -> dict[str, str]:
    return {
        "read": platform.tokens.create("dash", ["read"], actor="cli:root"),
        "write": platform.tokens.create("soar", ["read", "write"], actor="cli:root"),
        "admin": platform.tokens.create("ops", ["read", "write", "admin"], actor="cli:root"),
    }


@pytest.fixture
def deploy(tmp_path: Path) -> Path:
    folder = tmp_path / "deploy"
    folder.mkdir()
    (folder / "docker-compose.yml").write_text(COMPOSE)
    (folder / "run.sh").write_text(SCRIPT)
    return folder


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


def test_checks_are_listed_with_their_metadata(client: Client, tokens: dict[str, str]) -> None:
    listed = call(client, "GET", "/api/v1/checks", tokens["read"])
    assert listed.status_code == 200
    by_id = {c["id"]: c for c in listed.json()}
    sock = by_id["docker_run_docker_sock"]
    assert sock["severity"] == "critical" and sock["title"]["zh-CN"] and sock["title"]["en"]
    assert sock["mappings"]["dengbao"]
    assert client.get("/api/v1/checks").status_code == 401


def test_an_ad_hoc_scan_and_its_findings(
    client: Client, tokens: dict[str, str], deploy: Path
) -> None:
    body = {"kind": "config", "address": str(deploy)}
    assert call(client, "POST", "/api/v1/scans", tokens["write"], body).status_code == 403
    made = call(client, "POST", "/api/v1/scans", tokens["admin"], body)
    assert made.status_code == 201, made.text
    scan = made.json()
    failures = {(f["check_id"], Path(f["resource"]).name, f["line"]) for f in scan["failures"]}
    assert ("docker_run_docker_sock", "run.sh", 2) in failures
    assert ("compose_root_user", "docker-compose.yml", 4) in failures
    assert scan["previous_id"] is None and scan["alerted"] >= 2
    assert scan["created_by"] == "token:ops"
    assert scan["counts"]["fail"] == len(scan["failures"]) and "dengbao" in scan["scores"]
    number = scan["id"]

    listed = call(client, "GET", "/api/v1/scans", tokens["read"], kind="config").json()
    assert [s["id"] for s in listed] == [number]
    assert call(client, "GET", "/api/v1/scans", tokens["read"], kind="host").json() == []
    assert call(client, "GET", "/api/v1/scans", tokens["read"], kind="db").status_code == 422
    one = call(client, "GET", f"/api/v1/scans/{number}", tokens["read"]).json()
    assert one["id"] == number and one["previous_id"] is None and one["kind"] == "config"

    url = f"/api/v1/scans/{number}/findings"
    failed = call(client, "GET", url, tokens["read"], status="fail").json()
    assert failed and {f["status"] for f in failed} == {"fail"}
    assert len(failed) == len(scan["failures"]) and all(f["scan_id"] == number for f in failed)
    critical = call(client, "GET", url, tokens["read"], status="fail", severity="critical").json()
    assert {f["check_id"] for f in critical} == {"compose_docker_sock", "docker_run_docker_sock"}
    both = call(client, "GET", url, tokens["read"], severity=["critical", "high"]).json()
    assert {f["severity"] for f in both} == {"critical", "high"}
    assert call(client, "GET", url, tokens["read"], status="broken").status_code == 422
    assert call(client, "GET", url, tokens["read"], severity="urgent").status_code == 422
    only = call(client, "GET", url, tokens["read"], check_id="docker_run_root_user").json()
    assert [f["line"] for f in only] == [2]

    finding = call(client, "GET", f"/api/v1/findings/{only[0]['id']}", tokens["read"])
    assert finding.status_code == 200 and finding.json() == only[0]
    assert call(client, "GET", "/api/v1/findings/99999", tokens["read"]).status_code == 404
    for missing in ("", "/findings", "/sarif", "/report?format=html"):
        got = call(client, "GET", f"/api/v1/scans/99999{missing}", tokens["read"])
        assert got.status_code == 404, missing
    assert call(client, "GET", "/api/v1/scans/0", tokens["read"]).status_code == 422

    sarif = call(client, "GET", f"/api/v1/scans/{number}/sarif", tokens["read"]).json()
    assert sarif["version"] == "2.1.0"
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"docker_run_docker_sock", "compose_root_user"} <= rules

    report = call(
        client,
        "GET",
        f"/api/v1/scans/{number}/report",
        tokens["read"],
        format="html",
        language="en",
    )
    assert report.status_code == 200 and "text/html" in report.headers["content-type"]
    assert "Cybersecurity Audit Report" in report.text
    assert f"audit-report-{number}-en.html" in report.headers["content-disposition"]
    bad = call(client, "GET", f"/api/v1/scans/{number}/report", tokens["read"], format="doc")
    assert bad.status_code == 422


def test_ad_hoc_scans_are_validated(client: Client, tokens: dict[str, str], tmp_path: Path) -> None:
    admin = tokens["admin"]
    missing = {"kind": "config", "address": str(tmp_path / "nothing")}
    refused = call(client, "POST", "/api/v1/scans", admin, missing)
    assert refused.status_code == 400 and "no such file" in refused.json()["error"]["message"]
    for body in (
        {"kind": "db", "address": "x"},
        {"kind": "config", "address": ""},
        {"kind": "config", "address": str(tmp_path), "extra": 1},
    ):
        assert call(client, "POST", "/api/v1/scans", admin, body).status_code == 422, body
    unknown = {"kind": "config", "address": str(tmp_path), "checks": ["no_such_check"]}
    assert call(client, "POST", "/api/v1/scans", admin, unknown).status_code == 400


def test_scan_targets_through_their_life(
    client: Client, platform: Platform, tokens: dict[str, str], deploy: Path
) -> None:
    url = "/api/v1/scan-targets/deploy"
    body = {"kind": "config", "address": str(deploy), "schedule": "0 7 * * 1-5"}
    assert call(client, "PUT", url, tokens["read"], body).status_code == 403
    assert call(client, "PUT", url, tokens["write"], body).status_code == 403
    bad = call(client, "PUT", url, tokens["admin"], {**body, "schedule": "every morning"})
    assert bad.status_code == 400 and "schedule" in bad.json()["error"]["message"]
    secret = call(client, "PUT", url, tokens["admin"], {**body, "options": {"password": "x"}})
    assert secret.status_code == 400
    bad_name = call(client, "PUT", "/api/v1/scan-targets/-bad", tokens["admin"], body)
    assert bad_name.status_code == 422
    saved = call(client, "PUT", url, tokens["admin"], body)
    assert saved.status_code == 200, saved.text
    # 2026-11-23 12:00 UTC is Monday 20:00 in Shanghai: Tuesday 07:00 there.
    assert saved.json()["next_run"] == "2026-11-23T23:00:00+00:00"

    listed = call(client, "GET", "/api/v1/scan-targets", tokens["read"]).json()
    assert [(t["name"], t["kind"], t["schedule"]) for t in listed] == [
        ("deploy", "config", "0 7 * * 1-5")
    ]

    run = "/api/v1/scan-targets/deploy/run"
    assert call(client, "POST", run, tokens["read"]).status_code == 403
    first = call(client, "POST", run, tokens["write"])
    assert first.status_code == 201, first.text
    assert first.json()["target"] == "deploy" and first.json()["target_id"] == listed[0]["id"]
    assert first.json()["failures"]
    second = call(client, "POST", run, tokens["write"]).json()
    assert second["previous_id"] == first.json()["id"] and second["alerted"] == 0
    scans = call(client, "GET", "/api/v1/scans", tokens["read"], target="deploy").json()
    assert [s["id"] for s in scans] == [second["id"], first.json()["id"]]
    assert call(client, "POST", "/api/v1/scan-targets/nope/run", tokens["write"]).status_code == (
        404
    )

    assert call(client, "DELETE", url, tokens["write"]).status_code == 403
    assert call(client, "DELETE", url, tokens["admin"]).status_code == 204
    assert call(client, "DELETE", url, tokens["admin"]).status_code == 404
    assert call(client, "GET", "/api/v1/scan-targets", tokens["read"]).json() == []
    # The history stays.
    assert len(call(client, "GET", "/api/v1/scans", tokens["read"]).json()) == 2
    actions = {e.action for e in platform.audit_entries(limit=20)}
    assert {"scan_target.add", "scan_target.remove", "scan.run"} <= actions
