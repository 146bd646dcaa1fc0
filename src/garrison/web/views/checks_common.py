"""What the compliance pages share: labels of coded values, score cards, check texts, diffs.

Scores come from :attr:`StoredScan.scores` (framework id -> summary, titles in both
languages); check texts come from each check's metadata (both languages), not from the
gettext catalogs. Everything from scanned targets (resources, messages, actual values) is
data: the templates autoescape it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import Request

from garrison.checks.diff import diff_scans
from garrison.checks.loader import all_checks
from garrison.checks.metadata import Metadata
from garrison.checks.scan import Finding, Scan
from garrison.core.errors import ConfigError
from garrison.platform import Platform
from garrison.storage.sql.scans import StoredFinding, StoredScan
from garrison.web.i18n import N_, translations

log = logging.getLogger(__name__)

#: Framework ids of the scores, in the order the pages show them.
FRAMEWORKS: dict[str, str] = {
    "dengbao": N_("MLPS 2.0 (GB/T 22239-2019, level 3)"),
    "cis_linux": N_("CIS Linux benchmark"),
    "cis_docker": N_("CIS Docker benchmark"),
    "cis_kubernetes": N_("CIS Kubernetes benchmark"),
    "iso27001": N_("ISO/IEC 27001:2022 Annex A"),
    "nist_csf": N_("NIST CSF 2.0"),
}
#: The mapping keys of a finding (its check's metadata) and their names.
MAPPINGS: dict[str, str] = {
    "dengbao": N_("MLPS 2.0 (GB/T 22239-2019, level 3)"),
    "cis": N_("CIS benchmarks"),
    "iso27001": N_("ISO/IEC 27001:2022 Annex A"),
    "nist_csf": N_("NIST CSF 2.0"),
}
#: Score framework -> (finding mapping key, prefix of its items): what the framework filter
#: of a scan's findings looks for.
FRAMEWORK_FILTER: dict[str, tuple[str, str]] = {
    "dengbao": ("dengbao", ""),
    "cis_linux": ("cis", "Linux "),
    "cis_docker": ("cis", "Docker "),
    "cis_kubernetes": ("cis", "Kubernetes "),
    "iso27001": ("iso27001", ""),
    "nist_csf": ("nist_csf", ""),
}
STATUSES: dict[str, str] = {
    "fail": N_("Fail"),
    "error": N_("Error"),
    "manual": N_("Manual review"),
    "pass": N_("Pass"),
    "not_applicable": N_("Not applicable"),
}
SEVERITIES: dict[str, str] = {
    "critical": N_("Critical"),
    "high": N_("High"),
    "medium": N_("Medium"),
    "low": N_("Low"),
    "info": N_("Informational"),
}
KINDS: dict[str, str] = {
    "host": N_("Host"),
    "web": N_("Web application"),
    "config": N_("Configuration files"),
}
#: Notices after a change (``?done=``).
DONE: dict[str, str] = {
    "added": N_("Scan target added."),
    "saved": N_("Scan target saved."),
    "removed": N_("Scan target removed. Its scans stay in the history."),
}
#: The CSS class of a severity (the alert levels' colours).
SEVERITY_CLASS = {
    "critical": "level-critical",
    "high": "level-high",
    "medium": "level-medium",
    "low": "level-low",
    "info": "level-informational",
}


def platform_of(request: Request) -> Platform:
    """The platform behind the application."""
    platform: Platform = request.app.state.platform
    return platform


def is_htmx(request: Request) -> bool:
    """An htmx request for a fragment (not a history restore, which wants the whole page)."""
    return bool(request.headers.get("hx-request")) and not request.headers.get(
        "hx-history-restore-request"
    )


def who(actor: str, language: str) -> str:
    """A person's name from an audit actor (``user:li.na`` -> ``li.na``); the scheduler named."""
    if actor == "scheduler":
        return translations(language).gettext("Scheduler")
    return actor.split(":", 1)[1] if actor.startswith(("user:", "cli:", "token:")) else actor


def score_text(score: object) -> str:
    """A score as shown: ``87.5`` (one decimal), ``—`` when nothing could be assessed."""
    if isinstance(score, int | float) and not isinstance(score, bool):
        return f"{float(score):.1f}"
    return "—"


def score_class(score: object) -> str:
    """The colour of a score: good from 90, fair from 70, poor below, none without one."""
    if not isinstance(score, int | float) or isinstance(score, bool):
        return "score-none"
    if score >= 90:
        return "score-good"
    if score >= 70:
        return "score-fair"
    return "score-poor"


def duration_text(scan: StoredScan, language: str) -> str:
    """How long a scan took: ``42 s``, ``3 min 5 s`` (``42 秒``, ``3 分 5 秒``)."""
    gettext = translations(language).gettext
    seconds = max(0, int((scan.finished - scan.started).total_seconds()))
    minutes, rest = divmod(seconds, 60)
    if minutes:
        return gettext("%(m)s min %(s)s s") % {"m": minutes, "s": rest}
    return gettext("%(s)s s") % {"s": rest}


def _title(value: object, language: str, fallback: str) -> str:
    if isinstance(value, Mapping):
        text = value.get(language) or value.get("en")
        if isinstance(text, str) and text:
            return text
    return fallback


def _count(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _number(value: object) -> float | None:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return None


@dataclass(frozen=True, slots=True)
class Family:
    """A family of requirements inside a framework (等保: 安全计算环境...)."""

    name: str
    title: str
    score: float | None
    passed: int
    failed: int


@dataclass(frozen=True, slots=True)
class Score:
    """A framework's score on one scan, as a card and a table row show it."""

    framework: str
    title: str
    score: float | None
    passed: int
    failed: int
    errors: int
    manual: int
    not_assessed: int
    requirements: int
    families: tuple[Family, ...]

    @property
    def text(self) -> str:
        """The score as shown."""
        return score_text(self.score)

    @property
    def css(self) -> str:
        """Its colour class."""
        return score_class(self.score)


def scores(stored: StoredScan, language: str) -> list[Score]:
    """The scan's framework scores, known frameworks first in their order.

    The summaries are read defensively: a field that is missing or of the wrong type counts
    as nothing rather than breaking the page.
    """
    gettext = translations(language).gettext
    found = stored.scores if isinstance(stored.scores, Mapping) else {}
    order = [f for f in FRAMEWORKS if f in found] + sorted(f for f in found if f not in FRAMEWORKS)
    out = []
    for framework in order:
        data = found[framework]
        if not isinstance(data, Mapping):
            continue
        fallback = gettext(FRAMEWORKS[framework]) if framework in FRAMEWORKS else framework
        raw_families = data.get("families")
        families = tuple(
            Family(
                name=str(name),
                title=_title(family.get("title"), language, str(name)),
                score=_number(family.get("score")),
                passed=_count(family.get("passed")),
                failed=_count(family.get("failed")),
            )
            for name, family in (raw_families.items() if isinstance(raw_families, Mapping) else ())
            if isinstance(family, Mapping)
        )
        out.append(
            Score(
                framework=framework,
                title=_title(data.get("title"), language, fallback),
                score=_number(data.get("score")),
                passed=_count(data.get("passed")),
                failed=_count(data.get("failed")),
                errors=_count(data.get("errors")),
                manual=_count(data.get("manual")),
                not_assessed=_count(data.get("not_assessed")),
                requirements=_count(data.get("requirements")),
                families=families,
            )
        )
    return out


def dengbao_score(stored: StoredScan) -> float | None:
    """The scan's 等保 score, if it has one."""
    data = stored.scores.get("dengbao") if isinstance(stored.scores, Mapping) else None
    return _number(data.get("score")) if isinstance(data, Mapping) else None


def metadata() -> dict[str, Metadata]:
    """Every built-in check's metadata by id (empty, and logged, when the checks do not load).

    Stored scans stay readable when the installed checks are broken: the pages then show
    check ids instead of titles. ``all_checks`` caches a successful load only.
    """
    try:
        return _metadata()
    except ConfigError:
        log.exception("the checks did not load: the console shows check ids only")
        return {}


@cache
def _metadata() -> dict[str, Metadata]:
    return {c.metadata.id: c.metadata for c in all_checks()}


def check_title(check_id: str, language: str) -> str:
    """A check's title in ``language``, or its id for a check no longer shipped."""
    meta = metadata().get(check_id)
    return meta.title.in_(language) if meta is not None else check_id


def labels(language: str) -> dict[str, dict[str, str]]:
    """Translated names of coded values, for the templates."""
    gettext = translations(language).gettext
    return {
        "statuses": {k: gettext(v) for k, v in STATUSES.items()},
        "severities": {k: gettext(v) for k, v in SEVERITIES.items()},
        "kinds": {k: gettext(v) for k, v in KINDS.items()},
        "frameworks": {k: gettext(v) for k, v in FRAMEWORKS.items()},
        "mappings": {k: gettext(v) for k, v in MAPPINGS.items()},
    }


def in_framework(finding: Finding, framework: str) -> bool:
    """Whether a finding's check covers a requirement of a score framework."""
    key, prefix = FRAMEWORK_FILTER.get(framework, (framework, ""))
    return any(item.startswith(prefix) for item in finding.frameworks.get(key, ()))


_STATUS_RANK = {s: i for i, s in enumerate(STATUSES)}
_SEVERITY_RANK = {s: i for i, s in enumerate(SEVERITIES)}


def ordered(found: Iterable[StoredFinding]) -> list[StoredFinding]:
    """Findings as the table lists them: failures first, most severe first, then by place."""
    return sorted(
        found,
        key=lambda s: (
            _STATUS_RANK.get(s.finding.status.value, len(_STATUS_RANK)),
            _SEVERITY_RANK.get(s.finding.severity, len(_SEVERITY_RANK)),
            s.finding.resource,
            s.finding.line or 0,
            s.id,
        ),
    )


@dataclass(frozen=True, slots=True)
class Diff:
    """What changed between a scan and the previous scan of the same target.

    Attributes:
        new: Failures of this scan that the previous one did not have.
        fixed: Failures of the previous scan that this one no longer has.
        still: Failures both scans have (this scan's findings).
    """

    new: tuple[StoredFinding, ...]
    fixed: tuple[StoredFinding, ...]
    still: tuple[StoredFinding, ...]


def diff(
    current: StoredScan,
    now: Sequence[StoredFinding],
    previous: StoredScan,
    before: Sequence[StoredFinding],
) -> Diff:
    """The failures new, fixed and still there, as :func:`garrison.checks.diff.diff_scans` says
    (so the console agrees with the CLI and the report), kept with their stored ids for links."""
    stored = {id(f.finding): f for f in (*now, *before)}

    def scan(summary: StoredScan, found: Sequence[StoredFinding]) -> Scan:
        return Scan(
            summary.target,
            summary.kind,
            summary.started,
            summary.finished,
            summary.check_ids,
            tuple(f.finding for f in found),
        )

    change = diff_scans(scan(current, now), scan(previous, before))
    return Diff(
        new=tuple(ordered(stored[id(f)] for f in change.new)),
        fixed=tuple(ordered(stored[id(f)] for f in change.fixed)),
        still=tuple(ordered(stored[id(f)] for f in change.still)),
    )


def counts_text(counts: Mapping[str, Any]) -> dict[str, int]:
    """A scan's counts by status, every status present (zero when absent)."""
    return {status: _count(counts.get(status)) for status in STATUSES}
