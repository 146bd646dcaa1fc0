"""Administration: Garrison's own accounts and the API tokens of machines.

Secrets (a new token, a TOTP enrolment) are shown once, on a page that is never cached; the
stores keep only hashes (tokens) or give the secret back only at creation (TOTP). Every change
goes through the same store calls as the REST API and the CLI, so the audit trail records it
the same way. An administrator cannot disable their own account: a console with nobody left
to administer it is a lock-out only the command line can undo.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Annotated, Any, Literal
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from garrison.auth.principal import SCOPES
from garrison.core.errors import InputError
from garrison.platform import Platform
from garrison.storage.sql.users import LANGUAGES, ROLES, Enrolment, User
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.qr import qr_data_uri
from garrison.web.render import render
from garrison.web.security import NO_STORE

router = APIRouter()

Admin = Annotated[Viewer, Depends(page("admin"))]
UserName = Annotated[str, Path(min_length=1, max_length=64)]
TokenName = Annotated[str, Path(min_length=1, max_length=128)]
Reason = Annotated[str, Form(max_length=2000)]

ROLE_LABELS = {"admin": N_("Admin"), "analyst": N_("Analyst"), "auditor": N_("Auditor")}
ROLE_NOTES = {
    "admin": N_("Everything: users, tokens, settings, plus the analyst's and auditor's work."),
    "analyst": N_("Reads events, alerts and rules; triages alerts and changes rules."),
    "auditor": N_("Reads everything and the audit trail; changes nothing."),
}
#: Language names are shown in their own language (as language pickers do), not translated.
LANGUAGE_NAMES = {"zh-CN": "简体中文", "en": "English"}
SCOPE_NOTES = {
    "ingest": N_("Push events (log shippers, agents)"),
    "read": N_("Read events, alerts and rules"),
    "write": N_("Triage alerts, change rules"),
    "audit": N_("Read and export the audit trail"),
    "admin": N_("Manage users and tokens (use sparingly)"),
}
#: Outcomes shown after a redirect (the query names one of these keys, never free text).
DONE = {
    "disabled": N_("Account disabled. Its sessions have ended."),
    "enabled": N_("Account enabled, and any lockout cleared."),
}
#: A password this close to its maximum age is flagged as due soon.
DUE_SOON = timedelta(days=14)
DEFAULT_TOKEN_DAYS = 90
MAX_TOKEN_DAYS = 3650


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _problem(exc: InputError) -> str:
    # Store messages are English and name the rule that failed; the hint says how to fix it.
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


# -- users ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UserRow:
    """An account as the tables show it.

    Attributes:
        user: The account.
        mfa: ``enrolled``, ``pending`` (the role needs it, no code confirmed yet) or ``none``.
        locked: The account is locked by login failures right now.
        password_age: Whole days since the password was set.
        password_state: ``ok``, ``due`` (within two weeks of the maximum age) or ``expired``.
    """

    user: User
    mfa: Literal["enrolled", "pending", "none"]
    locked: bool
    password_age: int
    password_state: Literal["ok", "due", "expired"]


def _user_row(platform: Platform, user: User, now: datetime) -> UserRow:
    max_age = timedelta(days=platform.settings.auth.password_max_age_days)
    age = now - user.password_changed_at
    if user.mfa_enrolled:
        mfa: Literal["enrolled", "pending", "none"] = "enrolled"
    elif user.role in platform.users.mfa_roles:
        mfa = "pending"
    else:
        mfa = "none"
    state: Literal["ok", "due", "expired"] = "ok"
    if age >= max_age:
        state = "expired"
    elif age >= max_age - DUE_SOON:
        state = "due"
    return UserRow(
        user=user,
        mfa=mfa,
        locked=user.locked_until is not None and now < user.locked_until,
        password_age=max(age.days, 0),
        password_state=state,
    )


def _policy(platform: Platform) -> dict[str, int]:
    auth = platform.settings.auth
    return {
        "length": auth.password_min_length,
        "classes": auth.password_classes,
        "max_age": auth.password_max_age_days,
        "history": auth.password_history,
    }


@router.get("/admin/users", include_in_schema=False)
def users(request: Request, viewer: Admin) -> HTMLResponse:
    """Every account with its role, MFA, status and password age."""
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    now = platform.now()
    return render(
        request,
        "admin_users.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Users"),
        rows=[_user_row(platform, u, now) for u in platform.users.list()],
        roles=ROLE_LABELS,
        languages=LANGUAGE_NAMES,
        policy=_policy(platform),
    )


def _user_form(
    request: Request,
    viewer: Viewer,
    *,
    error: str = "",
    values: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    return render(
        request,
        "admin_user_form.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("New user"),
        error=error,
        values=values or {"name": "", "display_name": "", "role": "analyst", "language": "zh-CN"},
        roles=ROLE_LABELS,
        role_notes=ROLE_NOTES,
        mfa_roles=platform.users.mfa_roles,
        languages=LANGUAGE_NAMES,
        policy=_policy(platform),
    )


@router.get("/admin/users/new", include_in_schema=False)
def new_user(request: Request, viewer: Admin) -> HTMLResponse:
    """The form for a new account."""
    return _user_form(request, viewer)


def _enrolment_page(
    request: Request,
    viewer: Viewer,
    user: User,
    enrolment: Enrolment | None,
    *,
    event: Literal["created", "reset"],
) -> HTMLResponse:
    gettext = translations(viewer.language).gettext
    return render(
        request,
        "admin_enrolment.html",
        viewer=viewer,
        language=viewer.language,
        # The TOTP secret is on this page: no cache may keep it.
        headers=dict(NO_STORE),
        title=gettext("User created") if event == "created" else gettext("MFA reset"),
        user=user,
        event=event,
        qr=qr_data_uri(enrolment.uri) if enrolment else None,
        secret=enrolment.secret if enrolment else None,
        roles=ROLE_LABELS,
        own=user.name == viewer.name,
    )


@router.post("/admin/users", include_in_schema=False)
def create_user(
    request: Request,
    viewer: Admin,
    name: Annotated[str, Form(max_length=64)],
    password: Annotated[str, Form(max_length=1024)],
    confirm: Annotated[str, Form(max_length=1024)],
    role: Annotated[str, Form(max_length=16)] = "analyst",
    display_name: Annotated[str, Form(max_length=256)] = "",
    language: Annotated[str, Form(max_length=8)] = "zh-CN",
) -> HTMLResponse:
    """Create an account; show its TOTP enrolment once when its role needs MFA."""
    gettext = translations(viewer.language).gettext
    name = name.strip()
    display = display_name.strip()
    # Entered values come back on error, the password never does.
    values = {
        "name": name,
        "display_name": display,
        "role": role if role in ROLES else "analyst",
        "language": language if language in LANGUAGES else "zh-CN",
    }
    if password != confirm:
        return _user_form(
            request,
            viewer,
            error=gettext("The two passwords differ. Type the same password twice."),
            values=values,
            status_code=400,
        )
    try:
        user, enrolment = _platform(request).users.create(
            name,
            role,
            password,
            actor=viewer.actor,
            display_name=display or None,
            language=language,
        )
    except InputError as exc:
        return _user_form(
            request,
            viewer,
            error=gettext("The account was not created: %(problem)s") % {"problem": _problem(exc)},
            values=values,
            status_code=400,
        )
    return _enrolment_page(request, viewer, user, enrolment, event="created")


def _user_page(
    request: Request,
    viewer: Viewer,
    name: str,
    *,
    error: str = "",
    done: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    user = platform.users.get(name)
    return render(
        request,
        "admin_user.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("User") + f" {user.name}",
        row=_user_row(platform, user, platform.now()),
        history=platform.audit_entries(limit=50, target=f"user:{user.name}"),
        roles=ROLE_LABELS,
        languages=LANGUAGE_NAMES,
        mfa_roles=platform.users.mfa_roles,
        own=user.name == viewer.name,
        error=error,
        done=DONE.get(done, ""),
    )


@router.get("/admin/users/{name}", include_in_schema=False)
def user_detail(
    request: Request,
    viewer: Admin,
    name: UserName,
    done: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    """One account: its facts, the actions on it, and its audit history."""
    return _user_page(request, viewer, name, done=done)


def _need_reason(request: Request, viewer: Viewer, name: str, reason: str) -> HTMLResponse | None:
    if reason.strip():
        return None
    gettext = translations(viewer.language).gettext
    return _user_page(
        request,
        viewer,
        name,
        error=gettext("Give a reason: it is kept in the audit trail."),
        status_code=400,
    )


@router.post("/admin/users/{name}/disable", include_in_schema=False)
def disable_user(request: Request, viewer: Admin, name: UserName, reason: Reason = "") -> Response:
    """Disable an account (its sessions end); never one's own."""
    gettext = translations(viewer.language).gettext
    if name == viewer.name:
        return _user_page(
            request,
            viewer,
            name,
            error=gettext(
                "You cannot disable your own account: nobody might be left to administer"
                " Garrison. Ask another administrator."
            ),
            status_code=403,
        )
    missing = _need_reason(request, viewer, name, reason)
    if missing is not None:
        return missing
    _platform(request).users.disable(name, actor=viewer.actor, reason=reason.strip())
    return RedirectResponse(f"/admin/users/{quote(name)}?done=disabled", status_code=303)


@router.post("/admin/users/{name}/enable", include_in_schema=False)
def enable_user(request: Request, viewer: Admin, name: UserName, reason: Reason = "") -> Response:
    """Enable an account and clear any lockout."""
    missing = _need_reason(request, viewer, name, reason)
    if missing is not None:
        return missing
    _platform(request).users.enable(name, actor=viewer.actor, reason=reason.strip())
    return RedirectResponse(f"/admin/users/{quote(name)}?done=enabled", status_code=303)


@router.post("/admin/users/{name}/reset-mfa", include_in_schema=False)
def reset_mfa(request: Request, viewer: Admin, name: UserName, reason: Reason = "") -> Response:
    """Give an account a new TOTP secret and show it once."""
    missing = _need_reason(request, viewer, name, reason)
    if missing is not None:
        return missing
    platform = _platform(request)
    enrolment = platform.users.reset_mfa(name, actor=viewer.actor, reason=reason.strip())
    return _enrolment_page(request, viewer, platform.users.get(name), enrolment, event="reset")


# -- API tokens ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TokenRow:
    """An API token as the table shows it (never its secret).

    Attributes:
        name: Its name.
        scopes: What it may do.
        created_by: Who created it (an audit actor).
        created_at: When.
        expires_at: When it stops working (``None``: never).
        last_used_at: Last authentication (to the minute).
        revoked_at: When it was revoked.
        state: ``active``, ``revoked`` or ``expired``.
    """

    name: str
    scopes: list[str]
    created_by: str
    created_at: datetime | None
    expires_at: datetime | None
    last_used_at: datetime | None
    revoked_at: datetime | None
    state: Literal["active", "revoked", "expired"]


def _when(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text) if text else None


def _token_row(item: dict[str, Any]) -> TokenRow:
    state: Literal["active", "revoked", "expired"] = "active"
    if item["revoked_at"] is not None:
        state = "revoked"
    elif not item["active"]:
        state = "expired"
    return TokenRow(
        name=item["name"],
        scopes=list(item["scopes"]),
        created_by=item["created_by"],
        created_at=_when(item["created_at"]),
        expires_at=_when(item["expires_at"]),
        last_used_at=_when(item["last_used_at"]),
        revoked_at=_when(item["revoked_at"]),
        state=state,
    )


def _tokens_page(
    request: Request,
    viewer: Viewer,
    *,
    error: str = "",
    values: dict[str, Any] | None = None,
    revoked: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    rows = [_token_row(item) for item in platform.tokens.list()]
    # Only a token that is really revoked is named in the notice (the name comes from the URL).
    notice = next((r.name for r in rows if r.name == revoked and r.state == "revoked"), "")
    return render(
        request,
        "admin_tokens.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("API tokens"),
        rows=rows,
        scopes=SCOPES,
        scope_notes=SCOPE_NOTES,
        error=error,
        values=values
        or {"name": "", "scopes": ["ingest"], "days": str(DEFAULT_TOKEN_DAYS), "never": False},
        revoked=notice,
        max_days=MAX_TOKEN_DAYS,
    )


@router.get("/admin/tokens", include_in_schema=False)
def tokens(
    request: Request,
    viewer: Admin,
    revoked: Annotated[str, Query(max_length=128)] = "",
) -> HTMLResponse:
    """Every API token, and the form for a new one."""
    return _tokens_page(request, viewer, revoked=revoked)


@router.post("/admin/tokens", include_in_schema=False)
def create_token(
    request: Request,
    viewer: Admin,
    name: Annotated[str, Form(max_length=128)],
    scope: Annotated[list[str] | None, Form()] = None,
    days: Annotated[str, Form(max_length=8)] = "",
    never: Annotated[str, Form(max_length=8)] = "",
) -> HTMLResponse:
    """Create a token and show it once, with an example of its use."""
    gettext = translations(viewer.language).gettext
    name = name.strip()
    chosen = [s for s in SCOPES if s in (scope or [])]
    values = {"name": name, "scopes": chosen, "days": days, "never": bool(never)}

    def refused(message: str) -> HTMLResponse:
        return _tokens_page(request, viewer, error=message, values=values, status_code=400)

    if not chosen:
        return refused(gettext("Choose at least one scope."))
    expires_in: timedelta | None = None
    if not never:
        try:
            count = int(days)
        except ValueError:
            count = 0
        if not 1 <= count <= MAX_TOKEN_DAYS:
            return refused(
                gettext("The expiry must be a number of days from 1 to %(n)s, or never.")
                % {"n": MAX_TOKEN_DAYS}
            )
        expires_in = timedelta(days=count)
    try:
        token = _platform(request).tokens.create(
            name, chosen, actor=viewer.actor, expires_in=expires_in
        )
    except InputError as exc:
        return refused(
            gettext("The token was not created: %(problem)s") % {"problem": _problem(exc)}
        )
    return render(
        request,
        "admin_token_created.html",
        viewer=viewer,
        language=viewer.language,
        # The token itself is on this page: no cache may keep it.
        headers=dict(NO_STORE),
        title=gettext("API token created"),
        name=name,
        token=token,
        scopes=chosen,
        expires_in=expires_in,
        base_url=str(request.base_url).rstrip("/"),
    )


@router.post("/admin/tokens/{name}/revoke", include_in_schema=False)
def revoke_token(request: Request, viewer: Admin, name: TokenName) -> Response:
    """Revoke a token at once (audited); it fails from its next request on."""
    _platform(request).tokens.revoke(name, actor=viewer.actor)
    return RedirectResponse(f"/admin/tokens?revoked={quote(name)}", status_code=303)
