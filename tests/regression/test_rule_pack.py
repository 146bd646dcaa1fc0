"""Every built-in rule fires on its positive samples and stays quiet on its negative ones.

Each folder here is one case (``case.json``, see :mod:`garrison.alerts.cases`): the rule, the
positive and negative sample files, how many alerts the positive file gives, and optionally
how many events those alerts cover. ``garrison rules test tests/regression`` runs the same.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from garrison.alerts.cases import Case, find_cases, hunt_file, run_case
from garrison.alerts.plan import CorrelationPlan, rule_key
from garrison.detect.ruleset import DetectionSet, build, builtin_rules_dir
from garrison.rules.loader import load

HERE = Path(__file__).parent
CASES = find_cases([HERE])


@pytest.fixture(scope="module")
def detection() -> DetectionSet:
    built = build([], builtin=True)
    assert built.problems == []
    return built


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_rule_fires_on_positive_and_not_on_negative(detection: DetectionSet, case: Path) -> None:
    result = run_case(detection, Case.load(case))
    assert result.ok, (result.problems, result.positive, result.negative)


def test_a_failing_case_says_why(detection: DetectionSet, tmp_path: Path) -> None:
    source = HERE / "ssh_brute_force"
    (tmp_path / "case.json").write_text(
        '{"rule": "SSH brute force from one source", "positive": "auth.log.1",'
        ' "negative": "auth.log", "alerts": 1}'
    )
    for name in ("auth.log", "auth.log.1"):
        (tmp_path / name).write_bytes((source / name).read_bytes())
    result = run_case(detection, Case.load(tmp_path))
    assert result.problems == [
        "positive sample gave 0 alert(s), expected 1",
        "negative sample gave 1 alert(s), expected 0",
    ]
    alerts, summary = hunt_file(detection, tmp_path / "auth.log")
    assert summary.unparsed == 0 and alerts


def test_every_built_in_rule_has_a_case() -> None:
    titles = {Case.load(c).rule for c in CASES}
    pack = load([builtin_rules_dir()])
    # Base rules that only feed correlations (Sigma's generate: false) never alert on their own.
    silent = CorrelationPlan(pack.correlations).silent
    reported = [r for r in pack.rules if rule_key(r) not in silent] + pack.correlations
    assert {r.title for r in reported} <= titles
    assert len(silent) == 4  # failures, successes, 404s, sent responses
