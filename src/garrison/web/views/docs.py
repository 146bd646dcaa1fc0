"""The API reference page (Swagger UI, served from vendored files: no CDN)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from garrison.web.i18n import DEFAULT_LANGUAGE
from garrison.web.render import environment

router = APIRouter()


@router.get("/api/v1/docs", include_in_schema=False)
def api_docs(request: Request) -> HTMLResponse:
    """Interactive documentation of the REST API v1."""
    template = environment(DEFAULT_LANGUAGE).get_template("api_docs.html")
    return HTMLResponse(template.render(request=request))
