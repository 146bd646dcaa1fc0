"""Putting the console on the application: static files, page routes, HTML errors."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, PlainTextResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles

from garrison.web.auth import LoginRequired, current_viewer
from garrison.web.i18n import N_, translations
from garrison.web.render import STATIC, render
from garrison.web.views import (
    account,
    admin,
    alerts,
    audit,
    checks,
    docs,
    events,
    incident_actions,
    incidents,
    jobs,
    overview,
    response,
    rules,
    session,
)
from garrison.web.views.session import visitor_language

_API_PREFIXES = ("/api/", "/healthz", "/metrics")


def is_console(request: Request) -> bool:
    """Whether a request belongs to the console (HTML errors) rather than the API (JSON)."""
    return not request.url.path.startswith(_API_PREFIXES)


#: What each error status means, in words a person reads (translated).
HEADLINES = {
    400: N_("The request cannot be carried out."),
    401: N_("Please sign in."),
    403: N_("You do not have permission to do this."),
    404: N_("Not found."),
    413: N_("The upload is too large."),
    422: N_("The form was not filled in correctly."),
    500: N_("Something went wrong on the server. The error was logged."),
}


async def error_response(request: Request, status_code: int, detail: str) -> Response:
    """An error as the console shows it: a page, or a line of text for htmx to display.

    The headline is translated; the detail (from the code, in English) follows it, except for
    server errors, whose details stay in the log.
    """
    viewer = await current_viewer(request)
    language = viewer.language if viewer is not None else visitor_language(request)
    gettext = translations(language).gettext
    headline = gettext(HEADLINES.get(status_code, HEADLINES[400]))
    detail = "" if status_code >= 500 else detail
    if request.headers.get("hx-request"):
        return PlainTextResponse(f"{headline} {detail}".strip(), status_code=status_code)
    return render(
        request,
        "error.html",
        viewer=viewer,
        language=language,
        status_code=status_code,
        title=gettext("Error"),
        headline=headline,
        message=detail,
    )


def install(app: FastAPI) -> None:
    """Add the console's routes, static files and login redirect to ``app``."""
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        session,
        overview,
        alerts,
        incidents,
        incident_actions,
        events,
        rules,
        checks,
        response,
        jobs,
        audit,
        admin,
        account,
        docs,
    ):
        app.include_router(module.router)

    @app.exception_handler(LoginRequired)
    async def _login(request: Request, exc: LoginRequired) -> Response:
        if request.headers.get("hx-request"):
            # htmx follows this header with a full page load instead of swapping a fragment.
            return HTMLResponse("", status_code=401, headers={"HX-Redirect": exc.location})
        return RedirectResponse(exc.location, status_code=303)

    @app.get("/", include_in_schema=False)
    async def _root() -> Response:
        return RedirectResponse("/overview", status_code=303)
