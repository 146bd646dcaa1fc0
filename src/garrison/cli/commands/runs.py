"""``garrison runs``: playbook runs, their steps, approvals, blocks, and one worker pass."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from garrison.automation import Automation
from garrison.cli.commands.alerts import actor
from garrison.cli.state import State, emit_json, state
from garrison.core.timezones import resolve_zone
from garrison.respond.runs import ApprovalRecord, RunRecord, StepRecord

app = typer.Typer(help="Playbook runs and approvals.", no_args_is_help=True)

_COLOURS = {
    "succeeded": "green",
    "failed": "red",
    "rejected": "red",
    "waiting": "yellow",
    "retrying": "yellow",
    "running": "cyan",
    "skipped": "dim",
    "cancelled": "dim",
}


def _status(status: str) -> str:
    colour = _COLOURS.get(status)
    return f"[{colour}]{status}[/{colour}]" if colour else status


def print_run(
    st: State, run: RunRecord, steps: list[StepRecord], approvals: list[ApprovalRecord]
) -> None:
    """A run for people: its status, then each step with the commands it ran or would run."""
    mode = " (dry run: nothing was changed)" if run.dry_run else ""
    st.out.print(
        f"run {run.id} of [bold]{escape(run.playbook)}[/bold]: {_status(run.status)}{mode}"
    )
    if run.error:
        st.out.print(f"  error: {escape(run.error)}")
    for step in steps:
        label = step.step + (f"[{step.item}]" if step.item else "")
        what = step.action or step.kind
        st.out.print(f"  {escape(label)} ({escape(what)}): {_status(step.status)}")
        if step.error:
            st.out.print(f"      {escape(step.error)}")
        for effect in step.effects:
            prefix = "would run" if run.dry_run and effect.get("kind") == "command" else "·"
            st.out.print(f"      {prefix} {escape(str(effect.get('detail', '')))}", highlight=False)
    for approval in approvals:
        if approval.status == "waiting":
            st.out.print(
                f"  approval {approval.id} waits until {approval.due_at:%Y-%m-%d %H:%M} UTC: "
                f"{escape(approval.message)} — 'garrison runs approve {approval.id}'"
            )


@app.command("list", epilog="Example: garrison runs list --status waiting")
def list_runs(
    ctx: typer.Context,
    playbook: Annotated[str | None, typer.Option(help="Only this playbook.")] = None,
    status: Annotated[str | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON run per line.")] = False,
) -> None:
    """Playbook runs, newest first."""
    st = state(ctx)
    platform = st.platform()
    found = Automation(platform).runs.list(playbook=playbook, status=status, limit=limit)
    if as_json:
        for run in found:
            emit_json(run.to_json())
        return
    zone = resolve_zone(platform.settings.timezone)
    table = Table("id", "playbook", "status", "trigger", "started", "by", title="Playbook runs")
    for run in found:
        table.add_row(
            str(run.id),
            escape(run.playbook) + (" (dry)" if run.dry_run else ""),
            _status(run.status),
            escape(run.subject or run.trigger),
            run.created_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            escape(run.created_by),
        )
    st.out.print(table)


@app.command(epilog="Example: garrison runs show 12 --json")
def show(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="Run id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the run as JSON.")] = False,
) -> None:
    """One run with every step: arguments, commands, outputs, errors, approvals."""
    st = state(ctx)
    automation = Automation(st.platform())
    if as_json:
        emit_json(automation.view_json(run_id))
        return
    print_run(st, *automation.view(run_id))


@app.command(epilog="Example: garrison runs approvals")
def approvals(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON approval per line.")] = False,
) -> None:
    """Approvals waiting for a decision, soonest deadline first."""
    st = state(ctx)
    found = Automation(st.platform()).runs.approvals(status="waiting")
    if as_json:
        for approval in found:
            emit_json(approval.to_json())
        return
    table = Table("id", "run", "step", "asks", "approvals", "deadline (UTC)", title="Approvals")
    for a in found:
        given = sum(1 for d in a.decisions if d.decision == "approve")
        table.add_row(
            str(a.id),
            str(a.run_id),
            escape(a.step),
            escape(a.message),
            f"{given}/{a.required}",
            f"{a.due_at:%Y-%m-%d %H:%M}",
        )
    st.out.print(table)


def _decide(ctx: typer.Context, approval_id: int, decision: Any, comment: str) -> None:
    st = state(ctx)
    automation = Automation(st.platform())
    # The local shell is the administrator (as for every other CLI command).
    record = automation.decide(
        approval_id, user=actor(), roles=["admin"], decision=decision, comment=comment
    )
    st.err.print(f"approval {record.id}: {record.status}")
    run, steps, found = automation.view(record.run_id)
    print_run(st, run, steps, found)


_COMMENT = typer.Option("--comment", "-m", help="Why (kept in the audit trail).")


@app.command(epilog="Example: garrison runs approve 3 -m 'confirmed with the owner'")
def approve(
    ctx: typer.Context,
    approval_id: Annotated[int, typer.Argument(help="Approval id (see 'runs approvals').")],
    comment: Annotated[str, _COMMENT] = "",
) -> None:
    """Approve; the run goes on at once when enough approvals are in."""
    _decide(ctx, approval_id, "approve", comment)


@app.command(epilog="Example: garrison runs reject 3 -m 'the address is our scanner'")
def reject(
    ctx: typer.Context,
    approval_id: Annotated[int, typer.Argument(help="Approval id (see 'runs approvals').")],
    comment: Annotated[str, _COMMENT] = "",
) -> None:
    """Reject; the run stops."""
    _decide(ctx, approval_id, "reject", comment)


@app.command(epilog="Example: garrison runs cancel 12 --reason 'false positive'")
def cancel(
    ctx: typer.Context,
    run_id: Annotated[int, typer.Argument(help="Run id.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
) -> None:
    """Cancel an unfinished run."""
    st = state(ctx)
    run = Automation(st.platform()).cancel(run_id, actor=actor(), reason=reason)
    st.err.print(f"run {run.id}: {run.status}")


@app.command(epilog="Example: garrison runs blocks --json")
def blocks(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON block per line.")] = False,
) -> None:
    """Addresses blocked by playbooks, with their expiry."""
    st = state(ctx)
    found = Automation(st.platform()).blocks.list()
    if as_json:
        for b in found:
            emit_json(
                {
                    "address": b.address,
                    "backend": b.backend,
                    "expires_at": b.expires_at.isoformat() if b.expires_at else None,
                    "reason": b.reason,
                    "run_id": b.run_id,
                }
            )
        return
    table = Table("address", "tool", "expires (UTC)", "run", "reason", title="Blocked addresses")
    for b in found:
        table.add_row(
            b.address,
            b.backend,
            f"{b.expires_at:%Y-%m-%d %H:%M}" if b.expires_at else "never",
            str(b.run_id or ""),
            escape(b.reason),
        )
    st.out.print(table)


@app.command(epilog="Example: garrison runs work")
def work(ctx: typer.Context) -> None:
    """One pass of the response worker: start triggered runs, advance due ones, lift blocks.

    'garrison serve' does this every few seconds; this command is for cron and debugging.
    """
    st = state(ctx)
    summary = Automation(st.platform()).step()
    st.err.print(
        f"{len(summary.started)} run(s) started, {len(summary.advanced)} advanced, "
        f"{len(summary.unblocked)} block(s) lifted"
    )
