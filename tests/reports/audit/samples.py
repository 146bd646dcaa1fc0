"""Audit report data for the tests: a host audited twice and a web application once."""

from __future__ import annotations

from datetime import timedelta

from garrison.checks.base import Status
from garrison.checks.frameworks import builtin_frameworks
from garrison.checks.report import audit_data
from garrison.reports.audit import AuditData
from tests.checks.frameworks.samples import CHECKS, T0, finding, host_scan, scan

PAYLOAD = "<script>alert(1)</script>"
PHONE = "13812345678"
NOW = T0 + timedelta(days=1, hours=2)


def current_scans() -> list[object]:
    host = host_scan(at=T0 + timedelta(days=1))
    # A new failure since the previous scan, carrying text an attacker controls.
    extra = finding(
        "ssh_idle_timeout",
        Status.FAIL,
        message=f"idle sessions never time out {PAYLOAD}",
        line=12,
        expected="ClientAliveInterval 600 or less",
        actual=f"ClientAliveInterval 0 # ask {PHONE}",
    )
    host = type(host)(
        host.target, host.kind, host.started, host.finished, host.check_ids, (*host.findings, extra)
    )
    web = scan(
        [
            finding(
                "web_tls_versions",
                Status.FAIL,
                resource="https://shop.example.com/",
                message="TLS 1.0 accepted",
                expected="TLS 1.2 or later",
                actual="TLSv1",
                target="https://shop.example.com/",
            )
        ],
        target="https://shop.example.com/",
        check_ids=("web_tls_versions",),
        at=T0 + timedelta(days=1, minutes=5),
        kind="web",
    )
    return [host, web]


def sample(language: str = "zh-CN", *, previous: bool = True) -> AuditData:
    return audit_data(
        current_scans(),  # type: ignore[arg-type]
        [host_scan()] if previous else [],
        CHECKS,
        builtin_frameworks(),
        language,
        NOW,
        "生产区 Web 服务器与官网（等保三级系统）" if language == "zh-CN" else "Production web tier",
        organisation="示例科技有限公司",
    )
