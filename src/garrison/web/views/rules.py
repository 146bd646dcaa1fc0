"""The rule catalogue (filters, switching rules on and off in place, uploads) and a rule's page.

Switching a rule needs a reason, which goes into the audit trail. Uploads are Sigma files,
picked as a file or pasted as text; a refused file is shown again with its problems by line,
and nothing is stored.
"""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

import yaml
from fastapi import APIRouter, Depends, File, Form, Path, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from garrison.alerts.query import LEVELS, STATUSES, AlertFilter
from garrison.core.errors import InputError, NotFoundError, RejectedError
from garrison.platform import Platform
from garrison.rulebook import MAX_RULE_FILE
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.render import render

router = APIRouter()

Reader = Annotated[Viewer, Depends(page("read"))]
Writer = Annotated[Viewer, Depends(page("write"))]
#: Rule ids are UUIDs, else names, else titles: the ``path`` converter lets a title hold "/".
RuleId = Annotated[str, Path(min_length=1, max_length=256)]
Reason = Annotated[str, Form(min_length=1, max_length=2000)]

ORIGINS = {"builtin": N_("Built-in"), "custom": N_("Custom")}
STATES = {"enabled": N_("Enabled"), "disabled": N_("Disabled")}
#: Sigma correlation types, as the catalogue names them.
KINDS = {
    "correlation:event_count": N_("Event count"),
    "correlation:value_count": N_("Distinct values"),
    "correlation:value_sum": N_("Sum of values"),
    "correlation:value_avg": N_("Average of values"),
    "correlation:value_percentile": N_("Percentile of values"),
    "correlation:value_median": N_("Median of values"),
    "correlation:temporal": N_("Events close in time"),
    "correlation:temporal_ordered": N_("Events in order"),
}
#: Most severe first: the order of the catalogue.
_SEVERITY = {level: rank for rank, level in enumerate(reversed(LEVELS))}
#: How bad a problem of an uploaded file is (the loader's words).
SEVERITIES = {"error": N_("Error"), "unsupported": N_("Unsupported"), "warning": N_("Warning")}
#: Rule metadata shown on a rule's page, in this order, when the YAML has it.
_META_FIELDS = {"status": N_("Status"), "date": N_("Date"), "modified": N_("Modified")}


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _message(text: str) -> dict[str, str]:
    # A header for the toast in console.js; percent-encoded because headers are Latin-1.
    return {"X-Garrison-Message": quote(text)}


def _sorted(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(
        rules, key=lambda r: (_SEVERITY.get(r["level"] or "", len(LEVELS)), r["title"].lower())
    )


def _matches(rule: dict[str, Any], q: str, level: str, origin: str, state: str) -> bool:
    needle = q.strip().lower()
    if needle and needle not in rule["title"].lower() and needle not in rule["id"].lower():
        return False
    if level and rule["level"] != level:
        return False
    if origin and rule["origin"] != origin:
        return False
    return not state or rule["enabled"] == (state == "enabled")


def _find(platform: Platform, rule_id: str) -> dict[str, Any]:
    for rule in platform.rulebook.catalog():
        if rule["id"] == rule_id:
            return rule
    raise NotFoundError(f"no rule {rule_id!r}")


def _catalogue(
    request: Request,
    viewer: Viewer,
    *,
    q: str = "",
    level: str = "",
    origin: str = "",
    state: str = "",
    status_code: int = 200,
    **upload: Any,
) -> HTMLResponse:
    gettext = translations(viewer.language).gettext
    everything = _sorted(_platform(request).rulebook.catalog())
    shown = [r for r in everything if _matches(r, q, level, origin, state)]
    counts = {
        "total": len(everything),
        "enabled": sum(1 for r in everything if r["enabled"]),
        "disabled": sum(1 for r in everything if not r["enabled"]),
        "custom": sum(1 for r in everything if r["origin"] == "custom"),
        "correlations": sum(1 for r in everything if r["kind"] != "rule"),
    }
    context: dict[str, Any] = {
        "upload_error": "",
        "upload_hint": "",
        "problems": [],
        "uploaded": None,
        "upload_name": "",
        "upload_text": "",
    }
    context.update(upload)
    return render(
        request,
        "rules.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("Rules"),
        rules=shown,
        counts=counts,
        filtered=bool(q or level or origin or state),
        q=q,
        level=level,
        origin=origin,
        state=state,
        levels=LEVELS,
        origins=ORIGINS,
        states=STATES,
        kinds=KINDS,
        severities=SEVERITIES,
        **context,
    )


@router.get("/rules", include_in_schema=False)
def catalogue(
    request: Request,
    viewer: Reader,
    q: Annotated[str, Query(max_length=256)] = "",
    level: Annotated[str, Query(max_length=16)] = "",
    origin: Annotated[str, Query(max_length=16)] = "",
    state: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    """Every rule (built-in, configured folders, uploads) with its state; filters."""
    return _catalogue(
        request,
        viewer,
        q=q,
        level=level if level in LEVELS else "",
        origin=origin if origin in ORIGINS else "",
        state=state if state in STATES else "",
    )


def _read_upload(file: UploadFile | None, name: str, text: str) -> tuple[str, str]:
    """The file name and YAML text of an upload, from the file picked or the text pasted.

    Raises:
        InputError: Neither or both given, too large, not UTF-8, no file name.
    """
    # An empty file input still sends a part: no name and no bytes mean "no file".
    picked = file if file is not None and file.filename else None
    if picked is not None and text.strip():
        raise InputError("choose a file or paste the YAML text, not both")
    if picked is not None:
        data = picked.file.read(MAX_RULE_FILE + 1)
        if len(data) > MAX_RULE_FILE:
            raise InputError(f"a rule file must hold at most {MAX_RULE_FILE} bytes")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InputError("the rule file is not UTF-8 text") from exc
        # Browsers on Windows may send the whole path: keep the last part only.
        name = name.strip() or (picked.filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    elif not text.strip():
        raise InputError("choose a rule file or paste its YAML text")
    name = name.strip()
    if not name:
        raise InputError("give the pasted rules a file name, such as my_rules.yml")
    if not name.endswith((".yml", ".yaml")):
        name += ".yml"
    return name, text


def _problems(details: list[dict[str, object]], text: str) -> list[dict[str, object]]:
    """The problems of a refused file, each with the text of its line to show beside it."""
    lines = text.splitlines()
    found = []
    for problem in details:
        line = problem.get("line")
        where = lines[line - 1] if isinstance(line, int) and 1 <= line <= len(lines) else ""
        found.append({**problem, "text": where})
    return found


@router.post("/rules/upload", include_in_schema=False)
def upload(
    request: Request,
    viewer: Writer,
    file: Annotated[UploadFile | None, File()] = None,
    name: Annotated[str, Form(max_length=100)] = "",
    text: Annotated[str, Form(max_length=MAX_RULE_FILE)] = "",
) -> HTMLResponse:
    """Add a Sigma rule file after checking it against every other rule (audited)."""
    gettext = translations(viewer.language).gettext
    kept = {"upload_name": name, "upload_text": text}
    try:
        file_name, content = _read_upload(file, name, text)
        result = _platform(request).rulebook.upload(file_name, content, actor=viewer.actor)
    except RejectedError as exc:
        # Keep the text so a pasted file can be fixed in place rather than typed again.
        return _catalogue(
            request,
            viewer,
            status_code=400,
            upload_error=gettext(
                "The rule file was not stored: fix the lines below and upload it again."
            ),
            upload_hint=exc.message,
            problems=_problems(exc.details, content),
            upload_name=file_name,
            upload_text=content,
        )
    except InputError as exc:
        return _catalogue(
            request,
            viewer,
            status_code=400,
            upload_error=gettext("The rule file was not stored."),
            upload_hint=exc.message,
            **kept,
        )
    return _catalogue(request, viewer, uploaded=result)


def _switch(request: Request, viewer: Viewer, rule_id: str, enabled: bool, reason: str) -> Response:
    gettext = translations(viewer.language).gettext
    platform = _platform(request)
    platform.rulebook.set_enabled(rule_id, enabled, actor=viewer.actor, reason=reason)
    if not request.headers.get("hx-request"):
        # A plain form (the rule's page, or no JavaScript): show the rule with its history.
        return RedirectResponse("/rules/" + quote(rule_id, safe=""), status_code=303)
    return render(
        request,
        "rule_row.html",
        viewer=viewer,
        language=viewer.language,
        headers=_message(gettext("Rule enabled") if enabled else gettext("Rule disabled")),
        rule=_find(platform, rule_id),
        origins=ORIGINS,
        kinds=KINDS,
    )


@router.post("/rules/{rule_id:path}/enable", include_in_schema=False)
def enable(request: Request, viewer: Writer, rule_id: RuleId, reason: Reason) -> Response:
    """Switch a rule on; detection uses it from its next pass."""
    return _switch(request, viewer, rule_id, True, reason)


@router.post("/rules/{rule_id:path}/disable", include_in_schema=False)
def disable(request: Request, viewer: Writer, rule_id: RuleId, reason: Reason) -> Response:
    """Switch a rule off; detection leaves it out from its next pass."""
    return _switch(request, viewer, rule_id, False, reason)


def _metadata(text: str | None) -> dict[str, Any]:
    """Description, log source, references and such from a rule's YAML (empty if unreadable)."""
    meta: dict[str, Any] = {
        "description": "",
        "facts": [],
        "logsource": [],
        "falsepositives": [],
        "references": [],
    }
    try:
        data = yaml.safe_load(text) if text else None
    except yaml.YAMLError:
        data = None
    if not isinstance(data, dict):
        return meta
    logsource = data.get("logsource")
    if isinstance(logsource, dict):
        meta["logsource"] = [(str(k), str(v)) for k, v in logsource.items()]
    meta["description"] = str(data.get("description") or "").strip()
    meta["facts"] = [(label, str(data[k])) for k, label in _META_FIELDS.items() if data.get(k)]
    meta["falsepositives"] = [str(v) for v in _listed(data.get("falsepositives")) if v]
    # Only web links become links: a rule file could name any scheme (javascript:).
    meta["references"] = [
        (str(v), str(v).startswith(("https://", "http://")))
        for v in _listed(data.get("references"))
        if v
    ]
    return meta


def _listed(value: Any) -> list[Any]:
    # Sigma wants lists here, but a hand-written file may hold a single string.
    if isinstance(value, list):
        return value
    return [value] if value else []


@router.get("/rules/{rule_id:path}", include_in_schema=False)
def detail(request: Request, viewer: Reader, rule_id: RuleId) -> HTMLResponse:
    """One rule: what it is, its YAML as written, its latest alerts and switch history."""
    platform = _platform(request)
    rule = _find(platform, rule_id)
    try:
        text: str | None = platform.rulebook.source(rule_id)
    except NotFoundError:
        text = None  # rules known by their title only cannot be found in their file
    alerts = platform.alerts.search(
        AlertFilter(rule_id=rule_id, statuses=tuple(STATUSES), limit=20)
    )
    history = platform.audit_entries(limit=20, target=f"rule:{rule_id}")
    return render(
        request,
        "rule.html",
        viewer=viewer,
        language=viewer.language,
        title=rule["title"],
        rule=rule,
        rule_text=text,
        meta=_metadata(text),
        alerts=alerts,
        history=history,
        origins=ORIGINS,
        kinds=KINDS,
    )
