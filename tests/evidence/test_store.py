"""The evidence store: layout, round trips, write-once, tamper/swap detection, memory use."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tracemalloc
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError, IntegrityError, NotFoundError
from garrison.evidence.algorithms import Algorithm
from garrison.evidence.keys import Keyring, generate_key
from garrison.evidence.store import EvidenceStore

posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
MARKER = b"SECRET-EVIDENCE-4f1c9a"


@pytest.fixture
def store(tmp_path: Path, keyring: Keyring) -> EvidenceStore:
    return EvidenceStore(tmp_path / "evidence", keyring, chunk_size=64)


def _no_temp_files(root: Path) -> bool:
    return not [p for p in root.rglob("*") if p.name.endswith(".tmp")]


def test_round_trip_bytes_and_file_objects(store: EvidenceStore, algorithm: Algorithm) -> None:
    data = MARKER * 20
    a = store.put("ev-1", data)
    b = store.put("ev-2", io.BytesIO(data))
    for evidence_id, stored in (("ev-1", a), ("ev-2", b)):
        assert store.get(evidence_id, stored) == data
        assert stored.sha256 == hashlib.sha256(data).hexdigest()
        assert stored.size == len(data)
        assert stored.algorithm == algorithm.value
        assert stored.key_id == store._keyring.current().id


def test_layout(store: EvidenceStore) -> None:
    stored = store.put("ev-1", b"x")
    shard = hashlib.sha256(b"ev-1").hexdigest()[:2]
    assert stored.path == f"{shard}/ev-1.sealed"
    assert (store.root / shard / "ev-1.sealed").is_file()
    assert store.relative_path("ev-1") == stored.path


@posix_only
def test_files_and_folders_are_private(tmp_path: Path, keyring: Keyring) -> None:
    old = os.umask(0)
    try:
        store = EvidenceStore(tmp_path / "evidence", keyring)
        stored = store.put("ev-1", b"x")
    finally:
        os.umask(old)
    path = store.root / stored.path
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(store.root.stat().st_mode) == 0o700


def test_empty_file(store: EvidenceStore) -> None:
    stored = store.put("empty", b"")
    assert stored.size == 0
    assert stored.sha256 == hashlib.sha256(b"").hexdigest()
    assert store.get("empty", stored) == b""


def test_multi_chunk_file_with_the_default_chunk_size(tmp_path: Path, keyring: Keyring) -> None:
    store = EvidenceStore(tmp_path / "ev", keyring)
    data = os.urandom((3 << 20) + 12345)  # 3 full 1 MiB chunks and a partial one
    stored = store.put("big", io.BytesIO(data))
    assert store.get("big", stored) == data
    sealed_size = (store.root / stored.path).stat().st_size
    header = 8 + len(stored.key_id) + 20
    assert sealed_size == header + len(data) + 4 * (12 + 16)


def test_plaintext_never_appears_in_the_stored_file(store: EvidenceStore) -> None:
    stored = store.put("ev-1", MARKER * 100)
    raw = (store.root / stored.path).read_bytes()
    assert MARKER not in raw
    assert MARKER[:8] not in raw
    assert b"ev-1" not in raw  # the id is bound as associated data, not written


def test_any_flipped_bit_is_refused(store: EvidenceStore) -> None:
    stored = store.put("flip", MARKER * 10)
    path = store.root / stored.path
    original = path.read_bytes()

    @settings(max_examples=150)
    @given(where=st.integers(min_value=0), bit=st.integers(min_value=0, max_value=7))
    def check(where: int, bit: int) -> None:
        damaged = bytearray(original)
        damaged[where % len(damaged)] ^= 1 << bit
        path.write_bytes(bytes(damaged))
        with pytest.raises(IntegrityError):
            store.get("flip", stored)

    check()
    path.write_bytes(original)
    assert store.get("flip", stored) == MARKER * 10


def test_truncated_file_is_refused(store: EvidenceStore) -> None:
    stored = store.put("ev-1", MARKER * 10)
    path = store.root / stored.path
    sealed = path.read_bytes()
    record = 12 + 64 + 16
    for cut in (len(sealed) - 1, len(sealed) - record, len(sealed) // 2, 10, 0):
        path.write_bytes(sealed[:cut])
        with pytest.raises(IntegrityError):
            store.get("ev-1", stored)


def test_swapped_files_are_refused(store: EvidenceStore) -> None:
    a = store.put("ev-a", b"first evidence file")
    b = store.put("ev-b", b"second evidence file")
    path_a, path_b = store.root / a.path, store.root / b.path
    saved = path_a.read_bytes()
    shutil.copyfile(path_b, path_a)
    with pytest.raises(IntegrityError, match="chunk 0 failed authentication"):
        store.get("ev-a", a)
    path_a.write_bytes(saved)
    # A record pointing at another evidence's file is refused before the file is opened.
    with pytest.raises(IntegrityError, match="points at"):
        store.get("ev-a", b)
    with pytest.raises(IntegrityError, match="points at"):
        store.delete("ev-a", b)
    assert path_b.exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"sha256": "0" * 64}, "does not match the recorded SHA-256"),
        ({"size": 5}, "larger than recorded"),
        ({"size": 500}, "has 19 bytes, the record says 500"),
    ],
)
def test_record_mismatch_is_refused(
    store: EvidenceStore, change: dict[str, object], message: str
) -> None:
    stored = store.put("ev-1", b"some evidence bytes")
    with pytest.raises(IntegrityError, match=message):
        store.get("ev-1", replace(stored, **change))  # type: ignore[arg-type]


def test_write_once_and_delete(store: EvidenceStore) -> None:
    stored = store.put("ev-1", b"v1")
    with pytest.raises(InputError, match="already has a stored file"):
        store.put("ev-1", b"v2")
    assert store.get("ev-1", stored) == b"v1"
    assert store.delete("ev-1", stored) is True
    assert store.delete("ev-1", stored) is False
    with pytest.raises(NotFoundError, match="missing"):
        store.get("ev-1", stored)
    again = store.put("ev-1", b"v2")
    assert store.get("ev-1", again) == b"v2"


@pytest.mark.parametrize("bad", ["", "../x", "a/b", ".hidden", "a\\b", "x" * 129, "é"])
def test_invalid_ids(store: EvidenceStore, bad: str) -> None:
    with pytest.raises(InputError, match="invalid evidence id"):
        store.put(bad, b"x")


def test_failed_put_leaves_nothing(store: EvidenceStore) -> None:
    class Broken(io.RawIOBase):
        calls = 0

        def readable(self) -> bool:
            return True

        def read(self, size: int = -1) -> bytes:
            self.calls += 1
            if self.calls > 2:
                raise OSError("upload interrupted")
            return b"y" * 64

    with pytest.raises(OSError, match="upload interrupted"):
        store.put("ev-1", Broken())  # type: ignore[arg-type]
    assert not (store.root / store.relative_path("ev-1")).exists()
    assert _no_temp_files(store.root)


def test_rotation_and_algorithm_change_keep_old_files_readable(
    tmp_path: Path, clock: FrozenClock
) -> None:
    ring = Keyring.open(tmp_path, clock=clock)
    store = EvidenceStore(tmp_path / "evidence", ring)
    old = store.put("ev-old", b"sealed with the first key")
    ring.ensure_current("sm4-gcm", clock=clock)
    new = store.put("ev-new", b"sealed with SM4")
    assert (old.algorithm, new.algorithm) == ("aes-256-gcm", "sm4-gcm")
    assert old.key_id != new.key_id
    # A fresh process: keyring reloaded from the key file.
    store2 = EvidenceStore(tmp_path / "evidence", Keyring.open(tmp_path, clock=clock))
    assert store2.get("ev-old", old) == b"sealed with the first key"
    assert store2.get("ev-new", new) == b"sealed with SM4"


def test_export_and_verify(store: EvidenceStore, tmp_path: Path) -> None:
    data = MARKER * 30
    stored = store.put("ev-1", data)
    store.verify("ev-1", stored)
    dest = tmp_path / "out.bin"
    store.export("ev-1", stored, dest)
    assert dest.read_bytes() == data
    if os.name == "posix":
        assert stat.S_IMODE(dest.stat().st_mode) == 0o600


def test_export_of_damaged_file_leaves_destination_untouched(
    store: EvidenceStore, tmp_path: Path
) -> None:
    stored = store.put("ev-1", MARKER * 30)
    path = store.root / stored.path
    path.write_bytes(path.read_bytes()[:-30])  # the first chunks still authenticate
    dest = tmp_path / "out.bin"
    dest.write_bytes(b"previous content")
    with pytest.raises(IntegrityError):
        store.export("ev-1", stored, dest)
    with pytest.raises(IntegrityError):
        store.verify("ev-1", stored)
    assert dest.read_bytes() == b"previous content"
    assert _no_temp_files(tmp_path)


class _Zeros(io.RawIOBase):
    """``size`` bytes of a repeating pattern, generated on demand (never held whole)."""

    def __init__(self, size: int) -> None:
        self._left = size

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        n = self._left if size < 0 else min(size, self._left)
        self._left -= n
        return b"\x5a" * n


def test_200_mb_streams_in_constant_memory(tmp_path: Path, clock: FrozenClock) -> None:
    # Memory use does not depend on the cipher; AES keeps the test fast (SM4 runs ~120 MB/s).
    size = 200 << 20
    keyring = Keyring([generate_key(Algorithm.AES_256_GCM, clock=clock)])
    store = EvidenceStore(tmp_path / "ev", keyring)
    tracemalloc.start()
    try:
        stored = store.put("huge", _Zeros(size))  # type: ignore[arg-type]
        _, peak_put = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        store.verify("huge", stored)
        _, peak_verify = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == size
    assert stored.sha256 == hashlib.sha256(b"\x5a" * size).hexdigest()
    # A few 1 MiB chunks in flight, never the file.
    assert peak_put < 8 << 20, peak_put
    assert peak_verify < 8 << 20, peak_verify
