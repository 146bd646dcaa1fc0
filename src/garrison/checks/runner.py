"""Running checks over the facts of a target; the machine form of a finding."""

from __future__ import annotations

import logging
from collections.abc import Iterable
from typing import Any

from garrison.checks.base import Check, Facts, MissingFactError, Result, Status

log = logging.getLogger(__name__)


def run_checks(checks: Iterable[Check], facts: Facts) -> list[Result]:
    """Every result of every check; a check that raises gives an ``error`` result, not a pass."""
    results: list[Result] = []
    for check in checks:
        try:
            results.extend(check.run(facts))
        except MissingFactError as exc:
            results.append(
                check.result(
                    Status.ERROR, facts.target, f"could not collect {exc.name!r} on this target"
                )
            )
        except Exception as exc:  # one broken check must not hide the others' findings
            log.exception("check %s failed on %s", check.id, facts.target)
            results.append(
                check.result(Status.ERROR, facts.target, f"the check failed: {type(exc).__name__}")
            )
    return results


def finding(result: Result, check: Check, target: str) -> dict[str, Any]:
    """The ``--json`` form of a result (one JSON object per line)."""
    meta = check.metadata
    return {
        "check_id": result.check_id,
        "status": result.status.value,
        "severity": meta.severity,
        "target": target,
        "resource": result.resource,
        "line": result.line,
        "message": result.message,
        "expected": result.expected,
        "actual": result.actual,
        "title": meta.title.en,
        "frameworks": {
            "dengbao": list(meta.mappings.dengbao),
            "cis": list(meta.mappings.cis),
            "iso27001": list(meta.mappings.iso27001),
            "nist_csf": list(meta.mappings.nist_csf),
        },
    }
