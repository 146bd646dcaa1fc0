"""Scan targets are validated: names, addresses per kind, schedules, no stored secrets."""

from __future__ import annotations

import pytest

from garrison.checks.targets import ScanTarget, SshAddress, parse_ssh
from garrison.core.errors import InputError


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ssh://ops@10.0.0.5", SshAddress("ops", "10.0.0.5", 22)),
        ("ssh://ops@web-01.example.cn:2222", SshAddress("ops", "web-01.example.cn", 2222)),
        ("ssh://root@[2001:db8::1]:22", SshAddress("root", "2001:db8::1", 22)),
    ],
)
def test_ssh_addresses(text: str, expected: SshAddress) -> None:
    assert parse_ssh(text) == expected


@pytest.mark.parametrize(
    "bad", ["ops@10.0.0.5", "ssh://10.0.0.5", "ssh://ops@host:99999", "ssh://o;ps@h"]
)
def test_bad_ssh_addresses(bad: str) -> None:
    with pytest.raises(InputError):
        parse_ssh(bad)


def test_targets_check_their_fields() -> None:
    ScanTarget("web-01", "host", "ssh://ops@10.0.0.5", schedule="0 7 * * 1-5")
    ScanTarget("portal", "web", "https://portal.example.cn/")
    ScanTarget("repo", "config", "/srv/deploy\n/srv/k8s")
    with pytest.raises(InputError, match="kind"):
        ScanTarget("x", "db", "local")
    with pytest.raises(InputError, match="URL"):
        ScanTarget("x", "web", "ftp://example.cn")
    with pytest.raises(InputError, match="name"):
        ScanTarget("../x", "host", "local")
    with pytest.raises(InputError, match="schedule"):
        ScanTarget("x", "host", "local", schedule="daily")
    with pytest.raises(InputError, match="secrets"):
        ScanTarget("x", "host", "ssh://ops@h", options={"password": "x"})
