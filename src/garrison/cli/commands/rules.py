"""``garrison rules``: check Sigma rule files."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from garrison.alerts.cases import Case, find_cases, run_case
from garrison.cli.state import emit_json, state
from garrison.core.errors import UsageError
from garrison.detect.ruleset import build
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


@dataclass(frozen=True, slots=True)
class _Row:
    id: str | None
    title: str
    kind: str
    level: str | None
    tags: list[str]
    author: str | None


#: Options shared by the commands that build a rule set.
RuleFolders = Annotated[
    list[Path] | None,
    typer.Option("--rules", help="Extra Sigma rule file or folder (repeatable)."),
]
NoBuiltin = Annotated[bool, typer.Option("--no-builtin", help="Leave out the built-in rule pack.")]


@app.command("list", epilog="Example: garrison rules list --rules my-rules/ --json")
def list_rules(
    ctx: typer.Context,
    rules: RuleFolders = None,
    no_builtin: NoBuiltin = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List the detection rules and correlations that would run, with their level and tags."""
    st = state(ctx)
    detection = build(rules or [], builtin=not no_builtin)
    rows = [
        _Row(r.id, r.title, "rule", r.level, list(r.tags), r.author) for r in detection.rules
    ] + [
        _Row(
            str(c.id) if c.id else None,
            c.title,
            f"correlation:{c.type.name.lower()}",
            c.level.name.lower() if c.level else None,
            [str(t) for t in c.tags],
            c.author,
        )
        for c in detection.correlations
    ]
    if as_json:
        emit_json([asdict(row) for row in rows])
    else:
        table = Table("title", "kind", "level", "tags", title="Rules")
        for row in rows:
            table.add_row(row.title, row.kind, row.level or "", " ".join(row.tags))
        st.out.print(table)
    for problem in detection.problems:
        st.err.print(f"[yellow]{problem}[/yellow]")


@app.command(
    "test",
    epilog=(
        "Examples: garrison rules test tests/regression ·"
        " garrison rules test my-cases/ --rules my-rules/ --json"
    ),
)
def test_rules(
    ctx: typer.Context,
    cases: Annotated[
        list[Path], typer.Argument(help="Case folders (with case.json) or folders of them.")
    ],
    rules: RuleFolders = None,
    no_builtin: NoBuiltin = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON result per line.")] = False,
) -> None:
    """Check that rules fire on their positive samples and not on their negative ones."""
    st = state(ctx)
    detection = build(rules or [], builtin=not no_builtin)
    for problem in detection.problems:
        st.err.print(f"[yellow]{problem}[/yellow]")
    folders = find_cases(cases)
    if not folders:
        raise UsageError("no case found", hint="a case is a folder with case.json")
    results = [run_case(detection, Case.load(folder)) for folder in folders]
    failed = [r for r in results if not r.ok]
    if as_json:
        for result in results:
            emit_json(result.to_dict())
    else:
        table = Table("case", "rule", "result", "why", title="Rule tests")
        for result in results:
            table.add_row(
                result.case.folder.name,
                result.case.rule,
                "[green]pass[/green]" if result.ok else "[red]FAIL[/red]",
                "; ".join(result.problems),
            )
        st.out.print(table)
        st.err.print(f"{len(results) - len(failed)} passed, {len(failed)} failed")
    if failed or detection.problems:
        raise typer.Exit(1)
