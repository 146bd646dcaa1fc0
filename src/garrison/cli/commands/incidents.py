"""``garrison incidents``: open, grade, move through phases, and report incidents."""

from __future__ import annotations

from datetime import datetime, tzinfo
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from garrison.cli.commands.alerts import actor
from garrison.cli.state import emit_json, state
from garrison.core.errors import InputError, UsageError
from garrison.core.timezones import resolve_zone
from garrison.incidents.grading import IMPACT, LOSS, Grade, category_name
from garrison.incidents.model import Incident
from garrison.incidents.phases import Phase
from garrison.incidents.sla import ClockState, Milestone
from garrison.incidents.tasks import ROLES

app = typer.Typer(help="Incidents: grades, SLA clocks, phases, tasks.", no_args_is_help=True)

_GRADE_STYLE = {
    "I": "bold white on red",
    "II": "bold black on dark_orange",
    "III": "black on yellow",
    "IV": "white on blue",
}
_CLOCK_STYLE = {
    ClockState.RUNNING: "",
    ClockState.WARNING: "yellow",
    ClockState.BREACHED: "bold red",
    ClockState.MET: "green",
    ClockState.MET_LATE: "red",
}


def _when(value: datetime | None, zone: tzinfo) -> str:
    if value is None:
        return "—"
    return value.astimezone(zone).strftime("%Y-%m-%d %H:%M")


def _grade(grade: Grade) -> str:
    style = _GRADE_STYLE[grade.value]
    return f"[{style}] {grade.value} [/{style}]"


@app.command("list", epilog="Example: garrison incidents list --all --json")
def list_incidents(
    ctx: typer.Context,
    everything: Annotated[bool, typer.Option("--all", help="Closed ones too.")] = False,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 100,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON incident per line.")] = False,
) -> None:
    """List incidents, most severe and newest first, with the next SLA deadline."""
    st = state(ctx)
    platform = st.platform()
    now = platform.now()
    found = platform.incidents.list(open_only=not everything, limit=limit)
    if as_json:
        for incident in found:
            emit_json(incident.to_dict(now))
        return
    zone = resolve_zone(st.settings.timezone)
    table = Table("id", "grade", "title", "phase", "next deadline", "alerts", title="Incidents")
    for incident in found:
        running = [d for d in incident.deadlines if d.met_at is None]
        soonest = min(running, key=lambda d: d.due, default=None)
        deadline = "—"
        if soonest is not None:
            style = _CLOCK_STYLE[soonest.state(now)] or "white"
            deadline = f"[{style}]{soonest.kind} {_when(soonest.due, zone)}[/{style}]"
        table.add_row(
            str(incident.id),
            _grade(incident.grade),
            escape(incident.title),
            incident.phase.value,
            deadline,
            str(len(incident.alert_ids)),
        )
    st.out.print(table)


def _show(out: Console, incident: Incident, now: datetime, zone: tzinfo, language: str) -> None:
    out.print(
        f"{_grade(incident.grade)} [bold]#{incident.id} {escape(incident.title)}[/bold]"
        f"  phase: {incident.phase.value}"
    )
    out.print(
        f"category: {category_name(incident.category, language)} / {incident.subcategory or '—'}"
        f"  type: {incident.type}  importance: {incident.importance}  loss: {incident.loss}"
        f"  impact: {incident.impact}"
    )
    if incident.grade_reason:
        out.print(
            f"grade overridden (computed {incident.computed_grade}):"
            f" {escape(incident.grade_reason)}"
        )
    clocks = Table("clock", "due", "state", "met", title="SLA clocks")
    for d in incident.deadlines:
        state_ = d.state(now)
        style = _CLOCK_STYLE[state_] or "white"
        clocks.add_row(
            d.kind, _when(d.due, zone), f"[{style}]{state_.value}[/{style}]", _when(d.met_at, zone)
        )
    out.print(clocks)
    tasks = Table("id", "phase", "role", "due", "done", "task", title="Tasks")
    for task in incident.tasks:
        title = task.title_zh if language == "zh-CN" else task.title_en
        tasks.add_row(
            str(task.id),
            task.phase.value,
            task.role,
            _when(task.due, zone),
            _when(task.done_at, zone),
            escape(title),
        )
    out.print(tasks)


@app.command("show", epilog="Example: garrison incidents show 7 --json")
def show(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """One incident: grade, clocks with their state, tasks, alerts."""
    st = state(ctx)
    platform = st.platform()
    incident = platform.incidents.get(incident_id)
    now = platform.now()
    if as_json:
        data = incident.to_dict(now)
        data["timeline"] = [e.to_dict() for e in platform.incidents.timeline(incident_id)]
        emit_json(data)
        return
    _show(st.out, incident, now, resolve_zone(st.settings.timezone), "en")


_GRADE_OPT = Annotated[str | None, typer.Option(help="I-IV: override the computed grade.")]


@app.command(
    "open",
    epilog="Example: garrison incidents open --title 'SSH brute force on bastion' --alert 12"
    " --alert 13 --json",
)
def open_incident(
    ctx: typer.Context,
    title: Annotated[str, typer.Option(help="Short description.")],
    alert: Annotated[
        list[int] | None, typer.Option("--alert", help="Alert id (repeatable).")
    ] = None,
    grade: _GRADE_OPT = None,
    reason: Annotated[
        str | None, typer.Option(help="Why the grade differs from the computed one.")
    ] = None,
    incident_type: Annotated[
        str | None, typer.Option("--type", help="brute_force, malware, data_leak, ...")
    ] = None,
    category: Annotated[str | None, typer.Option(help="GB/T 20986 category code.")] = None,
    subcategory: Annotated[str | None, typer.Option(help="Its subcategory.")] = None,
    loss: Annotated[str, typer.Option(help=", ".join(LOSS))] = "considerable",
    impact: Annotated[str, typer.Option(help=", ".join(IMPACT))] = "general",
    summary: Annotated[str | None, typer.Option(help="What is known so far.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the incident as JSON.")] = False,
) -> None:
    """Open an incident (from alerts or by hand); prints it with its SLA deadlines."""
    st = state(ctx)
    platform = st.platform()
    incident = platform.incidents.open(
        title,
        actor=actor(),
        alert_ids=alert or [],
        incident_type=incident_type,
        category=category,
        subcategory=subcategory,
        loss=loss,
        impact=impact,
        grade=Grade.parse(grade) if grade else None,
        grade_reason=reason,
        summary=summary,
    )
    if as_json:
        emit_json(incident.to_dict(platform.now()))
        return
    st.err.print(f"[green]opened[/green] incident {incident.id}")
    _show(st.out, incident, platform.now(), resolve_zone(st.settings.timezone), "en")


@app.command(
    "transition",
    epilog="Example: garrison incidents transition 7 contain --reason 'confirmed: real attack'",
)
def move(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    phase: Annotated[
        str, typer.Argument(help="triage, contain, eradicate, recover, review, closed.")
    ],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print the incident as JSON.")] = False,
) -> None:
    """Move an incident to its next phase (invalid moves are refused)."""
    st = state(ctx)
    platform = st.platform()
    try:
        target = Phase(phase)
    except ValueError:
        raise UsageError(f"unknown phase {phase!r}", hint=", ".join(Phase)) from None
    incident = platform.incidents.transition(incident_id, target, actor=actor(), reason=reason)
    if as_json:
        emit_json(incident.to_dict(platform.now()))
    else:
        st.err.print(f"incident {incident_id}: {incident.phase.value}")


@app.command(
    "mark", epilog="Example: garrison incidents mark 7 reported --note 'told the CISO by phone'"
)
def mark(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    milestone: Annotated[str, typer.Argument(help="reported, escalated, report_filed, reviewed.")],
    note: Annotated[str, typer.Option(help="What was done.")] = "",
) -> None:
    """Record a milestone reached by hand (it stops its SLA clock)."""
    st = state(ctx)
    platform = st.platform()
    try:
        reached = Milestone(milestone)
    except ValueError:
        raise UsageError(
            f"unknown milestone {milestone!r}", hint="reported, escalated, report_filed, reviewed"
        ) from None
    platform.incidents.mark(incident_id, reached, actor=actor(), note=note)
    st.err.print(f"incident {incident_id}: {milestone}")


@app.command(
    "regrade", epilog="Example: garrison incidents regrade 7 II --reason 'customer data involved'"
)
def regrade(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    grade: Annotated[str, typer.Argument(help="I, II, III or IV.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
) -> None:
    """Change an incident's grade; its clocks follow."""
    st = state(ctx)
    platform = st.platform()
    incident = platform.incidents.regrade(
        incident_id, Grade.parse(grade), actor=actor(), reason=reason
    )
    st.err.print(f"incident {incident_id}: grade {incident.grade.value}")


@app.command(
    "report",
    epilog="Example: garrison incidents report 7 --lang zh-CN --format pdf -o incident-7.pdf",
)
def report(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    lang: Annotated[str, typer.Option("--lang", help="zh-CN or en.")] = "zh-CN",
    fmt: Annotated[str, typer.Option("--format", help="pdf or html.")] = "pdf",
) -> None:
    """Write the post-incident report (安全事件处置报告) with personal data masked."""
    st = state(ctx)
    platform = st.platform()
    data = platform.incident_report(incident_id, language=lang, fmt=fmt)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from exc
    st.err.print(f"[green]wrote[/green] {output} ({len(data):,} bytes)")


@app.command("assign", epilog="Example: garrison incidents assign 12 li.na")
def assign(
    ctx: typer.Context,
    task_id: Annotated[int, typer.Argument(help="Task id (see 'incidents show').")],
    owner: Annotated[str, typer.Argument(help="User name of the new owner.")],
) -> None:
    """Give a response task an owner; the owner is notified."""
    st = state(ctx)
    platform = st.platform()
    platform.incidents.assign_task(task_id, owner, actor=actor())
    platform.send_notifications()
    st.err.print(f"task {task_id}: {owner}")


@app.command("done", epilog="Example: garrison incidents done 12")
def done(ctx: typer.Context, task_id: Annotated[int, typer.Argument(help="Task id.")]) -> None:
    """Mark a response task done."""
    st = state(ctx)
    st.platform().incidents.complete_task(task_id, actor=actor())
    st.err.print(f"task {task_id}: done")


@app.command("merge", epilog="Example: garrison incidents merge 7 9 --reason 'same attacker'")
def merge_command(
    ctx: typer.Context,
    target: Annotated[int, typer.Argument(help="The incident that stays.")],
    source: Annotated[int, typer.Argument(help="The incident merged into it (then closed).")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
) -> None:
    """Merge one open incident into another."""
    st = state(ctx)
    merged = st.platform().merge_incidents(target, source, actor=actor(), reason=reason)
    st.err.print(f"incident {source} merged into {target} ({len(merged.alert_ids)} alerts)")


@app.command(
    "split", epilog="Example: garrison incidents split 7 --alert 31 --title 'Phishing' --reason r"
)
def split_command(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    alert: Annotated[list[int], typer.Option("--alert", help="Alert to move (repeatable).")],
    title: Annotated[str, typer.Option(help="Title of the new incident.")],
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")],
) -> None:
    """Move alerts out of an incident into a new one."""
    st = state(ctx)
    new = st.platform().split_incident(
        incident_id, alert, title=title, actor=actor(), reason=reason
    )
    st.err.print(f"incident {new.id} opened from {len(new.alert_ids)} alert(s)")


@app.command("evidence", epilog="Example: garrison incidents evidence 7 --add capture.pcap")
def evidence(
    ctx: typer.Context,
    incident_id: Annotated[int, typer.Argument(help="Incident id.")],
    add: Annotated[Path | None, typer.Option(help="A file to seal and attach.")] = None,
    event: Annotated[str | None, typer.Option(help="A stored event id to attach.")] = None,
    export: Annotated[str | None, typer.Option(help="Evidence id to write out (-o).")] = None,
    output: Annotated[Path | None, typer.Option("-o", "--output", help="For --export.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """List, add (file or event) or export an incident's evidence; every access is logged."""
    st = state(ctx)
    ledger = st.platform().evidence
    if add is not None:
        with add.open("rb") as handle:
            item = ledger.add_file(incident_id, add.name, handle, actor=actor())
        st.err.print(f"[green]sealed[/green] {item.name} sha256={item.sha256} id={item.id}")
    if event is not None:
        item = ledger.add_event(incident_id, event, actor=actor())
        st.err.print(f"attached event {event} id={item.id}")
    if export is not None:
        if output is None:
            raise UsageError("--export needs -o FILE")
        found, data = ledger.read(export, actor=actor(), purpose="export")
        output.write_bytes(data)
        st.err.print(f"wrote {output} (sha256 {found.sha256} verified)")
    items = ledger.list(incident_id)
    if as_json:
        for it in items:
            emit_json(it.to_dict())
        return
    table = Table("id", "kind", "name", "sha256", "size", "added by", "added", title="Evidence")
    for it in items:
        table.add_row(
            it.id,
            it.kind,
            escape(it.name),
            (it.sha256 or "")[:16],
            f"{it.size:,}" if it.size is not None else "",
            escape(it.added_by),
            it.added_at.strftime("%Y-%m-%d %H:%M"),
        )
    st.out.print(table)


@app.command("responders", epilog="Example: garrison incidents responders --add command zhang.wei")
def responders(
    ctx: typer.Context,
    add: Annotated[
        tuple[str, str] | None, typer.Option(help="ROLE USER: put a user in a role.")
    ] = None,
    remove: Annotated[
        tuple[str, str] | None, typer.Option(help="ROLE USER: take a user out of a role.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """The response organisation: command group, technical team, communication team."""
    st = state(ctx)
    store = st.platform().responders
    if add is not None:
        store.add(add[0], add[1], actor=actor())
    if remove is not None:
        store.remove(remove[0], remove[1], actor=actor())
    members = store.members()
    if as_json:
        emit_json(members)
        return
    table = Table("role", "members", title="Response organisation")
    for role, names in members.items():
        zh, en = ROLES.get(role, (role, role))
        table.add_row(f"{role} ({zh} / {en})", ", ".join(names) or "—")
    st.out.print(table)
