"""Acceptance: the shipped container playbooks against a fake Docker daemon.

Container escape indicators pause the container, open a grade-II incident, snapshot it
(commit + export, sealed as evidence) and tell the command group; a web shell in a
container quarantines nothing outside the host but cuts the container off its networks.
The fake daemon answers as the Engine API does and records every request as received.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from garrison.automation import Automation
from garrison.core.clock import FrozenClock
from garrison.platform import Platform
from garrison.respond.actions.argv import RecordingRunner
from garrison.respond.config import ResponseSettings
from garrison.settings import Settings
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import to_micros

from .respond.actions.docker_fake import FakeDocker, endpoint, serve_unix


@pytest.fixture
def docker() -> Iterator[tuple[FakeDocker, str]]:
    fake = FakeDocker()
    fake.add("web", networks={"bridge": endpoint("172.17.0.2")})
    with serve_unix(fake) as url:
        yield fake, url


@pytest.fixture
def platform(
    clock: FrozenClock, tmp_path: Path, docker: tuple[FakeDocker, str]
) -> Iterator[Platform]:
    settings = Settings(
        home=tmp_path / "home", timezone="UTC", response=ResponseSettings(docker_url=docker[1])
    )
    plat = Platform.open(settings, clock)
    at = to_micros(clock.now())
    with plat.store.engine.begin() as conn:  # the alert the playbooks run on (id 1)
        conn.execute(
            t.alerts.insert().values(
                fingerprint="f" * 64,
                rule_id="r1",
                title="Container escape indicators",
                level="critical",
                tags='["attack.t1611"]',
                kind="single",
                grouping="{}",
                count=3,
                first_seen=at,
                last_seen=at,
                event_ids="[]",
                status="new",
                created_at=at,
                updated_at=at,
            )
        )
    yield plat
    plat.close()


def context(tag: str, **event: Any) -> dict[str, Any]:
    return {
        "alert": {
            "id": 1,
            "rule_id": "r1",
            "title": "Container escape indicators",
            "level": "critical",
            "tags": [tag],
            "group": {},
            "count": 3,
            "source_ip": "",
            "user": "",
            "host": "node-1",
            "event_ids": [],
        },
        "event": event,
    }


def test_container_escape_pauses_snapshots_and_escalates(
    platform: Platform, docker: tuple[FakeDocker, str]
) -> None:
    fake, _ = docker
    automation = Automation(platform, runner=RecordingRunner())
    run = automation.start(
        "container-escape",
        actor="test",
        context=context("attack.t1611", container={"name": "web", "id": "abc"}),
    )
    assert run is not None and run.status == "succeeded", automation.view_json(run.id)
    assert [p.split("?")[0] for p in fake.paths()] == [
        "GET /v1.44/containers/web/json",
        "POST /v1.44/containers/web/pause",
        "POST /v1.44/commit",
        "GET /v1.44/containers/web/export",
    ]
    assert fake.containers["web"]["State"]["Paused"] is True
    _, steps, _ = automation.view(run.id)
    by_step = {s.step: s for s in steps}
    incident = platform.incidents.get(by_step["incident"].output["incident_id"])
    assert (incident.grade, incident.type) == ("II", "container_escape")
    snapshot = by_step["snapshot"].output
    assert Path(snapshot["path"]).is_file() and len(snapshot["sha256"]) == 64


def test_web_shell_in_a_container_isolates_it(
    platform: Platform, docker: tuple[FakeDocker, str]
) -> None:
    fake, _ = docker
    automation = Automation(platform, runner=RecordingRunner())
    run = automation.start(
        "web-shell",
        actor="test",
        context=context("attack.t1505.003", url={"path": "/shell.php"}, container={"name": "web"}),
    )
    assert run is not None
    _, steps, _ = automation.view(run.id)
    by_step = {s.step: s for s in steps}
    assert by_step["isolate"].status == "succeeded"
    assert "POST /v1.44/networks/bridge/disconnect" in fake.paths()
    assert fake.containers["web"]["NetworkSettings"]["Networks"] == {}


def test_web_shell_on_the_host_touches_no_container(
    platform: Platform, docker: tuple[FakeDocker, str]
) -> None:
    fake, _ = docker
    automation = Automation(platform, runner=RecordingRunner())
    run = automation.start(
        "web-shell", actor="test", context=context("attack.t1505.003", url={"path": "/x.php"})
    )
    assert run is not None
    _, steps, _ = automation.view(run.id)
    assert {s.step: s.status for s in steps}["isolate"] == "skipped"
    assert fake.requests == []
