"""The rules page: catalogue and filters, switching rules in place (audited), uploads, detail."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from garrison.alerts.query import STATUSES, AlertFilter
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.platform import Platform
from tests.web.conftest import Browser

BRUTE = "SSH brute force from one source"
GOOD = """title: Root login from the VPN pool
id: 44444444-4444-4444-8444-444444444444
description: Root should never log in over the VPN.
logsource: {product: linux, service: auth}
detection:
    sel:
        user.name: root
        event.action: ssh_login
    condition: sel
level: high
tags: [attack.initial-access, attack.t1078]
"""
#: Line 9 names a detection that does not exist.
BAD = GOOD.replace("    condition: sel", "    condition: selectoin")
#: Not YAML: the parser stops at line 8.
NOT_YAML = GOOD.replace("    sel:\n", "    sel: [\n")
HOSTILE = """title: <script>alert(1)</script>
id: 55555555-5555-4555-8555-555555555555
description: <img src=x onerror=alert(2)>
references:
    - javascript:alert(3)
    - https://example.com/advisory
logsource: {product: linux, service: auth}
detection:
    sel: {event.action: ssh_login}
    condition: sel
level: low
"""


def rows(page: Any) -> dict[str, str]:
    """Rule id -> ``true``/``false`` (enabled) of the rows on a rules page."""
    found = re.findall(r'data-rule-id="([^"]+)" data-enabled="(true|false)"', page.text)
    return {html.unescape(rule_id): state for rule_id, state in found}


def rule_id(platform: Platform, title: str) -> str:
    """The id of the rule with ``title``."""
    return next(r["id"] for r in platform.rulebook.catalog() if r["title"] == title)


def test_every_role_sees_the_catalogue_only_writers_see_actions(
    platform: Platform, people: dict[str, Browser]
) -> None:
    catalog = platform.rulebook.catalog()
    for role, browser in people.items():
        page: Any = browser.get("/rules")
        assert page.status_code == 200, role
        assert len(rows(page)) == len(catalog)
        assert f'data-testid="count-total">{len(catalog)}<' in page.text
        writer = role in ("admin", "analyst")
        assert ('data-testid="switch"' in page.text) is writer
        assert ('data-testid="upload-form"' in page.text) is writer
    # ATT&CK tags link to MITRE; the level badge is there.
    page = people["analyst"].get("/rules")
    assert 'href="https://attack.mitre.org/techniques/T1110/001/"' in page.text
    assert 'class="badge level-high"' in page.text


def test_filters_by_text_level_origin_and_state(
    platform: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    brute = rule_id(platform, BRUTE)
    found = rows(analyst.get("/rules?q=BRUTE+force"))
    titles = {r["id"]: r["title"] for r in platform.rulebook.catalog()}
    assert brute in found and all("brute force" in titles[i].lower() for i in found)
    assert set(rows(analyst.get(f"/rules?q={brute.upper()}"))) == {brute}
    critical = rows(analyst.get("/rules?level=critical"))
    expected = {r["id"] for r in platform.rulebook.catalog() if r["level"] == "critical"}
    assert set(critical) == expected and expected
    custom: Any = analyst.get("/rules?origin=custom")
    assert rows(custom) == {} and "No rule matches these filters." in custom.text
    platform.rulebook.set_enabled(brute, False, actor="user:li.na", reason="pentest week")
    assert rows(analyst.get("/rules?state=disabled")) == {brute: "false"}
    assert brute not in rows(analyst.get("/rules?state=enabled"))
    # Unknown filter values are ignored rather than failing.
    assert len(rows(analyst.get("/rules?level=bogus&origin=x&state=y"))) == len(titles)


def test_switching_a_rule_in_place_is_audited(
    platform: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    brute = rule_id(platform, BRUTE)
    off: Any = analyst.post(
        f"/rules/{brute}/disable", {"reason": "noisy during the pentest"}, htmx=True
    )
    assert off.status_code == 200
    assert off.text.lstrip().startswith("<tr") and rows(off) == {brute: "false"}
    assert off.headers["X-Garrison-Message"] == "Rule%20disabled"
    assert next(r for r in platform.rulebook.catalog() if r["id"] == brute)["enabled"] is False
    (entry,) = platform.audit_entries(limit=1, action="rule.")
    assert (entry.actor, entry.action, entry.target) == (
        "user:li.na",
        "rule.disable",
        f"rule:{brute}",
    )
    assert entry.details == {"reason": "noisy during the pentest"}
    # A plain form (the rule's page) goes back to the rule, which shows the history.
    on: Any = analyst.post(f"/rules/{brute}/enable", {"reason": "pentest over"})
    assert on.status_code == 303 and on.headers["location"] == f"/rules/{brute}"
    assert next(r for r in platform.rulebook.catalog() if r["id"] == brute)["enabled"] is True
    detail: Any = analyst.get(on.headers["location"])
    assert "pentest over" in detail.text and "noisy during the pentest" in detail.text
    actions = [e.action for e in platform.audit_entries(limit=10, action="rule.")]
    assert actions == ["rule.enable", "rule.disable"]


def test_switching_needs_write_scope_a_reason_and_the_csrf_token(
    platform: Platform, people: dict[str, Browser]
) -> None:
    brute = rule_id(platform, BRUTE)
    auditor: Any = people["auditor"].post(f"/rules/{brute}/disable", {"reason": "x"}, htmx=True)
    assert auditor.status_code == 403
    page: Any = people["auditor"].post(f"/rules/{brute}/disable", {"reason": "x"})
    assert page.status_code == 403 and "403" in page.text
    analyst = people["analyst"]
    no_csrf = analyst.client.post(f"/rules/{brute}/disable", data={"reason": "x"})
    assert no_csrf.status_code == 403
    wrong = analyst.client.post(
        f"/rules/{brute}/disable",
        data={"reason": "x"},
        headers={"HX-Request": "true", "X-CSRF-Token": "forged"},
    )
    assert wrong.status_code == 403
    missing: Any = analyst.post(f"/rules/{brute}/disable", {}, htmx=True)
    assert missing.status_code == 422
    blank: Any = analyst.post(f"/rules/{brute}/disable", {"reason": "   "}, htmx=True)
    assert blank.status_code == 400 and "reason" in blank.text
    unknown: Any = analyst.post("/rules/no-such-rule/disable", {"reason": "x"}, htmx=True)
    assert unknown.status_code == 404
    too_long: Any = analyst.post(f"/rules/{'x' * 300}/disable", {"reason": "x"}, htmx=True)
    assert too_long.status_code == 422
    assert all(r["enabled"] for r in platform.rulebook.catalog())
    assert platform.audit_entries(limit=10, action="rule.") == []


def test_pasted_rules_are_checked_stored_and_audited(
    platform: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    page: Any = analyst.post("/rules/upload", {"name": "vpn", "text": GOOD})
    assert page.status_code == 200, page.text
    assert 'data-testid="upload-ok"' in page.text
    assert "Stored vpn.yml. Rules added: 1" in page.text
    assert "<li>Root login from the VPN pool</li>" in page.text
    custom = [r for r in platform.rulebook.catalog() if r["origin"] == "custom"]
    assert [r["title"] for r in custom] == ["Root login from the VPN pool"]
    assert rows(page)["44444444-4444-4444-8444-444444444444"] == "true"
    (entry,) = platform.audit_entries(limit=1, action="rule.upload")
    assert entry.actor == "user:li.na" and entry.target == "rule-file:vpn.yml"


def test_a_rule_file_can_be_picked(platform: Platform, people: dict[str, Browser]) -> None:
    analyst = people["analyst"]
    page = analyst.client.post(
        "/rules/upload",
        data={"csrf": analyst.csrf, "name": "", "text": ""},
        files={"file": ("C:\\rules\\vpn_rules.yaml", GOOD.encode(), "application/yaml")},
    )
    assert page.status_code == 200, page.text
    assert "Stored vpn_rules.yml." in page.text
    # The same, without the CSRF token: refused, nothing stored.
    refused = analyst.client.post(
        "/rules/upload", files={"file": ("other.yml", GOOD.encode(), "application/yaml")}
    )
    assert refused.status_code == 403
    assert [e.target for e in platform.audit_entries(limit=5, action="rule.upload")] == [
        "rule-file:vpn_rules.yml"
    ]


def test_a_refused_file_shows_its_problems_by_line_and_nothing_is_stored(
    platform: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    page: Any = analyst.post("/rules/upload", {"name": "vpn.yml", "text": BAD})
    assert page.status_code == 400
    assert 'data-testid="upload-problems"' in page.text
    lines = re.findall(r'data-testid="problem-line">(\d+)<', page.text)
    assert lines == ["9"]
    assert "selectoin" in page.text and "<code>    condition: selectoin</code>" in page.text
    # The pasted text and name are kept for fixing, and the upload area is open.
    assert html.escape(BAD, quote=False) in page.text and 'value="vpn.yml"' in page.text
    assert re.search(r'data-testid="upload" open', page.text)
    not_yaml: Any = analyst.post("/rules/upload", {"name": "vpn.yml", "text": NOT_YAML})
    assert not_yaml.status_code == 400
    assert re.findall(r'data-testid="problem-line">(\d+)<', not_yaml.text) == ["8"]
    assert "invalid YAML" in not_yaml.text
    picked = analyst.client.post(
        "/rules/upload",
        data={"csrf": analyst.csrf},
        files={"file": ("vpn.yml", BAD.encode(), "application/yaml")},
    )
    assert picked.status_code == 400 and 'data-testid="problem-line">9<' in picked.text
    assert [r for r in platform.rulebook.catalog() if r["origin"] == "custom"] == []
    assert platform.audit_entries(limit=5, action="rule.upload") == []
    assert not (platform.settings.home / "rules" / "vpn.yml").exists()


def test_upload_input_errors_are_explained(platform: Platform, people: dict[str, Browser]) -> None:
    analyst = people["analyst"]
    cases = {
        "choose a rule file or paste its YAML text": {"name": "a.yml", "text": "  "},
        "give the pasted rules a file name": {"name": "", "text": GOOD},
        "invalid rule file name": {"name": "../../etc/passwd", "text": GOOD},
        "holds no rule": {"name": "empty.yml", "text": "# nothing\n"},
    }
    for message, form in cases.items():
        page: Any = analyst.post("/rules/upload", form)
        assert page.status_code == 400, message
        assert 'data-testid="upload-error"' in page.text and message in page.text, message
    both = analyst.client.post(
        "/rules/upload",
        data={"csrf": analyst.csrf, "name": "a.yml", "text": GOOD},
        files={"file": ("b.yml", GOOD.encode(), "application/yaml")},
    )
    assert both.status_code == 400 and "not both" in both.text
    latin = analyst.client.post(
        "/rules/upload",
        data={"csrf": analyst.csrf},
        files={"file": ("c.yml", "title: café".encode("latin-1"), "application/yaml")},
    )
    assert latin.status_code == 400 and "not UTF-8" in latin.text
    auditor: Any = people["auditor"].post("/rules/upload", {"name": "a.yml", "text": GOOD})
    assert auditor.status_code == 403
    assert platform.audit_entries(limit=5, action="rule.upload") == []


def _brute_force(platform: Platform, tmp_path: Path) -> None:
    lines = [
        f"Nov 23 10:00:{s:02d} bastion sshd[{4000 + s}]: Failed password for root"
        f" from 203.0.113.45 port {40000 + s} ssh2"
        for s in range(0, 30, 5)
    ]
    path = tmp_path / "auth.log"
    path.write_text("\n".join(lines) + "\n")
    summary = IngestSummary()
    ingest_path(
        str(path),
        sink=platform.store,
        summary=summary,
        options=IngestOptions(year=2026),
        clock=platform.clock,
    )
    platform.detect()


def test_a_rule_page_shows_its_yaml_alerts_and_history(
    platform: Platform, people: dict[str, Browser], tmp_path: Path
) -> None:
    _brute_force(platform, tmp_path)
    brute = rule_id(platform, BRUTE)
    (alert,) = platform.alerts.search(AlertFilter(rule_id=brute, statuses=tuple(STATUSES)))
    for role, browser in people.items():
        page: Any = browser.get(f"/rules/{brute}")
        assert page.status_code == 200, role
        assert f'href="/alerts/{alert.id}"' in page.text
        assert '<pre class="code" data-testid="rule-text">' in page.text
        assert f"id: {brute}" in page.text
        assert ('data-testid="switch-form"' in page.text) is (role != "auditor")
    missing: Any = people["analyst"].get("/rules/no-such-rule")
    assert missing.status_code == 404
    quiet: Any = people["analyst"].get(f"/rules/{rule_id(platform, 'Web shell access')}")
    assert "This rule has not raised an alert yet." in quiet.text


def test_values_from_rule_files_are_escaped(platform: Platform, people: dict[str, Browser]) -> None:
    analyst = people["analyst"]
    page: Any = analyst.post("/rules/upload", {"name": "hostile.yml", "text": HOSTILE})
    assert page.status_code == 200, page.text
    listing: Any = analyst.get("/rules?q=script")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in listing.text
    assert "<script>alert(1)" not in listing.text
    detail: Any = analyst.get("/rules/55555555-5555-4555-8555-555555555555")
    assert "<script>alert(1)" not in detail.text and "<img src=x" not in detail.text
    assert "&lt;img src=x onerror=alert(2)&gt;" in detail.text
    # Only web links become links: javascript: stays text.
    assert 'href="javascript:' not in detail.text and "javascript:alert(3)" in detail.text
    assert 'href="https://example.com/advisory"' in detail.text
    # The q filter is echoed back escaped.
    echoed: Any = analyst.get("/rules?q=%22%3E%3Cscript%3E")
    assert 'value="&#34;&gt;&lt;script&gt;"' in echoed.text


def test_a_rule_known_only_by_its_title_can_be_opened_and_switched(
    platform: Platform, people: dict[str, Browser]
) -> None:
    analyst = people["analyst"]
    untitled = "title: SSH/RDP 异常登录\nlogsource: {product: linux, service: auth}\n"
    untitled += "detection:\n    sel: {event.action: x}\n    condition: sel\nlevel: low\n"
    page: Any = analyst.post("/rules/upload", {"name": "by_title", "text": untitled})
    assert page.status_code == 200, page.text
    href = "/rules/SSH/RDP%20%E5%BC%82%E5%B8%B8%E7%99%BB%E5%BD%95"
    assert f'href="{href}"' in page.text
    detail: Any = analyst.get(href)
    assert detail.status_code == 200 and "SSH/RDP 异常登录" in detail.text
    assert "The YAML text of this rule cannot be shown" in detail.text
    off: Any = analyst.post(f"{href}/disable", {"reason": "duplicate"}, htmx=True)
    assert off.status_code == 200 and rows(off) == {"SSH/RDP 异常登录": "false"}
    on: Any = analyst.post(f"{href}/enable", {"reason": "needed"})
    back: Any = analyst.get(on.headers["location"])
    assert on.status_code == 303 and back.status_code == 200
    targets = [e.target for e in platform.audit_entries(limit=2, action="rule.")]
    assert targets == ["rule:SSH/RDP 异常登录"] * 2
