"""The key file: creation, permissions, rotation, parsing, and keys kept out of text."""

from __future__ import annotations

import base64
import json
import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from garrison.core.clock import FrozenClock
from garrison.core.errors import ConfigError
from garrison.evidence.algorithms import Algorithm
from garrison.evidence.keys import Key, Keyring, generate_key, key_file_path

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")


@pytest.fixture
def loose_umask() -> Iterator[None]:
    """A umask that would leave new files world-readable unless the code sets modes itself."""
    old = os.umask(0)
    try:
        yield
    finally:
        os.umask(old)


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def _lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text().splitlines() if line]


@posix_only
def test_first_use_creates_private_folder_and_file(
    tmp_path: Path, clock: FrozenClock, loose_umask: None
) -> None:
    ring = Keyring.open(tmp_path, clock=clock)
    path = key_file_path(tmp_path)
    assert path == tmp_path / "keys" / "evidence.keys"
    assert _mode(path.parent) == 0o700
    assert _mode(path) == 0o600
    [line] = _lines(path)
    assert set(line) == {"id", "algorithm", "key", "created"}
    assert line["algorithm"] == "aes-256-gcm"
    assert len(base64.b64decode(line["key"])) == 32
    assert line["created"] == "2026-11-23T12:00:00+00:00"
    assert ring.current().id == line["id"]
    assert line["id"].startswith("20261123-")


def test_reopen_loads_the_same_key(tmp_path: Path, clock: FrozenClock) -> None:
    first = Keyring.open(tmp_path, clock=clock).current()
    again = Keyring.open(tmp_path, clock=clock, algorithm="sm4-gcm").current()
    # An existing file wins over the configured algorithm; ensure_current switches.
    assert again == first


def test_sm4_key_is_128_bits(tmp_path: Path, clock: FrozenClock) -> None:
    key = Keyring.open(tmp_path, clock=clock, algorithm=Algorithm.SM4_GCM).current()
    assert key.algorithm is Algorithm.SM4_GCM
    assert len(key.material) == 16


def test_rotate_keeps_old_keys_and_persists(tmp_path: Path, clock: FrozenClock) -> None:
    ring = Keyring.open(tmp_path, clock=clock)
    old = ring.current()
    clock.advance(timedelta(days=30))
    new = ring.rotate("sm4-gcm", clock=clock)
    assert ring.current() == new != old
    assert ring.get(old.id) == old
    assert new.created == clock.now()
    reloaded = Keyring.open(tmp_path, clock=clock)
    assert reloaded.ids() == [old.id, new.id]
    assert reloaded.current() == new


def test_other_process_rotation_is_found_on_miss(tmp_path: Path, clock: FrozenClock) -> None:
    a = Keyring.open(tmp_path, clock=clock)
    b = Keyring.open(tmp_path, clock=clock)
    new = b.rotate("aes-256-gcm", clock=clock)
    assert a.get(new.id) == new


def test_concurrent_rotations_both_survive(tmp_path: Path, clock: FrozenClock) -> None:
    a = Keyring.open(tmp_path, clock=clock)
    b = Keyring.open(tmp_path, clock=clock)
    ka = a.rotate("aes-256-gcm", clock=clock)
    kb = b.rotate("aes-256-gcm", clock=clock)  # b's view is stale: it must re-read first
    ids = Keyring.open(tmp_path, clock=clock).ids()
    assert ka.id in ids and kb.id in ids and len(ids) == 3


def test_ensure_current(tmp_path: Path, clock: FrozenClock) -> None:
    ring = Keyring.open(tmp_path, clock=clock)
    first = ring.current()
    assert ring.ensure_current("aes-256-gcm", clock=clock) == first
    sm4 = ring.ensure_current("sm4-gcm", clock=clock)
    assert sm4.algorithm is Algorithm.SM4_GCM
    assert ring.ensure_current("sm4-gcm", clock=clock) == sm4
    assert len(ring.ids()) == 2


def test_in_memory_keyring_rotates_without_a_file(clock: FrozenClock) -> None:
    ring = Keyring([generate_key(Algorithm.AES_256_GCM, clock=clock)])
    new = ring.rotate(Algorithm.SM4_GCM, clock=clock)
    assert ring.current() == new and ring.path is None


def test_unknown_key_id(clock: FrozenClock) -> None:
    ring = Keyring([generate_key(Algorithm.AES_256_GCM, clock=clock)])
    assert ring.find("nope") is None
    with pytest.raises(ConfigError, match="no evidence key with id 'nope'"):
        ring.get("nope")


@posix_only
@pytest.mark.parametrize("mode", [0o640, 0o604, 0o620, 0o602, 0o644])
def test_refuses_key_file_open_to_group_or_others(
    tmp_path: Path, clock: FrozenClock, mode: int
) -> None:
    Keyring.open(tmp_path, clock=clock)
    path = key_file_path(tmp_path)
    path.chmod(mode)
    with pytest.raises(ConfigError) as err:
        Keyring.open(tmp_path, clock=clock)
    assert "group or others" in err.value.message
    assert err.value.hint == f"run: chmod 600 {path}"


@posix_only
def test_stricter_modes_are_accepted(tmp_path: Path, clock: FrozenClock) -> None:
    Keyring.open(tmp_path, clock=clock)
    key_file_path(tmp_path).chmod(0o400)
    Keyring.open(tmp_path, clock=clock)


def test_keys_never_in_repr_or_str(tmp_path: Path, clock: FrozenClock) -> None:
    ring = Keyring.open(tmp_path, clock=clock)
    ring.rotate("sm4-gcm", clock=clock)
    for key in (ring.get(i) for i in ring.ids()):
        secrets_ = {key.material.hex(), base64.b64encode(key.material).decode(), repr(key.material)}
        for text in (repr(key), str(key), repr(ring), str(ring), f"{key}", f"{[key]}"):
            for secret in secrets_:
                assert secret not in text
        assert key.id in repr(key) and key.algorithm.value in repr(key)


def _write_key_file(home: Path, lines: list[str]) -> Path:
    path = key_file_path(home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(line + "\n" for line in lines))
    path.chmod(0o600)
    return path


def _line(**overrides: object) -> str:
    obj: dict[str, object] = {
        "id": "k1",
        "algorithm": "aes-256-gcm",
        "key": base64.b64encode(b"\x07" * 32).decode(),
        "created": "2026-01-01T00:00:00+00:00",
    }
    obj.update(overrides)
    return json.dumps({k: v for k, v in obj.items() if v is not None})


SECRET_B64 = base64.b64encode(b"\x07" * 32).decode()


@pytest.mark.parametrize(
    ("lines", "message"),
    [
        ([], "no evidence keys"),
        (["{not json " + SECRET_B64], "line 1: not a JSON object"),
        (["[1, 2]"], "line 1: not a JSON object"),
        ([_line(id=None)], "line 1: field 'id' is missing"),
        ([_line(), _line(id="k2", key="!!!" + SECRET_B64)], "line 2: field 'key' is not valid"),
        ([_line(created="yesterday")], "line 1: field 'created'"),
        ([_line(created="2026-01-01T00:00:00")], "without a timezone"),
        ([_line(algorithm="des")], "unknown evidence encryption algorithm"),
        ([_line(algorithm="sm4-gcm")], "has 32 bytes, sm4-gcm needs 16"),
        ([_line(id="../etc")], "invalid key id"),
        ([_line(), _line()], "appears twice"),
    ],
)
def test_malformed_key_files(
    tmp_path: Path, clock: FrozenClock, lines: list[str], message: str
) -> None:
    _write_key_file(tmp_path, lines)
    with pytest.raises(ConfigError) as err:
        Keyring.open(tmp_path, clock=clock)
    assert message in err.value.message
    # Errors name the line, never quote it: it holds a key.
    assert SECRET_B64 not in err.value.message
    assert SECRET_B64 not in (err.value.hint or "")
    assert err.value.__cause__ is None
    assert err.value.__context__ is None


def test_blank_lines_are_ignored(tmp_path: Path, clock: FrozenClock) -> None:
    _write_key_file(tmp_path, ["", _line(), "  ", _line(id="k2")])
    ring = Keyring.open(tmp_path, clock=clock)
    assert ring.ids() == ["k1", "k2"]
    assert ring.current().created == datetime(2026, 1, 1, tzinfo=UTC)


def test_key_validates_itself(clock: FrozenClock) -> None:
    with pytest.raises(ConfigError, match="has 16 bytes"):
        Key("k", Algorithm.AES_256_GCM, b"x" * 16, clock.now())
