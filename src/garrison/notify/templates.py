"""Rendering notifications from the catalogue in a Jinja2 sandbox.

Every value is cleaned before it reaches a template: once for plain text (:func:`neutralise.plain`)
and once more for markdown (:func:`neutralise.markdown`), so a title such as
``[click](http://evil) @all`` shows as text on every channel and can neither link nor mention.
Values Garrison computes itself (grade names, deadline names, formatted times) are not
attacker-controlled and are used as they are.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from typing import cast

from jinja2 import StrictUndefined, Template
from jinja2.sandbox import SandboxedEnvironment

from garrison.core.errors import InputError
from garrison.notify import neutralise
from garrison.notify.base import EVENT_KINDS, LANGUAGES, EventKind, Language, Message, check_url
from garrison.notify.catalog import (
    DEADLINES,
    GRADE_ALIASES,
    GRADE_COLORS,
    GRADE_LABEL,
    GRADES,
    LABELS,
    OPTIONAL,
    REQUIRED,
    TEMPLATES,
)

_ENV = SandboxedEnvironment(autoescape=False, undefined=StrictUndefined)
_TEXT_KEYS = ("incident_id", "title", "who", "task", "category", "reason")
KNOWN_VALUES = frozenset(
    {key for keys in REQUIRED.values() for key in keys} | set(OPTIONAL) | {"link"}
)


@lru_cache(maxsize=256)
def _template(source: str) -> Template:
    return _ENV.from_string(source)


def _render(source: str, context: Mapping[str, str]) -> str:
    return " ".join(_template(source).render(context).split())


def normalise_grade(value: object) -> str:
    """Return ``I``..``IV`` for a grade given as roman numeral, number, or enum of either.

    Raises:
        InputError: If the value is not a grade.
    """
    raw = getattr(value, "value", value)
    text = str(raw).strip().upper()
    text = GRADE_ALIASES.get(text, text)
    if text not in GRADES:
        raise InputError(
            f"unknown incident grade {neutralise.plain(raw, max_len=20)!r}",
            hint="use I, II, III or IV (GB/T 20986: 特别重大, 重大, 较大, 一般)",
        )
    return text


def format_time(value: object, tz: tzinfo) -> str:
    """Format an aware datetime (or ISO 8601 text) as ``2026-11-23 20:00 UTC+08:00``.

    Raises:
        InputError: If the value is not a time or carries no time zone.
    """
    when: datetime
    if isinstance(value, datetime):
        when = value
    else:
        try:
            when = datetime.fromisoformat(str(value))
        except ValueError:
            raise InputError(
                f"not a time: {neutralise.plain(value, max_len=40)!r}",
                hint="pass an aware datetime or ISO 8601 text with an offset",
            ) from None
    if when.tzinfo is None:
        raise InputError("times in notifications must carry a time zone", hint="use UTC")
    local = when.astimezone(tz)
    offset = local.strftime("%z")
    return f"{local:%Y-%m-%d %H:%M} UTC{offset[:3]}:{offset[3:]}"


def _fields(
    language: str, values: Mapping[str, object], tz: tzinfo
) -> tuple[dict[str, str], set[str], str | None]:
    """Return the display values, the keys that are safe as they are, and the link."""
    fields: dict[str, str] = {}
    trusted: set[str] = set()
    for key in _TEXT_KEYS:
        if key in values:
            fields[key] = neutralise.plain(values[key])
    if "grade" in values:
        grade = normalise_grade(values["grade"])
        name, colour = GRADES[grade][language]
        fields.update(grade=grade, grade_name=name, grade_colour=colour, color=GRADE_COLORS[grade])
        trusted.update({"grade", "grade_name", "grade_colour", "color"})
    if "deadline_kind" in values:
        kind = neutralise.plain(values["deadline_kind"], max_len=40)
        fields["deadline_kind"] = kind
        known = DEADLINES.get(kind)
        fields["deadline_label"] = known[language] if known else kind
        if known:
            trusted.add("deadline_label")
    for key in ("deadline", "due"):
        if key in values:
            fields[key] = format_time(values[key], tz)
            trusted.add(key)
    link: str | None = None
    if "link" in values:
        try:
            link = check_url(str(values["link"]), what="link")
        except ValueError as exc:
            raise InputError(str(exc), hint="pass the console URL of the incident") from None
        fields["link"] = link
    return fields, trusted, link


def render(event: str, language: str, values: Mapping[str, object], *, tz: tzinfo = UTC) -> Message:
    """Render the notification for ``event`` in ``language``.

    Args:
        event: One of ``incident.new``, ``sla.warning``, ``sla.breach``,
            ``incident.escalated``, ``task.assigned``.
        language: ``zh-CN`` or ``en``.
        values: ``incident_id``, ``title``, ``grade`` (I-IV), ``category``,
            ``deadline_kind`` (``confirm``, ``report``, ``escalate``, ``rto``, ...),
            ``deadline`` and ``due`` (aware datetimes), ``who``, ``task``, ``reason``,
            ``link`` (console URL); which are required depends on the event.
        tz: Zone the times are shown in.

    Returns:
        The message with plain-text and markdown bodies.

    Raises:
        InputError: Unknown event or language, a missing or unknown value, a bad grade, time
            or link.
    """
    if event not in EVENT_KINDS:
        raise InputError(f"unknown notification event {event!r}", hint=", ".join(EVENT_KINDS))
    if language not in LANGUAGES:
        raise InputError(f"unknown language {language!r}", hint="use zh-CN or en")
    given = {k: v for k, v in values.items() if v is not None and v != ""}
    unknown = sorted(set(given) - KNOWN_VALUES)
    if unknown:
        raise InputError(
            f"unknown notification values: {', '.join(unknown)}",
            hint=", ".join(sorted(KNOWN_VALUES)),
        )
    missing = [key for key in REQUIRED[event] if key not in given]
    if missing:
        raise InputError(f"{event} needs {', '.join(missing)}")
    fields, trusted, link = _fields(language, given, tz)
    labels = LABELS[language]
    wording = TEMPLATES[event][language]
    blank = {key: "" for key in (*KNOWN_VALUES, "deadline_label", "grade_name", "grade_colour")}
    bodies: dict[str, tuple[str, str, list[tuple[str, str]]]] = {}
    for mode in ("text", "markdown"):
        context = blank | {
            key: value if mode == "text" or key in trusted else neutralise.markdown(value)
            for key, value in fields.items()
        }
        context["grade_label"] = (
            _render(GRADE_LABEL[language], context) if "grade" in fields else ""
        )
        rows = [(labels[key], _render(source, context)) for key, source in wording.rows]
        bodies[mode] = (
            _render(wording.subject, context)[:200],
            _render(wording.lead, context),
            [(label, value) for label, value in rows if value],
        )
    sep = labels["sep"]
    subject, lead, rows = bodies["text"]
    text_lines = [lead, "", *(f"{label}{sep}{value}" for label, value in rows)]
    if link:
        text_lines += ["", f"{labels['link']}{sep}{link}"]
    md_subject, md_lead, md_rows = bodies["markdown"]
    md_lines = [f"### {md_subject}", "", md_lead, "", *(f"- **{k}**{sep}{v}" for k, v in md_rows)]
    if link:
        md_lines += ["", f"[{labels['link']}]({neutralise.markdown_url(link)})"]
    return Message(
        event=cast(EventKind, event),
        language=cast(Language, language),
        subject=subject,
        text="\n".join(text_lines) + "\n",
        markdown="\n".join(md_lines) + "\n",
        url=link,
        fields=fields,
    )
