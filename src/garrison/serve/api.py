"""REST API v1: alerts, suppressions, audit trail, users and tokens, behind scopes.

Every endpoint names the scope it needs (see :mod:`garrison.auth.principal`); callers
authenticate with ``Authorization: Bearer <API token>``. A missing or invalid token is 401, a
valid one without the scope 403. Errors are JSON with a stable code (see ``serve/app.py``).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Path, Query, Request, Response
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from garrison.alerts.query import LEVELS, STATUSES, AlertFilter
from garrison.alerts.triage import RESOLUTIONS
from garrison.auth.principal import SCOPES, Principal
from garrison.core.errors import (
    AuthError,
    ForbiddenError,
    MfaRequiredError,
    PasswordExpiredError,
)
from garrison.core.timezones import resolve_zone
from garrison.platform import Platform
from garrison.search.request import SearchRequest
from garrison.search.timeparse import parse_time
from garrison.storage.sql.users import LoginOutcome
from garrison.web.auth import CSRF_HEADER, SAFE_METHODS, SESSION_COOKIE


def bearer(authorization: str | None) -> str:
    """The credentials of a ``Bearer`` authorization header (scheme case-insensitive)."""
    scheme, _, credentials = (authorization or "").strip().partition(" ")
    return credentials.strip() if scheme.lower() == "bearer" else ""


class SuppressionIn(BaseModel):
    """A new suppression or snooze."""

    model_config = ConfigDict(extra="forbid")

    rule_id: str | None = Field(default=None, max_length=256)
    conditions: dict[str, Annotated[str, Field(max_length=512)]] = Field(
        default_factory=dict, max_length=20
    )
    reason: str = Field(min_length=1, max_length=2000)
    duration_minutes: int | None = Field(default=None, ge=1, le=366 * 24 * 60)


class TriageIn(BaseModel):
    """A status change of an alert."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)
    resolution: str | None = Field(default=None, description=", ".join(RESOLUTIONS))


class LoginIn(BaseModel):
    """A login: name, password, and the TOTP code when the account needs one."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=1024)
    code: str | None = Field(default=None, max_length=16)


class SwitchIn(BaseModel):
    """Why a rule is switched on or off."""

    model_config = ConfigDict(extra="forbid")

    reason: str = Field(min_length=1, max_length=2000)


class RuleFileIn(BaseModel):
    """A Sigma rule file (one or more YAML documents)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, description="file name, e.g. my_rules.yml")
    content: str = Field(min_length=1, max_length=1024 * 1024)


class UserIn(BaseModel):
    """A new account (one person, one account)."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=2, max_length=64)
    role: Literal["admin", "analyst", "auditor"]
    password: str = Field(min_length=1, max_length=1024)
    display_name: str | None = Field(default=None, max_length=256)
    language: Literal["zh-CN", "en"] = "zh-CN"


class TokenIn(BaseModel):
    """A new API token."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=128)
    scopes: list[str] = Field(min_length=1, max_length=len(SCOPES))
    expires_in_days: int | None = Field(default=90, ge=1, le=3650)


_SAFE_METHODS = SAFE_METHODS


async def authorize(
    platform: Platform,
    authorization: str | None,
    scope: str,
    request: Request | None = None,
) -> Principal:
    """The caller of a request, if its credentials are valid and hold ``scope``.

    Machines send ``Authorization: Bearer <API token>``; browsers send the session cookie, and
    with it, on every unsafe method, the session's CSRF token in ``X-CSRF-Token``.

    Raises:
        AuthError: Missing, invalid, expired or revoked credentials (401).
        ForbiddenError: Valid credentials without the scope, or a missing CSRF token (403).
    """
    token = bearer(authorization)
    principal = await run_in_threadpool(platform.tokens.authenticate, token) if token else None
    cookie = request.cookies.get(SESSION_COOKIE) if request is not None else None
    if principal is None and not token and cookie and request is not None:
        session = await run_in_threadpool(platform.sessions.check, cookie)
        if session is not None:
            if request.method not in _SAFE_METHODS and not hmac.compare_digest(
                request.headers.get(CSRF_HEADER, ""), session.csrf
            ):
                raise ForbiddenError("missing or wrong CSRF token", hint="send X-CSRF-Token")
            principal = session.principal
    if principal is None:
        raise AuthError(
            "missing, invalid, expired or revoked token",
            hint="an administrator creates one with 'garrison tokens create'",
        )
    if not principal.allows(scope):
        raise ForbiddenError(f"this needs the {scope!r} scope")
    return principal


def needs(scope: str) -> Callable[..., Any]:
    """A dependency that authenticates the caller and requires ``scope``."""

    async def dependency(
        request: Request, authorization: Annotated[str | None, Header()] = None
    ) -> Principal:
        return await authorize(request.app.state.platform, authorization, scope, request)

    return dependency


#: Ids in paths: positive and within a 63-bit integer (the database column).
Ident = Annotated[int, Path(ge=1, le=2**63 - 1)]

Reader = Annotated[Principal, Depends(needs("read"))]
Writer = Annotated[Principal, Depends(needs("write"))]
Auditor = Annotated[Principal, Depends(needs("audit"))]
Admin = Annotated[Principal, Depends(needs("admin"))]


def create_router(platform: Platform) -> APIRouter:
    """The v1 routes around a platform."""
    router = APIRouter(prefix="/api/v1")

    def _time(text: str | None) -> datetime | None:
        if not text:
            return None
        return parse_time(text, platform.now(), resolve_zone(platform.settings.timezone))

    @router.get("/events", tags=["events"])
    def search_events(
        _: Reader,
        q: Annotated[str, Query(max_length=4000, description="docs/search.md")] = "",
        since: Annotated[str | None, Query(description="24h, 7d, 2026-11-01, ...")] = None,
        until: Annotated[str | None, Query(description="end (exclusive)")] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
        oldest_first: bool = False,
    ) -> list[dict[str, Any]]:
        """Search stored events with the query language."""
        request = SearchRequest(
            query=q,
            since=_time(since),
            until=_time(until),
            limit=limit,
            newest_first=not oldest_first,
        )
        return [e.to_dict() for e in platform.search(request)]

    @router.get("/timeline/{kind}/{value}", tags=["events"])
    def timeline(
        _: Reader,
        kind: Literal["ip", "user", "host"],
        value: Annotated[str, Path(max_length=256)],
        since: str | None = None,
        until: str | None = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    ) -> list[dict[str, Any]]:
        """Everything one IP, user or host did, in time order."""
        request = SearchRequest(
            since=_time(since),
            until=_time(until),
            limit=limit,
            newest_first=False,
            entity=(kind, value),
        )
        return [e.to_dict() for e in platform.search(request)]

    @router.get("/alerts", tags=["alerts"])
    def list_alerts(
        _: Reader,
        status: Annotated[list[str] | None, Query(description=", ".join(STATUSES))] = None,
        level: Annotated[str | None, Query(description="minimum: " + ", ".join(LEVELS))] = None,
        rule_id: Annotated[str | None, Query(max_length=256)] = None,
        since: datetime | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
    ) -> list[dict[str, Any]]:
        """Alerts, most recently seen first (suppressed ones only when asked for)."""
        where = AlertFilter(
            statuses=tuple(status or ()),
            min_level=level,
            rule_id=rule_id,
            since=since,
            limit=limit,
            offset=offset,
        )
        return [a.to_dict() for a in platform.alerts.search(where)]

    @router.get("/alerts/verdicts", tags=["alerts"])
    def verdicts(_: Reader) -> list[dict[str, Any]]:
        """Closed alerts per rule by verdict, with the false-positive rate."""
        return platform.alerts.verdicts()

    @router.get("/alerts/{alert_id}", tags=["alerts"])
    def get_alert(_: Reader, alert_id: Ident) -> dict[str, Any]:
        """One alert."""
        return platform.alerts.get(alert_id).to_dict()

    @router.post("/alerts/{alert_id}/{action}", tags=["alerts"])
    def triage_alert(
        who: Writer,
        alert_id: Ident,
        action: Literal["acknowledge", "close", "reopen"],
        body: TriageIn,
    ) -> dict[str, Any]:
        """Acknowledge, close (with a resolution) or reopen an alert; audited."""
        return platform.alerts.triage(
            alert_id, action, actor=who.actor, reason=body.reason, resolution=body.resolution
        ).to_dict()

    @router.get("/suppressions", tags=["alerts"])
    def list_suppressions(_: Reader, include_removed: bool = False) -> list[dict[str, Any]]:
        """Suppressions and snoozes with their hit counts."""
        return platform.alerts.suppressions(include_removed=include_removed)

    @router.post("/suppressions", tags=["alerts"], status_code=201)
    def create_suppression(who: Writer, body: SuppressionIn) -> dict[str, Any]:
        """Mute matching alerts (kept with status ``suppressed``); audited."""
        duration = (
            timedelta(minutes=body.duration_minutes) if body.duration_minutes is not None else None
        )
        made = platform.alerts.suppress(
            actor=who.actor,
            reason=body.reason,
            rule_id=body.rule_id,
            conditions=body.conditions,
            duration=duration,
        )
        return {"id": made.id, "until": made.until}

    @router.delete("/suppressions/{suppression_id}", tags=["alerts"], status_code=204)
    def remove_suppression(
        who: Writer, suppression_id: Ident, reason: Annotated[str, Query(min_length=1)]
    ) -> None:
        """Remove a suppression (kept on record); audited."""
        platform.alerts.unsuppress(suppression_id, actor=who.actor, reason=reason)

    @router.get("/audit", tags=["audit"])
    def audit_entries(
        _: Auditor,
        action: Annotated[str | None, Query(max_length=64)] = None,
        limit: Annotated[int, Query(ge=1, le=10_000)] = 100,
    ) -> list[dict[str, Any]]:
        """The newest audit entries."""
        return [e.to_dict() for e in platform.audit_entries(limit=limit, action=action)]

    @router.get("/audit/export", tags=["audit"])
    def audit_export(
        who: Auditor,
        format: Literal["csv", "ndjson"] = "ndjson",
        since: str | None = None,
        until: str | None = None,
        action: Annotated[str | None, Query(max_length=64)] = None,
    ) -> StreamingResponse:
        """The audit trail, oldest first, as CSV or NDJSON (a download)."""
        chunks = platform.audit_export(
            format, since=_time(since), until=_time(until), action=action
        )
        media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
        name = f"garrison-audit.{format}"
        return StreamingResponse(
            chunks,
            media_type=media,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )

    @router.get("/audit/verify", tags=["audit"])
    def audit_verify(_: Auditor) -> dict[str, Any]:
        """Recompute the audit trail's hash chain."""
        report = platform.audit_verify()
        return {
            "ok": report.ok,
            "entries": report.entries,
            "broken_at": report.broken_at,
            "reason": report.reason,
        }

    @router.post("/session", tags=["session"])
    def login(body: LoginIn, request: Request, response: Response) -> dict[str, Any]:
        """Log in (password, then TOTP code); sets the session cookie, returns the CSRF token.

        Failures say only "invalid credentials": they do not tell which part was wrong or
        whether the account exists. Five failures in five minutes lock the account.
        """
        source = request.client.host if request.client else ""
        outcome, user = platform.users.authenticate(
            body.name, body.password, body.code, source=source
        )
        if outcome is LoginOutcome.MFA_REQUIRED:
            raise MfaRequiredError("enter the 6-digit code of your authenticator app")
        if outcome is LoginOutcome.PASSWORD_EXPIRED:
            raise PasswordExpiredError(
                "your password has expired", hint="an administrator runs 'garrison users passwd'"
            )
        if outcome is not LoginOutcome.OK or user is None:
            raise AuthError("invalid credentials")
        session_id, csrf = platform.sessions.open(user.name)
        response.set_cookie(
            SESSION_COOKIE,
            session_id,
            httponly=True,
            secure=request.url.scheme == "https",
            samesite="strict",
            path="/",
        )
        return {"user": user.to_dict(), "csrf_token": csrf}

    @router.get("/session", tags=["session"])
    def whoami(who: Reader) -> dict[str, Any]:
        """Who the credentials belong to, and what they may do."""
        return {"kind": who.kind, "name": who.name, "scopes": sorted(who.scopes)}

    @router.delete("/session", tags=["session"], status_code=204)
    def logout(request: Request, response: Response) -> None:
        """Log out: the session ends at once."""
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            platform.sessions.close(cookie)
        response.delete_cookie(SESSION_COOKIE, path="/")

    @router.get("/rules", tags=["rules"])
    def list_rules(_: Reader) -> list[dict[str, Any]]:
        """Every rule: id, title, kind, level, tags, author, enabled, origin."""
        return platform.rulebook.catalog()

    @router.post("/rules", tags=["rules"], status_code=201)
    def upload_rules(who: Writer, body: RuleFileIn) -> dict[str, Any]:
        """Add a rule file; it is validated against every other rule first.

        A refused file answers 400 with ``error.details``: one ``{line, severity, message,
        rule}`` per problem.
        """
        return platform.rulebook.upload(body.name, body.content, actor=who.actor)

    @router.post("/rules/{rule_id}/{action}", tags=["rules"])
    def switch_rule(
        who: Writer,
        rule_id: Annotated[str, Path(max_length=256)],
        action: Literal["enable", "disable"],
        body: SwitchIn,
    ) -> dict[str, Any]:
        """Switch a rule on or off (audited); detection uses the new set at its next pass."""
        platform.rulebook.set_enabled(
            rule_id, action == "enable", actor=who.actor, reason=body.reason
        )
        return {"id": rule_id, "enabled": action == "enable"}

    @router.get("/users", tags=["admin"])
    def list_users(_: Admin) -> list[dict[str, Any]]:
        """Every account (never a secret)."""
        return [u.to_dict() for u in platform.users.list()]

    @router.post("/users", tags=["admin"], status_code=201)
    def create_user(who: Admin, body: UserIn) -> dict[str, Any]:
        """Create an account; for roles that need MFA the response holds the TOTP URI (once)."""
        user, enrolment = platform.users.create(
            body.name,
            body.role,
            body.password,
            actor=who.actor,
            display_name=body.display_name,
            language=body.language,
        )
        data = user.to_dict()
        if enrolment is not None:
            data["totp_uri"] = enrolment.uri
        return data

    @router.post("/users/{name}/{action}", tags=["admin"])
    def change_user(
        who: Admin,
        name: Annotated[str, Path(max_length=64)],
        action: Literal["disable", "enable", "reset-mfa"],
        body: SwitchIn,
    ) -> dict[str, Any]:
        """Disable, enable or re-enrol an account (audited; its sessions end)."""
        if action == "reset-mfa":
            enrolment = platform.users.reset_mfa(name, actor=who.actor, reason=body.reason)
            return {"name": name, "totp_uri": enrolment.uri}
        if action == "disable":
            platform.users.disable(name, actor=who.actor, reason=body.reason)
        else:
            platform.users.enable(name, actor=who.actor, reason=body.reason)
        return platform.users.get(name).to_dict()

    @router.get("/tokens", tags=["admin"])
    def list_tokens(_: Admin) -> list[dict[str, Any]]:
        """Every API token (never the secret)."""
        return platform.tokens.list()

    @router.post("/tokens", tags=["admin"], status_code=201)
    def create_token(who: Admin, body: TokenIn) -> dict[str, Any]:
        """Create a token; the response is the only time it is shown."""
        expires = timedelta(days=body.expires_in_days) if body.expires_in_days else None
        token = platform.tokens.create(body.name, body.scopes, actor=who.actor, expires_in=expires)
        return {"name": body.name, "token": token}

    @router.delete("/tokens/{name}", tags=["admin"], status_code=204)
    def revoke_token(who: Admin, name: str) -> None:
        """Revoke a token at once; audited."""
        platform.tokens.revoke(name, actor=who.actor)

    return router
