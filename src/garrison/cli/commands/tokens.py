"""``garrison tokens``: API tokens for machines (ingest agents, Kestra, scripts)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

import typer
from rich.table import Table

from garrison.auth.principal import SCOPES
from garrison.cli.commands.alerts import actor
from garrison.cli.state import emit_json, state

app = typer.Typer(help="API tokens: scoped, expiring, revocable.", no_args_is_help=True)


@app.command(
    "create", epilog="Example: garrison tokens create kestra --scope read --scope write --days 30"
)
def create(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="What uses it (kestra, agent-web01, ...).")],
    scope: Annotated[list[str], typer.Option("--scope", help=f"Repeatable: {', '.join(SCOPES)}.")],
    days: Annotated[int, typer.Option(help="Days until it expires (0: never).")] = 90,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Create a token; it is printed once and stored only as a hash."""
    st = state(ctx)
    expires = timedelta(days=days) if days > 0 else None
    token = st.platform().tokens.create(name, scope, actor=actor(), expires_in=expires)
    if as_json:
        emit_json({"name": name, "token": token})
    else:
        st.err.print(f"token {name} created; it is shown only now:")
        st.out.print(token)


@app.command("list", epilog="Example: garrison tokens list --json")
def list_tokens(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List tokens (never their secrets)."""
    st = state(ctx)
    rows = st.platform().tokens.list()
    if as_json:
        for row in rows:
            emit_json(row)
        return
    table = Table("name", "scopes", "expires", "last used", "active", "by", title="API tokens")
    for row in rows:
        table.add_row(
            row["name"],
            " ".join(row["scopes"]),
            row["expires_at"] or "never",
            row["last_used_at"] or "",
            "yes" if row["active"] else "no",
            row["created_by"],
        )
    st.out.print(table)


@app.command("revoke", epilog="Example: garrison tokens revoke kestra")
def revoke(ctx: typer.Context, name: Annotated[str, typer.Argument(help="Token name.")]) -> None:
    """Revoke a token at once."""
    st = state(ctx)
    st.platform().tokens.revoke(name, actor=actor())
    st.err.print(f"token {name} revoked")
