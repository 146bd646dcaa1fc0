"""``garrison playbooks``: list, lint, show, run, dry-run, and the editors' JSON Schema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from garrison.automation import Automation
from garrison.cli.commands.alerts import actor
from garrison.cli.commands.runs import print_run
from garrison.cli.state import emit_json, state
from garrison.core.errors import UsageError
from garrison.respond.loader import load_catalog
from garrison.respond.schema import json_schema

app = typer.Typer(help="Response playbooks (docs/playbooks.md).", no_args_is_help=True)


def _inputs(pairs: list[str] | None) -> dict[str, Any]:
    given: dict[str, Any] = {}
    for pair in pairs or ():
        name, sep, value = pair.partition("=")
        if not sep or not name.strip():
            raise UsageError(f"--input takes name=value, not {pair!r}")
        given[name.strip()] = value
    return given


def _context(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise UsageError(f"cannot read the context file {path}: {exc}") from None
    if not isinstance(value, dict):
        raise UsageError("the context file holds a JSON object (alert, event, incident)")
    return value


@app.command("list", epilog="Example: garrison playbooks list --json")
def list_playbooks(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON playbook per line.")] = False,
) -> None:
    """Every playbook (shipped and configured) with its trigger and steps."""
    st = state(ctx)
    automation = Automation(st.platform())
    catalog = automation.catalog()
    if as_json:
        for loaded in catalog.playbooks.values():
            p = loaded.playbook
            emit_json(
                {
                    "id": p.id,
                    "title": p.title_in("en"),
                    "title_zh": p.title_in("zh-CN"),
                    "enabled": p.enabled,
                    "path": loaded.path,
                    "revision": loaded.revision,
                    "trigger": p.trigger.model_dump(mode="json", exclude_none=True),
                    "steps": [s.id for s in p.steps],
                }
            )
        return
    table = Table("id", "title", "trigger", "steps", "source", title="Playbooks")
    for loaded in catalog.playbooks.values():
        p = loaded.playbook
        trigger = (
            ", ".join(k for k in ("alert", "incident", "schedule") if getattr(p.trigger, k))
            or "manual"
        )
        table.add_row(
            p.id + ("" if p.enabled else " (off)"),
            escape(p.title_in("en")) + "\n" + escape(p.title_in("zh-CN")),
            trigger,
            str(len(p.steps)),
            "shipped" if loaded.builtin else escape(loaded.path),
        )
    st.out.print(table)
    for problem in catalog.problems:
        st.err.print(f"[yellow]{escape(str(problem))}[/yellow]")


@app.command(epilog="Example: garrison playbooks lint ./my-playbooks")
def lint(
    ctx: typer.Context,
    paths: Annotated[
        list[Path] | None, typer.Argument(help="Playbook files or folders (default: configured).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Check playbooks and report every problem with file and line (exit 1 on any)."""
    st = state(ctx)
    if paths:
        catalog = load_catalog(paths, builtin=False)
    else:
        response = st.settings.response
        catalog = load_catalog(response.playbooks, builtin=response.builtin_playbooks)
    if as_json:
        emit_json(
            {
                "ok": not catalog.problems,
                "playbooks": sorted(catalog.playbooks),
                "problems": [
                    {"path": p.path, "line": p.line, "message": p.message} for p in catalog.problems
                ],
            }
        )
    else:
        for problem in catalog.problems:
            st.out.print(f"{escape(problem.path)}:{problem.line}: {escape(problem.message)}")
        st.err.print(
            f"{len(catalog.playbooks)} playbook(s) valid, {len(catalog.problems)} problem(s)"
        )
    if catalog.problems:
        raise typer.Exit(1)


@app.command(epilog="Example: garrison playbooks show brute-force-block")
def show(
    ctx: typer.Context,
    playbook_id: Annotated[str, typer.Argument(help="Playbook id.")],
) -> None:
    """Print a playbook's YAML."""
    st = state(ctx)
    loaded = Automation(st.platform()).playbook(playbook_id)
    st.out.print(escape(loaded.source), highlight=False)


def _start(
    ctx: typer.Context,
    playbook_id: str,
    inputs: list[str] | None,
    context: Path | None,
    alert: int | None,
    as_json: bool,
    dry_run: bool,
) -> None:
    st = state(ctx)
    platform = st.platform()
    automation = Automation(platform)
    run = automation.start_manual(
        playbook_id,
        actor=actor(),
        inputs=_inputs(inputs),
        dry_run=dry_run,
        alert_id=alert,
        context=_context(context),
    )
    if as_json:
        emit_json(automation.view_json(run.id))
    else:
        _, steps, approvals = automation.view(run.id)
        print_run(st, run, steps, approvals)
    if run.status in ("failed", "rejected"):
        raise typer.Exit(1)


_INPUT = typer.Option("--input", "-i", help="An input as name=value (repeatable).")
_CONTEXT = typer.Option(help="A JSON file with the trigger's data (alert, event, incident).")
_ALERT = typer.Option(help="Run on this stored alert (its data becomes the context).")
_JSON = typer.Option("--json", help="Print the run as JSON.")


@app.command(epilog="Example: garrison playbooks run brute-force-block -i address=203.0.113.7")
def run(
    ctx: typer.Context,
    playbook_id: Annotated[str, typer.Argument(help="Playbook id.")],
    inputs: Annotated[list[str] | None, _INPUT] = None,
    context: Annotated[Path | None, _CONTEXT] = None,
    alert: Annotated[int | None, _ALERT] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Run a playbook now; it goes as far as it can (approvals wait in 'garrison runs')."""
    _start(ctx, playbook_id, inputs, context, alert, as_json, dry_run=False)


@app.command("dry-run", epilog="Example: garrison playbooks dry-run brute-force-block --alert 12")
def dry_run(
    ctx: typer.Context,
    playbook_id: Annotated[str, typer.Argument(help="Playbook id.")],
    inputs: Annotated[list[str] | None, _INPUT] = None,
    context: Annotated[Path | None, _CONTEXT] = None,
    alert: Annotated[int | None, _ALERT] = None,
    as_json: Annotated[bool, _JSON] = False,
) -> None:
    """Resolve every step and print the exact commands and requests, changing nothing."""
    _start(ctx, playbook_id, inputs, context, alert, as_json, dry_run=True)


@app.command(epilog="Example: garrison playbooks schema -o playbook.schema.json")
def schema(
    ctx: typer.Context,
    output: Annotated[Path | None, typer.Option("-o", help="Write to this file.")] = None,
) -> None:
    """The JSON Schema of playbook files, for editors."""
    text = json.dumps(json_schema(), indent=2, ensure_ascii=False) + "\n"
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        state(ctx).err.print(f"wrote {output}")
