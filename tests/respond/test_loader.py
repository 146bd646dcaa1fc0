"""Playbook files: parsed, linted, every problem with its file and line."""

from __future__ import annotations

from pathlib import Path

from garrison.respond.loader import builtin_sources, load_catalog, parse

GOOD = """\
id: good
title: {en: Good, zh-CN: 好}
steps:
  - id: tell
    action: notify
    args:
      subject: hi
      message: "${{ alert.title }}"
      roles: [technical]
"""


def _lines(text: str) -> list[tuple[int, str]]:
    playbook, problems = parse(text, "p.yml")
    assert playbook is None
    assert all(p.path == "p.yml" for p in problems)
    return [(p.line, p.message) for p in problems]


def test_a_good_playbook_parses() -> None:
    playbook, problems = parse(GOOD, "p.yml")
    assert problems == [] and playbook is not None
    assert playbook.title_in("zh-CN") == "好" and playbook.title_in("fr") == "Good"


def test_yaml_errors_name_the_line() -> None:
    assert _lines("id: x\nsteps: [\n  - a: b\n")[0][0] >= 2


def test_schema_errors_name_the_offending_key_line() -> None:
    text = GOOD.replace("    action: notify\n", "    action: notify\n    retyr: {count: 2}\n")
    ((line, message),) = _lines(text)
    assert line == 6 and "retyr" in message
    text = GOOD.replace("id: tell", "id: Tell Me")
    ((line, message),) = _lines(text)
    assert line == 4 and "steps.0.id" in message


def test_lint_finds_what_a_schema_cannot() -> None:
    text = (
        GOOD
        + """\
  - id: tell
    action: no_such_action
    needs: [later]
    on_error: nowhere
  - id: later
    if: "alert.count >"
    action: notify
    args: {subject: x, message: y, roles: [technical], colour: red}
"""
    )
    found = _lines(text)
    messages = " | ".join(m for _, m in found)
    assert "used twice" in messages
    assert "unknown action 'no_such_action'" in messages
    assert "needs 'later', which is not an earlier step" in messages
    assert "on_error is stop, continue, undo" in messages
    assert "does not compile" in messages
    assert "colour" in messages
    assert {line for line, _ in found} >= {10, 12, 13, 14}


def test_templated_arguments_are_left_to_run_time() -> None:
    playbook, problems = parse(GOOD.replace("roles: [technical]", 'roles: "${{ x }}"'), "p.yml")
    assert problems == [] and playbook is not None


def test_catalog_user_files_override_shipped_and_duplicates_are_refused(tmp_path: Path) -> None:
    (tmp_path / "a.yml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    (tmp_path / "c.yml").write_text("id: [\n")
    catalog = load_catalog([tmp_path, tmp_path / "missing"], builtin=False)
    assert list(catalog.playbooks) == ["good"]
    messages = [str(p) for p in catalog.problems]
    assert any("b.yaml:1: playbook id 'good' is also used by" in m for m in messages)
    assert any("c.yml" in m and "invalid YAML" in m for m in messages)
    assert any("missing:1: no such file or folder" in m for m in messages)


def test_shipped_playbooks_are_valid() -> None:
    names = [name for name, _ in builtin_sources()]
    assert {
        "brute-force-block.yml",
        "account-compromise.yml",
        "web-shell.yml",
        "container-escape.yml",
        "data-exfiltration.yml",
    } == set(names)
    catalog = load_catalog(builtin=True)
    assert catalog.problems == []
    assert len(catalog.playbooks) == len(names)
