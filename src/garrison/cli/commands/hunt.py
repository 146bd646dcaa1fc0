"""``garrison hunt``: run the detection rules over log files, no server or database needed."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from garrison.alerts.enrich import Enricher, MemoryBaseline
from garrison.alerts.hunt import Hunter, HuntSink
from garrison.cli.state import emit_json, state
from garrison.core.clock import SystemClock
from garrison.core.errors import UsageError
from garrison.core.timezones import resolve_zone
from garrison.detect.ruleset import build
from garrison.ingest.options import IngestOptions
from garrison.ingest.paths import expand
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.normalize import registry


def register(app: typer.Typer) -> None:
    """Add the command to the application."""

    @app.command(
        epilog=(
            "Examples: garrison hunt /var/log/auth.log* --json ·"
            " garrison hunt logs/ --rules my-rules/ --no-builtin"
        )
    )
    def hunt(
        ctx: typer.Context,
        paths: Annotated[list[str], typer.Argument(help="Log files, folders, globs, or -.")],
        rules: Annotated[
            list[Path] | None,
            typer.Option("--rules", help="Extra Sigma rule file or folder (repeatable)."),
        ] = None,
        no_builtin: Annotated[
            bool, typer.Option("--no-builtin", help="Do not load the built-in rule pack.")
        ] = False,
        format: Annotated[
            str | None, typer.Option("--format", "-f", help="Parser; detected per file.")
        ] = None,
        year: Annotated[int | None, typer.Option(help="Year of syslog lines without one.")] = None,
        timezone: Annotated[str | None, typer.Option(help="Zone of zone-less times.")] = None,
        as_json: Annotated[bool, typer.Option("--json", help="One JSON alert per line.")] = False,
    ) -> None:
        """Hunt through log files with the Sigma rules and print the alerts."""
        st = state(ctx)
        if format is not None and format not in registry.names():
            raise UsageError(f"unknown format {format!r}", hint="see 'garrison formats'")
        detection = build(rules or [], builtin=not no_builtin)
        for problem in detection.problems:
            st.err.print(f"[yellow]{problem}[/yellow]")
        if not detection.rules:
            raise UsageError("no usable rule", hint="check the rules with 'garrison rules lint'")
        settings = st.settings.detection
        enricher = Enricher(
            settings.calendar(st.timezone or st.settings.timezone),
            MemoryBaseline(),
            window=settings.baseline_window,
        )
        hunter = Hunter(detection, enricher=enricher)
        for corr, reason in hunter.unsupported:
            st.err.print(f"[yellow]unsupported correlation[/yellow] {corr.title}: {reason}")
        options = IngestOptions(
            format=format,
            tz=resolve_zone(timezone or st.timezone or st.settings.timezone),
            year=year,
            batch_size=st.settings.batch_size,
        )
        files, missing = expand(paths)
        summary = IngestSummary()
        for item in missing:
            summary.add_error(item, "no such file, folder or matching glob")
        sink = HuntSink(hunter)
        for path in files:
            ingest_path(path, sink=sink, summary=summary, options=options, clock=SystemClock())
        for error in summary.errors:
            st.err.print(f"[red]unreadable[/red] {error['path']}: {error['error']}")
        alerts = hunter.alerts()
        if as_json:
            for alert in alerts:
                emit_json(alert.to_dict())
        else:
            table = Table("first seen", "level", "rule", "group", "count", title="Alerts")
            for alert in alerts:
                group = ", ".join(f"{k}={v}" for k, v in alert.group.items())
                table.add_row(
                    alert.first_seen.strftime("%Y-%m-%d %H:%M:%S"),
                    alert.level or "",
                    alert.title,
                    group,
                    str(alert.count),
                )
            st.out.print(table)
        st.err.print(
            f"{hunter.events} events from {summary.files} file(s),"
            f" {len(detection.rules)} rules, {len(alerts)} alert(s)"
        )
