"""Compliance scores: how much of a framework one scan shows to be met.

Each requirement of a framework gets one status on a scan, from the results of the checks
that map onto it (the mapping comes from check metadata, see
:meth:`~garrison.checks.frameworks.Framework.checks_for`):

* ``fail``: some covering check failed;
* ``error``: none failed but some could not decide (its facts could not be collected);
* ``pass``: the covering checks that ran found nothing wrong and at least one passed;
* ``not_assessed``: covering checks exist but none ran on this target, or they only found
  the thing absent (``not_applicable``);
* ``manual``: no check covers the requirement, or its checks only asked for a person
  (``manual`` results): somebody has to verify it.

The score is deliberately simple: ``passed / (passed + failed) * 100`` over the requirements
the scan could decide, rounded to one decimal, and ``None`` when it decided none. Requirements
are not weighted by severity: one failed requirement counts as much as another, so the number
reads the same way for every framework and an auditor can recount it from the table. Errors
count neither way, since the scan could not decide; they are reported next to the score.
Families (等保 安全计算环境, ISO themes, CSF functions) are scored the same way.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from garrison.checks.base import Status
from garrison.checks.frameworks import Framework, HasMetadata, Requirement
from garrison.checks.scan import Finding, Scan


class Verdict(StrEnum):
    """What a scan shows about one requirement."""

    PASS = "pass"  # noqa: S105 - a status, not a password
    FAIL = "fail"
    ERROR = "error"
    NOT_ASSESSED = "not_assessed"
    MANUAL = "manual"


@dataclass(frozen=True, slots=True)
class RequirementResult:
    """One requirement on one scan.

    Attributes:
        requirement: The requirement.
        verdict: Its status (see the module docs).
        checks: Ids of every check that covers it (empty: manual).
        failed: Ids of the covering checks that failed on this scan.
    """

    requirement: Requirement
    verdict: Verdict
    checks: tuple[str, ...]
    failed: tuple[str, ...] = ()

    @property
    def automated(self) -> bool:
        """Whether some check covers the requirement."""
        return bool(self.checks)


@dataclass(frozen=True, slots=True)
class Tally:
    """Requirement counts by verdict, and the score they give.

    Attributes:
        passed: Requirements met.
        failed: Requirements not met.
        errors: Requirements the scan could not decide.
        not_assessed: Requirements with checks that did not apply to this target.
        manual: Requirements only a person can verify.
        automated: Requirements some check covers (whatever their verdict).
    """

    passed: int = 0
    failed: int = 0
    errors: int = 0
    not_assessed: int = 0
    manual: int = 0
    automated: int = 0

    @property
    def total(self) -> int:
        """Every requirement counted."""
        return self.passed + self.failed + self.errors + self.not_assessed + self.manual

    @property
    def score(self) -> float | None:
        """``passed / (passed + failed) * 100``, one decimal; ``None`` when nothing decided."""
        decided = self.passed + self.failed
        return round(self.passed * 100 / decided, 1) if decided else None

    @classmethod
    def of(cls, results: Iterable[RequirementResult]) -> Tally:
        """Count a set of requirement results."""
        counts = dict.fromkeys(Verdict, 0)
        automated = 0
        for result in results:
            counts[result.verdict] += 1
            automated += result.automated
        return cls(
            passed=counts[Verdict.PASS],
            failed=counts[Verdict.FAIL],
            errors=counts[Verdict.ERROR],
            not_assessed=counts[Verdict.NOT_ASSESSED],
            manual=counts[Verdict.MANUAL],
            automated=automated,
        )


@dataclass(frozen=True, slots=True)
class FamilyScore:
    """A family's score (等保 安全计算环境 8.1.4), with its sub-families.

    Attributes:
        id: The family id.
        title: Its name, ``{"zh-CN": ..., "en": ...}``.
        tally: Its requirements' counts (sub-families included) and score.
        subfamilies: The scores of its sub-families (身份鉴别 8.1.4.1...), in file order.
    """

    id: str
    title: Mapping[str, str]
    tally: Tally
    subfamilies: tuple[FamilyScore, ...] = ()

    @property
    def score(self) -> float | None:
        """The family's score."""
        return self.tally.score


@dataclass(frozen=True, slots=True)
class FrameworkScore:
    """A framework's score on one scan.

    Attributes:
        framework: The framework id.
        title: Its name, ``{"zh-CN": ..., "en": ...}``.
        version: The edition.
        tally: Counts and score over every requirement.
        families: Scores of its top-level families, in file order.
        requirements: Every requirement's result, in file order.
    """

    framework: str
    title: Mapping[str, str]
    version: str
    tally: Tally
    families: tuple[FamilyScore, ...]
    requirements: tuple[RequirementResult, ...]

    @property
    def score(self) -> float | None:
        """The framework's score."""
        return self.tally.score

    def by_verdict(self, verdict: Verdict) -> list[RequirementResult]:
        """The requirements with one verdict, in file order."""
        return [r for r in self.requirements if r.verdict is verdict]

    def summary(self) -> dict[str, Any]:
        """The JSON form stored with a scan (``title``, ``score``, counts, ``families``)."""
        return {
            "title": dict(self.title),
            "version": self.version,
            "score": self.score,
            **_counts(self.tally),
            "families": {
                family.id: {
                    "title": dict(family.title),
                    "score": family.score,
                    **_counts(family.tally),
                }
                for family in self.families
            },
        }


def _counts(tally: Tally) -> dict[str, int]:
    return {
        "passed": tally.passed,
        "failed": tally.failed,
        "errors": tally.errors,
        "not_assessed": tally.not_assessed,
        "manual": tally.manual,
        "automated": tally.automated,
        "requirements": tally.total,
    }


def verdict(checks: tuple[str, ...], ran: set[str], findings: Iterable[Finding]) -> Verdict:
    """The verdict of a requirement covered by ``checks`` (see the module docs).

    Args:
        checks: The covering checks.
        ran: Every check that ran on the scan.
        findings: The scan's findings of the covering checks.
    """
    if not checks:
        return Verdict.MANUAL
    if not ran.intersection(checks):
        return Verdict.NOT_ASSESSED
    statuses = {f.status for f in findings}
    if Status.FAIL in statuses:
        return Verdict.FAIL
    if Status.ERROR in statuses:
        return Verdict.ERROR
    if Status.PASS in statuses:
        return Verdict.PASS
    if Status.MANUAL in statuses:
        return Verdict.MANUAL
    return Verdict.NOT_ASSESSED


def score(scan: Scan, framework: Framework, checks: Iterable[HasMetadata]) -> FrameworkScore:
    """Score one scan against one framework.

    Args:
        scan: The scan.
        framework: The framework.
        checks: The check catalogue (usually every built-in check): a requirement none of
            them covers is ``manual``.
    """
    coverage = framework.coverage(checks)
    ran = set(scan.check_ids)
    by_check: dict[str, list[Finding]] = {}
    for finding in scan.findings:
        by_check.setdefault(finding.check_id, []).append(finding)
    results = []
    for requirement in framework.requirements:
        covering = coverage[requirement.id]
        found = [f for c in covering for f in by_check.get(c, ())]
        results.append(
            RequirementResult(
                requirement=requirement,
                verdict=verdict(covering, ran, found),
                checks=covering,
                failed=tuple(sorted({f.check_id for f in found if f.status is Status.FAIL})),
            )
        )
    return FrameworkScore(
        framework=framework.id,
        title={"zh-CN": framework.title.zh, "en": framework.title.en},
        version=framework.version,
        tally=Tally.of(results),
        families=_families(framework, results),
        requirements=tuple(results),
    )


def _families(framework: Framework, results: list[RequirementResult]) -> tuple[FamilyScore, ...]:
    children: dict[str | None, list[str]] = {}
    for family in framework.families:
        children.setdefault(family.parent, []).append(family.id)
    own: dict[str, list[RequirementResult]] = {}
    for result in results:
        own.setdefault(result.requirement.family, []).append(result)

    def build(family_id: str) -> tuple[FamilyScore, list[RequirementResult]]:
        family = framework.family(family_id)
        subs = [build(child) for child in children.get(family_id, [])]
        every = list(own.get(family_id, []))
        for _, sub_results in subs:
            every.extend(sub_results)
        return (
            FamilyScore(
                id=family.id,
                title={"zh-CN": family.title.zh, "en": family.title.en},
                tally=Tally.of(every),
                subfamilies=tuple(s for s, _ in subs),
            ),
            every,
        )

    return tuple(build(top)[0] for top in children.get(None, []))


def score_all(
    scan: Scan, frameworks: Iterable[Framework], checks: Iterable[HasMetadata]
) -> dict[str, FrameworkScore]:
    """Score a scan against several frameworks, by framework id (in the given order)."""
    catalogue = list(checks)
    return {f.id: score(scan, f, catalogue) for f in frameworks}


def summaries(
    scan: Scan, frameworks: Iterable[Framework], checks: Iterable[HasMetadata]
) -> dict[str, dict[str, Any]]:
    """The stored form of :func:`score_all`: framework id -> :meth:`FrameworkScore.summary`."""
    return {key: value.summary() for key, value in score_all(scan, frameworks, checks).items()}
