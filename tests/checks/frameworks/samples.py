"""Checks and scans for the framework, score, diff, SARIF and audit report tests.

The checks are metadata only (scores and reports read nothing else), so tests do not depend on
which built-in checks the other areas ship.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from garrison.checks.base import Status
from garrison.checks.metadata import Metadata
from garrison.checks.scan import Finding, Scan

T0 = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)


@dataclass(frozen=True)
class FakeCheck:
    """Anything with metadata is a check to scores and reports."""

    metadata: Metadata


def check(
    check_id: str,
    severity: str = "high",
    *,
    dengbao: Iterable[str] = (),
    cis: Iterable[str] = (),
    iso27001: Iterable[str] = (),
    nist_csf: Iterable[str] = (),
    area: str = "host",
    commands: Iterable[str] = (),
) -> FakeCheck:
    data: dict[str, Any] = {
        "id": check_id,
        "area": area,
        "title": {"zh-CN": f"检查 {check_id}", "en": f"Check {check_id}"},
        "description": {"zh-CN": "说明。", "en": "Description."},
        "severity": severity,
        "rationale": {"zh-CN": "理由。", "en": "Rationale."},
        "remediation": {
            "text": {"zh-CN": f"整改 {check_id}。", "en": f"Fix {check_id}."},
            "commands": list(commands),
        },
        "references": ["https://example.org/ref"],
        "mappings": {
            "dengbao": list(dengbao),
            "cis": list(cis),
            "iso27001": list(iso27001),
            "nist_csf": list(nist_csf),
        },
    }
    return FakeCheck(Metadata.model_validate(data))


SSH_ROOT = check(
    "ssh_root_login",
    "high",
    dengbao=["8.1.4.2 b)", "8.1.4.2 d)"],
    cis=["Linux 5.2.7"],
    iso27001=["A.8.2"],
    nist_csf=["PR.AA-05"],
    commands=["sed -i 's/^PermitRootLogin.*/PermitRootLogin no/' /etc/ssh/sshd_config"],
)
EMPTY_PASSWORD = check(
    "accounts_empty_password",
    "critical",
    dengbao=["8.1.4.1 a)"],
    cis=["Linux 6.2.2"],
    iso27001=["A.5.17"],
    nist_csf=["PR.AA-01"],
    commands=["passwd -l USER"],
)
LOCKOUT = check("account_lockout", "medium", dengbao=["8.1.4.1 b)"], cis=["Linux 5.4.2"])
IDLE = check("ssh_idle_timeout", "medium", dengbao=["8.1.4.1 b)"], cis=["Linux 5.2.22"])
AUDITD = check("auditd_enabled", "medium", dengbao=["8.1.4.3 a)"], iso27001=["A.8.15"])
TLS = check("web_tls_versions", "high", area="web", dengbao=["8.1.2.2 b)", "8.1.4.8 a)"])
DOCKER_SOCK = check(
    "docker_run_docker_sock",
    "critical",
    area="container",
    dengbao=["8.1.4.2 c)"],
    cis=["Docker 5.31"],
)
CHECKS = (SSH_ROOT, EMPTY_PASSWORD, LOCKOUT, IDLE, AUDITD, TLS, DOCKER_SOCK)
HOST_CHECKS = (
    "ssh_root_login",
    "accounts_empty_password",
    "account_lockout",
    "ssh_idle_timeout",
    "auditd_enabled",
)


def finding(
    check_id: str,
    status: Status,
    resource: str = "/etc/ssh/sshd_config",
    message: str = "found",
    *,
    target: str = "web-01",
    line: int | None = None,
    expected: str | None = None,
    actual: str | None = None,
) -> Finding:
    meta = next(c.metadata for c in CHECKS if c.metadata.id == check_id)
    return Finding(
        check_id=check_id,
        status=status,
        severity=meta.severity,
        target=target,
        resource=resource,
        message=message,
        line=line,
        expected=expected,
        actual=actual,
        frameworks={
            "dengbao": meta.mappings.dengbao,
            "cis": meta.mappings.cis,
            "iso27001": meta.mappings.iso27001,
            "nist_csf": meta.mappings.nist_csf,
        },
    )


def scan(
    findings: Iterable[Finding],
    *,
    target: str = "web-01",
    check_ids: Iterable[str] = HOST_CHECKS,
    at: datetime = T0,
    kind: str = "host",
) -> Scan:
    return Scan(
        target=target,
        kind=kind,
        started=at,
        finished=at + timedelta(seconds=42),
        check_ids=tuple(check_ids),
        findings=tuple(findings),
    )


def host_scan(*, at: datetime = T0, fixed: bool = False, target: str = "web-01") -> Scan:
    """A host with root login allowed (line 32), an empty password and lockout undecided."""
    found = [
        finding(
            "ssh_root_login",
            Status.PASS if fixed else Status.FAIL,
            message="root may log in over SSH",
            line=32,
            expected="PermitRootLogin no",
            actual="PermitRootLogin yes",
            target=target,
        ),
        finding(
            "accounts_empty_password",
            Status.FAIL,
            resource="/etc/shadow",
            message="account has an empty password",
            line=7,
            expected="a password or a locked account",
            actual="backup: empty password field",
            target=target,
        ),
        finding(
            "account_lockout",
            Status.ERROR,
            resource=target,
            message="could not collect 'pam' on this target",
            target=target,
        ),
        finding(
            "auditd_enabled", Status.PASS, resource="auditd", message="auditd runs", target=target
        ),
    ]
    return scan(found, at=at, target=target)
