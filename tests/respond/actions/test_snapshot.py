"""``snapshot_container``: commit, export to a hashed tar file, seal as evidence."""

from __future__ import annotations

import hashlib
import io
import os
import stat
import tarfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.base import ActionContext, Ports
from garrison.respond.actions.memory import MemoryEvidence
from garrison.respond.actions.snapshot import SnapshotContainer, image_tag
from garrison.respond.config import ResponseSettings

from .conftest import MakeContext, scripted
from .docker_fake import FakeDocker, serve_unix, tar_of

SNAPSHOT = SnapshotContainer()
COMMIT = (
    "POST /v1.44/commit?container=web&repo=garrison-forensics&tag=web-20261123T120000Z"
    "&pause=true&comment=Garrison+forensic+snapshot+of+web+%28playbook%3Atest+run+7%29"
)


@pytest.fixture
def fake() -> FakeDocker:
    daemon = FakeDocker()
    daemon.add("web")
    daemon.export_data = tar_of(
        {"etc/passwd": b"root:x:0:0::/root:/bin/sh\n", "tmp/x": b"!" * 70_000}
    )
    return daemon


@pytest.fixture
def evidence() -> MemoryEvidence:
    return MemoryEvidence()


@pytest.fixture
def url(fake: FakeDocker) -> Iterator[str]:
    with serve_unix(fake) as address:
        yield address


@pytest.fixture
def ctx(url: str, evidence: MemoryEvidence, make_ctx: MakeContext) -> ActionContext:
    return make_ctx(
        scripted(), settings=ResponseSettings(docker_url=url), ports=Ports(evidence=evidence)
    )


def test_the_file_system_is_kept_hashed_and_sealed(
    fake: FakeDocker, ctx: ActionContext, evidence: MemoryEvidence
) -> None:
    outcome = SNAPSHOT.run(SNAPSHOT.parse({"container": "web", "incident_id": 12}), ctx)
    assert fake.paths() == [COMMIT, "GET /v1.44/containers/web/export"]
    path = ctx.home / "snapshots" / "web-20261123T120000Z.tar"
    digest = hashlib.sha256(fake.export_data).hexdigest()
    assert outcome.output == {
        "container": "web",
        "image_id": f"sha256:{1:064x}",
        "image": "garrison-forensics:web-20261123T120000Z",
        "path": str(path),
        "sha256": digest,
        "bytes": len(fake.export_data),
        "evidence": True,
    }
    assert path.read_bytes() == fake.export_data
    with tarfile.open(fileobj=io.BytesIO(path.read_bytes())) as tar:
        assert sorted(tar.getnames()) == ["etc/passwd", "tmp/x"]
    assert stat.S_IMODE(path.stat().st_mode) == 0o400
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert evidence.files == [
        {"path": str(path), "incident_id": 12, "name": path.name, "sha256": digest}
    ]
    assert outcome.changed and outcome.undo is None


def test_a_second_snapshot_in_the_same_second_gets_its_own_file(
    fake: FakeDocker, ctx: ActionContext
) -> None:
    first = SNAPSHOT.run(SNAPSHOT.parse({"container": "web"}), ctx)
    second = SNAPSHOT.run(SNAPSHOT.parse({"container": "web"}), ctx)
    assert Path(first.output["path"]).name == "web-20261123T120000Z.tar"
    assert Path(second.output["path"]).name == "web-20261123T120000Z-2.tar"
    assert second.output["image_id"] == f"sha256:{2:064x}"


def test_without_an_evidence_store_the_file_is_kept_unsealed(
    fake: FakeDocker, url: str, make_ctx: MakeContext
) -> None:
    ctx = make_ctx(scripted(), settings=ResponseSettings(docker_url=url), ports=Ports())
    outcome = SNAPSHOT.run(SNAPSHOT.parse({"container": "web"}), ctx)
    assert outcome.output["evidence"] is False
    assert Path(outcome.output["path"]).is_file()


def test_a_broken_export_leaves_no_file(fake: FakeDocker, ctx: ActionContext) -> None:
    fake.export_cut = 1000
    with pytest.raises(ActionError) as caught:
        SNAPSHOT.run(SNAPSHOT.parse({"container": "web"}), ctx)
    assert caught.value.retryable
    assert list((ctx.home / "snapshots").iterdir()) == []


def test_an_unknown_container_makes_nothing(fake: FakeDocker, ctx: ActionContext) -> None:
    with pytest.raises(ActionError) as caught:
        SNAPSHOT.run(SNAPSHOT.parse({"container": "ghost"}), ctx)
    assert caught.value.message.startswith("no such container: ghost")
    assert not caught.value.retryable
    assert list((ctx.home / "snapshots").iterdir()) == []


def test_a_file_changed_before_sealing_fails(
    fake: FakeDocker, url: str, make_ctx: MakeContext
) -> None:
    class Tampered:
        def add_file(self, path: Path, **_: object) -> str:
            return "0" * 64

    ctx = make_ctx(
        scripted(), settings=ResponseSettings(docker_url=url), ports=Ports(evidence=Tampered())
    )
    with pytest.raises(ActionError) as caught:
        SNAPSHOT.run(SNAPSHOT.parse({"container": "web"}), ctx)
    assert "changed before it was sealed" in caught.value.message


def test_a_dry_run_sends_nothing_and_writes_nothing(fake: FakeDocker, ctx: ActionContext) -> None:
    outcome = SNAPSHOT.plan(SNAPSHOT.parse({"container": "web"}), ctx)
    assert fake.requests == []
    assert not (ctx.home / "snapshots").exists()
    assert outcome.output["path"].endswith("snapshots/web-20261123T120000Z.tar")
    assert [e.kind for e in outcome.effects] == ["http", "http", "record", "record"]


def test_tags_fit_docker_rules() -> None:
    tag = image_tag("a" * 128, "20261123T120000Z")
    assert len(tag) <= 128 and tag.endswith("-20261123T120000Z")


def test_arguments_are_validated() -> None:
    for raw in ({"container": "web;id"}, {"container": "web", "incident_id": 0}, {"x": 1}):
        with pytest.raises(InputError):
            SNAPSHOT.parse(raw)


def test_an_existing_link_is_never_written_through(
    fake: FakeDocker, ctx: ActionContext, tmp_path: Path
) -> None:
    folder = ctx.home / "snapshots"
    folder.mkdir(parents=True)
    target = tmp_path / "victim"
    target.write_text("keep")
    os.symlink(target, folder / "web-20261123T120000Z.tar")
    outcome = SNAPSHOT.run(SNAPSHOT.parse({"container": "web"}), ctx)
    assert Path(outcome.output["path"]).name == "web-20261123T120000Z-2.tar"
    assert target.read_text() == "keep"
