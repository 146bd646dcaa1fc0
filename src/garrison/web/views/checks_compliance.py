"""Compliance per framework for one target: charts of its latest scan and its 等保 history.

The charts (``static/js/checks.js``, ECharts) read their numbers from a JSON block the
browser does not execute (the CSP allows no inline script); the same numbers are in tables
beneath them, so the page reads without JavaScript too.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from garrison.storage.sql.scans import StoredScan
from garrison.web.auth import Viewer, page
from garrison.web.i18n import translations
from garrison.web.render import local_time, render
from garrison.web.views.checks_common import (
    Score,
    dengbao_score,
    platform_of,
    score_class,
    score_text,
    scores,
)

router = APIRouter()

Reader = Annotated[Viewer, Depends(page("read"))]

#: Scans of the target the history chart covers.
HISTORY = 30
#: Recent scans read to find targets scanned ad hoc (not stored as targets).
RECENT = 200


def target_names(request: Request) -> list[str]:
    """Stored targets, then other targets of recent scans (ad-hoc scans), without repeats."""
    store = platform_of(request).scans
    names = [t.name for t in store.targets()]
    names += [s.target for s in store.scans(limit=RECENT)]
    return list(dict.fromkeys(names))


def chart_data(
    framework_scores: list[Score], history: list[StoredScan], viewer: Viewer
) -> dict[str, Any]:
    """What ``checks.js`` draws, with labels in the viewer's language and zone."""
    gettext = translations(viewer.language).gettext
    dengbao = next((s for s in framework_scores if s.framework == "dengbao"), None)
    return {
        "frameworks": {
            "names": [s.title for s in framework_scores],
            "scores": [s.score for s in framework_scores],
        },
        "families": {
            "names": [f.title for f in dengbao.families] if dengbao else [],
            "scores": [f.score for f in dengbao.families] if dengbao else [],
        },
        "history": {
            "labels": [local_time(s.started, viewer.zone, "%m-%d %H:%M") for s in history],
            "scores": [dengbao_score(s) for s in history],
        },
        "text": {"score": gettext("Score"), "dengbao": dengbao.title if dengbao else ""},
    }


@router.get("/checks/compliance", include_in_schema=False)
def compliance_page(
    request: Request,
    viewer: Reader,
    target: Annotated[str, Query(max_length=512)] = "",
) -> HTMLResponse:
    """One target's latest scores per framework and per 等保 family, and its 等保 history."""
    gettext = translations(viewer.language).gettext
    store = platform_of(request).scans
    names = target_names(request)
    if not target:
        newest = store.scans(limit=1)
        target = newest[0].target if newest else (names[0] if names else "")
    latest = store.latest(target) if target else None
    history = list(reversed(store.scans(target=target, limit=HISTORY))) if latest else []
    framework_scores = scores(latest, viewer.language) if latest is not None else []
    if latest is not None and target not in names:
        names.append(target)
    return render(
        request,
        "checks_compliance.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Compliance by framework"),
        target=target,
        names=names,
        latest=latest,
        scores=framework_scores,
        dengbao=next((s for s in framework_scores if s.framework == "dengbao"), None),
        history=history,
        charts=chart_data(framework_scores, history, viewer) if latest is not None else None,
        dengbao_score=dengbao_score,
        score_text=score_text,
        score_class=score_class,
    )
