"""REST API v1: every scope against every endpoint class, tokens, errors; both backends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from garrison.alerts.query import AlertFilter
from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.serve.app import create_app
from garrison.settings import Settings
from tests.serve.test_app import ACCESS_BODY, Client

#: One request per endpoint class, and the scope it needs.
ENDPOINTS: list[tuple[str, str, str, dict[str, object] | None]] = [
    ("read", "GET", "/api/v1/alerts", None),
    ("read", "GET", "/api/v1/events?q=event.outcome:failure", None),
    ("read", "GET", "/api/v1/timeline/ip/10.0.0.5", None),
    ("read", "GET", "/api/v1/suppressions", None),
    (
        "write",
        "POST",
        "/api/v1/suppressions",
        {"conditions": {"source.ip": "10.0.0.0/8"}, "reason": "scanner"},
    ),
    ("audit", "GET", "/api/v1/audit", None),
    ("audit", "GET", "/api/v1/audit/verify", None),
    ("admin", "GET", "/api/v1/users", None),
    ("admin", "GET", "/api/v1/tokens", None),
    ("admin", "POST", "/api/v1/tokens", {"name": "new-one", "scopes": ["read"]}),
]

#: Scopes of people's roles, as tokens carry them (see auth/principal.py).
ROLES = {
    "admin": ["ingest", "read", "write", "audit", "admin"],
    "analyst": ["read", "write"],
    "auditor": ["read", "audit"],
    "ingest-only": ["ingest"],
}


@pytest.fixture
def platform(db_url: str, clock: FrozenClock, tmp_path: Path) -> Iterator[Platform]:
    plat = Platform.open(
        Settings(home=tmp_path / "home", database_url=db_url, timezone="UTC"), clock
    )
    yield plat
    plat.close()


@pytest.fixture
def client(platform: Platform) -> Client:
    return Client(create_app(platform))


def call(
    client: Client, method: str, url: str, token: str | None, body: dict[str, object] | None = None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.request(method, url, headers=headers, json=body)


@pytest.mark.parametrize("role", sorted(ROLES))
def test_each_role_reaches_exactly_its_endpoint_classes(
    platform: Platform, client: Client, role: str
) -> None:
    token = platform.tokens.create(f"t-{role}", ROLES[role], actor="cli:root")
    for scope, method, url, body in ENDPOINTS:
        response = call(client, method, url, token, body)
        if scope in ROLES[role]:
            assert response.status_code in (200, 201), (role, url, response.text)
        else:
            assert response.status_code == 403, (role, url, response.text)
            assert response.json()["error"]["code"] == "auth.forbidden"


def test_missing_revoked_and_expired_tokens_are_refused(
    platform: Platform, client: Client, clock: FrozenClock
) -> None:
    assert call(client, "GET", "/api/v1/alerts", None).status_code == 401
    assert call(client, "GET", "/api/v1/alerts", "gat_not-a-token").status_code == 401
    token = platform.tokens.create(
        "kestra", ["read"], actor="cli:root", expires_in=timedelta(days=1)
    )
    assert call(client, "GET", "/api/v1/alerts", token).status_code == 200
    platform.tokens.revoke("kestra", actor="cli:root")
    response = call(client, "GET", "/api/v1/alerts", token)
    assert response.status_code == 401 and response.headers["www-authenticate"] == "Bearer"
    other = platform.tokens.create(
        "script", ["read"], actor="cli:root", expires_in=timedelta(days=1)
    )
    clock.advance(timedelta(days=1))
    assert call(client, "GET", "/api/v1/alerts", other).status_code == 401
    (listed, first) = platform.tokens.list()
    assert not listed["active"] and not first["active"] and first["revoked_at"]


def test_changes_through_the_api_are_audited_with_the_token(
    platform: Platform, client: Client
) -> None:
    admin = platform.tokens.create("ops", ROLES["admin"], actor="cli:root")
    made = call(
        client,
        "POST",
        "/api/v1/suppressions",
        admin,
        {
            "rule_id": "r1",
            "conditions": {"user.name": "svc-*"},
            "reason": "batch",
            "duration_minutes": 60,
        },
    )
    assert made.status_code == 201 and made.json()["until"]
    ident = made.json()["id"]
    gone = client.request(
        "DELETE",
        f"/api/v1/suppressions/{ident}?reason=done",
        headers={"Authorization": f"Bearer {admin}"},
    )
    assert gone.status_code == 204
    created = call(client, "POST", "/api/v1/tokens", admin, {"name": "agent", "scopes": ["ingest"]})
    secret = created.json()["token"]
    assert secret.startswith("gat_")
    entries = call(client, "GET", "/api/v1/audit", admin).json()
    assert [(e["actor"], e["action"]) for e in entries[:3]] == [
        ("token:ops", "token.create"),
        ("token:ops", "suppression.remove"),
        ("token:ops", "suppression.create"),
    ]
    assert secret not in str(entries)
    assert call(client, "GET", "/api/v1/audit/verify", admin).json()["ok"] is True
    # The new ingest token pushes events.
    pushed = client.request(
        "POST",
        "/api/v1/ingest?format=access",
        content=ACCESS_BODY,
        headers={"Authorization": f"Bearer {secret}"},
    )
    assert pushed.status_code == 200 and pushed.json()["stored"] == 3
    refused = client.request(
        "POST",
        "/api/v1/ingest",
        content=ACCESS_BODY,
        headers={"Authorization": f"Bearer {admin.replace('gat_', 'gat_x')}"},
    )
    assert refused.status_code == 401


def test_errors_are_json_with_stable_codes(platform: Platform, client: Client) -> None:
    token = platform.tokens.create("ops", ROLES["admin"], actor="cli:root")
    missing = call(client, "GET", "/api/v1/alerts/999", token)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    invalid = call(client, "POST", "/api/v1/suppressions", token, {"reason": "", "bogus": 1})
    assert invalid.status_code == 422
    assert invalid.json()["error"]["code"] == "input.invalid"
    assert {d["where"] for d in invalid.json()["error"]["details"]} >= {"body.reason", "body.bogus"}
    bad = call(client, "GET", "/api/v1/alerts?status=open", token)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "input.invalid"
    everything = call(client, "POST", "/api/v1/suppressions", token, {"reason": "x"})
    assert everything.status_code == 400
    assert "rule or at least one field condition" in everything.json()["error"]["message"]
    reader = platform.tokens.create("reader", ["read"], actor="cli:root")
    cannot_ingest = client.request(
        "POST", "/api/v1/ingest", content=ACCESS_BODY, headers={"Authorization": f"Bearer {reader}"}
    )
    assert cannot_ingest.status_code == 403


def test_triage_through_the_api_and_the_false_positive_rate(
    platform: Platform, client: Client, tmp_path: Path
) -> None:
    from tests.alerts.test_live import failures, store

    store(platform, tmp_path, "a.log", failures(0, 6))
    platform.detect()
    analyst = platform.tokens.create("analyst", ROLES["analyst"], actor="cli:root")
    auditor = platform.tokens.create("auditor", ROLES["auditor"], actor="cli:root")
    alerts = call(client, "GET", "/api/v1/alerts", analyst).json()
    first = alerts[0]["id"]
    url = f"/api/v1/alerts/{first}"
    assert call(client, "POST", url + "/acknowledge", auditor, {"reason": "x"}).status_code == 403
    acked = call(client, "POST", url + "/acknowledge", analyst, {"reason": "looking"})
    assert acked.status_code == 200 and acked.json()["status"] == "acknowledged"
    assert acked.json()["status_by"] == "token:analyst"
    no_verdict = call(client, "POST", url + "/close", analyst, {"reason": "done"})
    assert no_verdict.status_code == 400 and "verdict" in no_verdict.json()["error"]["message"]
    closed = call(
        client,
        "POST",
        url + "/close",
        analyst,
        {"reason": "our pentest", "resolution": "false_positive"},
    )
    assert closed.json()["status"] == "closed" and closed.json()["resolution"] == "false_positive"
    bad = call(client, "POST", url + "/explode", analyst, {"reason": "x"})
    assert bad.status_code == 422
    (verdict,) = call(client, "GET", "/api/v1/alerts/verdicts", analyst).json()
    assert verdict["false_positive"] == 1 and verdict["false_positive_rate"] == 1.0
    trail = call(client, "GET", "/api/v1/audit?action=alert.", auditor).json()
    assert [e["action"] for e in trail] == ["alert.close", "alert.acknowledge"]


def test_event_search_and_timeline(platform: Platform, client: Client) -> None:
    token = platform.tokens.create("ops", ROLES["admin"], actor="cli:root")
    pushed = client.request(
        "POST",
        "/api/v1/ingest?format=access",
        content=ACCESS_BODY,
        headers={"Authorization": f"Bearer {token}"},
    )
    assert pushed.status_code == 200
    found = call(
        client,
        "GET",
        "/api/v1/events?q=http.response.status_code:[400 TO 599]&since=2026-11-01",
        token,
    ).json()
    assert sorted(e["source.ip"] for e in found) == ["198.51.100.23", "198.51.100.8"]
    line = call(client, "GET", "/api/v1/timeline/ip/203.0.113.9", token).json()
    assert [e["source.ip"] for e in line] == ["203.0.113.9"]
    broken = call(client, "GET", "/api/v1/events?q=(unclosed", token)
    assert broken.status_code == 400 and broken.json()["error"]["code"] == "query.syntax"
    bad_kind = call(client, "GET", "/api/v1/timeline/planet/earth", token)
    assert bad_kind.status_code == 422


def test_auditors_export_the_trail_as_csv_and_ndjson(platform: Platform, client: Client) -> None:
    import csv
    import io

    import orjson

    auditor = platform.tokens.create("auditor", ROLES["auditor"], actor="cli:root")
    # An attacker-chosen login name lands in the audit trail: it must not become a formula.
    platform.users.authenticate('=HYPERLINK("http://evil")', "x", source="203.0.113.9")
    response = call(client, "GET", "/api/v1/audit/export?format=csv", auditor)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="garrison-audit.csv"'
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert [r["action"] for r in rows] == ["token.create", "login.failure"]
    assert rows[1]["target"] == 'user:=HYPERLINK("http://evil")'
    nd = call(client, "GET", "/api/v1/audit/export?format=ndjson&action=login.", auditor)
    (entry,) = [orjson.loads(line) for line in nd.content.splitlines()]
    assert entry["action"] == "login.failure" and entry["details"]["source"] == "203.0.113.9"
    analyst = platform.tokens.create("analyst", ROLES["analyst"], actor="cli:root")
    assert call(client, "GET", "/api/v1/audit/export", analyst).status_code == 403


RULE_FILE = """title: Root login from the VPN pool
id: 0b8a4c1e-1111-4222-8333-944445555777
logsource:
    product: linux
    service: auth
detection:
    selection:
        user.name: root
        event.outcome: success
    condition: selection
level: high
"""


def test_rules_list_switch_and_upload(platform: Platform, client: Client, tmp_path: Path) -> None:
    from tests.alerts.test_live import failures, store

    writer = platform.tokens.create("writer", ROLES["analyst"], actor="cli:root")
    rules = call(client, "GET", "/api/v1/rules", writer).json()
    brute = next(r for r in rules if r["title"] == "SSH brute force from one source")
    assert brute["enabled"] and brute["origin"] == "builtin" and brute["kind"].startswith("corr")
    off = call(
        client,
        "POST",
        f"/api/v1/rules/{brute['id']}/disable",
        writer,
        {"reason": "too noisy during the pentest"},
    )
    assert off.status_code == 200 and off.json()["enabled"] is False
    store(platform, tmp_path, "a.log", failures(0, 6))
    platform.detect()
    titles = [a.alert.title for a in platform.alerts.search(AlertFilter())]
    assert "SSH brute force from one source" not in titles
    assert (
        call(client, "POST", "/api/v1/rules/nope/disable", writer, {"reason": "x"}).status_code
        == 404
    )
    broken = call(
        client,
        "POST",
        "/api/v1/rules",
        writer,
        {
            "name": "mine.yml",
            "content": RULE_FILE.replace("condition: selection", "condition: selectoin"),
        },
    )
    assert broken.status_code == 400
    (problem,) = broken.json()["error"]["details"]
    assert problem["line"] >= 1 and problem["severity"] == "error"
    ok = call(client, "POST", "/api/v1/rules", writer, {"name": "mine.yml", "content": RULE_FILE})
    assert ok.status_code == 201 and ok.json()["rules"] == ["Root login from the VPN pool"]
    again = call(
        client, "POST", "/api/v1/rules", writer, {"name": "copy.yml", "content": RULE_FILE}
    )
    assert again.status_code == 400 and "duplicate rule id" in str(again.json())
    mine = [
        r for r in call(client, "GET", "/api/v1/rules", writer).json() if r["origin"] == "custom"
    ]
    assert [r["title"] for r in mine] == ["Root login from the VPN pool"]
    actions = [e.action for e in platform.audit_entries(action="rule.")]
    assert actions == ["rule.upload", "rule.disable"]


def test_admins_manage_accounts_over_the_api(platform: Platform, client: Client) -> None:
    admin = platform.tokens.create("ops", ROLES["admin"], actor="cli:root")
    analyst = platform.tokens.create("analyst", ROLES["analyst"], actor="cli:root")
    body = {"name": "wang.fang", "role": "auditor", "password": "Correct-Horse-7-Battery"}
    assert call(client, "POST", "/api/v1/users", analyst, body).status_code == 403
    made = call(client, "POST", "/api/v1/users", admin, body)
    assert made.status_code == 201 and made.json()["role"] == "auditor"
    assert "password" not in made.text.lower().replace("password_changed_at", "")
    weak = call(
        client, "POST", "/api/v1/users", admin, {**body, "name": "x.y", "password": "123456"}
    )
    assert weak.status_code == 400 and "policy" in weak.json()["error"]["message"]
    off = call(client, "POST", "/api/v1/users/wang.fang/disable", admin, {"reason": "left"})
    assert off.status_code == 200 and off.json()["disabled"] is True
    reset = call(client, "POST", "/api/v1/users/wang.fang/reset-mfa", admin, {"reason": "phone"})
    assert reset.json()["totp_uri"].startswith("otpauth://")
    missing = call(client, "POST", "/api/v1/users/nobody/enable", admin, {"reason": "x"})
    assert missing.status_code == 404
    actions = [e.action for e in platform.audit_entries(action="user.")]
    assert actions == ["user.reset_mfa", "user.disable", "user.create"]
