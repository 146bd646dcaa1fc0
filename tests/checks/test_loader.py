"""The check loader refuses checks whose id, folder, module, class or metadata disagree."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from garrison.checks.loader import all_checks, load_check
from garrison.core.errors import ConfigError

META = {
    "id": "demo_check",
    "area": "host",
    "title": {"zh-CN": "示例", "en": "Demo"},
    "description": {"zh-CN": "示例", "en": "Demo"},
    "severity": "low",
    "rationale": {"zh-CN": "示例", "en": "Demo"},
    "remediation": {"text": {"zh-CN": "示例", "en": "Demo"}},
}
CODE = """
from garrison.checks.base import Check, Facts, Result

class {name}(Check):
    def run(self, facts: Facts) -> list[Result]:
        return []
"""


@pytest.fixture
def package(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "fakechecks"
    (root / "host").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "host" / "__init__.py").write_text("")
    sys.path.insert(0, str(tmp_path))
    yield root
    sys.path.remove(str(tmp_path))
    for name in [m for m in sys.modules if m.startswith("fakechecks")]:
        del sys.modules[name]


def _write(root: Path, folder: str, meta: dict[str, object], class_name: str) -> Path:
    path = root / "host" / folder
    path.mkdir()
    (path / "__init__.py").write_text("")
    (path / f"{folder}.py").write_text(CODE.format(name=class_name))
    (path / f"{folder}.metadata.json").write_text(json.dumps(meta, ensure_ascii=False))
    return path


def test_a_consistent_check_loads(package: Path) -> None:
    check = load_check("host", _write(package, "demo_check", META, "demo_check"), "fakechecks")
    assert check.metadata.title.in_("zh-CN") == "示例"


@pytest.mark.parametrize(
    ("folder", "meta", "class_name", "problem"),
    [
        ("demo_check", {**META, "id": "other_check"}, "demo_check", "differs from its folder"),
        ("demo_check", META, "DemoCheck", "no check class named"),
        ("demo_check", {**META, "area": "web"}, "demo_check", "but the check is under"),
        ("demo_check", {**META, "severity": "urgent"}, "demo_check", "severity"),
        ("demo_check", {k: v for k, v in META.items() if k != "title"}, "demo_check", "title"),
    ],
)
def test_inconsistent_checks_are_refused(
    package: Path, folder: str, meta: dict[str, object], class_name: str, problem: str
) -> None:
    with pytest.raises(ConfigError, match=problem):
        load_check("host", _write(package, folder, meta, class_name), "fakechecks")


def test_invalid_json_names_the_line(package: Path) -> None:
    path = _write(package, "demo_check", META, "demo_check")
    (path / "demo_check.metadata.json").write_text('{\n  "id": "demo_check",\n  oops\n}')
    with pytest.raises(ConfigError, match=r"demo_check.metadata.json:3: invalid JSON"):
        load_check("host", path, "fakechecks")


def test_every_built_in_check_loads_with_both_languages() -> None:
    checks = all_checks()
    assert checks
    for check in checks:
        meta = check.metadata
        assert meta.title.zh and meta.title.en and meta.remediation.text.zh
        assert meta.mappings.dengbao, f"{meta.id} maps to no 等保2.0 item"
