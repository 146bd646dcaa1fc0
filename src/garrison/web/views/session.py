"""Logging in (password, then the TOTP code, with QR enrolment on first use) and out.

Before login a double-submit cookie guards the forms against login CSRF; the MFA step is a
*pending* session (password checked, nothing granted, five minutes), exchanged for a new
session id once the code is right, so no id issued before authentication survives it.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from garrison.core.errors import ForbiddenError
from garrison.platform import Platform
from garrison.storage.sql.users import LoginOutcome
from garrison.web.auth import (
    LOGIN_COOKIE,
    PENDING_COOKIE,
    SESSION_COOKIE,
    current_viewer,
)
from garrison.web.i18n import LANGUAGES, N_, negotiate, translations
from garrison.web.qr import qr_data_uri
from garrison.web.render import render
from garrison.web.security import NO_STORE

router = APIRouter()

LANG_COOKIE = "garrison_lang"
#: One message for every failed login: it must not tell which part was wrong.
INVALID = N_(
    "Invalid user name or password. After 5 failures in 5 minutes the account is"
    " locked for 15 minutes."
)
EXPIRED = N_(
    "Your password has expired. Ask an administrator to set a new one (garrison users passwd)."
)


def safe_next(target: str | None) -> str:
    """A same-site path to go to after login (never another host: no open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return "/overview"
    return target


def visitor_language(request: Request, chosen: str | None = None) -> str:
    """The language of a visitor who is not logged in."""
    if chosen in LANGUAGES:
        return str(chosen)
    cookie = request.cookies.get(LANG_COOKIE)
    if cookie in LANGUAGES:
        return str(cookie)
    return negotiate(request.headers.get("accept-language"))


def _cookie(response: Response, request: Request, name: str, value: str, max_age: int) -> None:
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        httponly=True,
        secure=request.url.scheme == "https",
        samesite="strict",
        path="/",
    )


def _redirect(target: str) -> RedirectResponse:
    return RedirectResponse(target, status_code=303)


def _login_csrf_ok(request: Request, sent: str) -> bool:
    expected = request.cookies.get(LOGIN_COOKIE, "")
    return bool(expected) and hmac.compare_digest(sent.encode(), expected.encode())


def _password_page(
    request: Request,
    language: str,
    *,
    next_path: str,
    error: str = "",
    name: str = "",
    notice: str = "",
) -> Response:
    token = request.cookies.get(LOGIN_COOKIE) or secrets.token_urlsafe(24)
    response = render(
        request,
        "login.html",
        viewer=None,
        language=language,
        status_code=401 if error else 200,
        title=translations(language).gettext("Sign in"),
        step="password",
        error=error,
        notice=notice,
        next=next_path,
        name=name,
        login_csrf=token,
    )
    _cookie(response, request, LOGIN_COOKIE, token, 3600)
    _cookie(response, request, LANG_COOKIE, language, 365 * 86400)
    return response


@router.get("/login", include_in_schema=False)
async def login_page(
    request: Request,
    next: Annotated[str | None, Query(max_length=2000)] = None,
    lang: Annotated[str | None, Query(max_length=8)] = None,
    changed: Annotated[int, Query(ge=0, le=1)] = 0,
) -> Response:
    """The login form (or straight on, for a visitor who is logged in)."""
    if await current_viewer(request) is not None:
        return _redirect(safe_next(next))
    language = visitor_language(request, lang)
    notice = (
        translations(language).gettext("Password changed. Sign in with the new one.")
        if changed
        else ""
    )
    return _password_page(request, language, next_path=safe_next(next), notice=notice)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/overview",
) -> Response:
    """Check the password; go on to the MFA step, or in."""
    platform: Platform = request.app.state.platform
    language = visitor_language(request)
    gettext = translations(language).gettext
    target = safe_next(next)
    if not _login_csrf_ok(request, csrf):
        return _password_page(
            request,
            language,
            next_path=target,
            error=gettext("The form expired. Please sign in again."),
            name=name,
        )
    source = request.client.host if request.client else ""
    outcome, user = platform.users.authenticate(name, password, None, source=source)
    if outcome is LoginOutcome.MFA_REQUIRED:
        pending_id, _ = platform.sessions.open(name, pending=True)
        response = _redirect("/login/mfa?next=" + target)
        _cookie(response, request, PENDING_COOKIE, pending_id, 300)
        return response
    if outcome is not LoginOutcome.OK or user is None:
        message = EXPIRED if outcome is LoginOutcome.PASSWORD_EXPIRED else INVALID
        return _password_page(
            request, language, next_path=target, error=gettext(message), name=name
        )
    return _signed_in(request, platform, user.name, target)


def _signed_in(request: Request, platform: Platform, name: str, target: str) -> Response:
    session_id, _ = platform.sessions.open(name)
    response = _redirect(target)
    _cookie(
        response,
        request,
        SESSION_COOKIE,
        session_id,
        int(platform.sessions.lifetime.total_seconds()),
    )
    response.delete_cookie(PENDING_COOKIE, path="/")
    response.delete_cookie(LOGIN_COOKIE, path="/")
    return response


def _mfa_page(
    request: Request, platform: Platform, name: str, csrf: str, next_path: str, error: str = ""
) -> Response:
    language = visitor_language(request)
    enrolment = platform.users.pending_enrolment(name)
    return render(
        request,
        "login.html",
        viewer=None,
        language=language,
        status_code=401 if error else 200,
        headers=dict(NO_STORE),
        title=translations(language).gettext("Two-step verification"),
        step="mfa",
        error=error,
        next=next_path,
        login_csrf=csrf,
        qr=qr_data_uri(enrolment.uri) if enrolment else None,
        secret=enrolment.secret if enrolment else None,
    )


@router.get("/login/mfa", include_in_schema=False)
def mfa_page(
    request: Request, next: Annotated[str | None, Query(max_length=2000)] = None
) -> Response:
    """The code step (with the QR code while the account has not enrolled)."""
    platform: Platform = request.app.state.platform
    pending = platform.sessions.pending(request.cookies.get(PENDING_COOKIE, ""))
    if pending is None:
        return _redirect("/login?next=" + safe_next(next))
    name, csrf = pending
    return _mfa_page(request, platform, name, csrf, safe_next(next))


@router.post("/login/mfa", include_in_schema=False)
def mfa(
    request: Request,
    code: Annotated[str, Form(max_length=16)],
    csrf: Annotated[str, Form(max_length=128)] = "",
    next: Annotated[str, Form(max_length=2000)] = "/overview",
) -> Response:
    """Check the TOTP code of a pending login."""
    platform: Platform = request.app.state.platform
    pending_id = request.cookies.get(PENDING_COOKIE, "")
    pending = platform.sessions.pending(pending_id)
    target = safe_next(next)
    if pending is None:
        return _redirect("/login?next=" + target)
    name, expected = pending
    if not hmac.compare_digest(csrf.encode(), expected.encode()):
        raise ForbiddenError("missing or wrong CSRF token", hint="reload the page and try again")
    source = request.client.host if request.client else ""
    outcome, user = platform.users.second_factor(name, code.strip(), source=source)
    if outcome is LoginOutcome.OK and user is not None:
        platform.sessions.close(pending_id)
        return _signed_in(request, platform, user.name, target)
    gettext = translations(visitor_language(request)).gettext
    if outcome in (LoginOutcome.PASSWORD_EXPIRED, LoginOutcome.LOCKED, LoginOutcome.DISABLED):
        # The login cannot finish: back to the password step, with the same messages it gives.
        platform.sessions.close(pending_id)
        message = EXPIRED if outcome is LoginOutcome.PASSWORD_EXPIRED else INVALID
        return _password_page(
            request, visitor_language(request), next_path=target, error=gettext(message)
        )
    return _mfa_page(
        request,
        platform,
        name,
        expected,
        target,
        error=gettext("That code is not right, or it was already used. Wait for the next one."),
    )


@router.post("/login/cancel", include_in_schema=False)
def cancel(request: Request) -> Response:
    """Leave the MFA step."""
    platform: Platform = request.app.state.platform
    pending_id = request.cookies.get(PENDING_COOKIE, "")
    if pending_id:
        platform.sessions.close(pending_id)
    response = _redirect("/login")
    response.delete_cookie(PENDING_COOKIE, path="/")
    return response


@router.post("/logout", include_in_schema=False)
async def logout(request: Request) -> Response:
    """End the session at once."""
    platform: Platform = request.app.state.platform
    viewer = await current_viewer(request)
    if viewer is not None:
        form = await request.form()
        sent = form.get("csrf")
        if not isinstance(sent, str) or not hmac.compare_digest(
            sent.encode(), viewer.csrf.encode()
        ):
            raise ForbiddenError(
                "missing or wrong CSRF token", hint="reload the page and try again"
            )
        await run_in_threadpool(platform.sessions.close, request.cookies.get(SESSION_COOKIE, ""))
    response = _redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
