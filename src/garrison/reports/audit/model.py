"""What the audit report (《网络安全审计报告》) says: frozen dataclasses of strings, numbers,
times and tuples, so the renderer only lays them out and
:func:`garrison.reports.mask.mask_value` can walk them to mask personal data.

They are built by :func:`garrison.checks.report.audit_data` (checks sit above reports).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime


@dataclass(frozen=True, slots=True)
class TargetLine:
    """One audited target.

    Attributes:
        name: The target (host, URL, paths).
        kind: host, web or config.
        started: When its scan began.
        finished: When it ended.
        checks: How many checks ran.
        failed: How many failures it had.
    """

    name: str
    kind: str
    started: datetime
    finished: datetime
    checks: int
    failed: int


@dataclass(frozen=True, slots=True)
class FamilyLine:
    """A family's score (等保 安全计算环境...)."""

    id: str
    title: str
    score: float | None
    passed: int
    failed: int
    errors: int
    not_assessed: int
    manual: int
    total: int
    subfamilies: tuple[FamilyLine, ...] = ()


@dataclass(frozen=True, slots=True)
class FrameworkLine:
    """A framework's score with its families.

    Attributes:
        id: The framework id.
        title: Its name in the report language.
        version: Its edition.
        score: The score (``None``: nothing assessed).
        previous: The score on the previous scans (``None``: none, or nothing assessed).
        passed, failed, errors, not_assessed, manual, total, automated: Requirement counts.
        families: The top-level families.
    """

    id: str
    title: str
    version: str
    score: float | None
    previous: float | None
    passed: int
    failed: int
    errors: int
    not_assessed: int
    manual: int
    total: int
    automated: int
    families: tuple[FamilyLine, ...]

    @property
    def delta(self) -> float | None:
        """The change since the previous scans, one decimal."""
        if self.score is None or self.previous is None:
            return None
        return round(self.score - self.previous, 1)


@dataclass(frozen=True, slots=True)
class FindingItem:
    """A failure (or undecided result) with its evidence and remediation.

    Attributes:
        check_id: The check.
        title: The check's title.
        severity: Its severity.
        status: fail or error.
        target: The target it was found on.
        resource: Where (file, URL, account...).
        line: The line in ``resource``.
        message: What was found.
        expected: What the policy wants.
        actual: What is there (masked by the check when secret).
        remediation: How to fix it.
        commands: Commands that fix or verify it.
        requirements: 等保 items it breaks (and CIS ids), for the auditor.
        change: ``new`` (not in the previous scan), ``still`` (was there too) or empty.
    """

    check_id: str
    title: str
    severity: str
    status: str
    target: str
    resource: str
    line: int | None
    message: str
    expected: str | None
    actual: str | None
    remediation: str
    commands: tuple[str, ...]
    requirements: tuple[str, ...]
    change: str = ""


@dataclass(frozen=True, slots=True)
class SeverityGroup:
    """The findings of one risk level."""

    severity: str
    findings: tuple[FindingItem, ...]


@dataclass(frozen=True, slots=True)
class ManualItem:
    """A requirement no check covers: an auditor verifies it.

    Attributes:
        id: Its id (``8.1.5.4 d)``).
        family: Its (sub-)family's name.
        title: The requirement text.
        guidance: How to verify it (empty when the framework gives none).
    """

    id: str
    family: str
    title: str
    guidance: str


@dataclass(frozen=True, slots=True)
class Trend:
    """The comparison with the previous scans of the same targets.

    Attributes:
        previous_finished: When the latest previous scan ended.
        new: Failures that appeared.
        fixed: Previous failures now gone.
        still: Count of failures in both.
        unverified: Count of previous failures whose check did not run this time.
    """

    previous_finished: datetime | None
    new: int
    fixed: tuple[FindingItem, ...]
    still: int
    unverified: int


@dataclass(frozen=True, slots=True)
class Summary:
    """The numbers of the summary section.

    Attributes:
        targets: Targets audited.
        checks: Check runs (checks x targets).
        failed: Failures.
        errors: Undecided results.
        by_severity: ``(severity, failures)`` from critical to info.
        dengbao: The 等保 score (``None``: not assessed or no 等保 framework).
        manual: 等保 requirements to verify manually.
    """

    targets: int
    checks: int
    failed: int
    errors: int
    by_severity: tuple[tuple[str, int], ...]
    dengbao: float | None
    manual: int


@dataclass(frozen=True, slots=True)
class AuditData:
    """Everything the audit report shows.

    Attributes:
        language: The language of the texts taken from metadata and frameworks.
        scope: What was audited, in the auditor's words.
        organisation: The audited organisation (optional).
        period_start: The earliest scan start.
        period_end: The latest scan end.
        generated_at: When the report was made.
        targets: The audited targets.
        frameworks: Scores per framework.
        groups: Findings by risk level, critical first (empty levels left out).
        trend: The comparison with previous scans (``None`` without any).
        manual: 等保 requirements to verify manually.
        summary: The summary numbers.
    """

    language: str
    scope: str
    organisation: str | None
    period_start: datetime
    period_end: datetime
    generated_at: datetime
    targets: tuple[TargetLine, ...]
    frameworks: tuple[FrameworkLine, ...]
    groups: tuple[SeverityGroup, ...]
    trend: Trend | None
    manual: tuple[ManualItem, ...]
    summary: Summary
