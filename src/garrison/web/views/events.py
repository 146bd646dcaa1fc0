"""Event search with the query language, and the timeline of one IP address, user or host.

Both pages are plain ``GET`` forms, so every search is a link that can be bookmarked or sent to
a colleague. A query or time the user must fix re-renders the page with the problem shown under
the search box (status 400) and the input kept, instead of an error page.
"""

from __future__ import annotations

import json
import re
import time
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from garrison.alerts.model import StoredAlert
from garrison.alerts.query import AlertFilter
from garrison.core.errors import InputError, QuerySyntaxError
from garrison.events import schema
from garrison.events.model import Event
from garrison.platform import Platform
from garrison.search.request import EntityKind, SearchRequest
from garrison.search.timeparse import parse_time
from garrison.web.auth import Viewer, page
from garrison.web.i18n import N_, translations
from garrison.web.render import render

router = APIRouter()

Reader = Annotated[Viewer, Depends(page("read"))]

#: Result sizes offered on the search page; larger ``limit`` values are capped at the last.
SEARCH_LIMITS = (50, 100, 500, 1000)
#: Timeline sizes; a timeline is read oldest first, so it may be longer than a search page.
TIMELINE_LIMITS = (100, 500, 1000, 2000)
#: Quick choices for "from" (any other form of ``docs/search.md`` may be typed).
SINCE_CHOICES = {
    "1h": N_("Last hour"),
    "24h": N_("Last 24 hours"),
    "7d": N_("Last 7 days"),
    "30d": N_("Last 30 days"),
}
KIND_LABELS: dict[str, str] = {"ip": N_("IP address"), "user": N_("User"), "host": N_("Host")}
#: Clickable examples under the search box: query, what it finds.
EXAMPLES = (
    ("event.outcome:failure", N_("Everything that failed")),
    (
        "event.category:authentication AND NOT source.ip:10.*",
        N_("Logins from outside 10.0.0.0/8"),
    ),
    ("http.response.status_code:[500 TO 599]", N_("Web server errors")),
    ('"Failed password" AND user.name:root', N_("A phrase in the raw line, for one user")),
)
#: The syntax cheat sheet: how to write it, what it means.
SYNTAX = (
    ("user.name:root", N_("A field equals a value (case-insensitive)")),
    ('user.name:"Jane Doe"', N_("A quoted value: spaces and special characters allowed")),
    ("url.path:*.php", N_("Wildcards: * any characters, ? exactly one")),
    ("user.name:*", N_("The field exists")),
    ('"Failed password"', N_("Free text: the raw line contains the phrase")),
    ("a AND b, a OR b, NOT a, -a", N_("Combine terms; group them with parentheses")),
    ("destination.port:[* TO 1023]", N_("Ranges: [ ] inclusive, { } exclusive")),
    ("http.response.status_code>=400", N_("Comparisons: >, >=, <, <=")),
    ("@timestamp>=now-1h", N_("Times: now-1h, 24h, 2026-11-01, 2026-11-01T08:00")),
    ('source.ip:"2001:db8::1"', N_("Quote values that contain a colon")),
)
WEEKDAYS = (
    N_("Monday"),
    N_("Tuesday"),
    N_("Wednesday"),
    N_("Thursday"),
    N_("Friday"),
    N_("Saturday"),
    N_("Sunday"),
)
#: Badge colour of ``event.outcome`` values, reusing the alert status/level colours.
OUTCOME_BADGES = {"success": "status-closed", "failure": "level-critical"}
OUTCOME_LABELS = {"success": N_("Success"), "failure": N_("Failure"), "unknown": N_("Unknown")}

#: The entity fields of an event and the timeline each one opens.
ENTITY_FIELDS: tuple[tuple[str, EntityKind], ...] = (
    (schema.SOURCE_IP, "ip"),
    (schema.DESTINATION_IP, "ip"),
    (schema.USER_NAME, "user"),
    (schema.USER_TARGET_NAME, "user"),
    (schema.HOST_NAME, "host"),
)
#: The fields a timeline matches for each kind (the same as the storage's entity clause).
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    "ip": (schema.SOURCE_IP, schema.DESTINATION_IP),
    "user": (schema.USER_NAME, schema.USER_TARGET_NAME),
    "host": (schema.HOST_NAME,),
}
#: How many recent alerts the timeline looks through for ones involving the entity.
ALERT_SCAN = 500
ALERTS_SHOWN = 20

# A field name the query language accepts before ``:`` (see ``search/lexer.py``).
_FIELD_NAME = re.compile(r"[A-Za-z0-9_@](?:[A-Za-z0-9_.@-]|\([A-Za-z0-9_.@-]*\))*")


@dataclass(frozen=True, slots=True)
class Entity:
    """An IP address, user or host named by an event, with the link to its timeline."""

    field: str
    kind: str
    value: str
    href: str


@dataclass(frozen=True, slots=True)
class FieldRow:
    """One normalised field in an event's detail table.

    Attributes:
        name: The dotted field name.
        text: The value as shown (JSON for lists, objects, numbers and booleans).
        filter_href: A search narrowed to this value, when the value can be written as a term.
    """

    name: str
    text: str
    filter_href: str | None


@dataclass(frozen=True, slots=True)
class Row:
    """An event prepared for display (values from logs stay text: the templates escape them)."""

    event: Event
    category: str
    action: str
    outcome: str
    outcome_class: str
    entities: tuple[Entity, ...]
    fields: tuple[FieldRow, ...]

    def entity(self, name: str) -> Entity | None:
        """The entity held in field ``name``, if the event has one."""
        return next((e for e in self.entities if e.field == name), None)


@dataclass(slots=True)
class Day:
    """The events of one day of a timeline, in the viewer's zone."""

    day: date
    weekday: str
    rows: list[Row] = field(default_factory=list)


def _platform(request: Request) -> Platform:
    platform: Platform = request.app.state.platform
    return platform


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False, default=str)


def timeline_href(kind: str, value: str) -> str:
    """The console URL of an entity's timeline."""
    return "/events/timeline?" + urlencode({"kind": kind, "value": value})


def term(name: str, value: Any) -> str | None:
    """A query term matching ``name`` equal to ``value``, or ``None`` if none can be written.

    Text is quoted (no wildcards inside quotes; ``\\`` and ``"`` escaped), numbers and booleans
    are written bare so that they also match numerically. Lists, objects and the time are left
    out: a single term cannot say "equal to this list".
    """
    if name == schema.TIMESTAMP or not _FIELD_NAME.fullmatch(name):
        return None
    if isinstance(value, bool):
        return f"{name}:{'true' if value else 'false'}"
    if isinstance(value, int | float):
        return f"{name}:{value!r}" if value == value and abs(value) != float("inf") else None
    if isinstance(value, str) and value:
        quoted = value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{name}:"{quoted}"'
    return None


def narrowed(query: str, extra: str) -> str:
    """``query`` AND ``extra`` (parenthesised, since AND binds tighter than OR)."""
    return f"({query.strip()}) AND {extra}" if query.strip() else extra


def entities_of(event: Event) -> tuple[Entity, ...]:
    """The IP addresses, users and hosts an event names, each linking to its timeline."""
    found = []
    for name, kind in ENTITY_FIELDS:
        value = event.get(name)
        if isinstance(value, str) and value:
            found.append(Entity(name, kind, value, timeline_href(kind, value)))
    return tuple(found)


def prepare(event: Event, search: dict[str, str] | None) -> Row:
    """An event as the pages show it.

    Args:
        event: The stored event.
        search: The search page's parameters (``q``, ``since``...) for the "filter on this
            value" links, or ``None`` for pages without them.
    """
    rows = []
    for name, value in sorted(event.to_dict().items()):
        if name == schema.ORIGINAL:
            continue  # shown in full above the table
        href = None
        if search is not None:
            extra = term(name, value)
            if extra is not None:
                href = "/events?" + urlencode({**search, "q": narrowed(search["q"], extra)})
        rows.append(FieldRow(name, _text(value), href))
    outcome = _text(event.get(schema.OUTCOME))
    return Row(
        event=event,
        category=_text(event.get(schema.CATEGORY)),
        action=_text(event.get(schema.ACTION)),
        outcome=outcome,
        outcome_class=OUTCOME_BADGES.get(outcome, "level-unknown"),
        entities=entities_of(event),
        fields=tuple(rows),
    )


def _limit(value: int, choices: tuple[int, ...]) -> int:
    # A hand-edited URL may ask for more; the page stays usable instead of failing.
    return min(value, choices[-1])


def _parse(text: str, platform: Platform, viewer: Viewer) -> datetime | None:
    # Zone-less times are the viewer's wall-clock times, as everything on the page is shown.
    return parse_time(text, platform.now(), viewer.zone) if text.strip() else None


def _problem(exc: InputError, what: str) -> dict[str, Any]:
    return {"what": what, "message": exc.message, "hint": exc.hint}


def _time_range(
    platform: Platform, viewer: Viewer, since: str, until: str
) -> tuple[datetime | None, datetime | None, dict[str, Any] | None]:
    gettext = translations(viewer.language).gettext
    try:
        since_at = _parse(since, platform, viewer)
    except InputError as exc:
        return None, None, _problem(exc, gettext("The start time is not valid."))
    try:
        until_at = _parse(until, platform, viewer)
    except InputError as exc:
        return None, None, _problem(exc, gettext("The end time is not valid."))
    return since_at, until_at, None


def _query_problem(query: str, exc: QuerySyntaxError, viewer: Viewer) -> dict[str, Any]:
    gettext = translations(viewer.language).gettext
    position = max(0, min(exc.position, len(query)))
    problem = _problem(exc, gettext("The query has a syntax error."))
    # The query split around the offending character, for the marked copy under the box.
    problem["before"] = query[:position]
    # A visible mark even where the problem is a space or the end of the query.
    problem["at"] = query[position : position + 1].strip() or "\u2423"
    problem["after"] = query[position + 1 :]
    return problem


@router.get("/events", include_in_schema=False)
def search_page(
    request: Request,
    viewer: Reader,
    q: Annotated[str, Query(max_length=4000)] = "",
    since: Annotated[str, Query(max_length=64)] = "24h",
    until: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=1_000_000)] = 100,
) -> HTMLResponse:
    """Search stored events with the query language (``docs/search.md``).

    A query or time that cannot be understood is shown under the search box with status 400,
    the input kept as typed.
    """
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    limit = _limit(limit, SEARCH_LIMITS)
    since_at, until_at, problem = _time_range(platform, viewer, since, until)
    events: list[Event] = []
    elapsed_ms = 0
    if problem is None:
        started = time.perf_counter()
        try:
            events = platform.search(
                SearchRequest(query=q, since=since_at, until=until_at, limit=limit),
                tz=viewer.zone,
            )
        except QuerySyntaxError as exc:
            problem = _query_problem(q, exc, viewer)
        except InputError as exc:
            problem = _problem(exc, gettext("The search cannot be run."))
        elapsed_ms = round((time.perf_counter() - started) * 1000)
    search = {"q": q, "since": since, "until": until, "limit": str(limit)}
    return render(
        request,
        "events.html",
        viewer=viewer,
        language=viewer.language,
        status_code=400 if problem else 200,
        title=gettext("Events"),
        q=q,
        since=since,
        until=until,
        limit=limit,
        limits=sorted({*SEARCH_LIMITS, limit}),
        since_choices=SINCE_CHOICES,
        since_at=since_at,
        until_at=until_at,
        now=platform.now(),
        rows=[prepare(e, search) for e in events],
        elapsed_ms=elapsed_ms,
        problem=problem,
        examples=[(text, label, "/events?" + urlencode({"q": text})) for text, label in EXAMPLES],
        syntax=SYNTAX,
        outcome_labels=OUTCOME_LABELS,
    )


def by_day(rows: list[Row], viewer: Viewer) -> list[Day]:
    """Group time-ordered rows by their day in the viewer's zone."""
    days: list[Day] = []
    for row in rows:
        local = row.event.timestamp.astimezone(viewer.zone).date()
        if not days or days[-1].day != local:
            days.append(Day(local, WEEKDAYS[local.weekday()]))
        days[-1].rows.append(row)
    return days


def involving(
    platform: Platform, kind: str, value: str, events: list[Event], since: datetime | None
) -> list[StoredAlert]:
    """Recent alerts that involve an entity: grouped by it, or made of its events.

    The alert store has no entity index, so this looks through the latest ``ALERT_SCAN``
    alerts of the time range only (alerts of single-event rules carry no group, hence the
    check of their contributing events against the timeline's).
    """
    ids = {e.id for e in events}
    names = KIND_FIELDS[kind]
    found = []
    for stored in platform.alerts.search(AlertFilter(since=since, limit=ALERT_SCAN)):
        group = stored.alert.group
        if any(_text(group.get(n)) == value for n in names) or ids.intersection(
            stored.alert.event_ids
        ):
            found.append(stored)
            if len(found) >= ALERTS_SHOWN:
                break
    return found


@router.get("/events/timeline", include_in_schema=False)
def timeline_page(
    request: Request,
    viewer: Reader,
    kind: Literal["ip", "user", "host"] = "ip",
    value: Annotated[str, Query(max_length=256)] = "",
    since: Annotated[str, Query(max_length=64)] = "7d",
    until: Annotated[str, Query(max_length=64)] = "",
    limit: Annotated[int, Query(ge=1, le=1_000_000)] = 500,
) -> HTMLResponse:
    """Everything one IP address, user or host did, oldest first, grouped by day."""
    platform = _platform(request)
    gettext = translations(viewer.language).gettext
    limit = _limit(limit, TIMELINE_LIMITS)
    value = value.strip()
    since_at, until_at, problem = _time_range(platform, viewer, since, until)
    events: list[Event] = []
    alerts: list[StoredAlert] = []
    if value and problem is None:
        events = platform.search(
            SearchRequest(
                since=since_at,
                until=until_at,
                limit=limit,
                newest_first=False,
                entity=(kind, value),
            )
        )
        alerts = involving(platform, kind, value, events, since_at)
    rows = [prepare(e, None) for e in events]
    query = " OR ".join(t for n in KIND_FIELDS[kind] if (t := term(n, value)) is not None)
    label = gettext(KIND_LABELS[kind])
    return render(
        request,
        "timeline.html",
        viewer=viewer,
        language=viewer.language,
        status_code=400 if problem else 200,
        title=f"{label} {value}" if value else gettext("Timeline"),
        kind=kind,
        kind_label=label,
        kinds=KIND_LABELS,
        value=value,
        since=since,
        until=until,
        limit=limit,
        limits=sorted({*TIMELINE_LIMITS, limit}),
        since_choices=SINCE_CHOICES,
        since_at=since_at,
        until_at=until_at,
        now=platform.now(),
        problem=problem,
        days=by_day(rows, viewer),
        count=len(rows),
        datasets=sorted({r.event.dataset for r in rows}),
        alerts=alerts,
        outcome_labels=OUTCOME_LABELS,
        search_href="/events?" + urlencode({"q": query, "since": since, "until": until}),
    )
