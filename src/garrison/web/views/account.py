"""The viewer's own account: language, time zone, password."""

from __future__ import annotations

from typing import Annotated, Literal
from zoneinfo import available_timezones

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from garrison.core.errors import AuthError, InputError
from garrison.platform import Platform
from garrison.web.auth import SESSION_COOKIE, Viewer, page
from garrison.web.i18n import translations
from garrison.web.render import render
from garrison.web.views.session import safe_next

router = APIRouter()

Reader = Annotated[Viewer, Depends(page("read"))]

#: Zones offered first in the time-zone list (the rest follow alphabetically).
COMMON_ZONES = (
    "Asia/Shanghai",
    "Asia/Hong_Kong",
    "Asia/Taipei",
    "Asia/Singapore",
    "Asia/Tokyo",
    "Europe/London",
    "Europe/Berlin",
    "America/New_York",
    "America/Los_Angeles",
    "UTC",
)


def _zones() -> list[str]:
    rest = sorted(z for z in available_timezones() if "/" in z and z not in COMMON_ZONES)
    return [*COMMON_ZONES, *rest]


def _page(
    request: Request,
    viewer: Viewer,
    *,
    notice: str = "",
    error: str = "",
    status_code: int = 200,
) -> HTMLResponse:
    platform: Platform = request.app.state.platform
    user = platform.users.get(viewer.name)
    gettext = translations(viewer.language).gettext
    return render(
        request,
        "account.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("My account"),
        user=user,
        zones=_zones(),
        server_zone=platform.settings.timezone,
        policy=platform.users.passwords,
        notice=notice,
        error=error,
    )


@router.get("/account", include_in_schema=False)
def account(
    request: Request, viewer: Reader, saved: Annotated[int, Query(ge=0, le=1)] = 0
) -> HTMLResponse:
    """The account page."""
    notice = translations(viewer.language).gettext("Preferences saved.") if saved else ""
    return _page(request, viewer, notice=notice)


@router.post("/account", include_in_schema=False)
def save_preferences(
    request: Request,
    viewer: Reader,
    language: Annotated[Literal["zh-CN", "en"], Form()],
    timezone: Annotated[str, Form(max_length=64)] = "",
) -> Response:
    """Save language and time zone (audited)."""
    platform: Platform = request.app.state.platform
    try:
        platform.users.set_preferences(
            viewer.name, language=language, timezone=timezone or None, actor=viewer.actor
        )
    except InputError as exc:
        return _page(request, viewer, error=exc.message, status_code=400)
    return RedirectResponse("/account?saved=1", status_code=303)


@router.post("/account/language", include_in_schema=False)
def switch_language(
    request: Request,
    viewer: Reader,
    language: Annotated[Literal["zh-CN", "en"], Form()],
    next: Annotated[str, Form(max_length=2000)] = "/overview",
) -> Response:
    """Switch the UI language from the top bar, keeping the page."""
    platform: Platform = request.app.state.platform
    current = platform.users.get(viewer.name)
    platform.users.set_preferences(
        viewer.name, language=language, timezone=current.timezone, actor=viewer.actor
    )
    return RedirectResponse(safe_next(next), status_code=303)


@router.post("/account/password", include_in_schema=False)
def change_password(
    request: Request,
    viewer: Reader,
    current: Annotated[str, Form(max_length=1024)],
    new: Annotated[str, Form(max_length=1024)],
    confirm: Annotated[str, Form(max_length=1024)],
) -> Response:
    """Change one's own password; every session ends, so the person signs in again."""
    platform: Platform = request.app.state.platform
    gettext = translations(viewer.language).gettext
    if new != confirm:
        return _page(
            request, viewer, error=gettext("The new passwords do not match."), status_code=400
        )
    source = request.client.host if request.client else ""
    try:
        platform.users.change_own_password(viewer.name, current, new, source=source)
    except AuthError:
        return _page(
            request, viewer, error=gettext("The current password is not right."), status_code=400
        )
    except InputError as exc:
        return _page(request, viewer, error=exc.message, status_code=400)
    response = RedirectResponse("/login?changed=1", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response
