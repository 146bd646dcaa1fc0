"""``garrison check``: baseline and compliance checks (configuration files for now)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from garrison.checks.base import Facts, Status
from garrison.checks.collectors import docker_run
from garrison.checks.loader import all_checks, select
from garrison.checks.runner import finding, run_checks
from garrison.cli.state import emit_json, state
from garrison.core.errors import InputError

app = typer.Typer(help="Baseline and compliance checks.", no_args_is_help=True)

_STYLE = {"fail": "bold red", "pass": "green", "manual": "yellow", "error": "magenta"}


@app.command("list", epilog="Example: garrison check list --json")
def list_checks(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON check per line.")] = False,
) -> None:
    """The checks, with severity and framework mappings."""
    st = state(ctx)
    checks = all_checks()
    if as_json:
        for check in checks:
            emit_json(check.metadata.model_dump(by_alias=True))
        return
    table = Table("id", "area", "severity", "title", "等保2.0", "CIS", title="Checks")
    for check in checks:
        meta = check.metadata
        table.add_row(
            meta.id,
            meta.area,
            meta.severity,
            meta.title.en,
            ", ".join(meta.mappings.dengbao),
            ", ".join(meta.mappings.cis),
        )
    st.out.print(table)


@app.command(
    "config", epilog="Example: garrison check config deploy/ README.md --json > findings.jsonl"
)
def config(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to scan.")],
    check: Annotated[
        list[str] | None, typer.Option("--check", help="Only these check ids (repeatable).")
    ] = None,
    all_results: Annotated[bool, typer.Option("--all", help="Show passing results too.")] = False,
    exit_zero: Annotated[
        bool, typer.Option("--exit-zero", help="Exit 0 even when checks fail.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON finding per line.")] = False,
) -> None:
    """Check shell scripts and Markdown for risky ``docker run`` lines (file and line)."""
    st = state(ctx)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(f"no such file or folder: {missing[0]}")
    checks = [c for c in select("container", tuple(check or ())) if "docker_run" in c.needs]
    facts = Facts(target="config", values={"docker_run": docker_run.collect(paths)})
    by_id = {c.id: c for c in checks}
    results = run_checks(checks, facts)
    shown = [r for r in results if all_results or r.status is not Status.PASS]
    shown.sort(key=lambda r: (r.resource, r.line or 0, r.check_id))
    if as_json:
        for result in shown:
            emit_json(finding(result, by_id[result.check_id], facts.target))
    else:
        table = Table("status", "severity", "check", "file:line", "message", title="Findings")
        for result in shown:
            style = _STYLE.get(result.status.value, "")
            severity = by_id[result.check_id].metadata.severity
            table.add_row(
                f"[{style}]{result.status.value}[/{style}]" if style else result.status.value,
                severity,
                result.check_id,
                escape(f"{result.resource}:{result.line or ''}"),
                escape(result.message),
            )
        st.out.print(table)
        failed = sum(r.status is Status.FAIL for r in results)
        st.err.print(
            f"{len(facts.values['docker_run'])} docker run line(s), {len(checks)} check(s),"
            f" {failed} failure(s)"
        )
    if any(r.status in (Status.FAIL, Status.ERROR) for r in results) and not exit_zero:
        raise typer.Exit(1)
