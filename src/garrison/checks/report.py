"""From scans, checks and frameworks to the audit report's data (《网络安全审计报告》).

:func:`audit_data` gathers everything once, in the report's language (check titles and
remediation come from check metadata), into the frozen dataclasses of
:mod:`garrison.reports.audit.model`: the renderer only lays them out.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import datetime

from garrison.checks.base import Status
from garrison.checks.diff import ScanDiff, diff_scans
from garrison.checks.frameworks import Framework, HasMetadata
from garrison.checks.metadata import SEVERITIES, Metadata
from garrison.checks.scan import Finding, Scan
from garrison.checks.scoring import FamilyScore, FrameworkScore, Verdict, score_all
from garrison.core.errors import InputError
from garrison.reports.audit.model import (
    AuditData,
    FamilyLine,
    FindingItem,
    FrameworkLine,
    ManualItem,
    SeverityGroup,
    Summary,
    TargetLine,
    Trend,
)
from garrison.reports.labels import LANGUAGES, Language


def combine(scans: Sequence[Scan]) -> Scan:
    """Several targets' scans as one, for scoring: a requirement fails if it fails anywhere."""
    if not scans:
        raise InputError("an audit report needs at least one scan")
    return Scan(
        target="; ".join(s.target for s in scans),
        kind=scans[0].kind if len({s.kind for s in scans}) == 1 else "mixed",
        started=min(s.started for s in scans),
        finished=max(s.finished for s in scans),
        check_ids=tuple(sorted({c for s in scans for c in s.check_ids})),
        findings=tuple(f for s in scans for f in s.findings),
    )


def _family_line(family: FamilyScore, language: str) -> FamilyLine:
    tally = family.tally
    return FamilyLine(
        id=family.id,
        title=family.title.get(language) or family.title.get("en", family.id),
        score=tally.score,
        passed=tally.passed,
        failed=tally.failed,
        errors=tally.errors,
        not_assessed=tally.not_assessed,
        manual=tally.manual,
        total=tally.total,
        subfamilies=tuple(_family_line(sub, language) for sub in family.subfamilies),
    )


def _framework_line(score: FrameworkScore, previous: float | None, language: str) -> FrameworkLine:
    tally = score.tally
    return FrameworkLine(
        id=score.framework,
        title=score.title.get(language) or score.title.get("en", score.framework),
        version=score.version,
        score=tally.score,
        previous=previous,
        passed=tally.passed,
        failed=tally.failed,
        errors=tally.errors,
        not_assessed=tally.not_assessed,
        manual=tally.manual,
        total=tally.total,
        automated=tally.automated,
        families=tuple(_family_line(f, language) for f in score.families),
    )


def _item(finding: Finding, meta: Metadata | None, language: str, change: str = "") -> FindingItem:
    requirements = tuple(finding.frameworks.get("dengbao", ())) + tuple(
        finding.frameworks.get("cis", ())
    )
    return FindingItem(
        check_id=finding.check_id,
        title=meta.title.in_(language) if meta else finding.check_id,
        severity=finding.severity,
        status=finding.status.value,
        target=finding.target,
        resource=finding.resource,
        line=finding.line,
        message=finding.message,
        expected=finding.expected,
        actual=finding.actual,
        remediation=meta.remediation.text.in_(language) if meta else "",
        commands=meta.remediation.commands if meta else (),
        requirements=requirements,
        change=change,
    )


def _severity_rank(severity: str) -> int:
    return SEVERITIES.index(severity) if severity in SEVERITIES else len(SEVERITIES)


def _diffs(scans: Sequence[Scan], previous: Mapping[str, Scan]) -> list[ScanDiff]:
    return [diff_scans(s, previous[s.target]) for s in scans if s.target in previous]


def audit_data(
    scans: Sequence[Scan],
    previous: Iterable[Scan],
    checks: Iterable[HasMetadata],
    frameworks: Iterable[Framework],
    language: str,
    now: datetime,
    scope: str,
    organisation: str | None = None,
) -> AuditData:
    """Gather the audit report of ``scans``.

    Args:
        scans: The scans audited (one per target, usually the latest).
        previous: The previous scan of each target, if any (matched by target; others ignored).
        checks: The check catalogue (titles, remediation; coverage for scores).
        frameworks: The frameworks to score, in the order shown; ``dengbao`` also gives the
            manual items.
        language: ``zh-CN`` or ``en``.
        now: When the report is made.
        scope: What was audited, in the auditor's words.
        organisation: The audited organisation.

    Raises:
        InputError: Without scans, or for an unknown language.
    """
    if language not in LANGUAGES:
        raise InputError(
            f"unknown report language {language!r}", hint=f"use one of: {', '.join(LANGUAGES)}"
        )
    scans = list(scans)
    catalogue = list(checks)
    frameworks = list(frameworks)
    metas = {c.metadata.id: c.metadata for c in catalogue}
    current = combine(scans)
    by_target = {p.target: p for p in previous}
    earlier = [by_target[s.target] for s in scans if s.target in by_target]

    scores = score_all(current, frameworks, catalogue)
    before = score_all(combine(earlier), frameworks, catalogue) if earlier else {}
    lines = tuple(
        _framework_line(s, before[k].score if k in before else None, language)
        for k, s in scores.items()
    )

    diffs = _diffs(scans, by_target)
    still_keys = {(f.target, f.key) for d in diffs for f in d.still}

    def change(finding: Finding) -> str:
        # Only failures of targets scanned before can be new or still open.
        if finding.status is not Status.FAIL or finding.target not in by_target:
            return ""
        return "still" if (finding.target, finding.key) in still_keys else "new"

    flagged = [f for f in current.findings if f.status in (Status.FAIL, Status.ERROR)]
    flagged.sort(
        key=lambda f: (
            _severity_rank(f.severity),
            f.status is not Status.FAIL,
            f.target,
            f.check_id,
            f.resource,
            f.line or 0,
        )
    )
    items = [_item(f, metas.get(f.check_id), language, change(f)) for f in flagged]
    groups = tuple(
        SeverityGroup(sev, tuple(i for i in items if i.severity == sev))
        for sev in (*SEVERITIES, *sorted({i.severity for i in items} - set(SEVERITIES)))
        if any(i.severity == sev for i in items)
    )

    trend = None
    if earlier:
        trend = Trend(
            previous_finished=max(p.finished for p in earlier),
            new=sum(len(d.new) for d in diffs),
            fixed=tuple(_item(f, metas.get(f.check_id), language) for d in diffs for f in d.fixed),
            still=sum(len(d.still) for d in diffs),
            unverified=sum(len(d.unverified) for d in diffs),
        )

    manual: tuple[ManualItem, ...] = ()
    dengbao = scores.get("dengbao")
    if dengbao is not None:
        framework = next(f for f in frameworks if f.id == "dengbao")
        manual = tuple(
            ManualItem(
                id=r.requirement.id,
                family=framework.family(r.requirement.family).title.in_(language),
                title=r.requirement.title.in_(language),
                guidance=r.requirement.guidance.in_(language) if r.requirement.guidance else "",
            )
            for r in dengbao.requirements
            if r.verdict is Verdict.MANUAL
        )

    failures = [f for f in flagged if f.status is Status.FAIL]
    summary = Summary(
        targets=len(scans),
        checks=sum(len(s.check_ids) for s in scans),
        failed=len(failures),
        errors=sum(1 for f in flagged if f.status is Status.ERROR),
        by_severity=tuple(
            (sev, sum(1 for f in failures if f.severity == sev)) for sev in SEVERITIES
        ),
        dengbao=dengbao.score if dengbao is not None else None,
        manual=len(manual),
    )
    return AuditData(
        language=language,
        scope=scope,
        organisation=organisation,
        period_start=current.started,
        period_end=current.finished,
        generated_at=now,
        targets=tuple(
            TargetLine(
                name=s.target,
                kind=s.kind,
                started=s.started,
                finished=s.finished,
                checks=len(s.check_ids),
                failed=len(s.failed()),
            )
            for s in scans
        ),
        frameworks=lines,
        groups=groups,
        trend=trend,
        manual=manual,
        summary=summary,
    )


__all__ = [
    "AuditData",
    "FamilyLine",
    "FindingItem",
    "FrameworkLine",
    "Language",
    "ManualItem",
    "SeverityGroup",
    "Summary",
    "TargetLine",
    "Trend",
    "audit_data",
    "combine",
]
