"""``garrison check scans|show|report|targets``: stored scans, reports and scheduled targets."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape
from rich.table import Table

from garrison.checks.base import Status
from garrison.checks.targets import ScanTarget
from garrison.cli.commands.alerts import actor
from garrison.cli.state import emit_json, state
from garrison.compliance import Compliance
from garrison.core.errors import InputError, UsageError
from garrison.core.timezones import resolve_zone

targets = typer.Typer(help="Scan targets and their schedules.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the history commands to ``garrison check``."""
    app.command("scans", epilog="Example: garrison check scans --target web-01")(scans)
    app.command("show", epilog="Example: garrison check show 12 --status fail")(show)
    app.command("report", epilog="Example: garrison check report 12 -o report.pdf --lang en")(
        report
    )
    app.add_typer(targets, name="targets")


def scans(
    ctx: typer.Context,
    target: Annotated[str | None, typer.Option(help="Only this target.")] = None,
    limit: Annotated[int, typer.Option(help="At most this many.")] = 30,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON scan per line.")] = False,
) -> None:
    """Stored scans, newest first, with counts and the 等保 score."""
    st = state(ctx)
    platform = st.platform()
    found = platform.scans.scans(target=target, limit=limit)
    if as_json:
        for s in found:
            emit_json(s.to_json())
        return
    zone = resolve_zone(platform.settings.timezone)
    table = Table("id", "target", "kind", "finished", "fail", "pass", "等保 score", title="Scans")
    for s in found:
        dengbao = s.scores.get("dengbao", {}).get("score")
        table.add_row(
            str(s.id),
            escape(s.target),
            s.kind,
            s.finished.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            str(s.counts.get("fail", 0)),
            str(s.counts.get("pass", 0)),
            "—" if dengbao is None else f"{dengbao:.0f}%",
        )
    st.out.print(table)


def show(
    ctx: typer.Context,
    scan_id: Annotated[int, typer.Argument(help="Scan id (see 'check scans').")],
    status: Annotated[
        list[str] | None, typer.Option("--status", help="Only these statuses (repeatable).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON finding per line.")] = False,
) -> None:
    """One stored scan: scores per framework and family, then its findings."""
    st = state(ctx)
    known = [s.value for s in Status]
    wrong = [s for s in status or () if s not in known]
    if wrong:  # a misspelt status would silently show nothing
        raise UsageError(f"unknown status {wrong[0]!r}", hint=", ".join(known))
    platform = st.platform()
    stored = platform.scans.get(scan_id)
    found = platform.scans.findings(scan_id, statuses=status or ())
    if as_json:
        for f in found:
            emit_json({"id": f.id, **f.finding.to_json()})
        return
    scores = Table("framework", "score", "passed", "failed", "manual", title="Scores")
    for fid, s in stored.scores.items():
        score = s.get("score")
        scores.add_row(
            fid,
            "—" if score is None else f"{score:.0f}%",
            str(s.get("passed", 0)),
            str(s.get("failed", 0)),
            str(s.get("manual", 0)),
        )
    st.out.print(scores)
    table = Table("id", "status", "severity", "check", "resource:line", "message", title="Findings")
    for f in found:
        x = f.finding
        table.add_row(
            str(f.id),
            x.status.value,
            x.severity,
            x.check_id,
            escape(f"{x.resource}:{x.line}" if x.line else x.resource),
            escape(x.message),
        )
    st.out.print(table)


def report(
    ctx: typer.Context,
    scan_ids: Annotated[
        list[int] | None, typer.Argument(help="Scans to report on (default: the newest).")
    ] = None,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")] = Path(
        "audit-report.pdf"
    ),
    lang: Annotated[str, typer.Option("--lang", help="zh-CN or en.")] = "zh-CN",
    fmt: Annotated[
        str | None, typer.Option("--format", help="pdf or html (default: by suffix).")
    ] = None,
    target: Annotated[
        str | None, typer.Option(help="The newest scan of this target (instead of ids).")
    ] = None,
) -> None:
    """Write the audit report (《网络安全审计报告》): scores, findings by risk with evidence and
    remediation, trend since the previous scan, and items to verify by hand."""
    st = state(ctx)
    platform = st.platform()
    if lang not in ("zh-CN", "en"):
        raise UsageError(f"unknown language {lang!r}", hint="zh-CN or en")
    kind = fmt or ("html" if output.suffix.lower() in (".html", ".htm") else "pdf")
    if kind not in ("pdf", "html"):
        raise UsageError(f"unknown format {kind!r}", hint="pdf or html")
    ids = list(scan_ids or ())
    if not ids:
        latest = platform.scans.scans(target=target, limit=1)
        if not latest:
            raise InputError("no scans yet", hint="run 'garrison check host' first")
        ids = [latest[0].id]
    with st.err.status("rendering the report ..."):
        data = Compliance(platform).report(ids, lang, kind)
    try:
        output.write_bytes(data)
    except OSError as exc:
        raise InputError(f"cannot write {output}: {exc.strerror}") from exc
    st.err.print(f"[green]wrote[/green] {output} ({len(data):,} bytes)")


@targets.command("list", epilog="Example: garrison check targets list --json")
def list_targets(
    ctx: typer.Context,
    as_json: Annotated[bool, typer.Option("--json", help="One JSON target per line.")] = False,
) -> None:
    """Scan targets with their schedules and next runs."""
    st = state(ctx)
    platform = st.platform()
    zone = resolve_zone(platform.settings.timezone)
    found = platform.scans.targets()
    if as_json:
        for t in found:
            emit_json(
                {
                    "name": t.name,
                    "kind": t.kind,
                    "address": t.address,
                    "schedule": t.schedule,
                    "enabled": t.enabled,
                    "next_run": t.next_run.isoformat() if t.next_run else None,
                }
            )
        return
    table = Table("name", "kind", "address", "schedule", "next run", title="Scan targets")
    for t in found:
        table.add_row(
            escape(t.name),
            t.kind,
            escape(t.address.replace("\n", ", ")),
            t.schedule or "—",
            t.next_run.astimezone(zone).strftime("%Y-%m-%d %H:%M") if t.next_run else "—",
        )
    st.out.print(table)


@targets.command(
    "add",
    epilog="Example: garrison check targets add web-01 host ssh://ops@10.0.0.5 --key KEYFILE",
)
def add_target(
    ctx: typer.Context,
    name: Annotated[str, typer.Argument(help="Unique name.")],
    kind: Annotated[str, typer.Argument(help="host, web or config.")],
    address: Annotated[
        str, typer.Argument(help="local | ssh://user@host[:port] | URL | comma-separated paths")
    ],
    schedule: Annotated[
        str | None,
        typer.Option(help="Cron expression; default from [checks] schedule (working days 07:00)."),
    ] = None,
    manual: Annotated[bool, typer.Option("--manual", help="No schedule: scan on demand.")] = False,
    key: Annotated[Path | None, typer.Option("--key", help="SSH private key file.")] = None,
    known_hosts: Annotated[
        Path | None, typer.Option("--known-hosts", help="known_hosts file.")
    ] = None,
) -> None:
    """Add or replace a scan target; scheduled scans start inside the scan window."""
    st = state(ctx)
    platform = st.platform()
    options: dict[str, str] = {}
    if key:
        options["key_file"] = str(key)
    if known_hosts:
        options["known_hosts"] = str(known_hosts)
    if kind == "config":
        address = "\n".join(p.strip() for p in address.split(",") if p.strip())
    plan = None if manual else (schedule or platform.settings.checks.schedule)
    saved = Compliance(platform).save_target(
        ScanTarget(name, kind, address, options, plan), actor=actor()
    )
    when = (
        saved.next_run.astimezone(resolve_zone(platform.settings.timezone))
        if saved.next_run
        else None
    )
    st.err.print(
        f"target {escape(saved.name)} saved"
        + (f"; next scan {when:%Y-%m-%d %H:%M}" if when else "; scanned on demand")
    )


@targets.command("remove", epilog="Example: garrison check targets remove web-01")
def remove_target(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Target name.")]
) -> None:
    """Remove a target (its scans stay in the history)."""
    st = state(ctx)
    st.platform().scans.remove_target(name, actor=actor())
    st.err.print(f"target {escape(name)} removed")


@targets.command("run", epilog="Example: garrison check targets run web-01")
def run_target(
    ctx: typer.Context, name: Annotated[str, typer.Argument(help="Target name.")]
) -> None:
    """Scan a stored target now."""
    st = state(ctx)
    with st.err.status(f"scanning {escape(name)} ..."):
        outcome = Compliance(st.platform()).run_target(name, actor=actor())
    failed = len(outcome.scan.failed())
    stored = outcome.stored
    st.err.print(f"scan {stored.id if stored else '-'}: {failed} failure(s)")
