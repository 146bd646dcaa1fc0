"""The container actions against a fake Docker daemon: exact requests, idempotency, undo."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.base import ActionContext, Undo
from garrison.respond.actions.container import (
    IsolateContainer,
    PauseContainer,
    ReconnectContainer,
    StartContainer,
    StopContainer,
    UnpauseContainer,
)
from garrison.respond.actions.registry import registry
from garrison.respond.config import ResponseSettings

from .conftest import MakeContext, scripted
from .docker_fake import FakeDocker, endpoint, serve_tcp, serve_unix

ISOLATE, RECONNECT = IsolateContainer(), ReconnectContainer()
PAUSE, UNPAUSE = PauseContainer(), UnpauseContainer()
STOP, START = StopContainer(), StartContainer()

APP_NET = endpoint(
    "172.30.0.5",
    IPAMConfig={"IPv4Address": "172.30.0.5", "IPv6Address": "", "LinkLocalIPs": None},
    Aliases=["web", "3f2a1b"],
    Links=["db:database"],
    DriverOpts={"com.example.opt": "1"},
)


@pytest.fixture
def fake() -> FakeDocker:
    daemon = FakeDocker()
    daemon.add("web", networks={"bridge": endpoint("172.17.0.2"), "app_net": dict(APP_NET)})
    return daemon


@pytest.fixture
def ctx(fake: FakeDocker, make_ctx: MakeContext) -> Iterator[ActionContext]:
    with serve_unix(fake) as url:
        yield make_ctx(scripted(), settings=ResponseSettings(docker_url=url))


def run(action: Any, ctx: ActionContext, **raw: Any) -> Any:
    return action.run(action.parse(raw), ctx)


def test_the_six_actions_are_registered() -> None:
    names = {"isolate_container", "reconnect_container", "pause_container"}
    names |= {"unpause_container", "stop_container", "start_container"}
    found = registry()
    assert names <= set(found)
    assert all(found[name].changes_host for name in names)


def test_isolate_disconnects_every_network_and_records_how_to_reconnect(
    fake: FakeDocker, ctx: ActionContext
) -> None:
    outcome = run(ISOLATE, ctx, container="web")
    assert fake.paths() == [
        "GET /v1.44/containers/web/json",
        "POST /v1.44/networks/bridge/disconnect",
        "POST /v1.44/networks/app_net/disconnect",
    ]
    assert [r.body for r in fake.requests[1:]] == [{"Container": "web", "Force": True}] * 2
    assert fake.containers["web"]["NetworkSettings"]["Networks"] == {}
    networks = {
        "bridge": {"aliases": [], "links": [], "ipam": None, "driver_opts": {}},
        "app_net": {
            "aliases": ["web", "3f2a1b"],
            "links": ["db:database"],
            "ipam": {"ipv4_address": "172.30.0.5", "ipv6_address": None, "link_local_ips": []},
            "driver_opts": {"com.example.opt": "1"},
        },
    }
    assert outcome.changed
    assert outcome.output == {
        "container": "web",
        "networks": networks,
        "addresses": {"bridge": "172.17.0.2", "app_net": "172.30.0.5"},
    }
    assert outcome.undo == Undo("reconnect_container", {"container": "web", "networks": networks})
    assert [e.detail.split(" ", 2)[2] for e in outcome.effects] == [
        "/v1.44/containers/web/json",
        "/v1.44/networks/bridge/disconnect",
        "/v1.44/networks/app_net/disconnect",
    ]


def test_the_undo_reconnects_with_the_same_endpoint_settings(
    fake: FakeDocker, ctx: ActionContext
) -> None:
    undo = run(ISOLATE, ctx, container="web").undo
    fake.requests.clear()
    outcome = run(RECONNECT, ctx, **undo.args)
    assert fake.paths() == [
        "GET /v1.44/containers/web/json",
        "POST /v1.44/networks/bridge/connect",
        "POST /v1.44/networks/app_net/connect",
    ]
    assert fake.requests[1].body == {"Container": "web", "EndpointConfig": {}}
    assert fake.requests[2].body == {
        "Container": "web",
        "EndpointConfig": {
            "Aliases": ["web", "3f2a1b"],
            "Links": ["db:database"],
            "IPAMConfig": {"IPv4Address": "172.30.0.5"},
            "DriverOpts": {"com.example.opt": "1"},
        },
    }
    assert outcome.changed and outcome.output["connected"] == ["bridge", "app_net"]
    assert set(fake.containers["web"]["NetworkSettings"]["Networks"]) == {"bridge", "app_net"}


def test_isolating_an_isolated_container_changes_nothing(
    fake: FakeDocker, ctx: ActionContext
) -> None:
    run(ISOLATE, ctx, container="web")
    fake.requests.clear()
    again = run(ISOLATE, ctx, container="web")
    assert fake.paths() == ["GET /v1.44/containers/web/json"]
    assert not again.changed and again.undo is None
    assert again.output["networks"] == {}


def test_the_none_network_is_not_touched(fake: FakeDocker, ctx: ActionContext) -> None:
    fake.add("quiet", networks={"none": endpoint("")})
    outcome = run(ISOLATE, ctx, container="quiet")
    assert fake.paths() == ["GET /v1.44/containers/quiet/json"]
    assert not outcome.changed


@pytest.mark.parametrize("mode", ["host", "container:3f2a1b"])
def test_shared_network_modes_cannot_be_isolated(
    fake: FakeDocker, ctx: ActionContext, mode: str
) -> None:
    fake.add("shared", mode=mode, networks={})
    with pytest.raises(ActionError) as caught:
        run(ISOLATE, ctx, container="shared")
    assert "cannot be disconnected" in caught.value.message
    assert caught.value.hint is not None and "pause_container" in caught.value.hint
    assert fake.paths() == ["GET /v1.44/containers/shared/json"]


def test_a_half_done_isolation_names_what_was_cut(fake: FakeDocker, ctx: ActionContext) -> None:
    fake.fail[("POST", "/networks/app_net/disconnect")] = (500, "driver failed")
    with pytest.raises(ActionError) as caught:
        run(ISOLATE, ctx, container="web")
    assert caught.value.retryable
    assert caught.value.message == (
        "the Docker daemon failed: driver failed; disconnected from bridge already"
    )


def test_reconnect_skips_networks_the_container_is_on(fake: FakeDocker, ctx: ActionContext) -> None:
    args = {"container": "web", "networks": {"bridge": {}, "backend": {"aliases": ["api"]}}}
    outcome = run(RECONNECT, ctx, **args)
    assert fake.paths() == [
        "GET /v1.44/containers/web/json",
        "POST /v1.44/networks/backend/connect",
    ]
    assert fake.requests[1].body == {"Container": "web", "EndpointConfig": {"Aliases": ["api"]}}
    assert outcome.output == {"container": "web", "connected": ["backend"], "already": ["bridge"]}
    fake.requests.clear()
    assert not run(RECONNECT, ctx, **args).changed
    assert fake.paths() == ["GET /v1.44/containers/web/json"]


def test_pause_and_unpause_are_idempotent(fake: FakeDocker, ctx: ActionContext) -> None:
    first = run(PAUSE, ctx, container="web")
    second = run(PAUSE, ctx, container="web")
    assert first.changed and first.undo == Undo("unpause_container", {"container": "web"})
    assert not second.changed and second.undo is None
    resumed = run(UNPAUSE, ctx, container="web")
    again = run(UNPAUSE, ctx, container="web")
    assert resumed.changed and not again.changed
    assert fake.paths() == [
        "GET /v1.44/containers/web/json",
        "POST /v1.44/containers/web/pause",
        "GET /v1.44/containers/web/json",
        "GET /v1.44/containers/web/json",
        "POST /v1.44/containers/web/unpause",
        "GET /v1.44/containers/web/json",
    ]


def test_a_stopped_container_cannot_be_paused(fake: FakeDocker, ctx: ActionContext) -> None:
    fake.add("idle", running=False)
    with pytest.raises(ActionError) as caught:
        run(PAUSE, ctx, container="idle")
    assert caught.value.message == "container idle is not running: nothing to pause"
    assert not caught.value.retryable


def test_docker_conflicts_are_not_retryable(fake: FakeDocker, ctx: ActionContext) -> None:
    # The container was paused by someone else between the inspect and the pause.
    fake.fail[("POST", "/containers/web/pause")] = (409, "Container web is already paused")
    with pytest.raises(ActionError) as caught:
        run(PAUSE, ctx, container="web")
    assert not caught.value.retryable
    assert "already paused" in caught.value.message


def test_stop_and_start(fake: FakeDocker, ctx: ActionContext) -> None:
    stopped = run(STOP, ctx, container="web", timeout=3)
    assert stopped.changed and stopped.undo == Undo("start_container", {"container": "web"})
    again = run(STOP, ctx, container="web")
    assert not again.changed and again.undo is None
    started = run(START, ctx, **stopped.undo.args)
    running = run(START, ctx, container="web")
    assert started.changed and not running.changed
    assert running.summary == "container web is running already"
    assert fake.paths() == [
        "POST /v1.44/containers/web/stop?t=3",
        "POST /v1.44/containers/web/stop?t=10",
        "POST /v1.44/containers/web/start",
        "POST /v1.44/containers/web/start",
    ]


def test_actions_work_over_tcp(fake: FakeDocker, make_ctx: MakeContext) -> None:
    with serve_tcp(fake) as url:
        ctx = make_ctx(scripted(), settings=ResponseSettings(docker_url=url))
        run(STOP, ctx, container="web", timeout=0)
    assert fake.paths() == ["POST /v1.44/containers/web/stop?t=0"]


@pytest.mark.parametrize("action", [ISOLATE, PAUSE, UNPAUSE, STOP, START])
def test_an_unknown_container_fails_for_good(
    fake: FakeDocker, ctx: ActionContext, action: Any
) -> None:
    with pytest.raises(ActionError) as caught:
        run(action, ctx, container="ghost")
    assert caught.value.message.startswith("no such container: ghost")
    assert not caught.value.retryable


def test_a_daemon_failure_is_retryable(fake: FakeDocker, ctx: ActionContext) -> None:
    fake.fail[("POST", "/containers/web/stop")] = (500, "cannot kill container: permission denied")
    with pytest.raises(ActionError) as caught:
        run(STOP, ctx, container="web")
    assert caught.value.retryable


@pytest.mark.parametrize(
    ("action", "raw"),
    [
        (ISOLATE, {"container": "web"}),
        (RECONNECT, {"container": "web", "networks": {"bridge": {}}}),
        (PAUSE, {"container": "web"}),
        (UNPAUSE, {"container": "web"}),
        (STOP, {"container": "web", "timeout": 5}),
        (START, {"container": "web"}),
    ],
)
def test_a_dry_run_sends_nothing(
    fake: FakeDocker, ctx: ActionContext, action: Any, raw: dict[str, Any]
) -> None:
    outcome = action.plan(action.parse(raw), ctx)
    assert fake.requests == []
    assert outcome.effects and all(e.kind == "http" for e in outcome.effects)
    assert outcome.summary.startswith("would ")


@pytest.mark.parametrize(
    "container", ["web; rm -rf /", "-web", "../etc", "web/../x", "", "a" * 129, "web\n", 7]
)
def test_container_references_are_validated(container: object) -> None:
    for action in (ISOLATE, PAUSE, UNPAUSE, STOP, START):
        with pytest.raises(InputError):
            action.parse({"container": container})


@pytest.mark.parametrize(
    "networks",
    [
        {},
        {"bad/name": {}},
        {"net": {"aliases": ["a\nb"]}},
        {"net": {"ipam": {"ipv4_address": "not-an-ip"}}},
        {"net": {"unknown": 1}},
        {"-net": {}},
    ],
)
def test_reconnect_arguments_are_validated(networks: dict[str, Any]) -> None:
    with pytest.raises(InputError):
        RECONNECT.parse({"container": "web", "networks": networks})


def test_stop_timeout_is_bounded() -> None:
    for bad in (-1, 601, "soon"):
        with pytest.raises(InputError):
            STOP.parse({"container": "web", "timeout": bad})
