"""The audit trail: newest first with filters and paging, chain verification, exports.

Audit values are often attacker-controlled (a login name tried by someone guessing); they are
shown through autoescaping only, and the details as short ``key=value`` pairs.
"""

from __future__ import annotations

import json
from typing import Annotated, Any
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from garrison.platform import Platform
from garrison.storage.sql.audit import AuditReport
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.render import render

router = APIRouter()

PAGE_SIZE = 100
#: Longest detail value shown in the table; the exports hold the whole value.
MAX_VALUE = 200
Auditor = Annotated[Viewer, Depends(page("audit"))]

#: Action prefixes the storage layer writes (``noun.verb``), for the filter.
ACTIONS = {
    "login.": N_("Sign-ins"),
    "user.": N_("Accounts"),
    "token.": N_("API tokens"),
    "rule.": N_("Rules"),
    "suppression.": N_("Suppressions"),
    "alert.": N_("Alerts"),
}

#: What each action written by the storage layer means, in words (the code is shown as well).
ACTION_LABELS = {
    "login.success": N_("Signed in"),
    "login.failure": N_("Sign-in failed"),
    "user.create": N_("Account created"),
    "user.disable": N_("Account disabled"),
    "user.enable": N_("Account enabled"),
    "user.lock": N_("Account locked"),
    "user.reset_mfa": N_("Two-factor authentication reset"),
    "user.password_change": N_("Password change"),
    "user.preferences": N_("Preferences changed"),
    "token.create": N_("API token created"),
    "token.revoke": N_("API token revoked"),
    "rule.enable": N_("Rule enabled"),
    "rule.disable": N_("Rule disabled"),
    "rule.upload": N_("Rule file uploaded"),
    "suppression.create": N_("Suppression created"),
    "suppression.remove": N_("Suppression removed"),
    "alert.acknowledge": N_("Alert acknowledged"),
    "alert.close": N_("Alert closed"),
    "alert.reopen": N_("Alert reopened"),
}
#: Values without spaces longer than this (hashes, encoded data) are cut in the table.
LONG_WORD = 48

#: Why a chain does not verify (the storage layer's words; "entry N is missing" aside).
REASONS = {
    "link to the previous entry is broken": N_("the link to the previous entry is broken"),
    "entry was changed after it was written": N_("the entry was changed after it was written"),
}


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def compact(details: dict[str, Any]) -> list[tuple[str, str, str]]:
    """Details as ``(key, shown, whole)`` text triples, sorted by key.

    ``shown`` is cut short when long, or when it is one long word (a hash) that would not wrap
    in the table; ``whole`` goes into the tooltip.
    """
    triples = []
    for key in sorted(details):
        value = details[key]
        whole = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
        shown = whole
        if len(shown) > LONG_WORD and not any(c.isspace() for c in shown):
            shown = shown[: LONG_WORD // 2] + "…"
        elif len(shown) > MAX_VALUE:
            shown = shown[:MAX_VALUE] + "…"
        triples.append((str(key), shown, whole[: MAX_VALUE * 10]))
    return triples


def target_link(target: str) -> str | None:
    """The console page of an audit target (``alert:42``, ``rule:<id>``), if it has one."""
    kind, _, name = target.partition(":")
    if kind == "alert" and name.isdigit():
        return f"/alerts/{name}"
    if kind == "rule" and name:
        return "/rules/" + quote(name, safe="")
    return None


def _trail(
    request: Request,
    viewer: Viewer,
    *,
    action: str,
    actor: str,
    target: str,
    before: int | None,
    report: AuditReport | None = None,
) -> HTMLResponse:
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    found = platform.audit_entries(
        limit=PAGE_SIZE + 1,
        action=action or None,
        actor=actor or None,
        target=target or None,
        before=before,
    )
    entries = found[:PAGE_SIZE]
    filters = {k: v for k, v in (("action", action), ("actor", actor), ("target", target)) if v}
    older = None
    if len(found) > PAGE_SIZE:
        older = "/audit?" + urlencode({**filters, "before": entries[-1].seq})
    return render(
        request,
        "audit.html",
        viewer=viewer,
        language=viewer.language,
        title=gettext("Audit trail"),
        entries=entries,
        older=older,
        newest="/audit" + ("?" + urlencode(filters) if filters else ""),
        paged=before is not None,
        filtered=bool(filters),
        action=action,
        actor=actor,
        target=target,
        actions=ACTIONS,
        action_labels=ACTION_LABELS,
        compact=compact,
        target_link=target_link,
        report=report,
        reasons=REASONS,
        checked_at=platform.now(),
        server_zone=platform.settings.timezone,
    )


@router.get("/audit", include_in_schema=False)
def trail(
    request: Request,
    viewer: Auditor,
    action: Annotated[str, Query(max_length=64)] = "",
    actor: Annotated[str, Query(max_length=256)] = "",
    target: Annotated[str, Query(max_length=512)] = "",
    before: Annotated[int | None, Query(ge=1, le=2**63 - 1)] = None,
) -> HTMLResponse:
    """Every recorded change, newest first; older pages by sequence number."""
    return _trail(
        request,
        viewer,
        action=action.strip(),
        actor=actor.strip(),
        target=target.strip(),
        before=before,
    )


@router.get("/audit/verify", include_in_schema=False)
def verify(request: Request, viewer: Auditor) -> HTMLResponse:
    """Recompute the hash chain; htmx gets the result alone, a plain request the whole page."""
    platform = _platform(request)
    report = platform.audit_verify()
    if request.headers.get("hx-request"):
        return render(
            request,
            "audit_verify.html",
            viewer=viewer,
            language=viewer.language,
            report=report,
            reasons=REASONS,
            checked_at=platform.now(),
        )
    return _trail(request, viewer, action="", actor="", target="", before=None, report=report)
