"""Sealed blobs: round trips, header layout, and every kind of tampering refused."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from garrison.core.clock import FrozenClock
from garrison.core.errors import IntegrityError
from garrison.evidence.algorithms import Algorithm
from garrison.evidence.crypto import MAGIC, Header, Kind, open_sealed, parse_header, seal
from garrison.evidence.keys import Keyring, generate_key

_CLOCK = FrozenClock(datetime(2026, 11, 23, tzinfo=UTC))
RINGS = {a: Keyring([generate_key(a, clock=_CLOCK)]) for a in Algorithm}
AAD = b"evidence:42"


def test_round_trip(keyring: Keyring) -> None:
    for plaintext in (b"", b"x", b"incident evidence" * 1000):
        blob = seal(plaintext, keyring.current(), aad=AAD)
        assert open_sealed(blob, keyring, aad=AAD) == plaintext


def test_header_layout(keyring: Keyring) -> None:
    key = keyring.current()
    blob = seal(b"hello", key, aad=AAD)
    kid = key.id.encode()
    assert blob[:4] == MAGIC
    assert blob[4] == 1  # format version
    assert blob[5] == Kind.BLOB
    assert blob[6] == key.algorithm.wire_id
    assert blob[7] == len(kid)
    assert blob[8 : 8 + len(kid)] == kid
    # header, 12-byte nonce, 5 bytes of ciphertext, 16-byte tag
    assert len(blob) == 8 + len(kid) + 12 + 5 + 16
    header, end = parse_header(blob)
    assert header == Header(Kind.BLOB, key.algorithm, key.id)
    assert end == 8 + len(kid)


def test_nonces_are_fresh(keyring: Keyring) -> None:
    key = keyring.current()
    a, b = seal(b"same", key, aad=AAD), seal(b"same", key, aad=AAD)
    assert a != b


def test_plaintext_does_not_appear(keyring: Keyring) -> None:
    secret = b"password=hunter2;" * 64
    blob = seal(secret, keyring.current(), aad=AAD)
    assert b"hunter2" not in blob


def test_wrong_context_is_refused(keyring: Keyring) -> None:
    blob = seal(b"data", keyring.current(), aad=b"evidence:1")
    with pytest.raises(IntegrityError, match="authentication tag mismatch") as err:
        open_sealed(blob, keyring, aad=b"evidence:2")
    assert err.value.hint is not None and "another record" in err.value.hint


@given(
    algo=st.sampled_from(list(Algorithm)),
    plaintext=st.binary(max_size=200),
    where=st.integers(min_value=0),
    bit=st.integers(min_value=0, max_value=7),
)
def test_any_flipped_bit_is_refused(
    algo: Algorithm, plaintext: bytes, where: int, bit: int
) -> None:
    ring = RINGS[algo]
    blob = bytearray(seal(plaintext, ring.current(), aad=AAD))
    blob[where % len(blob)] ^= 1 << bit
    with pytest.raises(IntegrityError):
        open_sealed(bytes(blob), ring, aad=AAD)


@given(
    algo=st.sampled_from(list(Algorithm)),
    plaintext=st.binary(max_size=100),
    cut=st.integers(min_value=0),
    extra=st.binary(min_size=1, max_size=20),
)
def test_truncated_or_extended_is_refused(
    algo: Algorithm, plaintext: bytes, cut: int, extra: bytes
) -> None:
    ring = RINGS[algo]
    blob = seal(plaintext, ring.current(), aad=AAD)
    with pytest.raises(IntegrityError):
        open_sealed(blob[: cut % len(blob)], ring, aad=AAD)
    with pytest.raises(IntegrityError):
        open_sealed(blob + extra, ring, aad=AAD)


def test_old_blobs_open_after_rotation(clock: FrozenClock) -> None:
    ring = Keyring([generate_key(Algorithm.AES_256_GCM, clock=clock)])
    old = seal(b"before", ring.current(), aad=AAD)
    ring.rotate(Algorithm.SM4_GCM, clock=clock)
    new = seal(b"after", ring.current(), aad=AAD)
    assert parse_header(new)[0].algorithm is Algorithm.SM4_GCM
    assert open_sealed(old, ring, aad=AAD) == b"before"
    assert open_sealed(new, ring, aad=AAD) == b"after"


def test_unknown_key_is_an_integrity_error(clock: FrozenClock) -> None:
    blob = seal(b"x", generate_key(Algorithm.AES_256_GCM, clock=clock), aad=AAD)
    other = Keyring([generate_key(Algorithm.AES_256_GCM, clock=clock)])
    with pytest.raises(IntegrityError, match="not in the keyring") as err:
        open_sealed(blob, other, aad=AAD)
    assert err.value.hint is not None and "key file" in err.value.hint


def test_newer_version_is_named(keyring: Keyring) -> None:
    blob = bytearray(seal(b"x", keyring.current(), aad=AAD))
    blob[4] = 2
    with pytest.raises(IntegrityError, match="unsupported sealed-file version 2"):
        open_sealed(bytes(blob), keyring, aad=AAD)


def test_algorithm_swapped_in_header(clock: FrozenClock) -> None:
    ring = Keyring([generate_key(Algorithm.AES_256_GCM, clock=clock)])
    blob = bytearray(seal(b"x", ring.current(), aad=AAD))
    blob[6] = Algorithm.SM4_GCM.wire_id
    with pytest.raises(IntegrityError, match="header says sm4-gcm"):
        open_sealed(bytes(blob), ring, aad=AAD)


@pytest.mark.parametrize(
    ("blob", "message"),
    [
        (b"", "too short"),
        (b"NOPE\x01\x01\x01\x01k", "bad magic"),
        (b"GRSN\x01\x09\x01\x01k", "unknown sealed-file kind 9"),
        (b"GRSN\x01\x01\x07\x01k", "unknown algorithm id 7"),
        (b"GRSN\x01\x01\x01\x05k", "header is truncated"),
        (b"GRSN\x01\x01\x01\x01/", "key id in the header is malformed"),
        (b"GRSN\x01\x01\x01\x01\xff", "not ASCII"),
    ],
)
def test_malformed_headers(keyring: Keyring, blob: bytes, message: str) -> None:
    with pytest.raises(IntegrityError, match=message):
        open_sealed(blob, keyring, aad=AAD)
