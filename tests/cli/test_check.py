"""``garrison check``: a ``docker run --user=root -v docker.sock`` line is flagged twice."""

from __future__ import annotations

from pathlib import Path

import orjson
import pytest

from garrison.cli.main import main

SCRIPT = """#!/bin/sh
# deploy the agent
docker run -d --name agent --user=root \\
  -v /var/run/docker.sock:/var/run/docker.sock \\
  registry.example.com/agent:1.4
docker run --rm -u 1000 nginx:1.27
"""


def test_both_risks_are_flagged_with_the_line(
    home: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    script = tmp_path / "deploy.sh"
    script.write_text(SCRIPT)
    code = main(["--data-dir", str(home), "check", "config", str(tmp_path), "--json"])
    assert code == 1  # failures found
    findings = [orjson.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert sorted((f["check_id"], f["line"]) for f in findings) == [
        ("docker_run_docker_sock", 3),
        ("docker_run_root_user", 3),
    ]
    first = findings[0]
    assert set(first) >= {
        "check_id", "status", "severity", "target", "resource", "line", "message",
        "expected", "actual", "frameworks",
    }  # fmt: skip
    assert first["frameworks"]["dengbao"] and first["resource"] == str(script)
    assert main(["--data-dir", str(home), "check", "config", str(script), "--exit-zero"]) == 0


def test_listing_and_a_missing_path(home: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--data-dir", str(home), "check", "list", "--json"]) == 0
    ids = {orjson.loads(line)["id"] for line in capsys.readouterr().out.splitlines()}
    assert "docker_run_docker_sock" in ids
    assert main(["--data-dir", str(home), "check", "config", "/no/such/dir"]) != 0
    assert "no such file" in capsys.readouterr().err
