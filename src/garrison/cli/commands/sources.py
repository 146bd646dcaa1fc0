"""``garrison sources``: HTTP ingest sources and their tokens."""

from __future__ import annotations

from dataclasses import asdict
from typing import Annotated

import typer
from rich.table import Table

from garrison.cli.state import emit_json, state

app = typer.Typer(help="HTTP ingest sources (per-source tokens).", no_args_is_help=True)


@app.command("add", epilog="Example: garrison sources add web01 --format access --host web01")
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Source name (letters, digits, . _ -).")],
    format: Annotated[
        str | None, typer.Option("--format", help="Default parser for its pushes.")
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="host.name for its events when absent.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Create a source and print its token (shown only this once)."""
    st = state(ctx)
    token = st.platform().sources.add(name, default_format=format, host_name=host)
    if as_json:
        emit_json({"name": name, "token": token})
        return
    st.err.print(
        f"source [bold]{name}[/bold] created; its token (store it now, it is not shown again):"
    )
    typer.echo(token)


@app.command("list", epilog="Example: garrison sources list --json")
def list_sources(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List sources (never their tokens)."""
    st = state(ctx)
    items = st.platform().sources.list()
    if as_json:
        emit_json([asdict(s) for s in items])
        return
    table = Table("name", "created", "status", "format", "host")
    for s in items:
        table.add_row(
            s.name,
            s.created_at,
            "revoked" if s.disabled else "active",
            s.default_format or "auto",
            s.host_name or "",
        )
    st.out.print(table)


@app.command("revoke", epilog="Example: garrison sources revoke web01")
def revoke(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Source name.")]) -> None:
    """Revoke a source's token."""
    st = state(ctx)
    st.platform().sources.revoke(name)
    st.err.print(f"source {name} revoked")
