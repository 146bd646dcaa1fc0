"""``garrison alerts``: stored alerts, live detection, suppressions and snoozes."""

from __future__ import annotations

import getpass
from datetime import datetime
from typing import Annotated

import typer
from rich.table import Table

from garrison.alerts.live import StepReport
from garrison.alerts.query import AlertFilter
from garrison.alerts.suppress import parse_conditions
from garrison.cli.state import State, emit_json, state
from garrison.core.timezones import resolve_zone
from garrison.search.timeparse import parse_duration, parse_time

app = typer.Typer(help="Stored alerts, live detection, suppressions.", no_args_is_help=True)

_LEVEL_STYLE = {"critical": "bold red", "high": "red", "medium": "yellow", "low": "cyan"}


def actor() -> str:
    """Who runs the command, for the audit trail."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (containers)
        return "cli:unknown"


@app.command("list", epilog="Example: garrison alerts list --level high --since 24h --json")
def list_alerts(
    ctx: typer.Context,
    status: Annotated[
        list[str] | None,
        typer.Option(
            "--status",
            help="new, acknowledged, closed, suppressed (repeatable; default: all but suppressed).",
        ),
    ] = None,
    level: Annotated[str | None, typer.Option(help="This level and above.")] = None,
    rule: Annotated[str | None, typer.Option(help="Only this rule id.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Last seen at or after: 24h, 7d, 2026-11-23, ...")
    ] = None,
    limit: Annotated[int, typer.Option(help="At most this many (newest first).")] = 100,
    offset: Annotated[int, typer.Option(help="Skip this many (paging).")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON alert per line.")] = False,
) -> None:
    """List stored alerts, most recently seen first."""
    st = state(ctx)
    platform = st.platform()
    zone = resolve_zone(st.settings.timezone)
    start = parse_time(since, platform.now(), zone) if since else None
    where = AlertFilter(
        statuses=tuple(status or ()),
        min_level=level,
        rule_id=rule,
        since=start,
        limit=limit,
        offset=offset,
    )
    found = platform.alerts.search(where)
    if as_json:
        for item in found:
            emit_json(item.to_dict())
        return
    table = Table("id", "last seen", "level", "rule", "group", "count", "status", title="Alerts")
    for item in found:
        alert = item.alert
        style = _LEVEL_STYLE.get(alert.level or "", "")
        table.add_row(
            str(item.id),
            alert.last_seen.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
            f"[{style}]{alert.level or ''}[/{style}]" if style else alert.level or "",
            alert.title,
            ", ".join(f"{k}={v}" for k, v in alert.group.items()),
            str(alert.count),
            item.status,
        )
    st.out.print(table)
    if not found:
        st.err.print("no alerts match; new events are detected on by 'garrison alerts detect'")


@app.command("show", epilog="Example: garrison alerts show 42 --json")
def show(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="Alert id (see 'garrison alerts list').")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Show one alert with its contributing event ids."""
    st = state(ctx)
    item = st.platform().alerts.get(alert_id)
    data = item.to_dict()
    if as_json:
        emit_json(data)
        return
    table = Table(show_header=False, title=f"Alert {item.id}")
    for key, value in data.items():
        if isinstance(value, list):
            value = "\n".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = ", ".join(f"{k}={v}" for k, v in value.items())
        table.add_row(key, "" if value is None else str(value))
    st.out.print(table)


@app.command("detect", epilog="Example: garrison alerts detect --json")
def detect(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="Print the totals as JSON.")] = False,
) -> None:
    """Detect on every stored event not detected on yet (ingest and serve do this too)."""
    st = state(ctx)
    platform = st.platform()
    total = StepReport()

    def tick(step: StepReport) -> None:
        total.add(step)
        if not as_json:
            st.err.print(f"detected on {total.events} events ...", end="\r")

    platform.detect(tick)
    _report(st, total, as_json=as_json)


def _report(st: State, total: StepReport, *, as_json: bool) -> None:
    data = {
        "events": total.events,
        "matches": total.matches,
        "new_alerts": total.new_alerts,
        "updated_alerts": total.updated_alerts,
        "suppressed": total.suppressed,
    }
    if as_json:
        emit_json(data)
        return
    st.err.print(
        f"detection: {total.events} events, {total.new_alerts} new alert(s),"
        f" {total.updated_alerts} updated, {total.suppressed} suppressed"
    )


@app.command(
    "suppress",
    epilog=(
        "Examples: garrison alerts suppress --rule <id> --where source.ip=10.0.0.0/8"
        " --reason 'vulnerability scanner' · garrison alerts suppress --where user.name=svc-*"
        " --for 8h --reason 'maintenance'"
    ),
)
def suppress(
    ctx: typer.Context,
    reason: Annotated[str, typer.Option(help="Why (required; recorded in the audit trail).")],
    rule: Annotated[str | None, typer.Option(help="Rule id (default: every rule).")] = None,
    where: Annotated[
        list[str] | None,
        typer.Option(help="field=value condition (repeatable): exact, glob (*, ?), or CIDR."),
    ] = None,
    duration: Annotated[
        str | None, typer.Option("--for", help="A snooze: 30m, 8h, 7d (default: until removed).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Mute matching alerts (they are still stored, with status suppressed)."""
    st = state(ctx)
    made = st.platform().alerts.suppress(
        actor=actor(),
        reason=reason,
        rule_id=rule,
        conditions=parse_conditions(where or []),
        duration=parse_duration(duration) if duration else None,
    )
    _created(st, made.id, made.until, as_json=as_json)


def _created(st: State, ident: int | None, until: datetime | None, *, as_json: bool) -> None:
    if as_json:
        emit_json({"id": ident, "until": until})
    else:
        end = f" until {until}" if until is not None else ""
        st.err.print(f"suppression {ident} created{end}")


@app.command("snooze", epilog="Example: garrison alerts snooze 42 --for 4h --reason 'patching'")
def snooze(
    ctx: typer.Context,
    alert_id: Annotated[int, typer.Argument(help="Alert id.")],
    duration: Annotated[str, typer.Option("--for", help="How long: 30m, 4h, 2d.")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the audit trail).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Mute an alert's rule for the alert's group (e.g. its source IP) for a while."""
    st = state(ctx)
    made = st.platform().alerts.snooze(
        alert_id, parse_duration(duration), actor=actor(), reason=reason
    )
    _created(st, made.id, made.until, as_json=as_json)


@app.command("suppressions", epilog="Example: garrison alerts suppressions --all --json")
def suppressions(
    ctx: typer.Context,
    show_all: Annotated[bool, typer.Option("--all", help="Include removed ones.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON object per line.")] = False,
) -> None:
    """List suppressions and snoozes with their hit counts."""
    st = state(ctx)
    rows = st.platform().alerts.suppressions(include_removed=show_all)
    if as_json:
        for row in rows:
            emit_json(row)
        return
    table = Table("id", "rule", "conditions", "until", "hits", "active", "reason", "by")
    for row in rows:
        table.add_row(
            str(row["id"]),
            row["rule_id"] or "(any)",
            ", ".join(f"{k}={v}" for k, v in row["conditions"].items()),
            row["until"] or "",
            str(row["hits"]),
            "yes" if row["active"] else "no",
            row["reason"],
            row["created_by"],
        )
    st.out.print(table)


@app.command(
    "unsuppress", epilog="Example: garrison alerts unsuppress 3 --reason 'scanner retired'"
)
def unsuppress(
    ctx: typer.Context,
    suppression_id: Annotated[int, typer.Argument(help="Suppression id.")],
    reason: Annotated[str, typer.Option(help="Why (recorded in the audit trail).")],
) -> None:
    """Remove a suppression (it stays on record)."""
    st = state(ctx)
    st.platform().alerts.unsuppress(suppression_id, actor=actor(), reason=reason)
    st.err.print(f"suppression {suppression_id} removed")


def _triage(
    ctx: typer.Context,
    alert_id: int,
    action: str,
    reason: str,
    resolution: str | None,
    as_json: bool,
) -> None:
    st = state(ctx)
    item = st.platform().alerts.triage(
        alert_id, action, actor=actor(), reason=reason, resolution=resolution
    )
    if as_json:
        emit_json(item.to_dict())
    else:
        st.err.print(f"alert {item.id} is {item.status}")


_ID = Annotated[int, typer.Argument(help="Alert id.")]
_WHY = Annotated[str, typer.Option(help="Why (recorded in the audit trail).")]
_AS_JSON = Annotated[bool, typer.Option("--json", help="Print the alert as JSON.")]


@app.command("ack", epilog="Example: garrison alerts ack 42 --reason 'investigating'")
def ack(ctx: typer.Context, alert_id: _ID, reason: _WHY, as_json: _AS_JSON = False) -> None:
    """Acknowledge an alert: someone is on it."""
    _triage(ctx, alert_id, "acknowledge", reason, None, as_json)


@app.command(
    "close",
    epilog="Example: garrison alerts close 42 --resolution false_positive --reason 'backup job'",
)
def close(
    ctx: typer.Context,
    alert_id: _ID,
    resolution: Annotated[str, typer.Option(help="true_positive, false_positive or benign.")],
    reason: _WHY,
    as_json: _AS_JSON = False,
) -> None:
    """Close an alert with a verdict (feeds the false-positive rate per rule)."""
    _triage(ctx, alert_id, "close", reason, resolution, as_json)


@app.command("reopen", epilog="Example: garrison alerts reopen 42 --reason 'it came back'")
def reopen(ctx: typer.Context, alert_id: _ID, reason: _WHY, as_json: _AS_JSON = False) -> None:
    """Reopen a closed alert."""
    _triage(ctx, alert_id, "reopen", reason, None, as_json)


@app.command("verdicts", epilog="Example: garrison alerts verdicts --json")
def verdicts(ctx: typer.Context, as_json: _AS_JSON = False) -> None:
    """Closed alerts per rule by verdict, and each rule's false-positive rate (target <= 5 %)."""
    st = state(ctx)
    rows = st.platform().alerts.verdicts()
    if as_json:
        for row in rows:
            emit_json(row)
        return
    table = Table(
        "rule", "closed", "true pos.", "false pos.", "benign", "FP rate", title="Verdicts"
    )
    for row in rows:
        rate = row["false_positive_rate"]
        shown = f"{rate:.1%}"
        table.add_row(
            row["title"],
            str(row["closed"]),
            str(row["true_positive"]),
            str(row["false_positive"]),
            str(row["benign"]),
            f"[red]{shown}[/red]" if rate > 0.05 else shown,
        )
    st.out.print(table)
