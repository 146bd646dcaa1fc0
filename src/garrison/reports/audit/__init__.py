"""The audit report (《网络安全审计报告》 / Cybersecurity Audit Report), HTML and PDF, zh-CN and en.

:func:`garrison.checks.report.audit_data` gathers scans, their previous scans, check metadata
and frameworks into :class:`AuditData`; :func:`render_html` and :func:`render_pdf` mask personal
data and render it.
"""

from garrison.reports.audit.model import (
    AuditData,
    FamilyLine,
    FindingItem,
    FrameworkLine,
    ManualItem,
    SeverityGroup,
    Summary,
    TargetLine,
    Trend,
)
from garrison.reports.audit.render import render_html, render_pdf

__all__ = [
    "AuditData",
    "FamilyLine",
    "FindingItem",
    "FrameworkLine",
    "ManualItem",
    "SeverityGroup",
    "Summary",
    "TargetLine",
    "Trend",
    "render_html",
    "render_pdf",
]
