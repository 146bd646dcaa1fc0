"""The Sigma logsource -> event.dataset routing table."""

from __future__ import annotations

import pytest

from garrison.rules.logsources import (
    SECURITY,
    SYSMON,
    LogsourceRoute,
    channels_for,
    datasets_for,
    route,
)


@pytest.mark.parametrize(
    ("product", "category", "service", "expected"),
    [
        ("linux", None, "auth", {"linux.auth"}),
        ("linux", None, "sshd", {"linux.auth"}),
        ("linux", None, "sudo", {"linux.auth"}),
        ("linux", None, "syslog", {"linux.syslog", "linux.auth"}),
        ("linux", None, "auditd", {"linux.auditd"}),
        ("linux", "process_creation", None, {"linux.auditd"}),
        ("Linux", None, "SSHD", {"linux.auth"}),
        ("linux", None, None, {"linux.syslog", "linux.auth", "linux.auditd"}),
        (None, "webserver", None, {"web.access", "iis.access"}),
        ("nginx", "webserver", None, {"web.access"}),
        ("iis", "webserver", None, {"iis.access"}),
        ("windows", "process_creation", None, {"windows.evtx"}),
        ("windows", None, "security", {"windows.evtx"}),
        ("aws", None, "cloudtrail", {"aws.cloudtrail"}),
        ("aliyun", None, "actiontrail", {"aliyun.actiontrail"}),
        ("kubernetes", None, "audit", {"kubernetes.audit"}),
        ("falco", None, None, {"falco.alert"}),
        ("zeek", None, "conn", None),
        (None, None, None, None),
        (None, "process_creation", None, None),
    ],
)
def test_datasets_for(
    product: str | None, category: str | None, service: str | None, expected: set[str] | None
) -> None:
    found = datasets_for(product, category, service)
    assert found == (frozenset(expected) if expected is not None else None)


def test_windows_routes() -> None:
    assert route("windows", "process_creation", None) == LogsourceRoute(
        frozenset({"windows.evtx"}), frozenset({SYSMON, SECURITY}), frozenset({1, 4688})
    )
    assert route("windows", "process_creation", "sysmon") == LogsourceRoute(
        frozenset({"windows.evtx"}), frozenset({SYSMON}), frozenset({1, 4688})
    )
    assert route("windows", None, "security") == LogsourceRoute(
        frozenset({"windows.evtx"}), frozenset({"Security"}), None
    )
    assert route("windows", None, "powershell") == LogsourceRoute(
        frozenset({"windows.evtx"}), frozenset({"Microsoft-Windows-PowerShell/Operational"}), None
    )
    assert route("windows", "ps_script", None) == LogsourceRoute(
        frozenset({"windows.evtx"}),
        frozenset({"Microsoft-Windows-PowerShell/Operational"}),
        frozenset({4104}),
    )
    assert route("windows", None, None) == LogsourceRoute(frozenset({"windows.evtx"}))
    assert route("linux", None, "auth") == LogsourceRoute(frozenset({"linux.auth"}))


def test_channels_for() -> None:
    assert channels_for("security") == "Security"
    assert channels_for("sysmon") == "Microsoft-Windows-Sysmon/Operational"
    assert channels_for("system") == "System"
    assert channels_for("powershell") == "Microsoft-Windows-PowerShell/Operational"
    assert channels_for("unknown") is None
    assert channels_for(None) is None
