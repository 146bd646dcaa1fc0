"""``garrison ingest``: read files, folders, globs or stdin; optionally follow files."""

from __future__ import annotations

import contextlib
import signal
import threading
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from garrison.cli.state import emit_json, state
from garrison.core.errors import InputError, UsageError
from garrison.ingest.follow import follow_paths
from garrison.ingest.paths import expand, total_size
from garrison.ingest.pipeline import ingest_path
from garrison.ingest.summary import IngestSummary
from garrison.normalize import registry


def _field_map(pairs: list[str], path: Path | None) -> dict[str, str]:
    mapping: dict[str, str] = {}
    if path is not None:
        import yaml

        try:
            loaded = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as exc:
            raise InputError(f"cannot read field map {path}: {exc}") from None
        if not isinstance(loaded, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in loaded.items()
        ):
            raise InputError(f"{path}: a field map is a mapping of source field: schema field")
        mapping.update(loaded)
    for pair in pairs:
        source, sep, target = pair.partition("=")
        if not sep or not source or not target:
            raise UsageError(f"--map expects SOURCE=FIELD, got {pair!r}")
        mapping[source] = target
    return mapping


def _print_summary(st: Any, summary: IngestSummary) -> None:
    table = Table(title="Ingest summary", show_header=False)
    data = summary.to_dict()
    for key in ("files", "records", "events", "unparsed", "stored", "duplicates", "unreadable"):
        table.add_row(key, str(data[key]))
    for name, count in data["by_dataset"].items():
        table.add_row(f"  {name}", str(count))
    st.err.print(table)
    for error in summary.errors:
        st.err.print(f"[red]unreadable[/red] {error['path']}: {error['error']}")


def register(app: typer.Typer) -> None:
    """Add the command to the application."""

    @app.command(
        epilog=(
            "Examples: garrison ingest /var/log/auth.log 'logs/**/*.gz' --json ·"
            " zcat app.log.gz | garrison ingest - --format json ·"
            " garrison ingest --follow /var/log/secure"
        )
    )
    def ingest(
        ctx: typer.Context,
        paths: Annotated[list[str], typer.Argument(help="Files, folders, globs, or - for stdin.")],
        format: Annotated[
            str | None,
            typer.Option(
                "--format",
                "-f",
                help="Parser to use; detected per file by default. See 'garrison formats'.",
            ),
        ] = None,
        follow: Annotated[
            bool, typer.Option("--follow", help="Keep reading files as they grow (checkpointed).")
        ] = False,
        year: Annotated[
            int | None,
            typer.Option(
                "--year", help="Year of syslog timestamps without one (default: file mtime)."
            ),
        ] = None,
        timezone: Annotated[
            str | None, typer.Option("--timezone", help="Zone of zone-less timestamps.")
        ] = None,
        encoding: Annotated[
            str, typer.Option("--encoding", help="Text encoding, e.g. gb18030.")
        ] = "utf-8",
        maps: Annotated[
            list[str] | None,
            typer.Option("--map", help="JSON field map entry SOURCE=FIELD (repeatable)."),
        ] = None,
        field_map: Annotated[
            Path | None, typer.Option("--field-map", help="YAML/JSON file of SOURCE: FIELD pairs.")
        ] = None,
        no_detect: Annotated[
            bool,
            typer.Option(
                "--no-detect", help="Store only; detect later ('garrison alerts detect')."
            ),
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    ) -> None:
        """Parse log files into normalised events, store them (each event once), detect."""
        st = state(ctx)
        if format is not None and format not in registry.names():
            raise UsageError(f"unknown format {format!r}", hint="see 'garrison formats'")
        try:
            "".encode(encoding)
        except LookupError:
            raise UsageError(f"unknown encoding {encoding!r}") from None
        platform = st.platform()
        options = platform.ingest_options(
            format=format,
            timezone=timezone or st.timezone,
            year=year,
            encoding=encoding,
            field_map=_field_map(maps or [], field_map),
        )
        summary = IngestSummary()
        detect = platform.settings.detection.enabled and not no_detect
        if follow:
            if "-" in paths:
                raise UsageError("--follow reads files, not standard input")
            stop = threading.Event()
            for sig in (signal.SIGINT, signal.SIGTERM):
                signal.signal(sig, lambda *_: stop.set())
            st.err.print(f"following {len(paths)} path(s); Ctrl-C to stop")
            detecting = _detect_in_background(st, platform, stop) if detect else None
            follow_paths(
                paths,
                store=platform.store,
                summary=summary,
                options=options,
                clock=platform.clock,
                stop=stop,
                warn=lambda m: st.err.print(f"[yellow]{m}"),
            )
            if detecting is not None:
                detecting.join()
        else:
            files, missing = expand(paths)
            for item in missing:
                summary.files += 1
                summary.add_error(item, "no such file, folder or matching glob")
            _run(st, files, platform, summary, options, quiet=as_json)
        result = summary.to_dict()
        if detect:
            found = platform.detect()
            automation, _ = platform.incident_step()
            result["detection"] = {
                "events": found.events,
                "new_alerts": found.new_alerts,
                "updated_alerts": found.updated_alerts,
                "suppressed": found.suppressed,
                "incidents_opened": automation.opened,
            }
        if as_json:
            emit_json(result)
        else:
            _print_summary(st, summary)
            if detect:
                st.err.print(
                    f"detection: {found.events} events, {found.new_alerts} new alert(s),"
                    f" {found.updated_alerts} updated; see 'garrison alerts list'"
                )
                if automation.opened:
                    st.err.print(
                        f"incidents: {len(automation.opened)} opened; see 'garrison incidents list'"
                    )
        if summary.errors and summary.events == 0:
            raise typer.Exit(1)

    @app.command(epilog="Example: garrison formats --json")
    def formats(
        ctx: typer.Context,
        as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
    ) -> None:
        """List the log formats Garrison parses (values of --format)."""
        rows = [(name, registry.create(name).description) for name in registry.names()]
        if as_json:
            emit_json([{"name": n, "description": d} for n, d in rows])
            return
        table = Table("format", "description")
        for name, description in rows:
            table.add_row(name, description)
        state(ctx).out.print(table)


def _detect_in_background(st: Any, platform: Any, stop: threading.Event) -> threading.Thread | None:
    """Detect on newly stored events while following, until ``stop`` is set."""
    interval = platform.settings.detection.interval_seconds
    platform.detector()  # load the rules now: a broken rule set fails before following

    def loop() -> None:
        while True:
            try:
                found = platform.detect()
                automation, _ = platform.incident_step()
            except Exception as exc:  # keep following; report and retry
                st.err.print(f"[red]detection failed[/red]: {exc}")
            else:
                if found.new_alerts:
                    st.err.print(f"detection: {found.new_alerts} new alert(s)")
                for incident_id in automation.opened:
                    st.err.print(f"incident {incident_id} opened")
            if stop.wait(interval):
                platform.detect()
                platform.incident_step()
                return

    thread = threading.Thread(target=loop, name="garrison-detect", daemon=True)
    thread.start()
    return thread


def _run(
    st: Any, files: list[str], platform: Any, summary: IngestSummary, options: Any, *, quiet: bool
) -> None:
    total = total_size(files)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        DownloadColumn(),
        TimeRemainingColumn(),
    )
    with Progress(
        *columns, console=st.err, transient=True, disable=quiet or not st.err.is_terminal
    ) as bar:
        task = bar.add_task("ingesting", total=total or None)
        done = 0
        for path in files:
            bar.update(task, description=Path(path).name if path != "-" else "<stdin>")

            def tick(_label: str, position: int, base: int = done) -> None:
                bar.update(task, completed=base + position)

            ingest_path(
                path,
                sink=platform.store,
                summary=summary,
                options=options,
                clock=platform.clock,
                progress=tick,
            )
            if path != "-":
                with contextlib.suppress(OSError):
                    done += Path(path).stat().st_size
            bar.update(task, completed=done)
