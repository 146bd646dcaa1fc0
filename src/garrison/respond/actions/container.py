"""Container actions through the Docker Engine API: isolate, pause, stop, and their reversals.

``isolate_container`` disconnects a container from every network it is on (``Force``, so it
works whatever the container's state) and outputs each network's endpoint settings (aliases,
links, static addresses, driver options); ``reconnect_container`` takes exactly those to put it
back. A container on the host's network, or sharing another container's, cannot be cut off
this way and is refused with a hint.

Each action is idempotent where Docker says so: pausing a paused container, unpausing a running
one, stopping a stopped one (Docker answers 304) or starting a running one changes nothing and
reports ``changed=False`` without an undo.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, TypeVar

from pydantic import BaseModel, ConfigDict, Field

from garrison.core.errors import ActionError
from garrison.respond.actions.base import Action, ActionContext, Outcome, Undo
from garrison.respond.actions.docker_api import DockerClient, Endpoint, NetworkName
from garrison.respond.actions.values import ContainerRef


class ContainerArgs(BaseModel):
    """Arguments of the container actions: which container (id or name)."""

    model_config = ConfigDict(extra="forbid")

    container: ContainerRef


class StopArgs(ContainerArgs):
    """Arguments of ``stop_container``.

    Attributes:
        timeout: Seconds Docker waits after the stop signal before it kills the container.
    """

    timeout: int = Field(default=10, ge=0, le=600)


class ReconnectArgs(ContainerArgs):
    """Arguments of ``reconnect_container`` (the output of ``isolate_container``).

    Attributes:
        networks: Network name -> the endpoint settings to restore.
    """

    networks: dict[NetworkName, Endpoint] = Field(min_length=1, max_length=64)


ArgsT = TypeVar("ArgsT", bound=ContainerArgs)


def docker(ctx: ActionContext) -> DockerClient:
    """A client of the Docker daemon at ``[response] docker_url``."""
    return DockerClient(ctx.settings.docker_url)


def _state(info: Mapping[str, Any]) -> Mapping[str, Any]:
    state = info.get("State")
    return state if isinstance(state, Mapping) else {}


def _networks(info: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    settings = info.get("NetworkSettings") or {}
    networks = settings.get("Networks") or {}
    # "none" is Docker's placeholder for "no network": nothing to cut.
    return {name: ep for name, ep in networks.items() if name != "none"}


def _plan(ctx: ActionContext, summary: str, *calls: tuple[str, str]) -> Outcome:
    """A dry run: the requests ``calls`` would make, none sent."""
    with docker(ctx) as client:
        return Outcome(summary, effects=tuple(client.effect(m, path) for m, path in calls))


def _inspect(container: str) -> tuple[str, str]:
    return "GET", f"/containers/{container}/json"


class _ContainerAction(Action[ArgsT]):
    """Common parts: every container action changes a host."""

    changes_host = True


class IsolateContainer(_ContainerAction[ContainerArgs]):
    """Disconnect a container from all its networks; output what reconnecting needs."""

    name = "isolate_container"
    title: ClassVar[dict[str, str]] = {"en": "Isolate container", "zh-CN": "隔离容器网络"}
    args_model = ContainerArgs
    undo_action = "reconnect_container"

    def plan(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """The inspect and one disconnect per network (not known until run)."""
        return _plan(
            ctx,
            f"would isolate container {args.container}",
            _inspect(args.container),
            ("POST", "/networks/<each network>/disconnect"),
        )

    def run(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """Inspect the container, then disconnect it from each network with ``Force``.

        Raises:
            ActionError: No such container, host or shared network mode, or a failed call.
        """
        with docker(ctx) as client:
            info = client.inspect(args.container)
            mode = str((info.get("HostConfig") or {}).get("NetworkMode") or "")
            if mode == "host" or mode.startswith("container:"):
                raise ActionError(
                    f"container {args.container} uses network mode {mode.split(':')[0]!r}: it "
                    "cannot be disconnected",
                    hint="pause_container or stop_container it instead",
                )
            found = _networks(info)
            try:
                endpoints = {name: Endpoint.from_docker(ep) for name, ep in found.items()}
            except ValueError as exc:
                raise ActionError(
                    f"container {args.container} has endpoint settings Garrison cannot record "
                    f"for a reconnect: {exc}"[:400]
                ) from None
            effects = [client.effect("GET", f"/containers/{args.container}/json")]
            done: list[str] = []
            for network in found:
                try:
                    client.disconnect(network, args.container)
                except ActionError as exc:
                    if not done:
                        raise
                    # A retry would no longer see these networks: name them for the record.
                    raise ActionError(
                        f"{exc.message}; disconnected from {', '.join(done)} already",
                        retryable=exc.retryable,
                        hint=exc.hint,
                    ) from None
                done.append(network)
                effects.append(client.effect("POST", f"/networks/{network}/disconnect"))
        networks = {name: ep.model_dump(mode="json") for name, ep in endpoints.items()}
        output = {
            "container": args.container,
            "networks": networks,
            "addresses": {name: ep.get("IPAddress") or None for name, ep in found.items()},
        }
        if not found:
            return Outcome(
                f"container {args.container} is on no network already",
                output=output,
                effects=tuple(effects),
                changed=False,
            )
        return Outcome(
            f"isolated container {args.container} from {', '.join(sorted(found))}",
            output=output,
            effects=tuple(effects),
            undo=Undo("reconnect_container", {"container": args.container, "networks": networks}),
        )


class ReconnectContainer(_ContainerAction[ReconnectArgs]):
    """Connect a container to the networks ``isolate_container`` took it off."""

    name = "reconnect_container"
    title: ClassVar[dict[str, str]] = {"en": "Reconnect container", "zh-CN": "恢复容器网络"}
    args_model = ReconnectArgs

    def plan(self, args: ReconnectArgs, ctx: ActionContext) -> Outcome:
        """One connect per network."""
        return _plan(
            ctx,
            f"would reconnect container {args.container}",
            _inspect(args.container),
            *(("POST", f"/networks/{net}/connect") for net in args.networks),
        )

    def run(self, args: ReconnectArgs, ctx: ActionContext) -> Outcome:
        """Connect to each network the container is not on yet."""
        with docker(ctx) as client:
            present = set(_networks(client.inspect(args.container)))
            effects = [client.effect("GET", f"/containers/{args.container}/json")]
            connected = []
            for network, endpoint in args.networks.items():
                if network in present:
                    continue
                client.connect(network, args.container, endpoint.to_docker())
                effects.append(client.effect("POST", f"/networks/{network}/connect"))
                connected.append(network)
        already = sorted(set(args.networks) - set(connected))
        output = {"container": args.container, "connected": connected, "already": already}
        if not connected:
            return Outcome(
                f"container {args.container} is on its networks already",
                output=output,
                effects=tuple(effects),
                changed=False,
            )
        return Outcome(
            f"reconnected container {args.container} to {', '.join(connected)}",
            output=output,
            effects=tuple(effects),
        )


class PauseContainer(_ContainerAction[ContainerArgs]):
    """Freeze every process of a container (memory and state stay for forensics)."""

    name = "pause_container"
    title: ClassVar[dict[str, str]] = {"en": "Pause container", "zh-CN": "暂停容器"}
    args_model = ContainerArgs
    undo_action = "unpause_container"

    def plan(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """The inspect and the pause."""
        return _plan(
            ctx,
            f"would pause container {args.container}",
            _inspect(args.container),
            ("POST", f"/containers/{args.container}/pause"),
        )

    def run(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """Pause the container unless it is paused already.

        Raises:
            ActionError: No such container, or it is not running.
        """
        with docker(ctx) as client:
            state = _state(client.inspect(args.container))
            effects = [client.effect("GET", f"/containers/{args.container}/json")]
            output = {"container": args.container}
            if state.get("Paused"):
                return Outcome(
                    f"container {args.container} is paused already",
                    output=output,
                    effects=tuple(effects),
                    changed=False,
                )
            if not state.get("Running"):
                raise ActionError(f"container {args.container} is not running: nothing to pause")
            client.pause(args.container)
            effects.append(client.effect("POST", f"/containers/{args.container}/pause"))
        return Outcome(
            f"paused container {args.container}",
            output=output,
            effects=tuple(effects),
            undo=Undo("unpause_container", {"container": args.container}),
        )


class UnpauseContainer(_ContainerAction[ContainerArgs]):
    """Let a paused container run again."""

    name = "unpause_container"
    title: ClassVar[dict[str, str]] = {"en": "Unpause container", "zh-CN": "恢复容器运行"}
    args_model = ContainerArgs

    def plan(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """The inspect and the unpause."""
        return _plan(
            ctx,
            f"would unpause container {args.container}",
            _inspect(args.container),
            ("POST", f"/containers/{args.container}/unpause"),
        )

    def run(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """Unpause the container when it is paused."""
        with docker(ctx) as client:
            state = _state(client.inspect(args.container))
            effects = [client.effect("GET", f"/containers/{args.container}/json")]
            output = {"container": args.container}
            if not state.get("Paused"):
                return Outcome(
                    f"container {args.container} is not paused",
                    output=output,
                    effects=tuple(effects),
                    changed=False,
                )
            client.unpause(args.container)
            effects.append(client.effect("POST", f"/containers/{args.container}/unpause"))
        return Outcome(
            f"unpaused container {args.container}", output=output, effects=tuple(effects)
        )


class StopContainer(_ContainerAction[StopArgs]):
    """Stop a container (stop signal, then ``SIGKILL`` after ``timeout`` seconds)."""

    name = "stop_container"
    title: ClassVar[dict[str, str]] = {"en": "Stop container", "zh-CN": "停止容器"}
    args_model = StopArgs
    undo_action = "start_container"

    def plan(self, args: StopArgs, ctx: ActionContext) -> Outcome:
        """The stop request."""
        stop = ("POST", f"/containers/{args.container}/stop?t={args.timeout}")
        return _plan(ctx, f"would stop container {args.container}", stop)

    def run(self, args: StopArgs, ctx: ActionContext) -> Outcome:
        """Stop the container; a stopped one is left alone (Docker answers 304)."""
        with docker(ctx) as client:
            changed = client.stop(args.container, args.timeout)
            effect = client.effect("POST", f"/containers/{args.container}/stop?t={args.timeout}")
        output = {"container": args.container}
        if not changed:
            return Outcome(
                f"container {args.container} is stopped already",
                output=output,
                effects=(effect,),
                changed=False,
            )
        return Outcome(
            f"stopped container {args.container}",
            output=output,
            effects=(effect,),
            undo=Undo("start_container", {"container": args.container}),
        )


class StartContainer(_ContainerAction[ContainerArgs]):
    """Start a stopped container."""

    name = "start_container"
    title: ClassVar[dict[str, str]] = {"en": "Start container", "zh-CN": "启动容器"}
    args_model = ContainerArgs

    def plan(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """The start request."""
        start = ("POST", f"/containers/{args.container}/start")
        return _plan(ctx, f"would start container {args.container}", start)

    def run(self, args: ContainerArgs, ctx: ActionContext) -> Outcome:
        """Start the container; a running one is left alone (Docker answers 304)."""
        with docker(ctx) as client:
            changed = client.start(args.container)
            effect = client.effect("POST", f"/containers/{args.container}/start")
        summary = (
            f"started container {args.container}"
            if changed
            else f"container {args.container} is running already"
        )
        return Outcome(
            summary,
            output={"container": args.container},
            effects=(effect,),
            changed=changed,
        )


ACTIONS = (
    IsolateContainer(),
    ReconnectContainer(),
    PauseContainer(),
    UnpauseContainer(),
    StopContainer(),
    StartContainer(),
)
