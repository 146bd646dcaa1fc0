"""Turning :class:`AuditData` into display strings and chart geometry for one language.

Like the incident report's view, the template only lays out what this module prepares, and
every string goes through :func:`garrison.reports.view.printable` so control characters and
bidirectional overrides from scanned targets cannot disguise what the reader sees.
"""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from garrison.reports.audit.charts import (
    SEVERITY_COLOURS,
    Item,
    bar_chart,
    count_scale,
    score_colour,
)
from garrison.reports.audit.labels import LABELS, SHORT_NAMES
from garrison.reports.audit.model import AuditData, FamilyLine, FindingItem, FrameworkLine
from garrison.reports.labels import Language
from garrison.reports.view import format_time, printable, zone_name


def score_text(score: float | None, labels: dict[str, str]) -> str:
    """A score as printed: ``87.5``, or "not assessed"."""
    return labels["common.not_assessed"] if score is None else f"{score:.1f}"


def delta_text(delta: float | None) -> str:
    """A score change: ``+2.5``, ``-10.0``, ``0.0``; empty when unknown."""
    if delta is None:
        return ""
    return f"{delta:+.1f}" if delta else "0.0"


def _family(family: FamilyLine, labels: dict[str, str]) -> dict[str, Any]:
    return {
        "id": family.id,
        "title": family.title,
        "score": score_text(family.score, labels),
        "score_class": _score_class(family.score),
        "passed": family.passed,
        "failed": family.failed,
        "errors": family.errors,
        "not_assessed": family.not_assessed,
        "manual": family.manual,
        "total": family.total,
        "subfamilies": [_family(sub, labels) for sub in family.subfamilies],
    }


def _score_class(score: float | None) -> str:
    if score is None:
        return "score-none"
    return "score-good" if score >= 90 else "score-fair" if score >= 70 else "score-poor"


def _framework(line: FrameworkLine, labels: dict[str, str], short: str) -> dict[str, Any]:
    return {
        "id": line.id,
        "title": line.title,
        "short": short,
        "version": line.version,
        "score": score_text(line.score, labels),
        "score_class": _score_class(line.score),
        "previous": "" if line.previous is None else f"{line.previous:.1f}",
        "delta": delta_text(line.delta),
        "passed": line.passed,
        "failed": line.failed,
        "errors": line.errors,
        "not_assessed": line.not_assessed,
        "manual": line.manual,
        "total": line.total,
        "automated": line.automated,
        "families": [_family(f, labels) for f in line.families],
    }


def _finding(item: FindingItem, labels: dict[str, str]) -> dict[str, Any]:
    where = item.resource
    if item.line is not None:
        where = f"{where} ({labels['common.line'].format(line=item.line)})"
    return {
        "check_id": item.check_id,
        "title": item.title,
        "severity": item.severity,
        "severity_label": labels.get(f"severity.{item.severity}", item.severity),
        "status": item.status,
        "status_label": labels.get(f"status.{item.status}", item.status),
        "target": item.target,
        "where": where,
        "message": item.message,
        "expected": item.expected or "",
        "actual": item.actual or "",
        "remediation": item.remediation,
        "commands": list(item.commands),
        "requirements": labels["common.separator"].join(item.requirements),
        "change": item.change,
        "change_label": labels.get(f"change.{item.change or 'none'}", ""),
    }


def _charts(data: AuditData, language: Language, labels: dict[str, str]) -> dict[str, Any]:
    short = SHORT_NAMES[language]
    frameworks = bar_chart(
        labels["chart.frameworks"],
        [
            Item(
                short.get(f.id, f.id),
                f.score,
                score_text(f.score, labels),
                score_colour(f.score),
            )
            for f in data.frameworks
        ],
        100,
    )
    dengbao = next((f for f in data.frameworks if f.id == "dengbao"), None)
    families = None
    if dengbao is not None:
        families = bar_chart(
            labels["chart.dengbao"],
            [
                Item(
                    f"{f.id} {f.title}",
                    f.score,
                    score_text(f.score, labels),
                    score_colour(f.score),
                )
                for f in dengbao.families
            ],
            100,
        )
    counts = data.summary.by_severity
    maximum, ticks = count_scale(max((n for _, n in counts), default=0))
    severity = bar_chart(
        labels["chart.severity"],
        [
            Item(labels[f"severity.{sev}"], n, str(n), SEVERITY_COLOURS.get(sev, "#757575"))
            for sev, n in counts
        ],
        maximum,
        ticks,
    )
    return {"frameworks": frameworks, "dengbao": families, "severity": severity}


def _summary_text(data: AuditData, labels: dict[str, str]) -> list[str]:
    summary = data.summary
    by_severity = labels["common.separator"].join(
        f"{labels[f'severity.{sev}']} {n}" for sev, n in summary.by_severity if n
    )
    lines = [
        labels["summary.text"].format(
            targets=summary.targets,
            checks=summary.checks,
            failed=summary.failed,
            by_severity=by_severity or labels["common.none"],
            errors=summary.errors,
        )
    ]
    if not summary.failed:
        lines.append(labels["summary.clean"])
    if summary.dengbao is None:
        lines.append(labels["summary.no_score"])
    else:
        lines.append(labels["summary.score_text"].format(score=f"{summary.dengbao:.1f}"))
    if summary.manual:
        lines.append(labels["summary.manual_text"].format(manual=summary.manual))
    return lines


def _printable_tree(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_printable_tree(item) for item in value)
    return value


def build_context(data: AuditData, language: Language, zone: tzinfo) -> dict[str, Any]:
    """The template context of an audit report (``data`` should already be masked).

    Returns:
        Plain strings, numbers, lists and dicts (and chart geometry) for
        ``templates/audit.html.j2``; every string passed through :func:`printable`.
    """
    labels = LABELS[language]

    def when(value: Any) -> str:
        return format_time(value, zone, labels["common.none"])

    trend = None
    if data.trend is not None:
        trend = {
            "previous": when(data.trend.previous_finished),
            "counts": [
                (labels["trend.new"], data.trend.new),
                (labels["trend.fixed"], len(data.trend.fixed)),
                (labels["trend.still"], data.trend.still),
                (labels["trend.unverified"], data.trend.unverified),
            ],
            "fixed": [_finding(item, labels) for item in data.trend.fixed],
        }
    context: dict[str, Any] = {
        "lang": language,
        "L": labels,
        "organisation": data.organisation or "",
        "scope": data.scope or labels["common.none"],
        "period": f"{when(data.period_start)} – {when(data.period_end)}",
        "generated_at": when(data.generated_at),
        "zone": zone_name(zone, data.generated_at),
        "summary": {
            "cards": [
                (labels["summary.targets"], str(data.summary.targets), ""),
                (labels["summary.checks"], str(data.summary.checks), ""),
                (
                    labels["summary.failed"],
                    str(data.summary.failed),
                    "bad" if data.summary.failed else "good",
                ),
                (
                    labels["summary.dengbao"],
                    score_text(data.summary.dengbao, labels),
                    _score_class(data.summary.dengbao),
                ),
                (labels["summary.manual"], str(data.summary.manual), ""),
            ],
            "text": _summary_text(data, labels),
        },
        "targets": [
            {
                "name": t.name,
                "kind": labels.get(f"kind.{t.kind}", t.kind),
                "started": when(t.started),
                "finished": when(t.finished),
                "checks": t.checks,
                "failed": t.failed,
            }
            for t in data.targets
        ],
        "frameworks": [
            _framework(f, labels, SHORT_NAMES[language].get(f.id, f.title)) for f in data.frameworks
        ],
        "has_previous": any(f.previous is not None for f in data.frameworks),
        "dengbao": next(
            (_framework(f, labels, f.title) for f in data.frameworks if f.id == "dengbao"), None
        ),
        "charts": _charts(data, language, labels),
        "groups": [
            {
                "severity": group.severity,
                "heading": labels["group.heading"].format(
                    label=labels.get(f"severity.{group.severity}", group.severity),
                    count=len(group.findings),
                ),
                "findings": [_finding(item, labels) for item in group.findings],
            }
            for group in data.groups
        ],
        "trend": trend,
        "manual": [
            {"id": m.id, "family": m.family, "title": m.title, "guidance": m.guidance}
            for m in data.manual
        ],
    }
    return _printable_tree(context)  # type: ignore[no-any-return]
