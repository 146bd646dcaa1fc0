"""``garrison check``: host trees, config folders with SARIF, the history, reports, targets."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import orjson
import pytest

from garrison.cli.main import main
from tests.checks.host._trees import tree

SSH_FAIL = Path(__file__).parents[1] / "checks" / "host" / "ssh_root_login" / "fail"
KEYS = {
    "check_id", "status", "severity", "target", "resource", "line", "message",
    "expected", "actual", "frameworks",
}  # fmt: skip
COMPOSE = """services:
  agent:
    image: registry.example.com/agent:1.4
    user: root
    volumes:
      - /var/run/docker.sock:/var/run/docker.sock
"""
SCRIPT = "#!/bin/sh\ndocker run --user=root -v /var/run/docker.sock:/var/run/docker.sock img\n"


@pytest.fixture
def deploy(tmp_path: Path) -> Path:
    folder = tmp_path / "deploy"
    folder.mkdir()
    (folder / "docker-compose.yml").write_text(COMPOSE)
    (folder / "run.sh").write_text(SCRIPT)
    return folder


def run(home: Path, *args: str) -> int:
    return main(["--data-dir", str(home), "check", *args])


def lines(out: str) -> list[dict[str, object]]:
    return [orjson.loads(line) for line in out.splitlines() if line.strip()]


def test_a_host_tree_as_json_lines(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tree(SSH_FAIL, tmp_path / "root")
    assert run(home, "host", "--root", str(root), "--json") == 1
    captured = capsys.readouterr()
    found = lines(captured.out)
    assert found and all(set(f) == KEYS for f in found)
    assert {f["status"] for f in found} <= {"fail", "manual", "error"}  # no passes by default
    assert all(f["target"] == str(root.resolve()) for f in found)
    root_login = [f for f in found if f["check_id"] == "ssh_root_login"]
    assert [(f["status"], f["resource"], f["line"]) for f in root_login] == [
        ("fail", "/etc/ssh/sshd_config.d/50-cloud-init.conf", 2)
    ]
    assert "stored" in captured.err and "alert(s) raised" in captured.err

    assert run(home, "host", "--root", str(root), "--json", "--all", "--exit-zero") == 0
    captured = capsys.readouterr()
    assert "pass" in {f["status"] for f in lines(captured.out)}
    assert "since scan 1: 0 new failure(s)" in captured.err

    assert run(home, "host", "--root", str(tmp_path / "nowhere")) != 0
    assert "no such directory" in capsys.readouterr().err
    assert run(home, "host", "--root", str(root), "--ssh", "ops@10.0.0.5") != 0
    assert "do not go together" in capsys.readouterr().err


def test_config_with_sarif_then_the_history(
    home: Path, tmp_path: Path, deploy: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif = tmp_path / "out.sarif"
    assert run(home, "config", str(deploy), "--json", "--sarif", str(sarif)) == 1
    found = lines(capsys.readouterr().out)
    assert {
        ("compose_root_user", 4),
        ("compose_docker_sock", 6),
        ("docker_run_root_user", 2),
        ("docker_run_docker_sock", 2),
    } <= {(f["check_id"], f["line"]) for f in found}
    log = orjson.loads(sarif.read_bytes())
    assert log["version"] == "2.1.0" and log["runs"][0]["tool"]["driver"]["name"] == "Garrison"
    locations = {
        (
            r["ruleId"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for r in log["runs"][0]["results"]
    }
    assert ("docker_run_root_user", "run.sh", 2) in locations
    assert ("compose_docker_sock", "docker-compose.yml", 6) in locations

    assert run(home, "scans", "--json") == 0
    scans = lines(capsys.readouterr().out)
    assert len(scans) == 1 and scans[0]["kind"] == "config" and scans[0]["target"] == str(deploy)
    assert "dengbao" in scans[0]["scores"]  # type: ignore[operator]
    scan_id = str(scans[0]["id"])

    assert run(home, "show", scan_id, "--status", "fail", "--json") == 0
    failed = lines(capsys.readouterr().out)
    assert failed and {f["status"] for f in failed} == {"fail"}
    assert all(isinstance(f["id"], int) for f in failed)
    assert {f["check_id"] for f in failed} >= {"docker_run_docker_sock", "compose_root_user"}
    assert run(home, "show", scan_id, "--status", "failed") == 2
    assert "unknown status 'failed'" in capsys.readouterr().err
    assert run(home, "show", scan_id) == 0
    assert "Scores" in capsys.readouterr().out
    assert run(home, "show", "999") != 0
    assert "no scan 999" in capsys.readouterr().err

    report = tmp_path / "r.html"
    assert run(home, "report", "-o", str(report), "--lang", "en") == 0
    assert "Cybersecurity Audit Report" in report.read_text(encoding="utf-8")
    assert run(home, "report", scan_id, "-o", str(report), "--lang", "fr") != 0
    assert "unknown language" in capsys.readouterr().err


def test_a_report_needs_a_scan(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(home, "report", "-o", str(tmp_path / "r.html")) != 0
    assert "no scans yet" in capsys.readouterr().err


def test_config_on_a_missing_path(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(home, "config", "/no/such/dir") != 0
    err = capsys.readouterr().err
    assert "no such file or folder: /no/such/dir" in err and "Traceback" not in err


def test_targets_added_listed_run_and_removed(
    home: Path,
    deploy: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("GARRISON_TIMEZONE", "Asia/Shanghai")
    added = run(home, "targets", "add", "deploy", "config", str(deploy), "--schedule", "0 7 * * *")
    assert added == 0
    capsys.readouterr()
    assert run(home, "targets", "add", "bad", "config", str(deploy), "--schedule", "soon") != 0
    err = capsys.readouterr().err
    assert "bad schedule 'soon'" in err and "cron" in err
    assert run(home, "targets", "add", "web", "web", "ftp://example.cn/") != 0
    assert "not an http(s) URL" in capsys.readouterr().err
    assert run(home, "targets", "add", "later", "host", "local", "--manual") == 0
    assert "scanned on demand" in capsys.readouterr().err

    assert run(home, "targets", "list", "--json") == 0
    listed = {t["name"]: t for t in lines(capsys.readouterr().out)}
    assert set(listed) == {"deploy", "later"}
    assert listed["deploy"]["schedule"] == "0 7 * * *" and listed["later"]["next_run"] is None
    upcoming = datetime.fromisoformat(str(listed["deploy"]["next_run"]))
    assert upcoming.astimezone(ZoneInfo("Asia/Shanghai")).hour == 7

    assert run(home, "targets", "run", "deploy") == 0
    assert "failure(s)" in capsys.readouterr().err
    assert run(home, "scans", "--target", "deploy", "--json") == 0
    assert [s["target"] for s in lines(capsys.readouterr().out)] == ["deploy"]

    assert run(home, "targets", "remove", "deploy") == 0
    assert run(home, "targets", "remove", "deploy") != 0
    assert "no scan target 'deploy'" in capsys.readouterr().err
    assert run(home, "targets", "list", "--json") == 0
    assert [t["name"] for t in lines(capsys.readouterr().out)] == ["later"]
