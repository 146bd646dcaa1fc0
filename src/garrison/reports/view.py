"""Turning report data into display strings for one language and time zone.

The template only lays out what this module prepares: translated codes, times in the reader's
zone, durations, sizes and amounts. Keeping the formatting here makes it testable without
parsing HTML, and keeps logic out of the template.
"""

from __future__ import annotations

import unicodedata
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo

from babel.numbers import format_currency

from garrison.reports.labels import LABELS, Language
from garrison.reports.model import PHASES, Losses, MeasuredTimes, ReportData

TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_BABEL_LOCALES: dict[Language, str] = {"zh-CN": "zh_CN", "en": "en"}
_MEASURES = (
    "time_to_detect",
    "time_to_acknowledge",
    "time_to_contain",
    "time_to_recover",
    "time_to_close",
)


#: Invisible characters kept as they are: joiners used inside emoji and Indic/Arabic words.
_KEPT_FORMAT_CHARS = frozenset("\u200c\u200d")


def printable(text: str) -> str:
    """Show control and invisible format characters as escapes (``\\x1b``, ``\\u202e``).

    Log text carries terminal colour codes, NULs and bidirectional overrides; printed raw they
    become missing-glyph boxes or, worse, reorder what the reader sees (a file name that reads
    ``invoice.pdf`` but is ``.exe``). Line breaks and tabs are kept; ``\\r\\n`` becomes ``\\n``.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    out = []
    for char in text:
        category = unicodedata.category(char)
        bad = category in ("Cc", "Cs") or (category == "Cf" and char not in _KEPT_FORMAT_CHARS)
        if char in "\n\t" or not (bad or _is_noncharacter(char)):
            out.append(char)
        elif ord(char) < 0x100:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    return "".join(out)


def _is_noncharacter(char: str) -> bool:
    code = ord(char)
    return 0xFDD0 <= code <= 0xFDEF or (code & 0xFFFE) == 0xFFFE


def _printable_tree(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, dict):
        return {key: _printable_tree(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return type(value)(_printable_tree(item) for item in value)
    return value


def zone_name(zone: tzinfo, at: datetime) -> str:
    """A zone as the reader knows it, with its offset at ``at``: ``Asia/Shanghai (UTC+08:00)``."""
    offset = at.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds()) // 60
    sign = "+" if minutes >= 0 else "-"
    hours, mins = divmod(abs(minutes), 60)
    suffix = f"UTC{sign}{hours:02d}:{mins:02d}"
    if isinstance(zone, ZoneInfo):
        return f"{zone.key} ({suffix})"
    return "UTC" if zone is UTC else suffix


def format_time(when: datetime | None, zone: tzinfo, empty: str) -> str:
    """A time in ``zone`` to the second, or ``empty`` when there is none."""
    return empty if when is None else when.astimezone(zone).strftime(TIME_FORMAT)


def format_duration(value: timedelta | None, labels: dict[str, str], empty: str) -> str:
    """A duration in days, hours, minutes (and seconds under a day): ``1 d 2 h``, ``1小时5分钟``."""
    if value is None:
        return empty
    total = int(value.total_seconds())
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, seconds = divmod(rest, 60)
    parts = [(days, "unit.day"), (hours, "unit.hour"), (minutes, "unit.minute")]
    if days == 0:
        parts.append((seconds, "unit.second"))
    shown = [f"{amount}{labels[unit]}" for amount, unit in parts if amount]
    if not shown:
        return f"0{labels['unit.second']}"
    return labels["unit.separator"].join(shown)


def format_size(size: int) -> str:
    """A byte count, exact and in binary units: ``1.5 MiB (1,572,864 B)``."""
    if size < 1024:
        return f"{size:,} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB", "TiB"):
        value /= 1024
        if value < 1024 or unit == "TiB":
            break
    return f"{value:.1f} {unit} ({size:,} B)"


def _losses(losses: Losses | None, language: Language, labels: dict[str, str]) -> dict[str, str]:
    if losses is None:
        return {"text": labels["common.not_assessed"], "amount": labels["common.not_assessed"]}
    amount = labels["common.not_assessed"]
    if losses.amount is not None:
        amount = format_currency(losses.amount, losses.currency, locale=_BABEL_LOCALES[language])
    return {"text": losses.text or labels["common.none"], "amount": amount}


def _measured(measured: MeasuredTimes, labels: dict[str, str]) -> list[dict[str, str]]:
    return [
        {
            "label": labels[f"measured.{name}"],
            "value": format_duration(getattr(measured, name), labels, labels["common.not_yet"]),
        }
        for name in _MEASURES
    ]


def build_context(data: ReportData, language: Language, zone: tzinfo) -> dict[str, Any]:
    """The template context of a report (``data`` should already be masked).

    Args:
        data: The report data.
        language: ``zh-CN`` or ``en``.
        zone: The zone times are shown in.

    Returns:
        Plain strings, lists and dicts for ``templates/report.html.j2``, every string passed
        through :func:`printable`.
    """
    labels = LABELS[language]
    none = labels["common.none"]
    not_yet = labels["common.not_yet"]

    def when(value: datetime | None, empty: str = not_yet) -> str:
        return format_time(value, zone, empty)

    basic = [
        (labels["field.title"], data.title),
        (labels["cover.incident_id"], data.incident_id),
        (
            labels["field.grade"],
            f"{labels[f'grade.{data.grade}']} · {labels[f'colour.{data.grade}']}",
        ),
        (labels["field.category"], labels[f"category.{data.category}"]),
        (labels["field.subcategory"], data.subcategory or none),
        (labels["field.detected_at"], when(data.detected_at)),
        (labels["field.opened_at"], when(data.opened_at)),
        (labels["field.closed_at"], when(data.closed_at, labels["common.open_incident"])),
        (labels["field.reporter"], data.reporter or none),
        (labels["field.handlers"], labels["list.separator"].join(data.handlers) or none),
    ]
    timeline = [
        {
            "time": when(entry.at),
            "kind": labels[f"kind.{entry.kind}"],
            "kind_code": entry.kind,
            "actor": entry.actor or "",
            "text": entry.text,
        }
        for entry in sorted(data.timeline, key=lambda entry: entry.at)
    ]
    phases = [
        {
            "name": labels[f"phase.{phase}"],
            "code": phase,
            "actions": [
                {
                    "title": action.title,
                    "owner": action.owner or "",
                    "status": labels[f"task.{action.status}"],
                    "status_code": action.status,
                    "done_at": when(action.done_at, ""),
                }
                for action in data.actions
                if action.phase == phase
            ],
        }
        for phase in PHASES
    ]
    sla = [
        {
            "name": labels.get(f"sla_name.{result.name}", result.name),
            "deadline": when(result.deadline),
            "met_at": when(result.met_at, ""),
            "status": labels[f"sla.{result.status}"],
            "status_code": result.status,
            "duration": format_duration(result.duration, labels, ""),
        }
        for result in data.sla
    ]
    context = {
        "lang": language,
        "L": labels,
        "grade": data.grade,
        "grade_label": labels[f"grade.{data.grade}"],
        "colour_label": labels[f"colour.{data.grade}"],
        "category_label": labels[f"category.{data.category}"],
        "incident_id": data.incident_id,
        "title": data.title,
        "summary": data.summary or none,
        "generated_at": when(data.generated_at),
        "zone": zone_name(zone, data.generated_at),
        "basic": basic,
        "assets": [
            {
                "name": asset.name,
                "importance": labels[f"importance.{asset.importance}"],
                "importance_code": asset.importance,
                "owner": asset.owner,
            }
            for asset in data.assets
        ],
        "timeline": timeline,
        "phases": phases,
        "losses": _losses(data.losses, language, labels),
        "root_cause": data.root_cause or none,
        "sla": sla,
        "measured": _measured(data.measured, labels),
        "improvements": list(data.improvements),
        "attachments": [
            {"name": item.name, "sha256": item.sha256, "size": format_size(item.size)}
            for item in data.attachments
        ],
    }
    return _printable_tree(context)  # type: ignore[no-any-return]
