"""Entry point of the ``garrison`` command."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from garrison import __version__
from garrison.cli.commands import (
    admin,
    alerts,
    assets,
    audit,
    check,
    hunt,
    incidents,
    ingest,
    jobs,
    playbooks,
    rules,
    runs,
    search,
    serve,
    sources,
    tokens,
    users,
)
from garrison.cli.state import State
from garrison.core.errors import GarrisonError

app = typer.Typer(
    name="garrison",
    help="Garrison: collect and normalise logs, search them, and keep them verifiable.",
    epilog="Example: garrison --data-dir /srv/garrison ingest /var/log/auth.log",
    no_args_is_help=True,
    rich_markup_mode="rich",
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"garrison {__version__}")
        raise typer.Exit()


@app.callback()
def main_callback(
    ctx: typer.Context,
    data_dir: Annotated[
        Path | None,
        typer.Option(
            "--data-dir",
            envvar="GARRISON_HOME",
            help="Data directory (database, archives). Default: ./garrison-data",
            show_default=False,
        ),
    ] = None,
    config: Annotated[
        Path | None,
        typer.Option(
            "--config", help="Settings file. Default: ./garrison.toml or DATA_DIR/garrison.toml"
        ),
    ] = None,
    database_url: Annotated[
        str | None,
        typer.Option(
            "--database-url",
            envvar="GARRISON_DATABASE_URL",
            help="SQLAlchemy URL, e.g. postgresql://user@host/db. Default: SQLite in DATA_DIR.",
            show_default=False,
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option("--timezone", help="Zone of zone-less timestamps (IANA name or 'local')."),
    ] = None,
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Show the version."),
    ] = False,
) -> None:
    """Garrison security operations platform."""
    ctx.obj = State(data_dir=data_dir, config=config, database_url=database_url, timezone=timezone)
    ctx.call_on_close(ctx.obj.close)


ingest.register(app)
search.register(app)
hunt.register(app)
admin.register(app)
serve.register(app)
app.add_typer(sources.app, name="sources")
app.add_typer(rules.app, name="rules")
app.add_typer(alerts.app, name="alerts")
app.add_typer(audit.app, name="audit")
app.add_typer(users.app, name="users")
app.add_typer(tokens.app, name="tokens")
app.add_typer(incidents.app, name="incidents")
app.add_typer(assets.app, name="assets")
app.add_typer(check.app, name="check")
app.add_typer(playbooks.app, name="playbooks")
app.add_typer(runs.app, name="runs")
app.add_typer(jobs.app, name="jobs")


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; map Garrison errors to messages and exit codes.

    Returns:
        The process exit code.
    """
    try:
        result = app(args=argv, standalone_mode=False)
    except GarrisonError as exc:
        print(f"error: {exc}", file=sys.stderr)
        if exc.hint:
            print(f"hint: {exc.hint}", file=sys.stderr)
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except typer.Abort:
        print("aborted", file=sys.stderr)
        return 130
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # click's usage errors carry their own exit code
        import click

        if isinstance(exc, click.ClickException):
            exc.show(file=sys.stderr)
            return exc.exit_code
        raise
    return result if isinstance(result, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
