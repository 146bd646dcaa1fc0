"""The compliance pages: targets, scan now, target editing, scans, findings, charts, downloads."""

from __future__ import annotations

import json
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from garrison.checks import loader
from garrison.checks.base import Status
from garrison.checks.metadata import Metadata
from garrison.checks.scan import Finding, Scan
from garrison.checks.targets import ScanTarget
from garrison.compliance import Compliance, Outcome
from garrison.core.errors import ConfigError, InputError
from garrison.platform import Platform
from garrison.web.views import checks_common
from garrison.web.views.checks_common import Diff, diff, score_class, score_text
from tests.web.conftest import Browser

XSS = "<script>alert(1)</script>"
CONTAINER = Path(loader.ROOT) / "container"
DOCKER = {"dengbao": ("8.1.4.2 c)",), "cis": ("Docker 4.1",), "iso27001": ("A.8.2",)}


def _text(response: object) -> str:
    return response.text  # type: ignore[attr-defined,no-any-return]


def _status(response: object) -> int:
    return response.status_code  # type: ignore[attr-defined,no-any-return]


def _headers(response: object) -> Any:
    return response.headers  # type: ignore[attr-defined]


def _finding(
    check_id: str,
    status: Status,
    resource: str,
    *,
    severity: str = "high",
    target: str = "web-01",
    message: str = "the container runs as root",
    line: int | None = 3,
    expected: str | None = "a non-root user",
    actual: str | None = "root",
    frameworks: dict[str, tuple[str, ...]] | None = None,
) -> Finding:
    return Finding(
        check_id=check_id,
        status=status,
        severity=severity,
        target=target,
        resource=resource,
        message=message,
        line=line,
        expected=expected,
        actual=actual,
        frameworks=DOCKER if frameworks is None else frameworks,
    )


def _scores(dengbao: float | None, cis: float | None = 50.0) -> dict[str, Any]:
    return {
        "dengbao": {
            "title": {"zh-CN": "等保2.0（三级）", "en": "MLPS 2.0 (level 3)"},
            "score": dengbao,
            "passed": 8,
            "failed": 2,
            "errors": 1,
            "not_assessed": 30,
            "manual": 1,
            "requirements": 42,
            "families": {
                "安全计算环境": {
                    "title": {"zh-CN": "安全计算环境", "en": "Secure computing environment"},
                    "score": 75.0,
                    "passed": 6,
                    "failed": 2,
                },
                "安全管理中心": {
                    "title": {"zh-CN": "安全管理中心", "en": "Security management centre"},
                    "score": None,
                    "passed": 0,
                    "failed": 0,
                },
            },
        },
        "cis_docker": {
            "title": {"zh-CN": "CIS Docker 基准", "en": "CIS Docker Benchmark"},
            "score": cis,
            "passed": 1,
            "failed": 1,
            "errors": 0,
            "not_assessed": 0,
            "manual": 0,
            "requirements": 2,
            "families": {},
        },
    }


def _save(
    platform: Platform,
    findings: list[Finding],
    *,
    target: str = "web-01",
    kind: str = "config",
    scores: dict[str, Any] | None = None,
    actor: str = "user:li.na",
    minutes: int = 0,
) -> int:
    started = platform.clock.now() + timedelta(minutes=minutes)
    scan = Scan(
        target=target,
        kind=kind,
        started=started,
        finished=started + timedelta(seconds=75),
        check_ids=tuple(sorted({f.check_id for f in findings})),
        findings=tuple(findings),
    )
    return platform.scans.save(
        scan, scores=_scores(80.0) if scores is None else scores, actor=actor
    )


@pytest.fixture
def history(platform: Platform) -> dict[str, int]:
    """Two scans of web-01 (a failure fixed, one new, one still there) and a stored target."""
    platform.scans.save_target(
        ScanTarget("web-01", "config", "/srv/app/docker-compose.yml"), actor="cli:root"
    )
    first = _save(
        platform,
        [
            _finding("docker_run_root_user", Status.FAIL, "deploy.sh", line=3),
            _finding("docker_run_privileged", Status.FAIL, "run.sh", line=1, severity="critical"),
        ],
        scores=_scores(60.0),
    )
    second = _save(
        platform,
        [
            # Same key (check, resource, message) on another line: still failing.
            _finding("docker_run_root_user", Status.FAIL, "deploy.sh", line=9),
            _finding("docker_run_privileged", Status.PASS, "run.sh", message="not privileged"),
            _finding(
                "docker_run_docker_sock",
                Status.FAIL,
                "compose.yml",
                severity="critical",
                message="the Docker socket is mounted",
                frameworks={"dengbao": ("8.1.4.2 a)",), "cis": ("Docker 5.31",)},
            ),
            _finding(
                "docker_run_host_namespaces",
                Status.ERROR,
                "compose.yml",
                severity="medium",
                message="cannot parse",
                frameworks={"nist_csf": ("PR.PS-01",)},
            ),
        ],
        scores=_scores(82.5),
        minutes=60,
    )
    return {"first": first, "second": second}


def container_checks() -> dict[str, Metadata]:
    """The container checks' metadata: the pages' check texts, whatever else is being built."""
    found = {}
    for folder in sorted(p for p in CONTAINER.iterdir() if (p / f"{p.name}.py").is_file()):
        found[folder.name] = loader.load_check("container", folder).metadata
    return found


@pytest.fixture(autouse=True)
def known_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Check texts from the container checks only (other areas are not these tests' concern)."""
    monkeypatch.setattr(checks_common, "_metadata", container_checks)


# -- helpers -----------------------------------------------------------------------------------


def test_scores_are_shown_with_one_decimal_and_a_colour() -> None:
    assert [score_text(v) for v in (92, 70.04, None, True)] == ["92.0", "70.0", "—", "—"]
    assert [score_class(v) for v in (90, 89.9, 69.9, None)] == [
        "score-good",
        "score-fair",
        "score-poor",
        "score-none",
    ]


def test_diff_compares_failures_by_key(platform: Platform, history: dict[str, int]) -> None:
    store = platform.scans
    found: Diff = diff(
        store.get(history["second"]),
        store.findings(history["second"]),
        store.get(history["first"]),
        store.findings(history["first"]),
    )
    assert [f.finding.check_id for f in found.new] == ["docker_run_docker_sock"]
    assert [f.finding.check_id for f in found.fixed] == ["docker_run_privileged"]
    assert [(f.finding.check_id, f.finding.line) for f in found.still] == [
        ("docker_run_root_user", 9)
    ]


# -- targets and recent scans ------------------------------------------------------------------


def test_targets_page_in_both_languages(
    platform: Platform, people: dict[str, Browser], history: dict[str, int]
) -> None:
    english = _text(people["analyst"].get("/checks"))
    assert 'href="/checks"' in english and ">Compliance<" in english  # the navigation entry
    assert 'data-target="web-01"' in english
    assert "Configuration files" in english and "/srv/app/docker-compose.yml" in english
    assert f'href="/checks/scans/{history["second"]}"' in english
    assert 'data-framework="dengbao"' in english and "MLPS 2.0 (level 3) · 82.5" in english
    assert "score-fair" in english  # 82.5: fair
    assert english.count('data-testid="scan-row"') == 2
    assert 'data-testid="scan-now"' in english  # analysts may scan
    assert 'data-testid="edit-target"' not in english  # but not change targets
    assert 'data-testid="target-form"' not in english
    chinese = _text(people["auditor"].get("/checks"))
    assert "基线核查" in chinese or "合规" in chinese
    assert "扫描目标" in chinese and "等保2.0（三级） · 82.5" in chinese
    assert "配置文件" in chinese
    assert 'data-testid="scan-now"' not in chinese  # auditors only read
    admin = _text(people["admin"].get("/checks"))
    assert 'data-testid="edit-target"' in admin and 'data-testid="target-form"' in admin


def test_recent_scans_page_back(platform: Platform, people: dict[str, Browser]) -> None:
    ids = [
        _save(platform, [_finding("docker_run_root_user", Status.PASS, f"f{i}")], minutes=i)
        for i in range(23)
    ]
    page = _text(people["analyst"].get("/checks"))
    assert page.count('data-testid="scan-row"') == 20
    older = re.search(r'href="/checks\?before=(\d+)"', page)
    assert older is not None and int(older.group(1)) == ids[3]
    rest = _text(people["analyst"].get(f"/checks?before={older.group(1)}"))
    assert rest.count('data-testid="scan-row"') == 3


def test_empty_pages(people: dict[str, Browser]) -> None:
    browser = people["analyst"]
    assert 'data-testid="no-targets"' in _text(browser.get("/checks"))
    assert 'data-testid="no-scans"' in _text(browser.get("/checks"))
    assert 'data-testid="no-compliance"' in _text(browser.get("/checks/compliance"))


# -- scan now ----------------------------------------------------------------------------------


def _fake_run(platform: Platform, calls: list[tuple[str, str]]) -> Any:
    def run_target(self: Compliance, name: str, *, actor: str) -> Outcome:
        calls.append((name, actor))
        scan_id = _save(
            platform,
            [_finding("docker_run_root_user", Status.FAIL, "deploy.sh", target=name)],
            target=name,
            actor=actor,
            minutes=120,
        )
        stored = platform.scans.get(scan_id)
        return Outcome(platform.scans.load(scan_id), stored, None, ())

    return run_target


def test_scan_now_runs_the_target_and_opens_the_scan(
    platform: Platform,
    people: dict[str, Browser],
    history: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(Compliance, "run_target", _fake_run(platform, calls))
    response = people["analyst"].post("/checks/targets/web-01/run")
    assert _status(response) == 303
    newest = platform.scans.latest("web-01")
    assert newest is not None and newest.id > history["second"]
    assert _headers(response)["location"] == f"/checks/scans/{newest.id}"
    assert calls == [("web-01", "user:li.na")]
    assert newest.created_by == "user:li.na"


def test_scan_now_needs_write_and_csrf(
    platform: Platform,
    people: dict[str, Browser],
    history: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, str]] = []
    monkeypatch.setattr(Compliance, "run_target", _fake_run(platform, calls))
    assert _status(people["auditor"].post("/checks/targets/web-01/run")) == 403
    no_token = people["analyst"].client.post("/checks/targets/web-01/run", data={"csrf": "x"})
    assert _status(no_token) == 403
    assert "CSRF" in _text(no_token)
    assert _status(people["analyst"].post("/checks/targets/nobody/run")) == 404
    assert calls == []


def test_scan_now_failure_is_said_on_the_page(
    platform: Platform,
    people: dict[str, Browser],
    history: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(self: Compliance, name: str, *, actor: str) -> Outcome:
        raise InputError("no such file or folder: /srv/app/docker-compose.yml")

    monkeypatch.setattr(Compliance, "run_target", broken)
    response = people["analyst"].post("/checks/targets/web-01/run")
    assert _status(response) == 400
    assert "The scan of web-01 failed: no such file or folder" in _text(response)


# -- editing targets ---------------------------------------------------------------------------


def test_admin_adds_edits_and_removes_a_target(
    platform: Platform, people: dict[str, Browser]
) -> None:
    admin = people["admin"]
    form = {
        "mode": "new",
        "name": "portal",
        "kind": "web",
        "address": "https://portal.example.com",
        "schedule": "0 7 * * 1-5",
        "enabled": "1",
    }
    response = admin.post("/checks/targets", form)
    assert _status(response) == 303 and _headers(response)["location"] == "/checks?done=added"
    target = platform.scans.target("portal")
    assert (target.kind, target.schedule, target.enabled) == ("web", "0 7 * * 1-5", True)
    assert target.next_run is not None  # scheduled inside the scan window
    assert "扫描目标已添加" in _text(admin.get("/checks?done=added"))
    # The same name again is refused, the form shown again with the reason.
    again = admin.post("/checks/targets", form)
    assert _status(again) == 400 and "already exists" in _text(again)
    assert 'value="portal"' in _text(again) and "https://portal.example.com" in _text(again)
    # Editing: the form comes filled in; saving keeps other options.
    edit = _text(admin.get("/checks?edit=portal"))
    assert 'name="mode" value="edit"' in edit and "https://portal.example.com" in edit
    changed = admin.post(
        "/checks/targets",
        dict(
            form, mode="edit", address="https://portal.example.com/login", schedule="", enabled=""
        ),
    )
    assert _status(changed) == 303
    target = platform.scans.target("portal")
    assert target.address == "https://portal.example.com/login"
    assert (target.schedule, target.next_run, target.enabled) == (None, None, False)
    removed = admin.post("/checks/targets/portal/remove")
    assert _status(removed) == 303 and platform.scans.targets() == []
    actions = {e.action: e.actor for e in platform.audit_entries(target="scan_target:portal")}
    assert actions == {
        "scan_target.add": "user:admin.wang",
        "scan_target.update": "user:admin.wang",
        "scan_target.remove": "user:admin.wang",
    }


@pytest.mark.parametrize(
    ("field", "value", "says"),
    [
        ("name", "bad name!", "bad target name"),
        ("address", "ftp://example.com", "not an http(s) URL"),
        ("schedule", "every day", "cron"),
        ("kind", "mainframe", "unknown target kind"),
    ],
)
def test_a_bad_target_is_refused_with_the_reason(
    platform: Platform, people: dict[str, Browser], field: str, value: str, says: str
) -> None:
    form = {"mode": "new", "name": "portal", "kind": "web", "address": "https://example.com"}
    response = people["admin"].post("/checks/targets", dict(form, **{field: value}))
    assert _status(response) == 400
    assert says in _text(response).lower() or says in _text(response)
    assert 'data-testid="target-form"' in _text(response)
    assert platform.scans.targets() == []


def test_only_admins_change_targets(
    platform: Platform, people: dict[str, Browser], history: dict[str, int]
) -> None:
    form = {"mode": "new", "name": "portal", "kind": "web", "address": "https://example.com"}
    for role in ("analyst", "auditor"):
        assert _status(people[role].post("/checks/targets", form)) == 403
        assert _status(people[role].post("/checks/targets/web-01/remove")) == 403
    no_token = people["admin"].client.post("/checks/targets", data=form)
    assert _status(no_token) == 403
    assert [t.name for t in platform.scans.targets()] == ["web-01"]
    # The edit form is not offered to others, even when asked for.
    assert 'data-testid="target-form"' not in _text(people["analyst"].get("/checks?edit=web-01"))


# -- a scan --------------------------------------------------------------------------------------


def test_scan_page_in_both_languages(
    platform: Platform, people: dict[str, Browser], history: dict[str, int]
) -> None:
    scan_id = history["second"]
    page = _text(people["analyst"].get(f"/checks/scans/{scan_id}"))
    assert "Scan" in page and f"#{scan_id}" in page and "web-01" in page
    assert "1 min 15 s" in page and "li.na" in page
    assert 'data-testid="score-dengbao"' in page and "82.5" in page
    assert 'data-testid="score-cis_docker"' in page
    # Changes since the previous scan (by key: check, resource, message).
    assert re.search(r'data-testid="changes-new-count">\s*1<', page)
    assert re.search(r'data-testid="changes-fixed-count">\s*1<', page)
    assert re.search(r'data-testid="changes-still-count">\s*1<', page)
    assert f'href="/checks/scans/{history["first"]}"' in page
    # Findings: failures first, each linking to its page, titles from the check metadata.
    rows = re.findall(
        r'data-testid="finding-row" data-finding-id="(\d+)" data-status="(\w+)"', page
    )
    assert [s for _, s in rows] == ["fail", "fail", "error", "pass"]
    assert "Container runs as root" in page
    for finding_id, _ in rows:
        assert f'href="/checks/findings/{finding_id}"' in page
    # Downloads.
    for lang in ("zh-CN", "en"):
        for fmt in ("pdf", "html"):
            assert f"/checks/scans/{scan_id}/report?format={fmt}&amp;lang={lang}" in page
    assert f"/checks/scans/{scan_id}/sarif" in page
    chinese = _text(people["auditor"].get(f"/checks/scans/{scan_id}"))
    assert "新增不合规项" in chinese or "新增" in chinese
    assert "容器以 root 用户运行" in chinese and "等保2.0（三级）" in chinese
    assert "1 分 15 秒" in chinese
    assert "不符合" in chinese


def test_first_scan_has_no_changes(
    platform: Platform, people: dict[str, Browser], history: dict[str, int]
) -> None:
    page = _text(people["analyst"].get(f"/checks/scans/{history['first']}"))
    assert 'data-testid="no-previous"' in page


@pytest.mark.parametrize(
    ("query", "statuses"),
    [
        ("status=fail", ["fail", "fail"]),
        ("status=fail&status=error", ["fail", "fail", "error"]),
        ("severity=critical", ["fail"]),
        ("severity=medium&status=error", ["error"]),
        ("check=docker_run_root_user", ["fail"]),
        ("framework=nist_csf", ["error"]),
        ("framework=cis_docker&status=fail", ["fail", "fail"]),
        ("framework=cis_kubernetes", []),
        ("check=", ["fail", "fail", "error", "pass"]),
    ],
)
def test_findings_filters(
    people: dict[str, Browser], history: dict[str, int], query: str, statuses: list[str]
) -> None:
    page = _text(people["analyst"].get(f"/checks/scans/{history['second']}?{query}"))
    found = re.findall(r'data-testid="finding-row" data-finding-id="\d+" data-status="(\w+)"', page)
    assert found == statuses
    if not statuses:
        assert "No findings match these filters." in page


@pytest.mark.parametrize(
    "query",
    ["status=broken", "severity=urgent", "check=../etc", "framework=pci", "check=" + "a" * 100],
)
def test_bad_filters_are_refused(
    people: dict[str, Browser], history: dict[str, int], query: str
) -> None:
    response = people["analyst"].get(f"/checks/scans/{history['second']}?{query}")
    assert _status(response) == 422


def test_htmx_filter_swaps_only_the_table(
    people: dict[str, Browser], history: dict[str, int]
) -> None:
    response = people["analyst"].get(
        f"/checks/scans/{history['second']}?status=error", headers={"HX-Request": "true"}
    )
    body = _text(response)
    assert _status(response) == 200
    assert body.lstrip().startswith('<section class="card flush" id="findings"')
    assert "<html" not in body and body.count('data-testid="finding-row"') == 1
    # A history restore wants the whole page.
    full = people["analyst"].get(
        f"/checks/scans/{history['second']}?status=error",
        headers={"HX-Request": "true", "HX-History-Restore-Request": "true"},
    )
    assert "<html" in _text(full)


def test_unknown_scan_and_finding(people: dict[str, Browser]) -> None:
    assert _status(people["analyst"].get("/checks/scans/999")) == 404
    assert _status(people["analyst"].get("/checks/findings/999")) == 404
    assert _status(people["analyst"].get("/checks/scans/0")) == 422


def test_pages_need_a_session(platform: Platform, people: dict[str, Browser]) -> None:
    from fastapi.testclient import TestClient

    from garrison.serve.app import create_app

    anonymous = TestClient(create_app(platform), follow_redirects=False)
    for url in ("/checks", "/checks/scans/1", "/checks/findings/1", "/checks/compliance"):
        response = anonymous.get(url)
        assert _status(response) == 303 and "/login?next=" in _headers(response)["location"]


# -- downloads -----------------------------------------------------------------------------------


def test_report_downloads(
    people: dict[str, Browser], history: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    asked: list[tuple[list[int], str, str]] = []

    def report(self: Compliance, scan_ids: list[int], language: str, fmt: str) -> bytes:
        asked.append((scan_ids, language, fmt))
        return b"%PDF-1.7 fake" if fmt == "pdf" else "<html>报告</html>".encode()

    monkeypatch.setattr(Compliance, "report", report, raising=False)
    scan_id = history["second"]
    pdf = people["auditor"].get(f"/checks/scans/{scan_id}/report?format=pdf&lang=zh-CN")
    assert _status(pdf) == 200 and _headers(pdf)["content-type"] == "application/pdf"
    assert (
        _headers(pdf)["content-disposition"]
        == f'attachment; filename="audit-report-{scan_id}-zh-CN.pdf"'
    )
    html = people["auditor"].get(f"/checks/scans/{scan_id}/report?format=html&lang=en")
    assert _headers(html)["content-type"].startswith("text/html")
    assert f"audit-report-{scan_id}-en.html" in _headers(html)["content-disposition"]
    assert asked == [([scan_id], "zh-CN", "pdf"), ([scan_id], "en", "html")]
    assert _status(people["auditor"].get(f"/checks/scans/{scan_id}/report?format=doc")) == 422
    assert _status(people["auditor"].get(f"/checks/scans/{scan_id}/report?lang=fr")) == 422
    assert _status(people["auditor"].get("/checks/scans/999/report")) == 404
    assert len(asked) == 2


def test_sarif_download(
    people: dict[str, Browser], history: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    def sarif(self: Compliance, scan_id: int) -> dict[str, Any]:
        return {"version": "2.1.0", "runs": [{"results": [{"ruleId": "x", "scan": scan_id}]}]}

    monkeypatch.setattr(Compliance, "sarif", sarif, raising=False)
    scan_id = history["second"]
    response = people["auditor"].get(f"/checks/scans/{scan_id}/sarif")
    assert _status(response) == 200
    assert _headers(response)["content-type"] == "application/sarif+json"
    assert f'filename="scan-{scan_id}.sarif"' in _headers(response)["content-disposition"]
    assert json.loads(_text(response))["runs"][0]["results"][0]["scan"] == scan_id


# -- a finding -----------------------------------------------------------------------------------


def _finding_id(platform: Platform, scan_id: int, check_id: str) -> int:
    return next(f.id for f in platform.scans.findings(scan_id) if f.finding.check_id == check_id)


def test_finding_page_in_both_languages(
    platform: Platform, people: dict[str, Browser], history: dict[str, int]
) -> None:
    finding_id = _finding_id(platform, history["second"], "docker_run_root_user")
    page = _text(people["analyst"].get(f"/checks/findings/{finding_id}"))
    assert "Container runs as root (docker run --user root)" in page
    assert "deploy.sh:9" in page and "the container runs as root" in page
    assert 'data-testid="finding-expected">a non-root user<' in page
    assert 'data-testid="finding-actual">root<' in page
    assert "least privilege" in page  # rationale
    assert "docker run --user 10001:10001 IMAGE" in page  # remediation command, in <pre>
    assert re.search(r'<pre class="code" data-testid="remediation-commands">docker run', page)
    # Only http(s) references are links.
    assert '<a href="https://docs.docker.com/engine/security/#linux-kernel-capabilities"' in page
    assert "<li>CIS Docker Benchmark 4.1</li>" in page
    # Mappings stored with the finding, per framework.
    assert "8.1.4.2 c)" in page and "Docker 4.1" in page and "A.8.2" in page
    assert f'href="/checks/scans/{history["second"]}"' in page
    chinese = _text(people["auditor"].get(f"/checks/findings/{finding_id}"))
    assert "容器以 root 用户运行" in chinese and "最小权限" in chinese
    assert "整改建议" in chinese and "等保2.0" in chinese


def test_finding_of_a_check_no_longer_shipped(
    platform: Platform, people: dict[str, Browser]
) -> None:
    scan_id = _save(platform, [_finding("retired_check", Status.FAIL, "x.conf", frameworks={})])
    finding_id = _finding_id(platform, scan_id, "retired_check")
    page = _text(people["analyst"].get(f"/checks/findings/{finding_id}"))
    assert "no longer shipped" in page and "retired_check" in page


def test_target_data_is_escaped_everywhere(
    platform: Platform, people: dict[str, Browser], monkeypatch: pytest.MonkeyPatch
) -> None:
    evil = _finding(
        "docker_run_root_user",
        Status.FAIL,
        f"/etc/{XSS}",
        target=XSS,
        message=f"found {XSS}",
        expected='"><img src=x onerror=alert(2)>',
        actual=XSS,
    )
    scores = _scores(50.0)
    scores["dengbao"]["title"] = {"zh-CN": XSS, "en": XSS}
    scan_id = _save(platform, [evil], target=XSS, scores=scores)
    finding_id = _finding_id(platform, scan_id, "docker_run_root_user")
    browser = people["analyst"]
    for url in (
        "/checks",
        f"/checks/scans/{scan_id}",
        f"/checks/findings/{finding_id}",
        "/checks/compliance?target=%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    ):
        page = _text(browser.get(url))
        assert XSS not in page, url
        assert "<img src=x" not in page, url
    escaped = _text(browser.get(f"/checks/findings/{finding_id}"))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in escaped
    compliance = _text(browser.get("/checks/compliance?target=%3Cscript%3Ealert(1)%3C%2Fscript%3E"))
    assert "\\u003cscript\\u003e" in compliance  # the chart JSON escapes it too


# -- compliance by framework ---------------------------------------------------------------------


def _chart_data(page: str) -> dict[str, Any]:
    match = re.search(
        r'<script type="application/json" id="checks-chart-data">(.*?)</script>', page
    )
    assert match is not None
    data: dict[str, Any] = json.loads(match.group(1))
    return data


def test_compliance_page_in_both_languages(
    platform: Platform, people: dict[str, Browser], history: dict[str, int]
) -> None:
    _save(platform, [], target="other", scores=_scores(95.0))
    page = _text(people["analyst"].get("/checks/compliance?target=web-01"))
    assert '<script src="/static/js/checks.js' in page and "echarts-5.6.0.min.js" in page
    for chart in ("frameworks", "families", "history"):
        assert f'data-checks-chart="{chart}"' in page
    data = _chart_data(page)
    assert data["frameworks"] == {
        "names": ["MLPS 2.0 (level 3)", "CIS Docker Benchmark"],
        "scores": [82.5, 50.0],
    }
    assert data["families"] == {
        "names": ["Secure computing environment", "Security management centre"],
        "scores": [75.0, None],
    }
    assert data["history"]["scores"] == [60.0, 82.5]
    assert data["history"]["labels"] == ["11-23 12:00", "11-23 13:00"]
    # The same numbers in tables (readable without JavaScript).
    assert 'data-testid="framework-table"' in page and 'data-testid="family-table"' in page
    assert 'data-testid="history-table"' in page and ">60.0<" in page
    assert '<option value="other"' in page and '<option value="web-01" selected' in page
    chinese = _text(people["auditor"].get("/checks/compliance?target=web-01"))
    assert _chart_data(chinese)["families"]["names"][0] == "安全计算环境"
    assert "等保" in chinese
    # Without a target: the most recently scanned one.
    newest = _text(people["analyst"].get("/checks/compliance"))
    assert '<option value="other" selected' in newest
    unknown = _text(people["analyst"].get("/checks/compliance?target=nothing"))
    assert 'data-testid="no-compliance"' in unknown and "nothing" in unknown


def test_pages_work_when_the_checks_do_not_load(
    platform: Platform,
    people: dict[str, Browser],
    history: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken() -> dict[str, Metadata]:
        raise ConfigError("host/x: missing x.metadata.json")

    monkeypatch.setattr(checks_common, "_metadata", broken)
    page = people["analyst"].get(f"/checks/scans/{history['second']}")
    assert _status(page) == 200 and ">docker_run_root_user</a>" in _text(page)
    finding_id = _finding_id(platform, history["second"], "docker_run_root_user")
    detail = people["analyst"].get(f"/checks/findings/{finding_id}")
    assert _status(detail) == 200 and "no longer shipped" in _text(detail)
    assert "8.1.4.2 c)" in _text(detail)  # the mappings stored with the finding
