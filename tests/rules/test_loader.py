"""Loading Sigma rules: standard rules and correlations load; every problem has file and line."""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.cli.main import main
from garrison.rules.loader import load

RULE = """\
title: SSH failed password
id: 5a6b6c1e-1111-4c2d-9e55-000000000001
status: test
author: Garrison
logsource:
    product: linux
    service: auth
detection:
    selection:
        event.action: ssh_login
        event.outcome: failure
    condition: selection
level: medium
tags:
    - attack.credential-access
    - attack.t1110
"""

CORRELATION = """\
title: Brute force by source
id: 5a6b6c1e-1111-4c2d-9e55-000000000002
correlation:
    type: event_count
    rules:
        - 5a6b6c1e-1111-4c2d-9e55-000000000001
    group-by:
        - source.ip
    timespan: 5m
    condition:
        gte: 5
level: high
"""


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_rules_and_multi_document_correlations_load(tmp_path: Path) -> None:
    write(tmp_path, "brute.yml", RULE + "---\n" + CORRELATION)
    result = load([tmp_path])
    assert result.ok and result.problems == []
    assert [r.title for r in result.rules] == ["SSH failed password"]
    (correlation,) = result.correlations
    assert [ref.rule.title for ref in correlation.rules] == ["SSH failed password"]


def test_correlation_may_reference_a_rule_of_another_file(tmp_path: Path) -> None:
    write(tmp_path, "a_rule.yml", RULE)
    write(tmp_path, "b_corr.yml", CORRELATION)
    result = load([tmp_path])
    assert result.ok and len(result.correlations) == 1


@pytest.mark.parametrize(
    ("name", "text", "line", "needle"),
    [
        ("modifier.yml", RULE.replace("event.outcome:", "event.outcome|nosuch:"), 11, "nosuch"),
        (
            "condition.yml",
            RULE.replace("condition: selection", "condition: selection and not filter"),
            12,
            "filter",
        ),
        ("yaml.yml", RULE.replace("level: medium", "level: [medium"), 14, "YAML"),
        ("timespan.yml", RULE + "---\n" + CORRELATION.replace("5m", "5 minutes"), 26, "5 minutes"),
        ("reference.yml", CORRELATION, 6, "5a6b6c1e-1111-4c2d-9e55-000000000001"),
    ],
)
def test_problems_carry_file_and_line(
    tmp_path: Path, name: str, text: str, line: int, needle: str
) -> None:
    path = write(tmp_path, name, text)
    result = load([path])
    assert not result.ok
    (problem,) = result.problems
    assert (problem.path, problem.line, problem.severity) == (path, line, "error")
    assert needle in problem.message


def test_a_broken_file_does_not_hide_the_others(tmp_path: Path) -> None:
    write(tmp_path, "good.yml", RULE)
    write(tmp_path, "bad.yml", "title: [\n")
    (tmp_path / "notes.txt").write_text("not a rule")
    result = load([tmp_path, tmp_path / "missing.yml"])
    assert len(result.rules) == 1 and result.files == 2
    assert sorted(p.path.name for p in result.problems) == ["bad.yml", "missing.yml"]


def test_cli_lint_json_and_exit_code(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import orjson

    write(tmp_path, "good.yml", RULE)
    assert main(["rules", "lint", str(tmp_path), "--json"]) == 0
    report = orjson.loads(capsys.readouterr().out)
    assert report == {"ok": True, "files": 1, "rules": 1, "correlations": 0, "problems": []}
    write(tmp_path, "bad.yml", RULE.replace("condition: selection", "condition: nothing"))
    assert main(["rules", "lint", str(tmp_path), "--json"]) == 1
    report = orjson.loads(capsys.readouterr().out)
    assert report["problems"][0]["path"].endswith("bad.yml") and report["problems"][0]["line"] == 12


def test_cli_list_shows_the_built_in_pack(capsys: pytest.CaptureFixture[str]) -> None:
    import orjson

    assert main(["rules", "list", "--json"]) == 0
    rows = orjson.loads(capsys.readouterr().out)
    kinds = {row["title"]: row["kind"] for row in rows}
    assert kinds["SSH brute force from one source"] == "correlation:event_count"
    assert kinds["High-risk shell command"] == "rule"
    assert all(row["level"] for row in rows)


def test_a_duplicate_rule_id_is_refused_with_both_places(tmp_path: Path) -> None:
    body = (
        "title: {title}\nid: 0b8a4c1e-1111-4222-8333-944445555666\nlogsource:\n"
        "    product: linux\ndetection:\n    sel:\n        a: b\n    condition: sel\n"
    )
    (tmp_path / "a.yml").write_text(body.format(title="First"))
    (tmp_path / "b.yml").write_text("# a tuned copy\n" + body.format(title="Copy"))
    result = load([tmp_path])
    assert [r.title for r in result.rules] == ["First"]
    (problem,) = result.problems
    assert problem.path == tmp_path / "b.yml" and problem.line == 3
    assert "duplicate rule id" in problem.message and f"{tmp_path / 'a.yml'}:2" in problem.message


def test_a_document_that_is_not_a_mapping_is_refused_not_a_crash(tmp_path: Path) -> None:
    (tmp_path / "odd.yml").write_text("title: fine\n---\n0\n")
    (tmp_path / "list.yml").write_text("- a\n- b\n")
    result = load([tmp_path])
    problems = sorted((p.path.name, p.line) for p in result.problems)
    assert problems == [("list.yml", 1), ("odd.yml", 3)]
    assert all("must be a mapping" in p.message for p in result.problems)
