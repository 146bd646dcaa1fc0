"""Rule test cases: sample logs that a rule must fire on, and sample logs it must not.

A case is a folder with ``case.json``::

    {"rule": "SSH brute force from one source",   # the rule's title or id
     "positive": "auth.log",                      # must fire: exactly "alerts" alerts
     "negative": "auth.log.1",                    # must stay quiet
     "alerts": 1,
     "count": 12}                                 # optional: events (or values) they cover

The built-in pack's cases live in ``tests/regression/``; ``garrison rules test`` runs any
folder of cases against any rule set, so users can keep cases for their own rules.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from garrison.alerts.enrich import Enricher, MemoryBaseline, WorkCalendar
from garrison.alerts.hunt import Hunter, HuntSink
from garrison.alerts.model import Alert
from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError
from garrison.detect.ruleset import DetectionSet
from garrison.ingest.options import IngestOptions
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary

CASE_FILE = "case.json"
#: Samples without a year (syslog) are read as this year; the clock is fixed for repeatability.
SAMPLE_YEAR = 2026
_CLOCK = FrozenClock(datetime(2026, 11, 23, 12, tzinfo=UTC))


@dataclass(frozen=True)
class Case:
    """One rule test case (see the module docstring)."""

    folder: Path
    rule: str
    positive: Path
    negative: Path
    alerts: int
    count: int | None = None

    @classmethod
    def load(cls, folder: Path) -> Case:
        """Read ``folder/case.json``.

        Raises:
            InputError: If the file is missing, not JSON, or lacks a field.
        """
        path = folder / CASE_FILE
        try:
            spec = json.loads(path.read_text(encoding="utf-8"))
            return cls(
                folder=folder,
                rule=str(spec["rule"]),
                positive=folder / str(spec["positive"]),
                negative=folder / str(spec["negative"]),
                alerts=int(spec["alerts"]),
                count=int(spec["count"]) if "count" in spec else None,
            )
        except OSError as exc:
            raise InputError(f"{path}: cannot read: {exc.strerror}") from None
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from None
        except (KeyError, TypeError, ValueError) as exc:
            raise InputError(
                f"{path}: missing or invalid field {exc}",
                hint="needs rule, positive, negative, alerts (and optionally count)",
            ) from None


def find_cases(paths: Iterable[Path]) -> list[Path]:
    """Case folders under ``paths`` (a case folder itself, or folders holding cases)."""
    found: set[Path] = set()
    for path in paths:
        if (path / CASE_FILE).is_file():
            found.add(path)
        elif path.is_dir():
            found.update(p.parent for p in path.rglob(CASE_FILE))
        else:
            raise InputError(f"{path}: not a case folder", hint=f"a folder with {CASE_FILE}")
    return sorted(found)


def hunt_file(detection: DetectionSet, path: Path) -> tuple[list[Alert], IngestSummary]:
    """Hunt one sample file with the default calendar (UTC) and a fresh login baseline."""
    hunter = Hunter(detection, enricher=Enricher(WorkCalendar(UTC), MemoryBaseline()))
    summary = IngestSummary()
    ingest_path(
        str(path),
        sink=HuntSink(hunter),
        summary=summary,
        options=IngestOptions(year=SAMPLE_YEAR),
        clock=_CLOCK,
    )
    return hunter.alerts(), summary


@dataclass
class CaseResult:
    """The outcome of one case.

    Attributes:
        case: The case.
        problems: What went wrong (empty: passed).
        positive: The rule's alerts on the positive sample.
        negative: The rule's alerts on the negative sample.
    """

    case: Case
    problems: list[str] = field(default_factory=list)
    positive: list[Alert] = field(default_factory=list)
    negative: list[Alert] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when the case passed."""
        return not self.problems

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {
            "case": str(self.case.folder),
            "rule": self.case.rule,
            "ok": self.ok,
            "problems": self.problems,
            "positive_alerts": len(self.positive),
            "negative_alerts": len(self.negative),
        }


def _of_rule(alerts: list[Alert], rule: str) -> list[Alert]:
    return [a for a in alerts if rule in (a.title, a.rule_id)]


def run_case(detection: DetectionSet, case: Case) -> CaseResult:
    """Hunt the case's samples and compare with what it expects."""
    result = CaseResult(case)
    known = {r.title for r in detection.rules} | {str(r.id) for r in detection.rules if r.id}
    known |= {c.title for c in detection.correlations} | {
        str(c.id) for c in detection.correlations if c.id
    }
    if case.rule not in known:
        result.problems.append(f"no rule titled or with id {case.rule!r} in the rule set")
        return result
    for label, path in (("positive", case.positive), ("negative", case.negative)):
        if not path.is_file():
            result.problems.append(f"{label} sample {path} does not exist")
            continue
        alerts, summary = hunt_file(detection, path)
        for error in summary.errors:
            result.problems.append(f"{label} sample unreadable: {error['error']}")
        if summary.unparsed:
            result.problems.append(f"{label} sample: {summary.unparsed} line(s) not parsed")
        mine = _of_rule(alerts, case.rule)
        if label == "positive":
            result.positive = mine
            if len(mine) != case.alerts:
                result.problems.append(
                    f"positive sample gave {len(mine)} alert(s), expected {case.alerts}"
                )
            total = sum(a.count for a in mine)
            if case.count is not None and total != case.count:
                result.problems.append(f"positive alerts count {total}, expected {case.count}")
        else:
            result.negative = mine
            if mine:
                result.problems.append(f"negative sample gave {len(mine)} alert(s), expected 0")
    return result
