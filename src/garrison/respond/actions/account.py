"""``disable_account`` and ``enable_account``: lock an account out, and let it back in.

Local accounts are changed with ``usermod`` (``--lock`` plus an expiry date in 1970, which
also stops key-based logins that a password lock alone would let through); directory
accounts over LDAP (see :mod:`~garrison.respond.actions.ldap_account`). Accounts in
``never_disable`` are refused both ways: unlocking ``root`` can be as harmful as locking it.

User names come from log events; :data:`~garrison.respond.actions.values.UserName` admits
no shell or option characters, and an all-digit name is refused for local accounts because
``getent`` and ``pkill`` would read it as a numeric user id (``0`` is root).
"""

from __future__ import annotations

from typing import Annotated, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from garrison.core.errors import ActionError
from garrison.respond.actions import ldap_account
from garrison.respond.actions.argv import Completed
from garrison.respond.actions.base import Action, ActionContext, Effect, Outcome, Undo
from garrison.respond.actions.values import Text, UserName

Reason = Annotated[Text, Field(max_length=200)]
Directory = Literal["local", "ldap"]


class EnableArgs(BaseModel):
    """Arguments of ``enable_account``.

    Attributes:
        user: The account name.
        directory: ``local`` (this host's ``/etc/passwd``) or ``ldap`` (the configured directory).
        reason: Why, for the run record.
    """

    model_config = ConfigDict(extra="forbid")

    user: UserName
    directory: Directory = "local"
    reason: Reason = ""

    @model_validator(mode="after")
    def _not_a_uid(self) -> EnableArgs:
        if self.directory == "local" and self.user.isdigit():
            raise ValueError("a local account name may not be all digits (it reads as a uid)")
        return self


class DisableArgs(EnableArgs):
    """Arguments of ``disable_account``: those of ``enable_account`` and ``kill_sessions``.

    Attributes:
        kill_sessions: Also kill the account's processes on this host (local accounts).
    """

    kill_sessions: bool = False

    @model_validator(mode="after")
    def _sessions_are_local(self) -> DisableArgs:
        if self.kill_sessions and self.directory != "local":
            raise ValueError("kill_sessions applies to local accounts only")
        return self


def _refuse_protected(user: str, ctx: ActionContext) -> None:
    # Compared without case: directories (LDAP, AD) match names regardless of case.
    if user.casefold() in {name.casefold() for name in ctx.settings.never_disable}:
        raise ActionError(
            f"account {user} is in never_disable: playbooks may not change it",
            hint="change [response] never_disable if this account must be manageable",
        )


def _fail(what: str, done: Completed) -> ActionError:
    text = (done.stderr or done.stdout).strip().replace("\n", " ")[:300]
    return ActionError(f"{what} failed (exit {done.returncode}): {text or 'no message'}")


def _run(ctx: ActionContext, argv: list[str]) -> Completed:
    return ctx.runner.run(argv, timeout=ctx.settings.command_timeout_seconds)


def _lookup(user: str) -> list[str]:
    return ["getent", "passwd", user]


def _check_exists(ctx: ActionContext, user: str) -> None:
    done = _run(ctx, _lookup(user))
    if done.returncode == 2:
        raise ActionError(f"no such account: {user}")
    if not done.ok:
        raise _fail(f"looking up {user}", done)
    if done.stdout.split(":", 1)[0] != user:
        raise ActionError(f"getent answered for another account than {user}")


class _AccountAction:
    """Holds the LDAP connection factory (tests pass one building a mock connection)."""

    def __init__(self, ldap_connector: ldap_account.Connector = ldap_account.connect) -> None:
        self.ldap_connector = ldap_connector

    def _ldap(self, ctx: ActionContext, user: str, *, disable: bool) -> Outcome:
        change = ldap_account.set_disabled(
            ctx.settings.ldap,
            user,
            disable=disable,
            timeout=ctx.settings.command_timeout_seconds,
            connector=self.ldap_connector,
        )
        verb = "disabled" if disable else "enabled"
        summary = f"{verb} directory account {user}" if change.changed else f"{user} already {verb}"
        detail = f"ldap modify {change.dn}: {change.attribute} {change.before} -> {change.after}"
        return Outcome(
            summary,
            output={
                "user": user,
                "directory": "ldap",
                "dn": change.dn,
                "argv": [],
            },
            effects=(Effect("record", detail),) if change.changed else (),
            changed=change.changed,
        )


class DisableAccount(_AccountAction, Action[DisableArgs]):
    """Lock an account (and optionally kill its processes)."""

    name = "disable_account"
    title: ClassVar[dict[str, str]] = {"en": "Disable account", "zh-CN": "禁用账户"}
    args_model = DisableArgs
    undo_action = "enable_account"
    changes_host = True

    @staticmethod
    def _commands(args: DisableArgs) -> list[list[str]]:
        argv = [["usermod", "--lock", "--expiredate", "1", args.user]]
        if args.kill_sessions:
            argv.append(["pkill", "-KILL", "-u", args.user])
        return argv

    def plan(self, args: DisableArgs, ctx: ActionContext) -> Outcome:
        """The commands (or LDAP change) :meth:`run` would make."""
        _refuse_protected(args.user, ctx)
        if args.directory == "ldap":
            line = ldap_account.describe(ctx.settings.ldap, args.user, disable=True)
            effects: tuple[Effect, ...] = (Effect("record", line),)
            argv: list[list[str]] = []
        else:
            argv = [_lookup(args.user), *self._commands(args)]
            effects = tuple(Effect.command(a) for a in argv)
        return Outcome(
            f"would disable {args.directory} account {args.user}",
            output={"user": args.user, "directory": args.directory, "argv": argv},
            effects=effects,
            undo=_undo(args),
        )

    def run(self, args: DisableArgs, ctx: ActionContext) -> Outcome:
        """Lock the account; kill its processes when asked."""
        _refuse_protected(args.user, ctx)
        if args.directory == "ldap":
            outcome = self._ldap(ctx, args.user, disable=True)
            return Outcome(
                outcome.summary,
                outcome.output,
                outcome.effects,
                _undo(args) if outcome.changed else None,
                outcome.changed,
            )
        _check_exists(ctx, args.user)
        argv = self._commands(args)
        done = _run(ctx, argv[0])
        if not done.ok:
            raise _fail(f"locking {args.user}", done)
        killed = False
        if args.kill_sessions:
            done = _run(ctx, argv[1])
            if done.returncode not in (0, 1):  # 1: no process matched
                raise _fail(f"killing the processes of {args.user}", done)
            killed = done.ok
        ran = [_lookup(args.user), *argv]
        return Outcome(
            f"disabled local account {args.user}",
            output={
                "user": args.user,
                "directory": "local",
                "argv": ran,
                "sessions_killed": killed,
            },
            effects=tuple(Effect.command(a) for a in ran),
            undo=_undo(args),
        )


def _undo(args: DisableArgs) -> Undo:
    return Undo("enable_account", {"user": args.user, "directory": args.directory})


class EnableAccount(_AccountAction, Action[EnableArgs]):
    """Unlock an account that ``disable_account`` locked."""

    name = "enable_account"
    title: ClassVar[dict[str, str]] = {"en": "Enable account", "zh-CN": "启用账户"}
    args_model = EnableArgs
    changes_host = True

    @staticmethod
    def _command(args: EnableArgs) -> list[str]:
        return ["usermod", "--unlock", "--expiredate", "", args.user]

    def plan(self, args: EnableArgs, ctx: ActionContext) -> Outcome:
        """The commands (or LDAP change) :meth:`run` would make."""
        _refuse_protected(args.user, ctx)
        if args.directory == "ldap":
            line = ldap_account.describe(ctx.settings.ldap, args.user, disable=False)
            effects: tuple[Effect, ...] = (Effect("record", line),)
            argv: list[list[str]] = []
        else:
            argv = [_lookup(args.user), self._command(args)]
            effects = tuple(Effect.command(a) for a in argv)
        return Outcome(
            f"would enable {args.directory} account {args.user}",
            output={"user": args.user, "directory": args.directory, "argv": argv},
            effects=effects,
        )

    def run(self, args: EnableArgs, ctx: ActionContext) -> Outcome:
        """Unlock the account and clear its expiry date."""
        _refuse_protected(args.user, ctx)
        if args.directory == "ldap":
            return self._ldap(ctx, args.user, disable=False)
        _check_exists(ctx, args.user)
        argv = self._command(args)
        done = _run(ctx, argv)
        if not done.ok:
            raise _fail(f"unlocking {args.user}", done)
        ran = [_lookup(args.user), argv]
        return Outcome(
            f"enabled local account {args.user}",
            output={"user": args.user, "directory": "local", "argv": ran},
            effects=tuple(Effect.command(a) for a in ran),
        )


ACTIONS = (DisableAccount(), EnableAccount())
