"""The chunked format: round trips, chunk boundaries, and reorder/truncate/splice refused."""

from __future__ import annotations

import hashlib
import io
import struct
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.core.errors import InputError, IntegrityError
from garrison.evidence.algorithms import Algorithm
from garrison.evidence.crypto import Kind, seal
from garrison.evidence.keys import Keyring, generate_key
from garrison.evidence.stream import MAX_CHUNK_SIZE, StreamSummary, open_stream, seal_stream

_CLOCK = FrozenClock(datetime(2026, 11, 23, tzinfo=UTC))
RINGS = {a: Keyring([generate_key(a, clock=_CLOCK)]) for a in Algorithm}
AAD = b"evidence:7"
RECORD_OVERHEAD = 12 + 16


def _seal(
    ring: Keyring, data: bytes, chunk_size: int, aad: bytes = AAD
) -> tuple[bytes, StreamSummary]:
    out = io.BytesIO()
    summary = seal_stream(io.BytesIO(data), out, ring.current(), aad=aad, chunk_size=chunk_size)
    return out.getvalue(), summary


def _open(ring: Keyring, sealed: bytes, aad: bytes = AAD) -> bytes:
    return b"".join(open_stream(io.BytesIO(sealed), ring, aad=aad))


def _split(sealed: bytes, chunk_size: int) -> tuple[bytes, list[bytes]]:
    """Header and records of a sealed stream (test helper mirroring the documented layout)."""
    header_len = 8 + sealed[7] + 20
    size = struct.unpack_from(">I", sealed, 8 + sealed[7])[0]
    assert size == chunk_size
    record = 12 + chunk_size + 16
    body = sealed[header_len:]
    return sealed[:header_len], [body[i : i + record] for i in range(0, len(body), record)]


@given(
    algo=st.sampled_from(list(Algorithm)),
    data=st.binary(max_size=300),
    chunk_size=st.integers(min_value=1, max_value=64),
)
def test_round_trip(algo: Algorithm, data: bytes, chunk_size: int) -> None:
    ring = RINGS[algo]
    sealed, summary = _seal(ring, data, chunk_size)
    assert _open(ring, sealed) == data
    assert summary.size == len(data)
    assert summary.sha256 == hashlib.sha256(data).hexdigest()
    assert summary.algorithm is algo and summary.key_id == ring.current().id
    expected_chunks = max(1, -(-len(data) // chunk_size))
    assert summary.chunks == expected_chunks
    header, records = _split(sealed, chunk_size)
    assert len(records) == expected_chunks
    assert header[5] == Kind.STREAM


@pytest.mark.parametrize(("size", "chunks"), [(0, 1), (1, 1), (16, 1), (17, 2), (64, 4), (65, 5)])
def test_chunk_boundaries(size: int, chunks: int) -> None:
    ring = RINGS[Algorithm.AES_256_GCM]
    data = bytes(range(256))[:size] if size <= 256 else b""
    sealed, summary = _seal(ring, data, 16)
    assert summary.chunks == chunks
    assert _open(ring, sealed) == data


class _Trickle(io.RawIOBase):
    """A source whose reads return at most three bytes, like a slow socket."""

    def __init__(self, data: bytes) -> None:
        self._data = io.BytesIO(data)

    def readable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._data.read(min(size, 3) if size >= 0 else 3)


def test_short_reads_are_completed() -> None:
    ring = RINGS[Algorithm.SM4_GCM]
    data = bytes(range(200))
    out = io.BytesIO()
    seal_stream(_Trickle(data), out, ring.current(), aad=AAD, chunk_size=32)  # type: ignore[arg-type]
    assert _open(ring, out.getvalue()) == data
    opened = b"".join(open_stream(_Trickle(out.getvalue()), ring, aad=AAD))  # type: ignore[arg-type]
    assert opened == data


@given(
    algo=st.sampled_from(list(Algorithm)),
    data=st.binary(min_size=0, max_size=100),
    where=st.integers(min_value=0),
    bit=st.integers(min_value=0, max_value=7),
)
def test_any_flipped_bit_is_refused(algo: Algorithm, data: bytes, where: int, bit: int) -> None:
    ring = RINGS[algo]
    sealed = bytearray(_seal(ring, data, 8)[0])
    sealed[where % len(sealed)] ^= 1 << bit
    with pytest.raises(IntegrityError):
        _open(ring, bytes(sealed))


@given(data=st.binary(min_size=1, max_size=100), cut=st.integers(min_value=0))
def test_any_truncation_is_refused(data: bytes, cut: int) -> None:
    ring = RINGS[Algorithm.AES_256_GCM]
    sealed = _seal(ring, data, 8)[0]
    with pytest.raises(IntegrityError):
        _open(ring, sealed[: cut % len(sealed)])


def test_dropping_the_last_chunk_is_refused() -> None:
    ring = RINGS[Algorithm.AES_256_GCM]
    sealed, _ = _seal(ring, b"a" * 64, 16)
    header, records = _split(sealed, 16)
    assert len(records) == 4
    with pytest.raises(IntegrityError, match="chunk 2 failed"):
        _open(ring, header + b"".join(records[:3]))


def test_reordered_chunks_are_refused() -> None:
    ring = RINGS[Algorithm.SM4_GCM]
    sealed, _ = _seal(ring, b"".join(bytes([i]) * 16 for i in range(4)), 16)
    header, r = _split(sealed, 16)
    with pytest.raises(IntegrityError, match="chunk 1 failed"):
        _open(ring, header + r[0] + r[2] + r[1] + r[3])
    with pytest.raises(IntegrityError, match="chunk 1 failed"):
        _open(ring, header + r[0] + r[2] + r[3])  # a middle chunk dropped


def test_appended_data_is_refused() -> None:
    ring = RINGS[Algorithm.AES_256_GCM]
    sealed, _ = _seal(ring, b"a" * 40, 16)
    _header, records = _split(sealed, 16)
    with pytest.raises(IntegrityError):
        _open(ring, sealed + records[0])
    with pytest.raises(IntegrityError):
        _open(ring, sealed + b"\x00")


def test_chunks_from_another_version_of_the_same_record_are_refused() -> None:
    # Same key, same evidence id, same content: only the per-file salt tells them apart.
    ring = RINGS[Algorithm.AES_256_GCM]
    data = b"b" * 48
    a_header, a = _split(_seal(ring, data, 16)[0], 16)
    b_header, b = _split(_seal(ring, data, 16)[0], 16)
    with pytest.raises(IntegrityError, match="chunk 1 failed"):
        _open(ring, a_header + a[0] + b[1] + a[2])
    with pytest.raises(IntegrityError, match="chunk 0 failed"):
        _open(ring, b_header + a[0] + a[1] + a[2])


def test_another_record_context_is_refused() -> None:
    ring = RINGS[Algorithm.SM4_GCM]
    sealed, _ = _seal(ring, b"data", 16, aad=b"evidence:1")
    with pytest.raises(IntegrityError, match="chunk 0 failed"):
        _open(ring, sealed, aad=b"evidence:2")


def test_header_only_is_refused() -> None:
    ring = RINGS[Algorithm.AES_256_GCM]
    sealed, _ = _seal(ring, b"", 16)
    header, _records = _split(sealed, 16)
    with pytest.raises(IntegrityError, match="truncated before chunk 0"):
        _open(ring, header)


def test_forged_huge_chunk_size_is_refused_before_reading() -> None:
    ring = RINGS[Algorithm.AES_256_GCM]
    sealed = bytearray(_seal(ring, b"x", 16)[0])
    struct.pack_into(">I", sealed, 8 + sealed[7], MAX_CHUNK_SIZE + 1)
    with pytest.raises(IntegrityError, match="out of range"):
        _open(ring, bytes(sealed))


def test_blob_and_stream_are_not_interchangeable() -> None:
    ring = RINGS[Algorithm.AES_256_GCM]
    blob = seal(b"x" * 40, ring.current(), aad=AAD)
    with pytest.raises(IntegrityError):
        _open(ring, blob)


@pytest.mark.parametrize("size", [0, MAX_CHUNK_SIZE + 1])
def test_chunk_size_limits(size: int) -> None:
    with pytest.raises(InputError, match="chunk size"):
        _seal(RINGS[Algorithm.AES_256_GCM], b"x", size)
