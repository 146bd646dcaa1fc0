"""Every built-in rule fires on its positive samples and stays quiet on its negative ones.

Each folder here is one case: ``case.json`` names the rule (by title), the positive and
negative sample files, how many alerts the positive file gives, and optionally how many
events those alerts cover (``count``). The samples are hunted with the built-in rule pack,
exactly as ``garrison hunt`` does.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from garrison.alerts.enrich import Enricher, MemoryBaseline, WorkCalendar
from garrison.alerts.hunt import Hunter, HuntSink
from garrison.alerts.model import Alert
from garrison.core.clock import FrozenClock
from garrison.detect.ruleset import DetectionSet, build, builtin_rules_dir
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.rules.loader import load

HERE = Path(__file__).parent
CASES = sorted(p.parent for p in HERE.glob("*/case.json"))


@pytest.fixture(scope="module")
def detection() -> DetectionSet:
    built = build([], builtin=True)
    assert built.problems == []
    return built


def hunt(detection: DetectionSet, path: Path) -> list[Alert]:
    # Samples are in UTC; the calendar is the default one (08:00-20:00, Monday to Friday).
    hunter = Hunter(detection, enricher=Enricher(WorkCalendar(UTC), MemoryBaseline()))
    assert hunter.unsupported == []
    summary = IngestSummary()
    ingest_path(
        str(path),
        sink=HuntSink(hunter),
        summary=summary,
        options=IngestOptions(year=2026),
        clock=FrozenClock(datetime(2026, 11, 23, 12, tzinfo=UTC)),
    )
    assert summary.errors == [] and summary.unparsed == 0, summary.to_dict()
    return hunter.alerts()


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_rule_fires_on_positive_and_not_on_negative(detection: DetectionSet, case: Path) -> None:
    spec = json.loads((case / "case.json").read_text())
    positive = [a for a in hunt(detection, case / spec["positive"]) if a.title == spec["rule"]]
    negative = [a for a in hunt(detection, case / spec["negative"]) if a.title == spec["rule"]]
    assert len(positive) == spec["alerts"], positive
    if "count" in spec:
        assert sum(a.count for a in positive) == spec["count"]
    assert negative == []


def test_every_built_in_rule_has_a_case() -> None:
    titles = {json.loads(c.joinpath("case.json").read_text())["rule"] for c in CASES}
    pack = load([builtin_rules_dir()])
    reported = [r for r in pack.rules if not _silent(r.title)] + pack.correlations
    assert {r.title for r in reported} <= titles


def _silent(title: str) -> bool:
    """Base rules that only feed correlations (Sigma's generate: false)."""
    return title in {
        "SSH authentication failure",
        "SSH login success",
        "Web request for a missing page",
        "Web response sent",
    }
