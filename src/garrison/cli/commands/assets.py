"""``garrison assets``: the asset list that grades incidents (importance and owner)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from garrison.cli.commands.alerts import actor
from garrison.cli.state import emit_json, state
from garrison.core.errors import InputError
from garrison.incidents.assets import parse_csv, parse_yaml

app = typer.Typer(help="The asset list: importance and owner of each system.", no_args_is_help=True)


@app.command("import", epilog="Example: garrison assets import assets.csv --replace")
def import_assets(
    ctx: typer.Context,
    path: Annotated[Path, typer.Argument(help="A .csv or .yml/.yaml file.")],
    replace: Annotated[
        bool, typer.Option("--replace", help="The list becomes exactly this file.")
    ] = False,
) -> None:
    """Import assets (name, importance, owner, addresses, kind, description); all or nothing."""
    st = state(ctx)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputError(f"cannot read {path}: {exc.strerror}") from exc
    if path.suffix.lower() == ".csv":
        assets = parse_csv(text, path.name)
    elif path.suffix.lower() in (".yml", ".yaml"):
        assets = parse_yaml(text, path.name)
    else:
        raise InputError(f"{path.name}: unknown file type", hint="a .csv or .yml file")
    count = st.platform().assets.upsert(assets, actor=actor(), replace=replace)
    st.err.print(f"[green]imported[/green] {count} asset(s)")


@app.command("list", epilog="Example: garrison assets list --json")
def list_assets(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON asset per line.")] = False,
) -> None:
    """List the assets."""
    st = state(ctx)
    assets = st.platform().assets.list()
    if as_json:
        for asset in assets:
            emit_json(asset.to_dict())
        return
    table = Table("name", "importance", "owner", "addresses", "kind", title="Assets")
    for a in assets:
        table.add_row(
            escape(a.name),
            a.importance,
            escape(a.owner or ""),
            escape(" ".join(a.addresses)),
            escape(a.kind or ""),
        )
    st.out.print(table)
