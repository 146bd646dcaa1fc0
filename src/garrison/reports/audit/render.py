"""Rendering the audit report (《网络安全审计报告》) as HTML and PDF.

The same safeguards as the incident report (:mod:`garrison.reports.render`), whose helpers
this reuses: personal data masked first, a sandboxed autoescaping template environment with
nothing marked safe, charts as inline SVG drawn from numbers, and a PDF renderer that fetches
no URL.
"""

from __future__ import annotations

from datetime import tzinfo
from pathlib import Path
from typing import Any

from garrison.core.errors import InputError
from garrison.core.timezones import resolve_zone
from garrison.reports.audit.model import AuditData
from garrison.reports.audit.view import build_context
from garrison.reports.labels import LANGUAGES, Language
from garrison.reports.mask import mask_value
from garrison.reports.render import environment, html_to_pdf

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "audit.html.j2"


def _language(language: str | None, data: AuditData) -> Language:
    chosen = language or data.language
    if chosen not in LANGUAGES:
        raise InputError(
            f"unknown report language {chosen!r}", hint=f"use one of: {', '.join(LANGUAGES)}"
        )
    return chosen


def render_html(data: AuditData, language: str | None = None, zone: str | tzinfo = "UTC") -> str:
    """Render the audit report as a self-contained HTML document (styles inline).

    Args:
        data: The report data (from :func:`~garrison.reports.audit.model.audit_data`);
            personal data in it is masked before rendering.
        language: ``zh-CN`` or ``en`` for the report's own words; defaults to the language
            the data was gathered in (check titles and remediation are already in it).
        zone: Time zone of the times shown: an IANA name, ``UTC`` or a ``tzinfo``.

    Raises:
        InputError: If the language is unknown.
        ConfigError: If the zone name is unknown.
    """
    chosen = _language(language, data)
    tz = resolve_zone(zone) if isinstance(zone, str) else zone
    context: dict[str, Any] = build_context(mask_value(data), chosen, tz)
    return environment(TEMPLATES).get_template(TEMPLATE).render(context)


def render_pdf(data: AuditData, language: str | None = None, zone: str | tzinfo = "UTC") -> bytes:
    """Render the audit report as an A4 PDF (needs WeasyPrint and a CJK font for Chinese).

    Arguments and errors are those of :func:`render_html`.
    """
    return html_to_pdf(render_html(data, language, zone))
