"""Post-incident reports (《安全事件处置报告》) as HTML and PDF, in zh-CN and en.

The incident service maps an incident onto :class:`ReportData`; :func:`render_html` and
:func:`render_pdf` mask personal data and render it. See ``docs/reports.md``.
"""

from garrison.reports.mask import mask_text, mask_value
from garrison.reports.model import (
    AffectedAsset,
    Attachment,
    Losses,
    MeasuredTimes,
    PhaseAction,
    ReportData,
    SlaResult,
    TimelineEntry,
)
from garrison.reports.render import render_html, render_pdf

__all__ = [
    "AffectedAsset",
    "Attachment",
    "Losses",
    "MeasuredTimes",
    "PhaseAction",
    "ReportData",
    "SlaResult",
    "TimelineEntry",
    "mask_text",
    "mask_value",
    "render_html",
    "render_pdf",
]
