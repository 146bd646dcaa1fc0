"""Hunting: the built-in brute-force correlation on a real-shaped sshd log."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from garrison.cli.main import main


def brute_force_log(path: Path) -> Path:
    lines = []
    for i in range(12):  # 12 failures in 55 s
        lines.append(
            f"Nov 23 10:00:{i * 5:02d} web01 sshd[4242]: Failed password for root"
            f" from 203.0.113.45 port {40000 + i} ssh2"
        )
    for i in range(6):  # 6 failures in 15 s, invalid user
        lines.append(
            f"Nov 23 10:01:{i * 3:02d} web01 sshd[4243]: Failed password for invalid user admin"
            f" from 198.51.100.7 port {50000 + i} ssh2"
        )
    for i in range(4):  # a user mistyping now and then: never 5 in 5 minutes
        lines.append(
            f"Nov 23 1{i}:30:00 web01 sshd[4244]: Failed password for bob from 192.0.2.10 port 5000{i} ssh2"
        )
    lines.append(
        "Nov 23 10:05:00 web01 sshd[4245]: Accepted password for alice from 10.0.0.5 port 51000 ssh2"
    )
    # The second attacker returns after a pause longer than the window: a second episode.
    for i in range(5):
        lines.append(
            f"Nov 23 12:00:0{i} web01 sshd[4246]: Failed password for root from 198.51.100.7"
            f" port {60000 + i} ssh2"
        )
    path.write_text("\n".join(sorted(lines)) + "\n", encoding="utf-8")
    return path


PER_SOURCE = "SSH brute force from one source"


def hunt(
    args: list[str], capsys: pytest.CaptureFixture[str], title: str | None = PER_SOURCE
) -> list[dict[str, object]]:
    """Alerts of one rule (the per-account brute force also fires on these samples)."""
    assert main(["--timezone", "UTC", "hunt", *args, "--year", "2026", "--json"]) == 0
    alerts = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    return [a for a in alerts if title is None or a["title"] == title]


def test_each_attacking_ip_is_reported_once_per_attack(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    alerts = hunt([str(brute_force_log(tmp_path / "auth.log"))], capsys)
    summary = [(a["group"], a["count"], a["first_seen"], a["last_seen"]) for a in alerts]
    assert summary == [
        ({"source.ip": "203.0.113.45"}, 12, "2026-11-23T10:00:00Z", "2026-11-23T10:00:55Z"),
        ({"source.ip": "198.51.100.7"}, 6, "2026-11-23T10:01:00Z", "2026-11-23T10:01:15Z"),
        ({"source.ip": "198.51.100.7"}, 5, "2026-11-23T12:00:00Z", "2026-11-23T12:00:04Z"),
    ]
    first = alerts[0]
    assert first["title"] == "SSH brute force from one source" and first["level"] == "high"
    assert "attack.t1110.001" in first["tags"]  # type: ignore[operator]
    assert len(first["event_ids"]) == 12  # type: ignore[arg-type]


def test_files_in_any_order_correlate_as_one_stream(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = brute_force_log(tmp_path / "all.log").read_text().splitlines()
    (tmp_path / "b.log").write_text("\n".join(lines[::2]) + "\n")
    (tmp_path / "a.log").write_text("\n".join(lines[1::2]) + "\n")
    alerts = hunt([str(tmp_path / "b.log"), str(tmp_path / "a.log")], capsys)
    assert [(a["group"], a["count"]) for a in alerts] == [
        ({"source.ip": "203.0.113.45"}, 12),
        ({"source.ip": "198.51.100.7"}, 6),
        ({"source.ip": "198.51.100.7"}, 5),
    ]


def test_user_rules_and_single_event_alerts_are_grouped(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "accepted.yml").write_text(
        """title: Accepted SSH password
id: 7a000000-0000-4000-8000-000000000001
logsource: {product: linux, service: auth}
detection:
    selection: {event.action: ssh_login, event.outcome: success, sshd.auth_method: password}
    condition: selection
level: medium
"""
    )
    log = brute_force_log(tmp_path / "auth.log")
    alerts = hunt([str(log), "--rules", str(rules), "--no-builtin"], capsys, title=None)
    assert [(a["title"], a["group"], a["count"]) for a in alerts] == [
        ("Accepted SSH password", {}, 1)
    ]
