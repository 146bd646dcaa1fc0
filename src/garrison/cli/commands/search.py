"""``garrison search`` and ``garrison timeline``."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

import typer
from rich.table import Table

from garrison.cli.state import State, emit_json, state
from garrison.core.errors import UsageError
from garrison.core.timezones import resolve_zone
from garrison.events.model import Event
from garrison.search.request import EntityKind, SearchRequest
from garrison.search.timeparse import parse_time

_COLUMNS = (
    "@timestamp",
    "event.dataset",
    "event.action",
    "event.outcome",
    "source.ip",
    "user.name",
    "host.name",
)


def _times(
    st: State, since: str | None, until: str | None
) -> tuple[datetime | None, datetime | None]:
    tz = resolve_zone(st.timezone or st.settings.timezone)
    now = st.platform().now()
    return (
        parse_time(since, now, tz) if since else None,
        parse_time(until, now, tz) if until else None,
    )


def _show(st: State, events: list[Event], as_json: bool, title: str) -> None:
    if as_json:
        for event in events:
            emit_json(event.to_dict())
        return
    tz = resolve_zone(st.timezone or st.settings.timezone)
    table = Table(*(c for c in _COLUMNS), "message", title=title)
    for event in events:
        cells: list[str] = [event.timestamp.astimezone(tz).strftime("%Y-%m-%d %H:%M:%S")]
        for name in _COLUMNS[1:]:
            value: Any = event.get(name)
            cells.append("" if value is None else str(value))
        message = event.get("message") or event.get("error.message") or event.original
        cells.append(str(message)[:120])
        table.add_row(*cells)
    st.out.print(table)
    st.err.print(f"{len(events)} event(s)")


def register(app: typer.Typer) -> None:
    """Add the commands to the application."""

    @app.command(
        epilog=(
            "Examples: garrison search 'event.category:authentication AND event.outcome:failure'"
            " --since 24h · garrison search 'http.response.status_code:[500 TO 599]' --json"
        )
    )
    def search(
        ctx: typer.Context,
        query: Annotated[
            str, typer.Argument(help="Query; see docs/search.md. '' matches all.")
        ] = "",
        since: Annotated[
            str | None, typer.Option(help="Start: 24h, 7d, 2026-11-01, now-1h ...")
        ] = None,
        until: Annotated[
            str | None, typer.Option(help="End (exclusive), same forms as --since.")
        ] = None,
        limit: Annotated[
            int, typer.Option(min=1, max=1_000_000, help="Most events to return.")
        ] = 100,
        oldest_first: Annotated[
            bool, typer.Option("--oldest-first", help="Ascending time order.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line.")] = False,
    ) -> None:
        """Search stored events with field:value, wildcards, phrases, AND/OR/NOT and ranges."""
        st = state(ctx)
        start, end = _times(st, since, until)
        request = SearchRequest(
            query=query, since=start, until=end, limit=limit, newest_first=not oldest_first
        )
        _show(st, st.platform().search(request), as_json, f"search: {query or '*'}")

    @app.command(
        epilog=(
            "Examples: garrison timeline --ip 203.0.113.7 ·"
            " garrison timeline --user alice --since 7d"
        )
    )
    def timeline(
        ctx: typer.Context,
        ip: Annotated[str | None, typer.Option("--ip", help="Source or destination IP.")] = None,
        user: Annotated[
            str | None, typer.Option("--user", help="User or target user name.")
        ] = None,
        host: Annotated[str | None, typer.Option("--host", help="Host name.")] = None,
        since: Annotated[str | None, typer.Option(help="Start: 24h, 7d, 2026-11-01 ...")] = None,
        until: Annotated[str | None, typer.Option(help="End (exclusive).")] = None,
        limit: Annotated[
            int, typer.Option(min=1, max=1_000_000, help="Most events to return.")
        ] = 1000,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON event per line.")] = False,
    ) -> None:
        """Everything one IP, user or host did, in time order."""
        chosen = [(k, v) for k, v in (("ip", ip), ("user", user), ("host", host)) if v]
        if len(chosen) != 1:
            raise UsageError("give exactly one of --ip, --user or --host")
        kind: EntityKind = chosen[0][0]  # type: ignore[assignment]
        value = chosen[0][1] or ""
        st = state(ctx)
        start, end = _times(st, since, until)
        request = SearchRequest(
            since=start, until=end, limit=limit, newest_first=False, entity=(kind, value)
        )
        _show(st, st.platform().search(request), as_json, f"timeline: {kind} {value}")
