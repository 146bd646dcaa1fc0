"""Gathering the audit report: scores, findings by risk, trend, manual items, summary."""

from __future__ import annotations

import pytest

from garrison.checks.frameworks import builtin_frameworks
from garrison.checks.report import audit_data
from garrison.core.errors import InputError
from tests.checks.frameworks.samples import CHECKS
from tests.reports.audit.samples import NOW, sample


def test_targets_period_and_scores() -> None:
    data = sample()
    assert [t.name for t in data.targets] == ["web-01", "https://shop.example.com/"]
    assert data.period_start < data.period_end
    frameworks = {f.id: f for f in data.frameworks}
    assert list(frameworks) == [
        "dengbao",
        "cis_linux",
        "cis_docker",
        "cis_kubernetes",
        "iso27001",
        "nist_csf",
    ]
    dengbao = frameworks["dengbao"]
    # 8.1.4.3 a) passes; 8.1.4.1 a)/b), 8.1.4.2 b)/d), 8.1.2.2 b), 8.1.4.8 a) fail.
    assert dengbao.score == 14.3 and (dengbao.passed, dengbao.failed) == (1, 6)
    assert dengbao.previous == 25.0 and dengbao.delta == -10.7
    assert [f.title for f in dengbao.families][2] == "安全计算环境"
    assert frameworks["cis_docker"].score is None


def test_findings_grouped_by_risk_with_evidence_and_remediation() -> None:
    data = sample()
    assert [g.severity for g in data.groups] == ["critical", "high", "medium"]
    critical = data.groups[0].findings[0]
    assert critical.check_id == "accounts_empty_password"
    assert critical.line == 7 and critical.actual == "backup: empty password field"
    assert critical.remediation == "整改 accounts_empty_password。"
    assert critical.commands == ("passwd -l USER",)
    assert "8.1.4.1 a)" in critical.requirements
    assert critical.change == "still"
    medium = data.groups[2].findings
    # Failures first, then the undecided result of the same level.
    assert [(f.check_id, f.status, f.change) for f in medium] == [
        ("ssh_idle_timeout", "fail", "new"),
        ("account_lockout", "error", ""),
    ]


def test_trend_and_manual_items() -> None:
    data = sample()
    assert data.trend is not None
    assert data.trend.new == 1 and data.trend.still == 2 and data.trend.fixed == ()
    manual = {m.id: m for m in data.manual}
    assert "8.1.5.4 d)" in manual and "8.1.4.1 a)" not in manual
    assert manual["8.1.5.4 d)"].family == "集中管控"
    assert "六个月" in manual["8.1.5.4 d)"].guidance
    assert data.summary.manual == len(data.manual)
    assert data.summary.failed == 4 and data.summary.errors == 1
    assert dict(data.summary.by_severity) == {
        "critical": 1, "high": 2, "medium": 1, "low": 0, "info": 0,
    }  # fmt: skip
    assert sample(previous=False).trend is None


def test_english_texts_come_from_metadata() -> None:
    data = sample("en")
    first = data.groups[0].findings[0]
    assert first.title == "Check accounts_empty_password"
    assert first.remediation == "Fix accounts_empty_password."
    assert data.frameworks[0].title.startswith("Cybersecurity classified protection")


def test_refuses_no_scans_and_unknown_languages() -> None:
    with pytest.raises(InputError):
        audit_data([], [], CHECKS, builtin_frameworks(), "zh-CN", NOW, "x")
    with pytest.raises(InputError, match="language"):
        sample("fr")
