"""A scan: every result of the checks run on one target, in the form stored and reported."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from garrison.checks.base import Check, Result, Status

Kind = Literal["host", "web", "config"]
KINDS: tuple[str, ...] = ("host", "web", "config")


@dataclass(frozen=True, slots=True)
class Finding:
    """One result with what the report needs of its check.

    Attributes:
        check_id: The check.
        status: pass, fail, manual, not_applicable or error.
        severity: The check's severity (critical, high, medium, low, info).
        target: The scanned target (host, URL, path set).
        resource: What the result is about (file, service, URL...).
        line: Line in ``resource`` for files.
        message: One sentence for people.
        expected: What the policy wants.
        actual: What was found (checks mask secrets).
        frameworks: Framework -> requirement ids the check covers.
    """

    check_id: str
    status: Status
    severity: str
    target: str
    resource: str
    message: str
    line: int | None = None
    expected: str | None = None
    actual: str | None = None
    frameworks: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str]:
        """What identifies "the same finding" between two scans (lines move, so not the line)."""
        return (self.check_id, self.resource, self.message)

    def to_json(self) -> dict[str, Any]:
        """The ``--json`` form (one object per line)."""
        return {
            "check_id": self.check_id,
            "status": self.status.value,
            "severity": self.severity,
            "target": self.target,
            "resource": self.resource,
            "line": self.line,
            "message": self.message,
            "expected": self.expected,
            "actual": self.actual,
            "frameworks": {k: list(v) for k, v in self.frameworks.items()},
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Finding:
        """Back from :meth:`to_json` (stored scans)."""
        return cls(
            check_id=str(data["check_id"]),
            status=Status(data["status"]),
            severity=str(data["severity"]),
            target=str(data["target"]),
            resource=str(data["resource"]),
            message=str(data["message"]),
            line=data.get("line"),
            expected=data.get("expected"),
            actual=data.get("actual"),
            frameworks={k: tuple(v) for k, v in (data.get("frameworks") or {}).items()},
        )


def findings(results: Iterable[Result], checks: Iterable[Check], target: str) -> list[Finding]:
    """Results joined with their checks' severity and mappings, sorted for stable output."""
    by_id = {c.id: c for c in checks}
    out = []
    for r in results:
        meta = by_id[r.check_id].metadata
        out.append(
            Finding(
                check_id=r.check_id,
                status=r.status,
                severity=meta.severity,
                target=target,
                resource=r.resource,
                message=r.message,
                line=r.line,
                expected=r.expected,
                actual=r.actual,
                frameworks={
                    "dengbao": meta.mappings.dengbao,
                    "cis": meta.mappings.cis,
                    "iso27001": meta.mappings.iso27001,
                    "nist_csf": meta.mappings.nist_csf,
                },
            )
        )
    out.sort(key=lambda f: (f.resource, f.line or 0, f.check_id, f.message))
    return out


@dataclass(frozen=True, slots=True)
class Scan:
    """The checks run on one target at one time.

    Attributes:
        target: What was scanned (``local``, ``ssh://ops@10.0.0.5``, a URL, ``config``).
        kind: host, web or config.
        started: When the scan began (UTC).
        finished: When it ended (UTC).
        check_ids: Every check that ran (so a check with no result still counts as covered).
        findings: Every result, passes included.
        id: The stored scan's id (``None`` before it is stored).
    """

    target: str
    kind: str
    started: datetime
    finished: datetime
    check_ids: tuple[str, ...]
    findings: tuple[Finding, ...]
    id: int | None = None

    def failed(self) -> list[Finding]:
        """The failures."""
        return [f for f in self.findings if f.status is Status.FAIL]
