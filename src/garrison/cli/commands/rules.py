"""``garrison rules``: check Sigma rule files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from garrison.cli.state import emit_json, state
from garrison.rules.loader import load

app = typer.Typer(help="Sigma detection rules.", no_args_is_help=True)


@app.command("lint", epilog="Example: garrison rules lint rules/ extra/brute_force.yml --json")
def lint(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Rule files (.yml/.yaml) or folders.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Load Sigma rules (and correlation rules) and report every problem with file and line."""
    st = state(ctx)
    result = load(paths)
    if as_json:
        emit_json(
            {
                "ok": result.ok,
                "files": result.files,
                "rules": len(result.rules),
                "correlations": len(result.correlations),
                "problems": [
                    {
                        "path": str(p.path),
                        "line": p.line,
                        "severity": p.severity,
                        "rule": p.rule,
                        "message": p.message,
                    }
                    for p in result.problems
                ],
            }
        )
    else:
        if result.problems:
            table = Table("where", "severity", "rule", "problem", title="Rule problems")
            for p in result.problems:
                table.add_row(f"{p.path}:{p.line}", p.severity, p.rule or "", p.message)
            st.out.print(table)
        st.err.print(
            f"{result.files} file(s): {len(result.rules)} rule(s) and"
            f" {len(result.correlations)} correlation(s) loaded,"
            f" {len(result.problems)} problem(s)"
        )
    if not result.ok:
        raise typer.Exit(1)
