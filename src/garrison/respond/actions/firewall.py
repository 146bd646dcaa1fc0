"""``block_ip`` and ``unblock_ip``: drop traffic from an address for a while, and lift it.

Every block expires: the ledger (:class:`~garrison.respond.actions.base.BlockLedger`) keeps
its expiry and :func:`expire_blocks` lifts it when due. With nftables and firewalld the
kernel or daemon also gets the timeout, so a block does not outlive a stopped Garrison.

The actions are idempotent through the ledger: blocking an address that is already blocked
runs nothing, so the same alert twice, or a retried step, does no harm. A request whose
expiry is clearly later (by a tenth of its duration, at least a minute) extends the block.
Addresses in ``never_block`` are refused before anything runs, in a dry run too.
"""

from __future__ import annotations

import logging
import math
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Annotated, ClassVar, cast

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from garrison.core.errors import ActionError
from garrison.respond.actions import firewall_rules as rules
from garrison.respond.actions.argv import Completed
from garrison.respond.actions.base import (
    Action,
    ActionContext,
    ActiveBlock,
    BlockLedger,
    Effect,
    Outcome,
    Undo,
)
from garrison.respond.actions.values import Duration, IpAddress, Text, parse_duration

log = logging.getLogger(__name__)

#: The longest block a playbook may ask for.
MAX_DURATION = timedelta(days=365)
#: The least gain in expiry for which a live block is extended (see ``_worth_extending``).
EXTEND_STEP = timedelta(minutes=1)
#: Error texts of a tool that is busy rather than refusing: trying again later may work.
_TRANSIENT = ("resource busy", "temporarily unavailable", "xtables lock", "try again")
#: Address a firewall can act on: an IP address without an IPv6 zone index.
HostAddress = Annotated[IpAddress, AfterValidator(rules.host_address)]


def _no_overflow(value: object) -> object:
    # parse_duration lets OverflowError escape for huge values (1e20, "99999999999d"), which
    # pydantic does not turn into a validation error; refuse them as a bad value here.
    try:
        return parse_duration(value)
    except OverflowError:
        raise ValueError("a block lasts at most 365 days") from None


BlockDuration = Annotated[Duration, BeforeValidator(_no_overflow)]
Reason = Annotated[Text, Field(max_length=200)]


class BlockArgs(BaseModel):
    """Arguments of ``block_ip``.

    Attributes:
        address: The address to drop traffic from.
        duration: How long (``24h`` by default, at most 365 days; every block expires).
        reason: Why, kept in the ledger only (never passed to a command).
    """

    model_config = ConfigDict(extra="forbid")

    address: HostAddress
    duration: BlockDuration = timedelta(hours=24)
    reason: Reason = ""

    @field_validator("duration")
    @classmethod
    def _at_most_a_year(cls, value: timedelta) -> timedelta:
        if value > MAX_DURATION:
            raise ValueError("a block lasts at most 365 days")
        return value


class UnblockArgs(BaseModel):
    """Arguments of ``unblock_ip``: the address whose block is lifted."""

    model_config = ConfigDict(extra="forbid")

    address: HostAddress


@dataclass
class _Commands:
    """Commands a block or unblock ran (or would run), as argv lists and effects."""

    argv: list[list[str]] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def planned(self, argv: list[str], note: str = "") -> None:
        self.argv.append(argv)
        self.effects.append(_effect(argv, note))

    def run(self, ctx: ActionContext, argv: list[str], stdin: bytes | None = None) -> Completed:
        self.planned(argv)
        return ctx.runner.run(argv, stdin=stdin, timeout=ctx.settings.command_timeout_seconds)


def _effect(argv: list[str], note: str) -> Effect:
    plain = Effect.command(argv)
    return Effect("command", f"{plain.detail}  # {note}", plain.argv) if note else plain


def _failure(what: str, done: Completed) -> ActionError:
    text = (done.stderr or done.stdout).strip().replace("\n", " ")[:300]
    busy = any(w in text.lower() for w in _TRANSIENT)
    retryable = busy or (done.argv[0] in ("iptables", "ip6tables") and done.returncode == 4)
    return ActionError(
        f"{what} failed (exit {done.returncode}): {text or 'no message'}", retryable=retryable
    )


def _backend(name: str) -> rules.Backend:
    if name not in rules.BACKENDS:
        raise ActionError(f"unknown firewall backend {name!r} in the block ledger")
    return cast(rules.Backend, name)


def _seconds(duration: timedelta) -> int:
    return max(1, math.ceil(duration.total_seconds()))


def _refuse_protected(address: str, ctx: ActionContext) -> None:
    entry = rules.protected_by(address, ctx.settings)
    if entry is not None:
        raise ActionError(
            f"{address} is in never_block ({entry}): it may not be blocked",
            hint="change [response] never_block if this address must be blockable",
        )


def _worth_extending(current: ActiveBlock, expires: datetime, duration: timedelta) -> bool:
    """Whether a new expiry is later by enough to touch the firewall again.

    A repeated alert (the same attacker every minute) would otherwise delete and re-add the
    element each time for a minute's gain; the block is extended once the gain reaches a
    tenth of the requested duration (at least a minute).
    """
    if current.expires_at is None:
        return False
    return expires - current.expires_at >= max(EXTEND_STEP, duration / 10)


def _live(block: ActiveBlock | None, now: datetime) -> ActiveBlock | None:
    if block is None or (block.expires_at is not None and block.expires_at <= now):
        return None
    return block


# -- the work, shared by run (go=True) and plan (go=False) -------------------------------------


def _add(
    ctx: ActionContext, backend: rules.Backend, address: str, seconds: int, go: bool
) -> _Commands:
    """Put a new block in place."""
    cmds, settings = _Commands(), ctx.settings
    if backend == "nftables":
        probe, script = rules.nft_probe(settings), rules.nft_script(settings)
        if not go:
            cmds.planned(probe)
            cmds.planned(["nft", "-f", "-"], f"only when missing: creates table inet {probe[4]}")
        elif not cmds.run(ctx, probe).ok:
            done = cmds.run(ctx, ["nft", "-f", "-"], stdin=script)
            if not done.ok:
                raise _failure("creating the nftables table", done)
        _step(ctx, cmds, rules.nft_add(settings, address, seconds), go, "adding to the set")
    elif backend == "iptables":
        check = rules.iptables(settings, "-C", address)
        insert = rules.iptables(settings, "-I", address)
        if not go:
            cmds.planned(check)
            cmds.planned(insert, "only when the check finds no rule")
        elif not cmds.run(ctx, check).ok:
            _step(ctx, cmds, insert, go, "inserting the DROP rule")
    else:
        argv = rules.firewalld_add(address, seconds)
        if not go:
            cmds.planned(argv)
        else:
            done = cmds.run(ctx, argv)
            if done.returncode not in rules.FIREWALLD_OK:
                raise _failure("adding the firewalld rule", done)
    return cmds


def _step(ctx: ActionContext, cmds: _Commands, argv: list[str], go: bool, what: str) -> None:
    if not go:
        cmds.planned(argv)
        return
    done = cmds.run(ctx, argv)
    if not done.ok:
        raise _failure(what, done)


def _lift(ctx: ActionContext, backend: rules.Backend, address: str, go: bool) -> _Commands:
    """Remove a block; a rule or element that is already gone is fine."""
    cmds, settings = _Commands(), ctx.settings
    if backend == "nftables":
        argv = rules.nft_delete(settings, address)
        if not go:
            cmds.planned(argv)
        else:
            done = cmds.run(ctx, argv)
            if not done.ok and not rules.nft_gone(done):
                raise _failure("removing from the set", done)
    elif backend == "iptables":
        check = rules.iptables(settings, "-C", address)
        delete = rules.iptables(settings, "-D", address)
        if not go:
            cmds.planned(check)
            cmds.planned(delete, "only when the check finds the rule")
        elif cmds.run(ctx, check).ok:
            _step(ctx, cmds, delete, go, "deleting the DROP rule")
    else:
        argv = rules.firewalld_remove(address)
        if not go:
            cmds.planned(argv)
        else:
            done = cmds.run(ctx, argv)
            if done.returncode not in rules.FIREWALLD_OK:
                raise _failure("removing the firewalld rule", done)
    return cmds


def _extend(
    ctx: ActionContext, backend: rules.Backend, address: str, seconds: int, go: bool
) -> _Commands:
    """Give a live block a later expiry (nftables and firewalld hold their own timeout)."""
    if backend == "iptables":
        return _Commands()  # no timeout in the rule: the ledger alone holds the expiry
    lifted = _lift(ctx, backend, address, go)
    added = _add(ctx, backend, address, seconds, go)
    return _Commands(lifted.argv + added.argv, lifted.effects + added.effects)


# -- the actions ------------------------------------------------------------------------------


class BlockIp(Action[BlockArgs]):
    """Drop traffic from an address until the block expires."""

    name = "block_ip"
    title: ClassVar[dict[str, str]] = {"en": "Block IP address", "zh-CN": "封禁 IP 地址"}
    args_model = BlockArgs
    undo_action = "unblock_ip"
    changes_host = True

    def plan(self, args: BlockArgs, ctx: ActionContext) -> Outcome:
        """The commands :meth:`run` would make now (the ledger is read if there is one)."""
        return self._block(args, ctx, ctx.ports.blocks, go=False)

    def run(self, args: BlockArgs, ctx: ActionContext) -> Outcome:
        """Block ``args.address`` (idempotent; a later expiry extends the block)."""
        return self._block(args, ctx, ctx.ports.need("blocks"), go=True)

    def _block(
        self, args: BlockArgs, ctx: ActionContext, ledger: BlockLedger | None, *, go: bool
    ) -> Outcome:
        address = args.address
        _refuse_protected(address, ctx)
        now = ctx.clock.now()
        seconds = _seconds(args.duration)
        expires = now + timedelta(seconds=seconds)
        current = _live(ledger.active(address) if ledger is not None else None, now)
        if current is not None and not _worth_extending(current, expires, args.duration):
            until = current.expires_at.isoformat() if current.expires_at else None
            return Outcome(
                f"{address} is already blocked until {until}",
                output=_output(address, current.backend, until, []),
                changed=False,
            )
        if current is not None:
            backend = _backend(current.backend)
            cmds = _extend(ctx, backend, address, seconds, go)
            record = replace(current, expires_at=expires, run_id=ctx.run_id)
            if args.reason:
                record = replace(record, reason=args.reason)
            verb = "extended the block of"
        else:
            backend = ctx.settings.firewall
            cmds = _add(ctx, backend, address, seconds, go)
            record = ActiveBlock(address, backend, expires, args.reason, ctx.run_id, now)
            verb = "blocked"
        if go and ledger is not None:
            ledger.record(record)
        word = verb if go else f"would have {verb}"
        return Outcome(
            f"{word} {address} with {backend} until {expires.isoformat()}",
            output=_output(address, backend, expires.isoformat(), cmds.argv),
            effects=tuple(cmds.effects),
            undo=Undo("unblock_ip", {"address": address}),
        )


class UnblockIp(Action[UnblockArgs]):
    """Lift the block of an address (with the tool that placed it)."""

    name = "unblock_ip"
    title: ClassVar[dict[str, str]] = {"en": "Unblock IP address", "zh-CN": "解封 IP 地址"}
    args_model = UnblockArgs
    changes_host = True

    def plan(self, args: UnblockArgs, ctx: ActionContext) -> Outcome:
        """The commands :meth:`run` would make."""
        current = ctx.ports.blocks.active(args.address) if ctx.ports.blocks else None
        backend = _backend(current.backend) if current else ctx.settings.firewall
        cmds = _lift(ctx, backend, args.address, go=False)
        return Outcome(
            f"would unblock {args.address} with {backend}",
            output=_output(args.address, backend, None, cmds.argv),
            effects=tuple(cmds.effects),
        )

    def run(self, args: UnblockArgs, ctx: ActionContext) -> Outcome:
        """Remove the rule or set element and forget the block (already gone is fine)."""
        ledger: BlockLedger = ctx.ports.need("blocks")
        current = ledger.active(args.address)
        backend = _backend(current.backend) if current else ctx.settings.firewall
        cmds = lift(ctx, args.address, backend)
        return Outcome(
            f"unblocked {args.address} with {backend}",
            output=_output(args.address, backend, None, cmds),
            effects=tuple(Effect.command(a) for a in cmds),
        )


def lift(ctx: ActionContext, address: str, backend: str) -> list[list[str]]:
    """Remove the block of ``address`` placed with ``backend`` and release it in the ledger.

    Returns:
        The argv of each command that ran.

    Raises:
        ActionError: When the tool failed for another reason than "already gone".
    """
    cmds = _lift(ctx, _backend(backend), rules.host_address(address), go=True)
    ctx.ports.need("blocks").release(address)
    return cmds.argv


def expire_blocks(ctx: ActionContext) -> list[str]:
    """Lift every block whose expiry has passed (the scheduler calls this every minute).

    A block that cannot be lifted now (the tool failed) stays in the ledger and is tried
    again on the next call.

    Returns:
        The addresses whose blocks were lifted.
    """
    ledger: BlockLedger = ctx.ports.need("blocks")
    lifted: list[str] = []
    for block in ledger.due(ctx.clock.now()):
        try:
            lift(ctx, block.address, block.backend)
        except (ActionError, ValueError) as exc:
            log.warning("could not lift the block of %s: %s", block.address[:64], exc)
            continue
        lifted.append(block.address)
    return lifted


def _output(
    address: str, backend: str, expires_at: str | None, argv: list[list[str]]
) -> dict[str, object]:
    return {"address": address, "backend": backend, "expires_at": expires_at, "argv": argv}


BLOCK = BlockIp()
UNBLOCK = UnblockIp()
ACTIONS = (BLOCK, UNBLOCK)
