"""``garrison users``: Garrison's own accounts (no default password, ever)."""

from __future__ import annotations

import io
import sys
from typing import Annotated

import segno
import typer
from rich.table import Table

from garrison.cli.commands.alerts import actor
from garrison.cli.state import State, emit_json, state
from garrison.core.errors import UsageError

app = typer.Typer(help="Garrison's own user accounts.", no_args_is_help=True)


def _password(st: State, from_stdin: bool) -> str:
    """The new password: from standard input's first line, or typed twice (hidden)."""
    if from_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        if not password:
            raise UsageError("no password on standard input")
        return password
    if not sys.stdin.isatty():
        raise UsageError(
            "no terminal to type the password in", hint="pipe it with --password-stdin"
        )
    first = typer.prompt("Password", hide_input=True)
    if typer.prompt("Repeat it", hide_input=True) != first:
        raise UsageError("the passwords differ")
    return str(first)


def _create(
    ctx: typer.Context,
    name: str,
    role: str,
    display_name: str | None,
    language: str,
    password_stdin: bool,
    as_json: bool,
) -> None:
    st = state(ctx)
    password = _password(st, password_stdin)
    user, enrolment = st.platform().users.create(
        name, role, password, actor=actor(), display_name=display_name, language=language
    )
    if as_json:
        data = user.to_dict()
        if enrolment is not None:
            data["totp_uri"] = enrolment.uri
        emit_json(data)
        return
    st.err.print(f"[green]created[/green] {user.role} {user.name}")
    if enrolment is not None:
        st.err.print(
            "Two-factor authentication is required for this account. Scan the QR code with an"
            " authenticator app now, or at the first login in the web console (which shows it"
            " until the first code is entered), then log in with the 6-digit code:"
        )
        _show_enrolment(st, enrolment.uri)


def _show_enrolment(st: State, uri: str) -> None:
    """Print the ``otpauth://`` URI, with a QR code when the output is a terminal."""
    if st.out.is_terminal:
        buffer = io.StringIO()
        segno.make(uri, error="m").terminal(out=buffer, compact=True)
        st.out.print(buffer.getvalue(), highlight=False, markup=False)
    st.out.print(uri, soft_wrap=True)


_NAME_ARG = Annotated[str, typer.Argument(help="Login name (lowercase, e.g. zhang.wei).")]
_DISPLAY = Annotated[str | None, typer.Option(help="Full name.")]
_LANG = Annotated[str, typer.Option(help="UI language: zh-CN or en.")]
_STDIN = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]
_JSON = Annotated[bool, typer.Option("--json", help="Print as JSON.")]


@app.command("create-admin", epilog="Example: garrison users create-admin zhang.wei")
def create_admin(
    ctx: typer.Context,
    name: _NAME_ARG,
    display_name: _DISPLAY = None,
    language: _LANG = "zh-CN",
    password_stdin: _STDIN = False,
    as_json: _JSON = False,
) -> None:
    """Create an administrator (how the first account is made: there is no default one)."""
    _create(ctx, name, "admin", display_name, language, password_stdin, as_json)


@app.command("create", epilog="Example: garrison users create li.na --role analyst")
def create(
    ctx: typer.Context,
    name: _NAME_ARG,
    role: Annotated[str, typer.Option(help="admin, analyst or auditor.")],
    display_name: _DISPLAY = None,
    language: _LANG = "zh-CN",
    password_stdin: _STDIN = False,
    as_json: _JSON = False,
) -> None:
    """Create an account with a role (one person, one account)."""
    _create(ctx, name, role, display_name, language, password_stdin, as_json)


@app.command("list", epilog="Example: garrison users list --json")
def list_users(ctx: typer.Context, as_json: _JSON = False) -> None:
    """List accounts with role, state and last login."""
    st = state(ctx)
    users = st.platform().users.list()
    if as_json:
        for user in users:
            emit_json(user.to_dict())
        return
    table = Table("name", "role", "state", "MFA", "last login", "display name", title="Users")
    now = st.platform().now()
    for user in users:
        locked = user.locked_until is not None and user.locked_until > now
        status = "disabled" if user.disabled else "locked" if locked else "active"
        last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else ""
        table.add_row(
            user.name,
            user.role,
            status,
            "yes" if user.mfa_enrolled else "no",
            last,
            user.display_name or "",
        )
    st.out.print(table)


_REASON = Annotated[str, typer.Option(help="Why (recorded in the audit trail).")]


@app.command("disable", epilog="Example: garrison users disable li.na --reason 'left the company'")
def disable(ctx: typer.Context, name: _NAME_ARG, reason: _REASON) -> None:
    """Disable an account (kept on record)."""
    st = state(ctx)
    st.platform().users.disable(name, actor=actor(), reason=reason)
    st.err.print(f"{name} disabled")


@app.command("enable", epilog="Example: garrison users enable li.na --reason 'back from leave'")
def enable(ctx: typer.Context, name: _NAME_ARG, reason: _REASON) -> None:
    """Enable an account and lift a lockout."""
    st = state(ctx)
    st.platform().users.enable(name, actor=actor(), reason=reason)
    st.err.print(f"{name} enabled")


@app.command("reset-mfa", epilog="Example: garrison users reset-mfa zhang.wei --reason 'new phone'")
def reset_mfa(ctx: typer.Context, name: _NAME_ARG, reason: _REASON, as_json: _JSON = False) -> None:
    """Give an account a new TOTP secret (shown once); its next login enrols it."""
    st = state(ctx)
    enrolment = st.platform().users.reset_mfa(name, actor=actor(), reason=reason)
    if as_json:
        emit_json({"name": name, "totp_uri": enrolment.uri})
    else:
        st.err.print("new authenticator secret (the console shows it again at the next login):")
        _show_enrolment(st, enrolment.uri)


@app.command("passwd", epilog="Example: garrison users passwd zhang.wei")
def passwd(ctx: typer.Context, name: _NAME_ARG, password_stdin: _STDIN = False) -> None:
    """Set a new password (policy and history apply)."""
    st = state(ctx)
    password = _password(st, password_stdin)
    st.platform().users.change_password(name, password, actor=actor())
    st.err.print(f"password of {name} changed")
