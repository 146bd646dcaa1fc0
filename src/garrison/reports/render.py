"""Rendering the post-incident report as HTML (Jinja2) and PDF (WeasyPrint).

Every text in a report may come from logs and alerts, so: personal data is masked first
(:func:`garrison.reports.mask.mask_value`), the template environment is sandboxed and
autoescaped with nothing marked safe, and the PDF renderer may not fetch any URL, so even a
document that somehow carried a link could not read local files or reach the network.
"""

from __future__ import annotations

from datetime import tzinfo
from functools import cache
from pathlib import Path
from typing import Any

from jinja2 import FileSystemLoader, StrictUndefined
from jinja2.sandbox import ImmutableSandboxedEnvironment

from garrison.core.errors import InputError
from garrison.core.timezones import resolve_zone
from garrison.reports.labels import LANGUAGES, Language
from garrison.reports.mask import mask_value
from garrison.reports.model import ReportData
from garrison.reports.view import build_context

TEMPLATES = Path(__file__).parent / "templates"
TEMPLATE = "report.html.j2"


def css_escape(value: str) -> str:
    """Escape ``value`` for use inside a double-quoted CSS string.

    Everything but letters, digits, spaces and non-ASCII text becomes a six-digit CSS hex
    escape, so whatever the input, the result holds no quote, newline or HTML-special
    character, every backslash starts an escape, and autoescaping leaves it as it is.
    """
    out = []
    for char in value:
        if char.isalnum() or char == " " or ord(char) > 0x7F:
            out.append(char)
        else:
            out.append(f"\\{ord(char):06x}")
    return "".join(out)


@cache
def environment(*folders: Path) -> ImmutableSandboxedEnvironment:
    """The template environment: sandboxed, autoescaped, strict about missing values.

    Args:
        folders: Template folders searched before this module's own (other reports, such as
            the audit report, bring their templates and can still include ``report.css``).
    """
    env = ImmutableSandboxedEnvironment(
        loader=FileSystemLoader([*folders, TEMPLATES]),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["css_escape"] = css_escape
    return env


def _language(language: str) -> Language:
    if language not in LANGUAGES:
        raise InputError(
            f"unknown report language {language!r}", hint=f"use one of: {', '.join(LANGUAGES)}"
        )
    return language


def _zone(zone: str | tzinfo) -> tzinfo:
    return resolve_zone(zone) if isinstance(zone, str) else zone


def render_html(data: ReportData, language: str = "zh-CN", zone: str | tzinfo = "UTC") -> str:
    """Render the report as a self-contained HTML document (styles inline, print-ready).

    Args:
        data: The report data; personal data in it is masked before rendering.
        language: ``zh-CN`` or ``en``.
        zone: Time zone the times are shown in: an IANA name (``Asia/Shanghai``), ``UTC``,
            or a ``tzinfo``.

    Returns:
        The HTML document.

    Raises:
        InputError: If the language is unknown.
        ConfigError: If the zone name is unknown.
    """
    context: dict[str, Any] = build_context(mask_value(data), _language(language), _zone(zone))
    return environment().get_template(TEMPLATE).render(context)


@cache
def refusing_fetcher() -> Any:
    """A WeasyPrint URL fetcher that refuses every URL.

    The report is self-contained, so any URL in it is unexpected, and fetching it could read
    local files (``file://``) or reach internal services. WeasyPrint logs the refusal as a
    warning and renders without the resource.
    """
    # Imported here: WeasyPrint loads Pango through cffi at import, which only the PDF path
    # needs; the HTML report works on machines without it.
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped]

    class RefusingFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: object = None) -> object:
            raise ValueError(f"reports load no external resources (refused {url[:80]!r})")

    return RefusingFetcher()


def render_pdf(data: ReportData, language: str = "zh-CN", zone: str | tzinfo = "UTC") -> bytes:
    """Render the report as an A4 PDF.

    Needs WeasyPrint and its system libraries (Pango), plus a CJK font for Chinese text
    (Debian: ``fonts-noto-cjk``). Arguments and errors are those of :func:`render_html`.

    Returns:
        The PDF file's bytes.
    """
    return html_to_pdf(render_html(data, language, zone))


def html_to_pdf(html: str) -> bytes:
    """A self-contained HTML report as PDF bytes (WeasyPrint, no URL fetched).

    Raises:
        TypeError: If WeasyPrint returns no bytes.
    """
    from weasyprint import HTML  # type: ignore[import-untyped]

    document = HTML(string=html, url_fetcher=refusing_fetcher())
    pdf = document.write_pdf()
    if not isinstance(pdf, bytes):  # pragma: no cover - write_pdf() without a target returns bytes
        raise TypeError("WeasyPrint returned no PDF bytes")
    return pdf
