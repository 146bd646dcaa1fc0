"""The HTTP application: health, ingest, the REST API v1 and the web console."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Annotated, Any

from fastapi import FastAPI, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.concurrency import run_in_threadpool

from garrison import __version__
from garrison.core.errors import (
    ActionError,
    AuthError,
    ForbiddenError,
    GarrisonError,
    InputError,
    NotFoundError,
    RejectedError,
    RequestTooLargeError,
    TargetError,
)
from garrison.normalize import registry
from garrison.platform import Platform
from garrison.serve.api import authorize, bearer, create_router
from garrison.serve.api_checks import create_checks_router
from garrison.serve.api_incidents import create_incident_router
from garrison.serve.api_jobs import create_jobs_router
from garrison.serve.api_response import create_response_router
from garrison.serve.metrics import CONTENT_TYPE, Metrics
from garrison.serve.receiver import receive
from garrison.web.console import error_response, is_console
from garrison.web.console import install as install_console
from garrison.web.security import headers_for

log = logging.getLogger(__name__)

#: Error class -> HTTP status, in one place.
#: Subclasses come before their bases: the first match wins.
STATUS: dict[type[GarrisonError], int] = {
    RequestTooLargeError: 413,
    NotFoundError: 404,
    AuthError: 401,
    ForbiddenError: 403,
    InputError: 400,
    TargetError: 502,  # the scanned host, not the caller, is at fault
    ActionError: 502,  # a firewall, Docker or Kestra refused: not the caller's fault
}


def _status(exc: GarrisonError) -> int:
    for cls, status in STATUS.items():
        if isinstance(exc, cls):
            return status
    return 500


def create_app(platform: Platform, metrics: Metrics | None = None) -> FastAPI:
    """Build the FastAPI application around a platform (with its own metrics)."""
    app = FastAPI(
        title="Garrison",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by the console from vendored files (no CDN)
        redoc_url=None,
    )

    @app.exception_handler(GarrisonError)
    async def _garrison_error(request: Request, exc: GarrisonError) -> Response:
        if is_console(request):
            return await error_response(request, _status(exc), exc.message)
        body: dict[str, Any] = {"error": {"code": exc.code, "message": exc.message}}
        if exc.hint:
            body["error"]["hint"] = exc.hint
        if isinstance(exc, RejectedError):
            body["error"]["details"] = exc.details
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, AuthError) else None
        return JSONResponse(body, status_code=_status(exc), headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, exc: RequestValidationError) -> Response:
        if is_console(request):
            summary = "; ".join(
                f"{'.'.join(str(p) for p in err.get('loc', ())[1:])}: {err.get('msg')}"
                for err in exc.errors()
            )
            return await error_response(request, 422, summary)
        problems = [
            {"where": ".".join(str(p) for p in err.get("loc", ())), "problem": err.get("msg")}
            for err in exc.errors()
        ]
        body = {
            "error": {"code": "input.invalid", "message": "invalid request", "details": problems}
        }
        return JSONResponse(body, status_code=422)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> Response:
        # Logged with the stack trace for the operator; the client gets no internals.
        log.error("unexpected error", exc_info=exc)
        if is_console(request):
            return await error_response(request, 500, "")
        body = {"error": {"code": "internal", "message": "internal error"}}
        return JSONResponse(body, status_code=500)

    app.state.platform = platform
    app.state.metrics = metrics = metrics or Metrics(platform)

    @app.middleware("http")
    async def _timed(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        response.headers.update(headers_for(request.url.path, https=request.url.scheme == "https"))
        route = request.scope.get("route")
        path = getattr(route, "path", "unmatched")
        metrics.request_seconds.labels(request.method, path, str(response.status_code)).observe(
            time.perf_counter() - start
        )
        return response

    @app.get("/metrics", tags=["health"], response_class=PlainTextResponse)
    async def prometheus(authorization: Annotated[str | None, Header()] = None) -> Response:
        """Prometheus metrics; needs a ``read`` token unless ``metrics_public`` is set."""
        if not platform.settings.metrics_public:
            await authorize(platform, authorization, "read")
        body = await run_in_threadpool(metrics.render)
        return Response(body, media_type=CONTENT_TYPE)

    app.include_router(create_router(platform))
    app.include_router(create_incident_router(platform))
    app.include_router(create_checks_router(platform))
    app.include_router(create_response_router(platform))
    app.include_router(create_jobs_router())

    @app.get("/healthz", tags=["health"])
    def healthz() -> dict[str, str]:
        """Liveness: the process answers and the database is reachable."""
        platform.store.ping()
        return {"status": "ok", "version": __version__}

    @app.post("/api/v1/ingest", tags=["events"])
    async def ingest(
        request: Request,
        authorization: Annotated[str | None, Header()] = None,
        format: Annotated[
            str | None, Query(description="Parser; default: the source's, else detect")
        ] = None,
    ) -> dict[str, Any]:
        """Push a batch of records (NDJSON or any line format), one per line.

        Authenticate with ``Authorization: Bearer <source token>`` (``garrison sources add``).
        Re-sending the same body stores nothing twice.
        """
        token = bearer(authorization)
        source = await run_in_threadpool(platform.sources.authenticate, token) if token else None
        origin = f"http:{source.name}" if source is not None else ""
        if source is None and token:
            # An API token with the ingest scope works too (agents, Kestra, scripts).
            principal = await run_in_threadpool(platform.tokens.authenticate, token)
            if principal is not None and not principal.allows("ingest"):
                raise ForbiddenError("this needs the 'ingest' scope")
            origin = f"http:{principal.actor}" if principal is not None else ""
        if not origin:
            raise AuthError(
                "missing or invalid source token",
                hint="create one with 'garrison sources add NAME'",
            )
        chosen = format or (source.default_format if source is not None else None)
        if chosen is not None and chosen not in registry.names():
            raise InputError(f"unknown format {chosen!r}", hint="see GET /api/v1/formats")
        limit = platform.settings.max_request_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise RequestTooLargeError(f"request body exceeds {limit} bytes")
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > limit:
                raise RequestTooLargeError(f"request body exceeds {limit} bytes")
        records = [line for line in bytes(body).split(b"\n") if line.strip()]
        options = platform.ingest_options(format=chosen)
        extra = {"host.name": source.host_name} if source and source.host_name else None
        summary = await run_in_threadpool(
            receive,
            records,
            origin=origin,
            sink=platform.store,
            options=options,
            clock=platform.clock,
            idempotent=True,
            extra=extra,
        )
        channel = "http"
        metrics.events_received.labels(channel).inc(len(records))
        metrics.events_stored.labels(channel).inc(summary.stored)
        result: dict[str, Any] = summary.to_dict()
        result.pop("errors", None)
        return result

    @app.get("/api/v1/formats", tags=["events"])
    def formats() -> list[dict[str, str]]:
        """The log formats Garrison parses."""
        return [
            {"name": n, "description": registry.create(n).description} for n in registry.names()
        ]

    install_console(app)
    return app
