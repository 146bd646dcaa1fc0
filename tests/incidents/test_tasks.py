"""Task templates: the built-in file loads, bad files are refused with their place."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from garrison.core.errors import ConfigError
from garrison.incidents.phases import Phase
from garrison.incidents.tasks import TYPES, load_templates, plan

T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)


def test_every_type_has_tasks_in_both_languages_ending_with_the_report() -> None:
    templates = load_templates()
    assert set(TYPES) <= set(templates)
    for tasks in templates.values():
        assert tasks[-1].phase is Phase.REVIEW and "report" in tasks[-1].en
        assert all(t.zh and t.en for t in tasks)


def test_plan_sets_due_times_and_falls_back_to_generic() -> None:
    tasks = plan("brute_force", T0, load_templates())
    assert tasks[0].due == T0 + timedelta(minutes=15) and tasks[0].role == "technical"
    assert [t.title_en for t in plan("unknown", T0, load_templates())] == [
        t.en for t in load_templates()["generic"]
    ]


def test_bad_template_files_are_refused_with_the_place(tmp_path: Path) -> None:
    bad = tmp_path / "t.yml"
    bad.write_text(
        "generic:\n  - {phase: nowhere, role: technical, due_minutes: 5, zh: a, en: b}\n"
    )
    with pytest.raises(ConfigError, match=r"t.yml: invalid task templates: generic\.0\.phase"):
        load_templates(bad)
    missing = tmp_path / "m.yml"
    missing.write_text("malware: []\n")
    with pytest.raises(ConfigError, match="generic"):
        load_templates(missing)
