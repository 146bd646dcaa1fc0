"""``garrison jobs``: the scheduler's jobs, their history, and a run by hand."""

from __future__ import annotations

import json
from datetime import datetime, tzinfo
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from garrison.cli.commands.alerts import actor
from garrison.cli.state import State, emit_json, state
from garrison.core.errors import InputError
from garrison.core.timezones import resolve_zone
from garrison.scheduler.jobs import JobSpec
from garrison.serve.jobkinds import KINDS
from garrison.serve.scheduling import Scheduler
from garrison.storage.sql.jobs import JobRun

app = typer.Typer(
    help="Scheduled jobs (scans, reports, retention, playbooks).", no_args_is_help=True
)

_COLOURS = {"ok": "green", "failed": "red", "abandoned": "red", "running": "cyan", "skipped": "dim"}


def _scheduler(st: State) -> Scheduler:
    scheduler = Scheduler(st.platform(), holder="cli")
    scheduler.ensure_builtin()
    return scheduler


def _when(value: datetime | None, zone: tzinfo) -> str:
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M") if value else "-"


def _args(pairs: list[str] | None, raw: str | None) -> dict[str, Any]:
    """Arguments from ``--arg name=value`` (values read as JSON when they parse) or ``--args``."""
    found: dict[str, Any] = {}
    if raw:
        try:
            loaded = json.loads(raw)
        except json.JSONDecodeError as exc:
            raise InputError(f"--args is not JSON: {exc.msg} at column {exc.colno}") from None
        if not isinstance(loaded, dict):
            raise InputError("--args must be a JSON object")
        found.update(loaded)
    for pair in pairs or []:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise InputError(f"--arg {pair!r} is not name=value")
        try:
            found[name] = json.loads(value)
        except json.JSONDecodeError:
            found[name] = value
    return found


def _print_run(st: State, run: JobRun, zone: tzinfo) -> None:
    colour = _COLOURS.get(run.status, "white")
    took = f" in {run.duration.total_seconds():.1f} s" if run.duration is not None else ""
    st.out.print(
        f"{escape(run.job)} ({_when(run.slot, zone)}): [{colour}]{run.status}[/{colour}]{took}"
    )
    for text in (run.summary, run.error):
        if text:
            st.out.print(f"  {escape(text)}", highlight=False)


@app.command("list", epilog="Example: garrison jobs list --json")
def list_jobs(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON job per line.")] = False,
) -> None:
    """Every job with its schedule and when it runs next."""
    st = state(ctx)
    scheduler = _scheduler(st)
    found = scheduler.jobs.list()
    if as_json:
        for job in found:
            emit_json(job.to_json())
        return
    zone = scheduler.jobs.zone
    table = Table("name", "kind", "cron", "missed", "next run", "arguments", title="Jobs")
    for job in found:
        spec = job.spec
        table.add_row(
            escape(job.name),
            escape(spec.kind),
            escape(spec.cron) + (f" ({escape(spec.timezone)})" if spec.timezone else ""),
            spec.missed,
            _when(job.next_run, zone) if spec.enabled else "[dim]disabled[/dim]",
            escape(json.dumps(spec.args, ensure_ascii=False)) if spec.args else "",
        )
    st.out.print(table)
    holder = scheduler.jobs.holder("scheduler")
    st.out.print(f"leader: {escape(holder) if holder else 'none (no garrison serve running)'}")


@app.command(epilog="Example: garrison jobs kinds")
def kinds(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The kinds of job and the arguments each takes."""
    st = state(ctx)
    rows: list[dict[str, Any]] = [
        {"kind": k.name, "summary": k.summary, "args": list(k.args.model_fields)}
        for k in KINDS.values()
    ]
    if as_json:
        emit_json(rows)
        return
    table = Table("kind", "what it does", "arguments", title="Job kinds")
    for row in rows:
        table.add_row(row["kind"], row["summary"], ", ".join(row["args"]) or "-")
    st.out.print(table)


@app.command(
    epilog=(
        "Example: garrison jobs add monthly-report --kind report --cron '0 8 1 * *' "
        "--arg language=zh-CN"
    )
)
def add(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Job name (lower case, digits, _ . -).")],
    kind: Annotated[str, typer.Option(help="What it runs: see 'garrison jobs kinds'.")],
    cron: Annotated[str, typer.Option(help="Five-field cron expression, e.g. '0 7 * * 1-5'.")],
    arg: Annotated[
        list[str] | None, typer.Option("--arg", help="An argument as name=value (repeatable).")
    ] = None,
    args: Annotated[str | None, typer.Option(help="All arguments as a JSON object.")] = None,
    timezone: Annotated[
        str | None, typer.Option(help="IANA zone of the cron expression (default: the site's).")
    ] = None,
    missed: Annotated[str, typer.Option(help="Missed slots: once, all or skip.")] = "once",
    disabled: Annotated[bool, typer.Option(help="Add it switched off.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the job as JSON.")] = False,
) -> None:
    """Add a job, or replace the one of that name."""
    st = state(ctx)
    spec = JobSpec.from_json(
        {
            "name": name,
            "kind": kind,
            "cron": cron,
            "args": _args(arg, args),
            "timezone": timezone,
            "missed": missed,
            "enabled": not disabled,
        }
    )
    scheduler = _scheduler(st)
    job = scheduler.add(spec, actor=actor())
    if as_json:
        emit_json(job.to_json())
        return
    st.out.print(
        f"job {escape(job.name)} saved; next run {_when(job.next_run, scheduler.jobs.zone)}"
    )


@app.command(epilog="Example: garrison jobs remove monthly-report")
def remove(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Job name.")],
) -> None:
    """Remove a job (its history stays)."""
    st = state(ctx)
    _scheduler(st).jobs.remove(name, actor=actor())
    st.out.print(f"job {escape(name)} removed")


@app.command(epilog="Example: garrison jobs enable retention")
def enable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Job name.")],
) -> None:
    """Schedule a job again, from now on (missed slots are not caught up)."""
    st = state(ctx)
    scheduler = _scheduler(st)
    job = scheduler.jobs.enable(name, actor=actor())
    st.out.print(f"job {escape(name)} enabled; next run {_when(job.next_run, scheduler.jobs.zone)}")


@app.command(epilog="Example: garrison jobs disable scans")
def disable(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Job name.")],
) -> None:
    """Stop scheduling a job (it stays listed, with its history)."""
    st = state(ctx)
    _scheduler(st).jobs.disable(name, actor=actor())
    st.out.print(f"job {escape(name)} disabled")


@app.command("run", epilog="Example: garrison jobs run housekeeping")
def run_job(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Job name.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
) -> None:
    """Run a job once now, outside its schedule; exits 1 when it fails."""
    st = state(ctx)
    scheduler = _scheduler(st)
    record = scheduler.run_now(name, actor=actor())
    if as_json:
        emit_json(record.to_json())
    else:
        _print_run(st, record, scheduler.jobs.zone)
    if record.status != "ok":
        raise typer.Exit(1)


@app.command(epilog="Example: garrison jobs history --job scans --limit 20")
def history(
    ctx: typer.Context,
    job: Annotated[str | None, typer.Option(help="Only this job.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON run per line.")] = False,
) -> None:
    """Runs of jobs, newest first: when, how long, what they did or why they failed."""
    st = state(ctx)
    scheduler = _scheduler(st)
    found = scheduler.jobs.history(job=job, status=status, limit=limit)
    if as_json:
        for record in found:
            emit_json(record.to_json())
        return
    if not found:
        st.out.print("no job has run yet")
    zone = resolve_zone(st.platform().settings.timezone)
    for record in found:
        _print_run(st, record, zone)
