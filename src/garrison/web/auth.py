"""Who is looking: the session cookie, the viewer's role and preferences, CSRF checks.

Pages need a live session (else they redirect to the login page); unsafe requests must also
carry the session's CSRF token, in the ``X-CSRF-Token`` header (htmx sends it from the
``hx-headers`` of the page body) or in a ``csrf`` form field (plain forms).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from garrison.auth.principal import ROLE_SCOPES
from garrison.core.errors import ForbiddenError
from garrison.core.timezones import resolve_zone
from garrison.platform import Platform

SESSION_COOKIE = "garrison_session"
PENDING_COOKIE = "garrison_mfa"
LOGIN_COOKIE = "garrison_login"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True, slots=True)
class Viewer:
    """A logged-in person looking at the console.

    Attributes:
        name: Login name.
        role: ``admin``, ``analyst`` or ``auditor``.
        scopes: What the role allows.
        language: UI language.
        zone: Time zone the pages show times in.
        csrf: The session's CSRF token (sent back with every change).
    """

    name: str
    role: str
    scopes: frozenset[str]
    language: str
    zone: ZoneInfo
    csrf: str

    @property
    def actor(self) -> str:
        """The audit trail's name for this person."""
        return f"user:{self.name}"

    def can(self, scope: str) -> bool:
        """Whether the viewer's role holds ``scope``."""
        return scope in self.scopes


class LoginRequired(Exception):  # noqa: N818 - a control-flow signal, not an error
    """No live session: the handler redirects to the login page, coming back to ``next``."""

    def __init__(self, next_path: str) -> None:
        """Remember where to come back to."""
        super().__init__(next_path)
        self.next_path = next_path

    @property
    def location(self) -> str:
        """The login page URL."""
        return "/login?next=" + quote(self.next_path, safe="/")


def role_of(scopes: frozenset[str]) -> str:
    """The role whose scopes these are."""
    for role, granted in ROLE_SCOPES.items():
        if granted == scopes:
            return role
    return "custom"


def _zone(platform: Platform, name: str | None) -> ZoneInfo:
    zone = resolve_zone(name or platform.settings.timezone)
    return zone if isinstance(zone, ZoneInfo) else ZoneInfo("UTC")


async def current_viewer(request: Request) -> Viewer | None:
    """The viewer of a request, or ``None`` without a live session."""
    platform: Platform = request.app.state.platform
    cookie = request.cookies.get(SESSION_COOKIE)
    if not cookie:
        return None
    session = await run_in_threadpool(platform.sessions.check, cookie)
    if session is None:
        return None
    principal = session.principal
    return Viewer(
        name=principal.name,
        role=role_of(principal.scopes),
        scopes=principal.scopes,
        language=session.language,
        zone=_zone(platform, session.timezone),
        csrf=session.csrf,
    )


async def check_csrf(request: Request, expected: str) -> None:
    """Refuse an unsafe request without the right CSRF token.

    Raises:
        ForbiddenError: The token is missing or wrong.
    """
    if request.method in SAFE_METHODS:
        return
    sent = request.headers.get(CSRF_HEADER, "")
    if not sent and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        form = await request.form()
        value = form.get(CSRF_FIELD)
        sent = value if isinstance(value, str) else ""
    if not expected or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise ForbiddenError("missing or wrong CSRF token", hint="reload the page and try again")


def page(scope: str) -> Callable[[Request], Coroutine[Any, Any, Viewer]]:
    """A dependency: the viewer, who must be logged in and hold ``scope``."""

    async def dependency(request: Request) -> Viewer:
        viewer = await current_viewer(request)
        if viewer is None:
            target = request.url.path
            if request.url.query:
                target += "?" + request.url.query
            raise LoginRequired(target if request.method == "GET" else "/overview")
        await check_csrf(request, viewer.csrf)
        if not viewer.can(scope):
            raise ForbiddenError(f"this page needs the {scope!r} scope")
        return viewer

    return dependency
