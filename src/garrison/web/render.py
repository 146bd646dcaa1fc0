"""Rendering pages: one Jinja2 environment per UI language, autoescaped, with helpers.

Every value from logs is attacker-controlled: autoescaping is on for every template, nothing
is marked safe that came from data, and chart data is embedded with ``tojson`` (which escapes
``<``, ``>`` and ``&``).
"""

from __future__ import annotations

from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import Request
from fastapi.responses import HTMLResponse
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape

from garrison import __version__
from garrison.web.auth import Viewer
from garrison.web.i18n import translations
from garrison.web.nav import NAV

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"

_ATTACK_TECHNIQUE = "https://attack.mitre.org/techniques/{}/"
_ATTACK_TACTIC = "https://attack.mitre.org/tactics/{}/"
_TACTICS = {
    "reconnaissance": "TA0043",
    "resource-development": "TA0042",
    "initial-access": "TA0001",
    "execution": "TA0002",
    "persistence": "TA0003",
    "privilege-escalation": "TA0004",
    "defense-evasion": "TA0005",
    "credential-access": "TA0006",
    "discovery": "TA0007",
    "lateral-movement": "TA0008",
    "collection": "TA0009",
    "command-and-control": "TA0011",
    "exfiltration": "TA0010",
    "impact": "TA0040",
}


def attack_link(tag: str) -> str | None:
    """The MITRE ATT&CK page of a Sigma tag such as ``attack.t1110.001``, if it names one."""
    if not tag.lower().startswith("attack."):
        return None
    name = tag[len("attack.") :].lower()
    if name in _TACTICS:
        return _ATTACK_TACTIC.format(_TACTICS[name])
    parts = name.split(".")
    if parts[0].startswith("t") and parts[0][1:].isdigit():
        technique = parts[0].upper()
        if len(parts) > 1 and parts[1].isdigit():
            technique += "/" + parts[1]
        return _ATTACK_TECHNIQUE.format(technique)
    return None


def local_time(when: datetime | None, zone: ZoneInfo, fmt: str = "%Y-%m-%d %H:%M:%S") -> str:
    """A time in the viewer's zone (aware times only; naive ones are taken as UTC)."""
    if when is None:
        return "—"
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone(zone).strftime(fmt)


def _static_version() -> str:
    # Cache busting: a new release changes every static URL.
    return __version__


@cache
def environment(language: str) -> Environment:
    """The template environment of one UI language."""
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
        undefined=StrictUndefined,
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_translations(translations(language), newstyle=True)  # type: ignore[attr-defined]
    env.globals.update(
        nav=NAV,
        version=__version__,
        attack_link=attack_link,
        static_version=_static_version(),
        language=language,
    )
    env.filters["local"] = local_time
    return env


def render(
    request: Request,
    template: str,
    *,
    viewer: Viewer | None,
    language: str,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
    **context: Any,
) -> HTMLResponse:
    """Render a template as an HTML response.

    ``htmx`` requests (header ``HX-Request``) get the same template: partial templates are
    chosen by the view, not here.
    """
    env = environment(language)
    body = env.get_template(template).render(
        request=request,
        viewer=viewer,
        zone=viewer.zone if viewer is not None else ZoneInfo("UTC"),
        path=request.url.path,
        status_code=status_code,
        **context,
    )
    return HTMLResponse(body, status_code=status_code, headers=headers)
