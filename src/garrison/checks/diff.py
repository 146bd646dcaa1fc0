"""What changed since the previous scan of the same target.

Findings are matched by :attr:`Finding.key` (check, resource, message), not by line: editing
a file above a problem moves its line but does not make it a new problem.

* ``new``: failures of this scan the previous one did not have;
* ``fixed``: failures of the previous scan that are gone, where the check ran again (so it
  looked and no longer found them);
* ``still``: failures both scans have (this scan's findings, with their current lines);
* ``unverified``: failures of the previous scan whose check did not run this time: nobody
  looked, so they are neither fixed nor still failing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from garrison.checks.base import Status
from garrison.checks.frameworks import Framework, HasMetadata
from garrison.checks.scan import Finding, Scan
from garrison.checks.scoring import FrameworkScore, score_all


@dataclass(frozen=True, slots=True)
class ScoreDelta:
    """A framework's score before and after.

    Attributes:
        framework: The framework id.
        before: The previous scan's score (``None``: nothing assessed, or no previous scan).
        after: This scan's score.
    """

    framework: str
    before: float | None
    after: float | None

    @property
    def delta(self) -> float | None:
        """``after - before``, one decimal; ``None`` unless both exist."""
        if self.before is None or self.after is None:
            return None
        return round(self.after - self.before, 1)


@dataclass(frozen=True, slots=True)
class ScanDiff:
    """A scan compared with the previous scan of its target.

    Attributes:
        new: Failures that appeared.
        fixed: Previous failures now gone (the previous scan's findings).
        still: Failures in both (this scan's findings).
        unverified: Previous failures whose check did not run this time.
        scores: Score change per framework, in framework order.
        previous_finished: When the previous scan ended (``None`` without one).
    """

    new: tuple[Finding, ...]
    fixed: tuple[Finding, ...]
    still: tuple[Finding, ...]
    unverified: tuple[Finding, ...] = ()
    scores: tuple[ScoreDelta, ...] = ()
    previous_finished: datetime | None = None

    @property
    def changed(self) -> bool:
        """Whether any failure appeared or went away."""
        return bool(self.new or self.fixed)


def _failed(findings: Iterable[Finding]) -> list[Finding]:
    return [f for f in findings if f.status is Status.FAIL]


def _order(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    return tuple(sorted(findings, key=lambda f: (f.resource, f.line or 0, f.check_id, f.message)))


def diff_scans(
    current: Scan,
    previous: Scan | None,
    *,
    frameworks: Iterable[Framework] = (),
    checks: Iterable[HasMetadata] = (),
    scores: tuple[Mapping[str, FrameworkScore], Mapping[str, FrameworkScore]] | None = None,
) -> ScanDiff:
    """Compare a scan with the previous scan of the same target.

    Args:
        current: This scan.
        previous: The previous scan of the same target, or ``None`` (everything is new).
        frameworks: Frameworks whose score change to report.
        checks: The check catalogue for scoring (see :func:`garrison.checks.scoring.score`).
        scores: Already computed scores (current, previous), instead of scoring again.

    Returns:
        The differences.
    """
    now = _failed(current.findings)
    before = _failed(previous.findings) if previous is not None else []
    now_keys = {f.key for f in now}
    before_keys = {f.key for f in before}
    ran = set(current.check_ids)
    gone = [f for f in before if f.key not in now_keys]
    deltas: list[ScoreDelta] = []
    frameworks = list(frameworks)
    if scores is None and frameworks:
        catalogue = list(checks)
        after_scores = score_all(current, frameworks, catalogue)
        before_scores = score_all(previous, frameworks, catalogue) if previous else {}
    elif scores is not None:
        after_scores, before_scores = dict(scores[0]), dict(scores[1])
    else:
        after_scores, before_scores = {}, {}
    for framework_id, after in after_scores.items():
        earlier = before_scores.get(framework_id)
        deltas.append(ScoreDelta(framework_id, earlier.score if earlier else None, after.score))
    return ScanDiff(
        new=_order(f for f in now if f.key not in before_keys),
        fixed=_order(f for f in gone if f.check_id in ran),
        still=_order(f for f in now if f.key in before_keys),
        unverified=_order(f for f in gone if f.check_id not in ran),
        scores=tuple(deltas),
        previous_finished=previous.finished if previous is not None else None,
    )
