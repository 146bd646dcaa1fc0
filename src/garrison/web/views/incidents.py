"""The incident board (live SLA countdowns), an incident's page, its actions and its report.

The board lists open incidents (closed ones on request), most severe and newest first, each
with its grade colour, phase, and the next SLA clock counting down. The countdowns are computed
here for the first render (so the page works without JavaScript) and kept running by
``static/js/incidents.js`` from ``data-due``/``data-warn`` attributes and the server's time.

Every change goes through :class:`~garrison.storage.sql.incidents.IncidentStore`, which writes
the timeline and the audit trail. In-place (htmx) changes answer with the refreshed page body
and a toast, or with a toast of the error; plain forms redirect back to the page, or show it
again with the error when the store refused the change.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from garrison.alerts.model import StoredAlert
from garrison.core.errors import GarrisonError, InputError, NotFoundError
from garrison.incidents.grading import IMPACT, LOSS, Grade, category_name
from garrison.incidents.model import Incident, Task, TimelineEntry
from garrison.incidents.phases import ORDER, allowed
from garrison.incidents.sla import ClockState, Deadline, Milestone, measures
from garrison.incidents.tasks import ROLES, TYPES
from garrison.platform import Platform
from garrison.storage.sql.incidents import MARKS
from garrison.web.auth import Viewer, page
from garrison.web.i18n import translations
from garrison.web.render import local_time, render
from garrison.web.views.incident_labels import (
    CLOCK_STATES,
    CLOCKS,
    DONE,
    IMPACT_LABELS,
    IMPORTANCE_LABELS,
    LOSS_LABELS,
    MARK_BUTTONS,
    MEASURES,
    MILESTONES,
    PHASES,
    REPORT_LANGUAGES,
    STEPS,
    SUBCATEGORIES,
    TYPE_LABELS,
)

router = APIRouter()

Ident = Annotated[int, Path(ge=1, le=2**63 - 1)]
Reader = Annotated[Viewer, Depends(page("read"))]
Writer = Annotated[Viewer, Depends(page("write"))]
#: Form fields are capped generously here and checked precisely below, so that a value that
#: is too long is shown back with a message instead of a bare validation error.
Reason = Annotated[str, Form(max_length=20_000)]

#: Most incidents the board shows.
BOARD_LIMIT = 500
#: Most alerts listed on an incident's page (the rest are counted).
ALERTS_SHOWN = 200
#: Most alerts one request may attach (as the API).
MAX_ALERTS = 1000
_MAX_ID = 2**63 - 1


# -- helpers -------------------------------------------------------------------------------


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _message(text: str) -> dict[str, str]:
    # A header for the toast in console.js; percent-encoded because headers are Latin-1.
    return {"X-Garrison-Message": quote(text)}


def _is_htmx(request: Request) -> bool:
    return bool(request.headers.get("hx-request"))


def _iso(when: datetime) -> str:
    return when.isoformat().replace("+00:00", "Z")


def _explain(exc: GarrisonError) -> str:
    return f"{exc.message} ({exc.hint})" if exc.hint else exc.message


def who(actor: str) -> str:
    """A person's name from an audit actor (``user:li.na`` -> ``li.na``)."""
    return actor.split(":", 1)[1] if actor.startswith(("user:", "cli:", "token:")) else actor


def clock_text(seconds: float, day: str) -> str:
    """A duration as a clock: ``12:34``, ``1:02:03`` or ``2d 03:04:05`` (``day``: ``{n}d``).

    ``static/js/incidents.js`` formats the same way, so the live countdown continues the
    server's text without a jump.
    """
    total = int(abs(seconds))
    days, rest = divmod(total, 86_400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{day.replace('{n}', str(days))} {hours:02d}:{minutes:02d}:{secs:02d}"
    if hours:
        return f"{hours}:{minutes:02d}:{secs:02d}"
    return f"{minutes:02d}:{secs:02d}"


def countdown_texts(language: str) -> dict[str, str]:
    """The words of the countdowns, for the server's first render and for incidents.js."""
    gettext = translations(language).gettext
    return {
        "left": gettext("in %(time)s") % {"time": "{time}"},
        "over": gettext("overdue %(time)s") % {"time": "{time}"},
        "day": gettext("%(n)sd") % {"n": "{n}"},
        **{state: gettext(label) for state, label in CLOCK_STATES.items()},
    }


@dataclass(frozen=True, slots=True)
class ClockView:
    """One SLA clock as the pages show it.

    Attributes:
        kind: The clock's kind (``confirm``...); ``label`` its translated name.
        state: A :class:`ClockState` value at render time.
        countdown: ``in 12:34`` / ``overdue 03:10`` while it runs, empty once met.
    """

    kind: str
    label: str
    state: str
    start: datetime
    due: datetime
    warn_at: datetime
    met_at: datetime | None
    countdown: str

    @property
    def live(self) -> bool:
        """Still counting (not met)."""
        return self.met_at is None

    @property
    def due_iso(self) -> str:
        """Due time for incidents.js (UTC, ISO 8601)."""
        return _iso(self.due)

    @property
    def warn_iso(self) -> str:
        """Warning time for incidents.js (UTC, ISO 8601)."""
        return _iso(self.warn_at)


def clock_view(deadline: Deadline, now: datetime, language: str) -> ClockView:
    """A deadline with its state and countdown text at ``now``."""
    gettext = translations(language).gettext
    words = countdown_texts(language)
    state = deadline.state(now)
    left = deadline.remaining(now).total_seconds()
    countdown = ""
    if deadline.met_at is None:
        text = clock_text(left, words["day"])
        countdown = (words["left"] if left > 0 else words["over"]).replace("{time}", text)
    return ClockView(
        kind=deadline.kind,
        label=gettext(CLOCKS[deadline.kind]) if deadline.kind in CLOCKS else deadline.kind,
        state=state.value,
        start=deadline.start,
        due=deadline.due,
        warn_at=deadline.warn_at,
        met_at=deadline.met_at,
        countdown=countdown,
    )


@dataclass(frozen=True, slots=True)
class Card:
    """An incident on the board.

    Attributes:
        incident: The incident.
        clocks: Its SLA clocks, soonest due first.
        next_clock: The soonest clock not met, if any is still counting.
        overdue_tasks: Tasks past due and not done.
        done_tasks: Tasks done.
    """

    incident: Incident
    clocks: tuple[ClockView, ...]
    next_clock: ClockView | None
    overdue_tasks: int
    done_tasks: int


def _card(incident: Incident, now: datetime, language: str) -> Card:
    clocks = tuple(
        clock_view(d, now, language) for d in sorted(incident.deadlines, key=lambda d: d.due)
    )
    live = [c for c in clocks if c.live]
    return Card(
        incident=incident,
        clocks=clocks,
        next_clock=live[0] if live else None,
        overdue_tasks=sum(1 for t in incident.tasks if t.done_at is None and t.due <= now),
        done_tasks=sum(1 for t in incident.tasks if t.done_at is not None),
    )


def labels(language: str) -> dict[str, Any]:
    """Translated names of the incident's coded values, for the templates."""
    gettext = translations(language).gettext
    return {
        "phases": {k: gettext(v) for k, v in PHASES.items()},
        "milestones": {k: gettext(v) for k, v in MILESTONES.items()},
        "types": {k: gettext(v) for k, v in TYPE_LABELS.items()},
        "loss": {k: gettext(v) for k, v in LOSS_LABELS.items()},
        "impact": {k: gettext(v) for k, v in IMPACT_LABELS.items()},
        "importance": {k: gettext(v) for k, v in IMPORTANCE_LABELS.items()},
        "subcategories": {k: gettext(v) for k, v in SUBCATEGORIES.items()},
        "roles": {k: v[0] if language == "zh-CN" else v[1] for k, v in ROLES.items()},
        "states": {k: gettext(v) for k, v in CLOCK_STATES.items()},
    }


def category_label(incident: Incident, language: str) -> str:
    """``网络攻击 / 暴力破解``: the category and subcategory in the viewer's language."""
    gettext = translations(language).gettext
    name = category_name(incident.category, language)
    sub = incident.subcategory
    if sub:
        name += " / " + (gettext(SUBCATEGORIES[sub]) if sub in SUBCATEGORIES else sub)
    return name


def _alert_ids(text: str) -> list[int]:
    """Alert numbers from ``12, 15 #17``.

    Raises:
        InputError: Something that is not an alert number, or too many.
    """
    found = []
    for part in re.split(r"[\s,;，、]+", text.strip()):
        if not part:
            continue
        digits = part.removeprefix("#")
        if not digits.isdigit() or not 1 <= int(digits) <= _MAX_ID:
            raise InputError(
                f"{part[:40]!r} is not an alert number", hint="alert numbers separated by commas"
            )
        if int(digits) not in found:
            found.append(int(digits))
    if len(found) > MAX_ALERTS:
        raise InputError(f"at most {MAX_ALERTS} alerts at a time")
    return found


# -- the board -----------------------------------------------------------------------------

EMPTY_FORM = {
    "title": "",
    "incident_type": "",
    "loss": "considerable",
    "impact": "general",
    "alerts": "",
    "summary": "",
    "grade": "",
    "grade_reason": "",
}


def _board(
    request: Request,
    viewer: Viewer,
    *,
    show_closed: bool,
    form: dict[str, str] | None = None,
    form_error: str = "",
    show_form: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    gettext = translations(viewer.language).gettext
    platform = _platform(request)
    now = platform.now()
    found = platform.incidents.list(open_only=not show_closed, limit=BOARD_LIMIT)
    # Most severe first, then newest; open before closed when both are shown.
    found.sort(key=lambda i: (not i.is_open, i.grade.rank, -i.id))
    cards = [_card(i, now, viewer.language) for i in found]
    open_cards = [c for c in cards if c.incident.is_open]
    live = [clock for c in open_cards for clock in c.clocks if clock.live]
    kpis = {
        "open": len(open_cards),
        "major": sum(1 for c in open_cards if c.incident.grade.rank <= 2),
        "breached": sum(1 for c in live if c.state == ClockState.BREACHED),
        "warning": sum(1 for c in live if c.state == ClockState.WARNING),
        "overdue_tasks": sum(c.overdue_tasks for c in open_cards),
    }
    return render(
        request,
        "incidents.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        title=gettext("Incidents"),
        cards=cards,
        kpis=kpis,
        steps=STEPS,
        show_closed=show_closed,
        now_iso=_iso(now),
        countdown=countdown_texts(viewer.language),
        names=labels(viewer.language),
        category_label=category_label,
        grades=list(Grade),
        types=TYPES,
        losses=LOSS,
        impacts=IMPACT,
        form=form or dict(EMPTY_FORM),
        form_error=form_error,
        show_form=show_form or bool(form_error),
        truncated=len(found) >= BOARD_LIMIT,
    )


@router.get("/incidents", include_in_schema=False)
def board(
    request: Request,
    viewer: Reader,
    closed: Annotated[bool, Query()] = False,
    alerts: Annotated[str, Query(max_length=2000)] = "",
) -> HTMLResponse:
    """The incident board: most severe and newest first, next SLA clock counting down.

    ``?alerts=12,15`` opens the new-incident form with those alerts filled in (a link from an
    alert's page).
    """
    form = dict(EMPTY_FORM, alerts=alerts)
    return _board(
        request,
        viewer,
        show_closed=closed,
        form=form,
        show_form=bool(alerts) and viewer.can("write"),
    )


@router.post("/incidents", include_in_schema=False)
def open_incident(
    request: Request,
    viewer: Writer,
    title: Annotated[str, Form(max_length=5000)] = "",
    incident_type: Annotated[str, Form(max_length=64)] = "",
    loss: Annotated[str, Form(max_length=64)] = "considerable",
    impact: Annotated[str, Form(max_length=64)] = "general",
    alerts: Annotated[str, Form(max_length=50_000)] = "",
    summary: Annotated[str, Form(max_length=40_000)] = "",
    grade: Annotated[str, Form(max_length=8)] = "",
    grade_reason: Reason = "",
) -> Response:
    """Open an incident from the board's form; a refused form is shown again with the reason."""
    form = {
        "title": title,
        "incident_type": incident_type,
        "loss": loss,
        "impact": impact,
        "alerts": alerts,
        "summary": summary,
        "grade": grade,
        "grade_reason": grade_reason,
    }
    try:
        if len(title.strip()) > 512:
            raise InputError("an incident needs a title of 1-512 characters")
        if len(summary) > 20_000:
            raise InputError("the summary holds at most 20000 characters")
        if len(grade_reason) > 2000:
            raise InputError("the reason holds at most 2000 characters")
        if incident_type and incident_type not in TYPES:
            raise InputError(f"unknown incident type {incident_type!r}", hint=", ".join(TYPES))
        chosen = Grade(grade) if grade in {g.value for g in Grade} else None
        if grade and chosen is None:
            raise InputError(f"unknown grade {grade!r}", hint="I, II, III or IV")
        incident = _platform(request).incidents.open(
            title,
            actor=viewer.actor,
            alert_ids=_alert_ids(alerts),
            incident_type=incident_type or None,
            loss=loss,
            impact=impact,
            grade=chosen,
            grade_reason=grade_reason.strip() or None,
            summary=summary.strip() or None,
        )
    except (InputError, NotFoundError) as exc:
        return _board(
            request,
            viewer,
            show_closed=False,
            form=form,
            form_error=_explain(exc),
            status_code=400,
        )
    return RedirectResponse(f"/incidents/{incident.id}?done=opened", status_code=303)


# -- one incident --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Entry:
    """A timeline entry as the page shows it.

    Attributes:
        at: When.
        kind: ``alert``, ``phase``, ``note``, ``sla``, ``action`` (its colour on the page).
        actor: Who (a name, or "System").
        headline: What happened, translated.
        detail: The reason, the note, the alert's title... (data: escaped when shown).
        alert_id: The alert to link to, for an attached alert.
        severe: An SLA breach (shown in red).
    """

    at: datetime
    kind: str
    actor: str
    headline: str
    detail: str
    alert_id: int | None = None
    severe: bool = False


def _entry(entry: TimelineEntry, incident: Incident, viewer: Viewer) -> Entry:
    gettext = translations(viewer.language).gettext
    data = entry.data
    actor = gettext("System") if entry.actor == "system" else who(entry.actor)
    phases = {k: gettext(v) for k, v in PHASES.items()}
    if entry.kind == "alert":
        alert_id = data.get("alert_id")
        return Entry(
            entry.at,
            "alert",
            actor,
            gettext("Alert #%(id)s attached") % {"id": alert_id},
            entry.text,
            alert_id=alert_id if isinstance(alert_id, int) else None,
        )
    if entry.kind == "phase":
        old, new = str(data.get("from", "")), str(data.get("to", ""))
        headline = gettext("Phase changed: %(old)s → %(new)s") % {
            "old": phases.get(old, old),
            "new": phases.get(new, new),
        }
        return Entry(entry.at, "phase", actor, headline, entry.text)
    if entry.kind == "note":
        return Entry(entry.at, "note", actor, gettext("Note"), entry.text)
    if entry.kind == "sla":
        kind = str(data.get("kind", ""))
        clock = gettext(CLOCKS[kind]) if kind in CLOCKS else kind
        breach = data.get("event") == "breach"
        headline = (
            gettext("SLA breached: %(clock)s") if breach else gettext("SLA warning: %(clock)s")
        ) % {"clock": clock}
        due = data.get("due")
        detail = ""
        if isinstance(due, str):
            try:
                when = datetime.fromisoformat(due.replace("Z", "+00:00"))
            except ValueError:
                when = None
            if when is not None:
                detail = gettext("due %(time)s") % {"time": local_time(when, viewer.zone)}
        return Entry(entry.at, "sla", actor, headline, detail, severe=breach)
    if "mark" in data:
        mark = str(data["mark"])
        name = gettext(MILESTONES[mark]) if mark in MILESTONES else mark
        note = "" if entry.text == mark else entry.text
        return Entry(
            entry.at, "action", actor, gettext("Milestone: %(name)s") % {"name": name}, note
        )
    if "task" in data:
        task = next((t for t in incident.tasks if t.id == data["task"]), None)
        title = entry.text
        if task is not None:
            title = task.title_zh if viewer.language == "zh-CN" else task.title_en
        return Entry(entry.at, "action", actor, gettext("Task done"), title)
    grades = data.get("grade")
    if isinstance(grades, list) and len(grades) == 2:
        headline = gettext("Grade changed: %(old)s → %(new)s") % {
            "old": grades[0],
            "new": grades[1],
        }
        return Entry(entry.at, "action", actor, headline, entry.text)
    if entry.text == "incident opened":
        grade = data.get("grade", "")
        kind = str(data.get("type", ""))
        detail = gettext(TYPE_LABELS[kind]) if kind in TYPE_LABELS else kind
        return Entry(
            entry.at,
            "action",
            actor,
            gettext("Incident opened as grade %(grade)s") % {"grade": grade},
            detail,
        )
    return Entry(entry.at, "action", actor, entry.text, "")


@dataclass(frozen=True, slots=True)
class TaskGroup:
    """The tasks of one phase."""

    phase: str
    label: str
    tasks: tuple[Task, ...]
    current: bool


def _task_groups(incident: Incident, language: str) -> list[TaskGroup]:
    gettext = translations(language).gettext
    groups = []
    for phase in ORDER:
        tasks = tuple(
            sorted((t for t in incident.tasks if t.phase is phase), key=lambda t: (t.due, t.id))
        )
        if tasks:
            groups.append(
                TaskGroup(phase.value, gettext(PHASES[phase]), tasks, phase is incident.phase)
            )
    return groups


def _attached(platform: Platform, incident: Incident) -> list[StoredAlert]:
    found = []
    for alert_id in incident.alert_ids[:ALERTS_SHOWN]:
        try:
            found.append(platform.alerts.get(alert_id))
        except NotFoundError:
            continue  # removed since (retention): the timeline still names it
    return found


def _measured(incident: Incident, language: str) -> list[tuple[str, str | None]]:
    """Time to detect, confirm, contain, recover and close, as clocks (``None``: not yet)."""
    gettext = translations(language).gettext
    day = countdown_texts(language)["day"]
    found = measures(incident.milestones, incident.first_event_at)
    shown: list[tuple[str, str | None]] = []
    for key, label in MEASURES.items():
        value = found.get(key)
        shown.append((gettext(label), clock_text(value.total_seconds(), day) if value else None))
    return shown


def _detail(
    request: Request,
    viewer: Viewer,
    incident_id: int,
    *,
    partial: bool = False,
    notice: str = "",
    done: str = "",
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> HTMLResponse:
    gettext = translations(viewer.language).gettext
    platform = _platform(request)
    now = platform.now()
    incident = platform.incidents.get(incident_id)
    card = _card(incident, now, viewer.language)
    timeline = [
        _entry(e, incident, viewer) for e in reversed(platform.incidents.timeline(incident_id))
    ]
    words = countdown_texts(viewer.language)
    return render(
        request,
        "incident_body.html" if partial else "incident.html",
        viewer=viewer,
        language=viewer.language,
        status_code=status_code,
        headers=headers,
        title=gettext("Incident") + f" #{incident.id}",
        incident=incident,
        card=card,
        category=category_label(incident, viewer.language),
        names=labels(viewer.language),
        steps=STEPS,
        next_phases=allowed(incident.phase),
        marks=[(m.value, gettext(MARK_BUTTONS[m]), incident.milestones.get(m)) for m in MARKS],
        milestone_order=list(Milestone),
        groups=_task_groups(incident, viewer.language),
        alerts=_attached(platform, incident),
        timeline=timeline,
        measured=_measured(incident, viewer.language),
        grades=list(Grade),
        report_languages=REPORT_LANGUAGES,
        now=now,
        now_iso=_iso(now),
        countdown=words,
        notice=notice,
        done=gettext(DONE[done]) if done in DONE else "",
        who=who,
    )


@router.get("/incidents/{incident_id}", include_in_schema=False)
def detail(
    request: Request,
    viewer: Reader,
    incident_id: Ident,
    done: Annotated[str, Query(max_length=16)] = "",
) -> HTMLResponse:
    """One incident: grade, clocks, phase, tasks, alerts, timeline, report downloads."""
    return _detail(request, viewer, incident_id, done=done)
