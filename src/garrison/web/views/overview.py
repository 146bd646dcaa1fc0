"""The overview: events and alerts over time, levels, top rules and sources."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from garrison.storage.sql.stats import Overview
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.render import local_time, render

router = APIRouter()

#: Chart series order and colours follow the levels, least severe first.
LEVEL_LABELS = {
    "informational": N_("Informational"),
    "low": N_("Low"),
    "medium": N_("Medium"),
    "high": N_("High"),
    "critical": N_("Critical"),
    "unknown": N_("Unknown"),
}
SPAN_LABELS = {"24h": N_("Last 24 hours"), "7d": N_("Last 7 days"), "30d": N_("Last 30 days")}


def chart_data(data: Overview, viewer: Viewer) -> dict[str, Any]:
    """What ``console.js`` draws, with labels in the viewer's language and zone."""
    gettext = translations(viewer.language).gettext
    fmt = "%m-%d %H:%M" if data.width.total_seconds() < 86400 else "%Y-%m-%d"
    return {
        "labels": [local_time(b.start, viewer.zone, fmt) for b in data.events],
        "events": [b.count for b in data.events],
        "alerts": [
            {
                "level": level,
                "name": gettext(LEVEL_LABELS.get(level, level)),
                "data": [b.count for b in buckets],
            }
            for level, buckets in data.alerts.items()
        ],
        "levels": [
            {"level": level, "name": gettext(LEVEL_LABELS.get(level, level)), "value": n}
            for level, n in data.levels.items()
        ],
        "top_rules": [{"name": title, "value": n} for _, title, n in data.top_rules],
        "top_sources": [{"name": ip, "value": n} for ip, n in data.top_sources],
        "text": {"events": gettext("Events"), "alerts": gettext("Alerts")},
    }


@router.get("/overview", include_in_schema=False)
def overview_page(
    request: Request,
    viewer: Annotated[Viewer, Depends(page("read"))],
    span: Annotated[Literal["24h", "7d", "30d"], Query()] = "24h",
) -> HTMLResponse:
    """The overview page."""
    platform = request.app.state.platform
    data = platform.overview(span)
    gettext = translations(viewer.language).gettext
    return render(
        request,
        "overview.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Overview"),
        data=data,
        span=span,
        spans=SPAN_LABELS,
        charts=chart_data(data, viewer),
        open_alerts=data.statuses.get("new", 0) + data.statuses.get("acknowledged", 0),
        lag=platform.detection_lag(),
    )
