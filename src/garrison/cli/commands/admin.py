"""``garrison verify``, ``garrison retention ...`` and ``garrison db ...``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from rich.table import Table

from garrison.cli.state import State, emit_json, state
from garrison.platform import Platform

retention_app = typer.Typer(help="Archive old events and restore archives.", no_args_is_help=True)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)


def _progress(st: State, quiet: bool) -> Progress:
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        console=st.err,
        transient=True,
        disable=quiet or not st.err.is_terminal,
    )


def register(app: typer.Typer) -> None:
    """Add the commands to the application."""

    @app.command(epilog="Example: garrison verify --json")
    def verify(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Check the hash chain of stored batches: report altered or missing batches."""
        st = state(ctx)
        platform = st.platform()
        with _progress(st, as_json) as bar:
            task = bar.add_task("verifying", total=None)
            report = platform.verify(
                lambda done, total: bar.update(task, completed=done, total=total)
            )
        if as_json:
            emit_json(report.to_dict())
        else:
            for problem in report.problems:
                where = f"batch {problem.seq}: " if problem.seq is not None else ""
                st.err.print(f"[red]{problem.kind}[/red] {where}{problem.detail}")
            verdict = (
                "[green]OK[/green]"
                if report.ok
                else f"[red]{len(report.problems)} problem(s)[/red]"
            )
            st.err.print(
                f"{verdict}: {report.batches} batches ({report.archived_batches} archived),"
                f" {report.events} events checked"
            )
        if not report.ok:
            raise typer.Exit(5)

    @retention_app.command("run", epilog="Example: garrison retention run --days 180 --dry-run")
    def retention_run(
        ctx: typer.Context,
        days: Annotated[
            int | None,
            typer.Option(min=1, help="Keep this many days online (default: settings, 180)."),
        ] = None,
        dry_run: Annotated[
            bool, typer.Option("--dry-run", help="Only report what would be archived.")
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    ) -> None:
        """Archive events older than the retention to compressed NDJSON, then delete them."""
        st = state(ctx)
        platform = st.platform()
        with _progress(st, as_json) as bar:
            task = bar.add_task("archiving", total=None)
            report = platform.run_retention(
                days, dry_run=dry_run, progress=lambda d, t: bar.update(task, completed=d, total=t)
            )
        if as_json:
            emit_json(report.to_dict())
            return
        table = Table(
            "archive",
            "batches",
            "events",
            title=f"Retention (cut-off {report.cutoff:%Y-%m-%d %H:%M} UTC)",
        )
        for entry in report.archives:
            table.add_row(str(entry["file"]), str(entry["batches"]), str(entry["events"]))
        st.err.print(table)
        action = "would archive" if dry_run else "archived"
        st.err.print(
            f"{action} {report.events} events in {report.batches} batches"
            f" under {platform.archive_root}"
        )

    @retention_app.command(
        "restore",
        epilog=(
            "Example: garrison retention restore"
            " garrison-data/archive/2026/05/events-2026-05-01-1-9.ndjson.gz"
        ),
    )
    def retention_restore(
        ctx: typer.Context,
        files: Annotated[
            list[Path], typer.Argument(help="Archive files (.ndjson.gz) to re-import.")
        ],
        as_json: Annotated[bool, typer.Option("--json", help="Print the reports as JSON.")] = False,
    ) -> None:
        """Re-import archives (checked against their SHA-256 manifest first)."""
        st = state(ctx)
        platform = st.platform()
        reports = [platform.restore_archive(path) for path in files]
        if as_json:
            emit_json([r.to_dict() for r in reports])
            return
        for r in reports:
            how = "into its original batches" if r.in_place else "as new batches"
            st.err.print(f"{r.path}: {r.restored} of {r.events} events restored {how}")

    @db_app.command(
        "upgrade",
        epilog=(
            "Example: GARRISON_DATABASE_URL=postgresql://postgres@db/garrison garrison db upgrade"
        ),
    )
    def db_upgrade(ctx: typer.Context) -> None:
        """Create or upgrade the database schema to this version."""
        st = state(ctx)
        st.platform()
        st.err.print("database schema is up to date")

    @db_app.command("status", epilog="Example: garrison db status --json")
    def db_status(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    ) -> None:
        """Show the database URL (without password), schema revision and event count."""
        st = state(ctx)
        platform = Platform.open(st.settings, migrate=False)
        try:
            info = platform.status()
        finally:
            platform.close()
        if as_json:
            emit_json(info)
            return
        for key, value in info.items():
            st.out.print(f"{key}: {value}")

    app.add_typer(retention_app, name="retention")
    app.add_typer(db_app, name="db")
