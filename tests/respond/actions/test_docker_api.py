"""The Docker Engine API client against a fake daemon on a unix socket (and once over TCP)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator

import pytest

from garrison.core.errors import ActionError
from garrison.respond.actions.docker_api import API_VERSION, DockerClient

from .docker_fake import FakeDocker, serve_tcp, serve_unix, tar_of


@pytest.fixture
def fake() -> FakeDocker:
    daemon = FakeDocker()
    daemon.add("web")
    return daemon


@pytest.fixture
def url(fake: FakeDocker) -> Iterator[str]:
    with serve_unix(fake) as address:
        yield address


def test_inspect_over_the_unix_socket(fake: FakeDocker, url: str) -> None:
    with DockerClient(url) as client:
        info = client.inspect("web")
    assert API_VERSION == "1.44"
    assert info["Name"] == "/web"
    assert fake.paths() == ["GET /v1.44/containers/web/json"]
    assert fake.requests[0].headers["host"] == "docker"
    assert fake.requests[0].body is None


def test_pause_over_tcp(fake: FakeDocker) -> None:
    with serve_tcp(fake) as address, DockerClient(address) as client:
        client.pause("web")
    assert fake.paths() == ["POST /v1.44/containers/web/pause"]
    assert fake.requests[0].headers["host"].startswith("127.0.0.1:")
    assert fake.containers["web"]["State"]["Paused"] is True


def test_every_call_sends_the_documented_request(fake: FakeDocker, url: str) -> None:
    with DockerClient(url) as client:
        client.disconnect("bridge", "web")
        client.connect("app_net", "web", {"Aliases": ["web"]})
        client.pause("web")
        client.unpause("web")
        assert client.stop("web", 7) is True
        assert client.stop("web", 7) is False
        assert client.start("web") is True
        assert client.start("web") is False
        image = client.commit("web", repo="garrison-forensics", tag="web-1", comment="why not")
    assert image == f"sha256:{1:064x}"
    assert fake.paths() == [
        "POST /v1.44/networks/bridge/disconnect",
        "POST /v1.44/networks/app_net/connect",
        "POST /v1.44/containers/web/pause",
        "POST /v1.44/containers/web/unpause",
        "POST /v1.44/containers/web/stop?t=7",
        "POST /v1.44/containers/web/stop?t=7",
        "POST /v1.44/containers/web/start",
        "POST /v1.44/containers/web/start",
        "POST /v1.44/commit?container=web&repo=garrison-forensics&tag=web-1&pause=true"
        "&comment=why+not",
    ]
    assert fake.requests[0].body == {"Container": "web", "Force": True}
    assert fake.requests[1].body == {"Container": "web", "EndpointConfig": {"Aliases": ["web"]}}
    assert all(r.body is None for r in fake.requests[2:])
    assert fake.requests[0].headers["content-type"] == "application/json"


def test_export_streams_the_tar(fake: FakeDocker, url: str) -> None:
    fake.export_data = tar_of({f"f{n}": bytes([n]) * 5000 for n in range(20)})
    with DockerClient(url) as client, client.export("web") as chunks:
        data = b"".join(chunks)
    assert data == fake.export_data
    assert fake.paths() == ["GET /v1.44/containers/web/export"]


@pytest.mark.parametrize(
    ("status", "message", "retryable", "text"),
    [
        (404, "No such container: web", False, "no such container: web"),
        (
            409,
            "Container abc is not running",
            False,
            "Docker refused: Container abc is not running",
        ),
        (500, "Something went wrong.", True, "the Docker daemon failed: Something went wrong."),
        (400, "bad parameter", False, "Docker refused the request (400): bad parameter"),
    ],
)
def test_errors_are_mapped(
    fake: FakeDocker, url: str, status: int, message: str, retryable: bool, text: str
) -> None:
    fake.fail[("POST", "/containers/web/pause")] = (status, message)
    with DockerClient(url) as client, pytest.raises(ActionError) as caught:
        client.pause("web")
    assert caught.value.retryable is retryable
    assert text in caught.value.message


def test_an_unknown_container_is_not_retryable(fake: FakeDocker, url: str) -> None:
    with DockerClient(url) as client, pytest.raises(ActionError) as caught:
        client.inspect("ghost")
    assert caught.value.message.startswith("no such container: ghost")
    assert not caught.value.retryable


def test_an_export_error_is_mapped(fake: FakeDocker, url: str) -> None:
    with (
        DockerClient(url) as client,
        pytest.raises(ActionError) as caught,
        client.export("ghost") as chunks,
    ):
        b"".join(chunks)
    assert "no such container: ghost" in caught.value.message


def test_a_missing_daemon_is_retryable_with_a_hint() -> None:
    with tempfile.TemporaryDirectory() as folder:
        client = DockerClient(f"unix://{folder}/docker.sock")
        with client, pytest.raises(ActionError) as caught:
            client.inspect("web")
    assert caught.value.retryable
    assert "cannot reach the Docker daemon" in caught.value.message
    assert caught.value.hint is not None and "docker_url" in caught.value.hint


def test_a_slow_daemon_times_out(fake: FakeDocker, url: str) -> None:
    fake.delay = 0.3
    with DockerClient(url, timeout=0.05) as client, pytest.raises(ActionError) as caught:
        client.inspect("web")
    assert caught.value.retryable
    assert "did not answer in time" in caught.value.message


def test_an_older_daemon_is_spoken_to_in_its_version(fake: FakeDocker, url: str) -> None:
    fake.max_version = "1.43"
    with DockerClient(url) as client:
        client.inspect("web")
        client.pause("web")
        assert client.version == "1.43"
    assert fake.paths() == [
        "GET /v1.44/containers/web/json",
        "GET /v1.43/containers/web/json",
        "POST /v1.43/containers/web/pause",
    ]


def test_an_older_daemon_exports_in_its_version(fake: FakeDocker, url: str) -> None:
    fake.max_version = "1.41"
    with DockerClient(url) as client, client.export("web") as chunks:
        assert b"".join(chunks) == fake.export_data
    assert fake.paths() == ["GET /v1.44/containers/web/export", "GET /v1.41/containers/web/export"]


def test_a_too_old_daemon_is_refused(fake: FakeDocker, url: str) -> None:
    fake.max_version = "1.40"
    with DockerClient(url) as client, pytest.raises(ActionError) as caught:
        client.inspect("web")
    assert "needs 1.41" in caught.value.message
    assert caught.value.hint == "upgrade Docker to 20.10 or later"


@pytest.mark.parametrize("address", ["tcp://docker:2375", "docker.sock", "unix://", "ftp://x"])
def test_other_addresses_are_refused(address: str) -> None:
    with pytest.raises(ActionError) as caught:
        DockerClient(address)
    assert "not a Docker address" in caught.value.message


def test_path_segments_are_quoted(fake: FakeDocker, url: str) -> None:
    with DockerClient(url) as client, pytest.raises(ActionError):
        client.inspect("a/../b")
    assert fake.paths() == ["GET /v1.44/containers/a%2F..%2Fb/json"]


def test_effects_name_the_daemon_and_the_versioned_path() -> None:
    with DockerClient("unix:///var/run/docker.sock") as client:
        effect = client.effect("POST", "/containers/web/pause")
    assert effect.kind == "http"
    assert effect.detail == "POST unix:///var/run/docker.sock /v1.44/containers/web/pause"


@pytest.mark.parametrize("name", ["..", "."])
def test_dot_segments_never_reach_the_daemon(fake: FakeDocker, url: str, name: str) -> None:
    with DockerClient(url) as client, pytest.raises(ActionError):
        client.inspect(name)
    assert fake.requests == []
