"""``garrison audit``: read and verify the hash-chained audit trail."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from garrison.cli.state import emit_json, state
from garrison.core.errors import IntegrityError
from garrison.core.timezones import resolve_zone
from garrison.search.timeparse import parse_time

app = typer.Typer(help="The audit trail of every change.", no_args_is_help=True)


@app.command("list", epilog="Example: garrison audit list --action suppression. --json")
def list_entries(
    ctx: typer.Context,
    action: Annotated[
        str | None, typer.Option(help="Only actions starting with this (suppression.).")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many, newest first.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON entry per line.")] = False,
) -> None:
    """Show the newest audit entries."""
    st = state(ctx)
    entries = st.platform().audit_entries(limit=limit, action=action)
    if as_json:
        for entry in entries:
            emit_json(entry.to_dict())
        return
    zone = resolve_zone(st.settings.timezone)
    table = Table("seq", "time", "actor", "action", "target", "details", title="Audit trail")
    for entry in entries:
        table.add_row(
            str(entry.seq),
            entry.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            entry.actor,
            entry.action,
            entry.target,
            ", ".join(f"{k}={v}" for k, v in entry.details.items()),
        )
    st.out.print(table)


@app.command("verify", epilog="Example: garrison audit verify")
def verify(ctx: typer.Context) -> None:
    """Recompute the audit trail's hash chain; exit non-zero if anything was changed."""
    st = state(ctx)
    report = st.platform().audit_verify()
    if not report.ok:
        raise IntegrityError(
            f"audit trail broken at entry {report.broken_at}: {report.reason}",
            hint="restore the database from a backup and investigate who had write access",
        )
    st.err.print(f"[green]audit trail verified[/green]: {report.entries} entries")


@app.command("export", epilog="Example: garrison audit export --format csv --output audit.csv")
def export(
    ctx: typer.Context,
    format: Annotated[str, typer.Option("--format", help="csv or ndjson.")] = "ndjson",
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File (default: standard output).")
    ] = None,
    since: Annotated[str | None, typer.Option(help="From: 30d, 2026-11-01, ...")] = None,
    until: Annotated[str | None, typer.Option(help="Until (exclusive).")] = None,
    action: Annotated[str | None, typer.Option(help="Only actions starting with this.")] = None,
) -> None:
    """Export the audit trail, oldest first (auditors keep it outside Garrison)."""
    st = state(ctx)
    platform = st.platform()
    zone = resolve_zone(st.settings.timezone)
    now = platform.now()
    chunks = platform.audit_export(
        format,
        since=parse_time(since, now, zone) if since else None,
        until=parse_time(until, now, zone) if until else None,
        action=action,
    )
    if output is None:
        for chunk in chunks:
            sys.stdout.buffer.write(chunk)
        sys.stdout.flush()
        return
    with output.open("wb") as handle:
        for chunk in chunks:
            handle.write(chunk)
    st.err.print(f"audit trail written to {output}")
