"""``garrison check``: baseline and compliance scans of hosts, web endpoints and config files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import orjson
import typer
from rich.markup import escape
from rich.table import Table

from garrison.checks.base import Status
from garrison.checks.loader import all_checks
from garrison.cli.commands import check_history
from garrison.cli.commands.alerts import actor
from garrison.cli.state import State, emit_json, state
from garrison.compliance import Compliance, Outcome
from garrison.core.errors import InputError

app = typer.Typer(
    help="Baseline and compliance checks (等保2.0, CIS, ISO 27001).", no_args_is_help=True
)
check_history.register(app)

_STYLE = {"fail": "bold red", "pass": "green", "manual": "yellow", "error": "magenta"}
_SEVERITY = {"critical": "bold white on red", "high": "bold red", "medium": "yellow"}

ChecksOpt = Annotated[
    list[str] | None, typer.Option("--check", help="Only these check ids (repeatable).")
]
AllOpt = Annotated[bool, typer.Option("--all", help="Show passing results too.")]
ExitZeroOpt = Annotated[bool, typer.Option("--exit-zero", help="Exit 0 even when checks fail.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="One JSON finding per line on stdout.")]
SarifOpt = Annotated[
    Path | None, typer.Option("--sarif", help="Also write the failures as SARIF 2.1.0 here.")
]
NoSaveOpt = Annotated[
    bool, typer.Option("--no-save", help="Do not store the scan (no history, no alerts).")
]


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
    st.err.print(f"{len(checks)} checks")


def _run(
    st: State,
    kind: str,
    address: str,
    *,
    options: dict[str, Any],
    ids: list[str] | None,
    save: bool,
) -> Outcome:
    compliance = Compliance(st.platform())
    with st.err.status(f"scanning {escape(address)} ..."):
        return compliance.scan(
            kind, address, actor=actor(), options=options, ids=tuple(ids or ()), save=save
        )


def _show(
    st: State,
    outcome: Outcome,
    *,
    all_results: bool,
    as_json: bool,
    sarif: Path | None,
    exit_zero: bool,
) -> None:
    scan = outcome.scan
    shown = [f for f in scan.findings if all_results or f.status is not Status.PASS]
    shown = [f for f in shown if all_results or f.status is not Status.NOT_APPLICABLE]
    if as_json:
        for f in shown:
            emit_json(f.to_json())
    else:
        table = Table("status", "severity", "check", "resource:line", "message", title="Findings")
        for f in shown:
            style = _STYLE.get(f.status.value, "")
            sev = _SEVERITY.get(f.severity, "")
            table.add_row(
                f"[{style}]{f.status.value}[/{style}]" if style else f.status.value,
                f"[{sev}]{f.severity}[/{sev}]" if sev else f.severity,
                f.check_id,
                escape(f"{f.resource}:{f.line}" if f.line else f.resource),
                escape(f.message),
            )
        st.out.print(table)
    counts: dict[str, int] = {}
    for f in scan.findings:
        counts[f.status.value] = counts.get(f.status.value, 0) + 1
    seconds = (scan.finished - scan.started).total_seconds()
    st.err.print(
        f"{escape(scan.target)}: {len(scan.check_ids)} checks in {seconds:.1f}s — "
        + ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))
    )
    if outcome.stored is not None:
        scores = outcome.stored.scores
        parts = [
            f"{fid} {s['score']:.0f}%" for fid, s in scores.items() if s.get("score") is not None
        ]
        st.err.print(
            f"scan {outcome.stored.id} stored" + (f"; scores: {', '.join(parts)}" if parts else "")
        )
        if outcome.previous is not None:
            compliance = Compliance(st.platform())
            change = compliance.diff(outcome.previous.id, outcome.stored.id)
            st.err.print(
                f"since scan {outcome.previous.id}: {len(change.new)} new failure(s),"
                f" {len(change.fixed)} fixed, {len(change.still)} still failing"
            )
        if outcome.alerted:
            st.err.print(f"[bold red]{len(outcome.alerted)} alert(s) raised[/bold red]")
    if sarif is not None:
        log = Compliance(st.platform()).sarif_of(scan)
        try:
            sarif.write_bytes(orjson.dumps(log, option=orjson.OPT_INDENT_2))
        except OSError as exc:
            raise InputError(f"cannot write {sarif}: {exc.strerror}") from exc
        st.err.print(f"wrote {sarif}")
    if any(f.status in (Status.FAIL, Status.ERROR) for f in scan.findings) and not exit_zero:
        raise typer.Exit(1)


@app.command(
    "host",
    epilog="Examples: garrison check host · garrison check host --ssh ops@10.0.0.5 --key KEYFILE",
)
def host(
    ctx: typer.Context,
    ssh: Annotated[
        str | None,
        typer.Option("--ssh", help="Scan a remote host: user@host[:port] (SFTP, read only)."),
    ] = None,
    key: Annotated[Path | None, typer.Option("--key", help="SSH private key file.")] = None,
    known_hosts: Annotated[
        Path | None,
        typer.Option("--known-hosts", help="known_hosts file (default ~/.ssh/known_hosts)."),
    ] = None,
    host_key: Annotated[
        str | None,
        typer.Option("--host-key", help="Trust only this host key (SHA256:... or a key line)."),
    ] = None,
    root: Annotated[
        Path | None,
        typer.Option("--root", help="Scan a mounted image or directory as if it were /."),
    ] = None,
    check: ChecksOpt = None,
    all_results: AllOpt = False,
    as_json: JsonOpt = False,
    sarif: SarifOpt = None,
    no_save: NoSaveOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> None:
    """Check this Linux host (or one over SSH) against the baseline: SSH, passwords, accounts,
    file modes, risky listening ports, logging, updates, time, kernel settings, end of life."""
    st = state(ctx)
    options: dict[str, Any] = {}
    if ssh and root:
        raise InputError("--ssh and --root do not go together")
    if ssh:
        address = ssh if ssh.startswith("ssh://") else f"ssh://{ssh}"
        if key:
            options["key_file"] = str(key)
        if known_hosts:
            options["known_hosts"] = str(known_hosts)
        if host_key:
            options["host_key"] = host_key
    else:
        address = "local"
        if root:
            if not root.is_dir():
                raise InputError(f"no such directory: {root}")
            options["root"] = str(root.resolve())
    outcome = _run(st, "host", address, options=options, ids=check, save=not no_save)
    _show(st, outcome, all_results=all_results, as_json=as_json, sarif=sarif, exit_zero=exit_zero)


@app.command("web", epilog="Example: garrison check web https://portal.example.cn/ --json")
def web(
    ctx: typer.Context,
    url: Annotated[str, typer.Argument(help="The site's base URL (http or https).")],
    insecure: Annotated[
        bool, typer.Option("--insecure", help="Do not verify the TLS certificate when probing.")
    ] = False,
    no_default_credentials: Annotated[
        bool,
        typer.Option(
            "--no-default-credentials", help="Do not try default passwords on admin pages."
        ),
    ] = False,
    check: ChecksOpt = None,
    all_results: AllOpt = False,
    as_json: JsonOpt = False,
    sarif: SarifOpt = None,
    no_save: NoSaveOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> None:
    """Check a web endpoint: exposed .git/.svn/.env and backups, directory listing, debug pages,
    default credentials, security headers, cookie flags, TLS versions and certificate."""
    st = state(ctx)
    options: dict[str, Any] = {"verify": not insecure}
    if no_default_credentials:
        options["try_default_credentials"] = False
    outcome = _run(st, "web", url, options=options, ids=check, save=not no_save)
    _show(st, outcome, all_results=all_results, as_json=as_json, sarif=sarif, exit_zero=exit_zero)


@app.command(
    "config", epilog="Example: garrison check config deploy/ README.md --json > findings.jsonl"
)
def config(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to scan.")],
    check: ChecksOpt = None,
    all_results: AllOpt = False,
    as_json: JsonOpt = False,
    sarif: SarifOpt = None,
    no_save: NoSaveOpt = False,
    exit_zero: ExitZeroOpt = False,
) -> None:
    """Check Dockerfiles, docker-compose files, Kubernetes manifests, ``docker run`` lines in
    scripts and Markdown, and configuration files with passwords (file and line)."""
    st = state(ctx)
    missing = [str(p) for p in paths if not p.exists()]
    if missing:
        raise InputError(f"no such file or folder: {missing[0]}")
    address = "\n".join(str(p) for p in paths)
    outcome = _run(st, "config", address, options={}, ids=check, save=not no_save)
    _show(st, outcome, all_results=all_results, as_json=as_json, sarif=sarif, exit_zero=exit_zero)
