"""Chunked sealing for files of any size, in constant memory.

After the common header (kind 2, see :mod:`garrison.evidence.crypto`) come the chunk size and a
random 128-bit file salt, then the chunks::

    header | chunk size u32 | salt (16) | { nonce (12) | ciphertext | tag (16) } ...

Every chunk but the last holds exactly ``chunk size`` plaintext bytes; the last holds 0 to
``chunk size`` (an empty input is one empty final chunk). Each chunk is its own AEAD message
with a fresh random nonce, and its associated data is::

    stream header (incl. salt) | chunk index u64 | final flag u8 | caller's aad

so reordering chunks (index), dropping the tail or appending data (final flag: a reader treats
the chunk followed by end-of-file as final, so both make some tag fail), splicing chunks from
another file or another version of the same record (salt) and moving the file to another
record (aad) are all detected. This is the STREAM construction of Hoang, Reyhanitabar, Rogaway
and Vizár (2015) with random per-chunk nonces instead of a counter.
"""

from __future__ import annotations

import hashlib
import secrets
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag

from garrison.core.errors import InputError
from garrison.evidence.algorithms import NONCE_SIZE, TAG_SIZE, Algorithm, decrypt, encrypt
from garrison.evidence.crypto import Header, Kind, damaged, key_for, parse_header
from garrison.evidence.keys import Key, Keyring

DEFAULT_CHUNK_SIZE = 1 << 20
"""1 MiB: large enough that per-chunk overhead (28 bytes) is negligible, small enough that
reading and writing needs only a couple of chunks in memory."""

MAX_CHUNK_SIZE = 64 << 20
"""A reader refuses larger chunk sizes before allocating: the size comes from the file and is
only authenticated once the first chunk has been read."""

_TAIL = struct.Struct(">I16s")  # chunk size, salt
_POSITION = struct.Struct(">QB")  # chunk index, final flag
_SALT_SIZE = 16


@dataclass(frozen=True, slots=True)
class StreamSummary:
    """What :func:`seal_stream` wrote.

    Attributes:
        size: Plaintext bytes.
        sha256: Hex SHA-256 of the plaintext.
        algorithm: The AEAD used.
        key_id: The key used.
        chunks: Number of chunks written.
    """

    size: int
    sha256: str
    algorithm: Algorithm
    key_id: str
    chunks: int


def seal_stream(
    source: BinaryIO,
    out: BinaryIO,
    key: Key,
    *,
    aad: bytes,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> StreamSummary:
    """Read ``source`` to its end and write it sealed to ``out``, one chunk at a time.

    At most two chunks of plaintext are held at once: one is read ahead to know whether the
    current chunk is the last.

    Args:
        source: Readable binary stream (a file, ``io.BytesIO``, a socket file).
        out: Writable binary stream; receives the header and all chunks.
        key: The key to seal with (normally the keyring's current key).
        aad: Context the file is bound to (the evidence id); needed again to open it.
        chunk_size: Plaintext bytes per chunk (1 byte to 64 MiB).

    Raises:
        InputError: ``chunk_size`` out of range.
    """
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise InputError(f"chunk size must be between 1 and {MAX_CHUNK_SIZE} bytes")
    header = Header(Kind.STREAM, key.algorithm, key.id).encode()
    header += _TAIL.pack(chunk_size, secrets.token_bytes(_SALT_SIZE))
    out.write(header)
    digest = hashlib.sha256()
    size = 0
    index = 0
    current = _read_full(source, chunk_size)
    while True:
        ahead = _read_full(source, chunk_size) if len(current) == chunk_size else b""
        final = not ahead
        digest.update(current)
        size += len(current)
        nonce = secrets.token_bytes(NONCE_SIZE)
        out.write(nonce)
        out.write(
            encrypt(key.algorithm, key.material, nonce, current, _aad(header, index, final, aad))
        )
        if final:
            return StreamSummary(size, digest.hexdigest(), key.algorithm, key.id, index + 1)
        current = ahead
        index += 1


def open_stream(source: BinaryIO, keyring: Keyring, *, aad: bytes) -> Iterator[bytes]:
    """Yield the plaintext of a sealed stream chunk by chunk, each chunk authenticated.

    A chunk is yielded only after its own tag verifies, but truncation is only known at the
    end: treat the output as provisional until the iterator finishes without an error (the
    store writes it to a temporary file or buffer and discards it on failure).

    Raises:
        IntegrityError: Any altered, missing, reordered, spliced or appended byte, a wrong
            ``aad``, or an unknown key.
    """
    header = _read_stream_header(source)
    parsed, end = parse_header(header)
    if parsed.kind is not Kind.STREAM:
        raise damaged("this is a single sealed blob, not a chunked evidence file")
    key = key_for(parsed, keyring)
    chunk_size = _TAIL.unpack_from(header, end)[0]
    if not 1 <= chunk_size <= MAX_CHUNK_SIZE:
        raise damaged(f"chunk size {chunk_size} is out of range")
    record_size = NONCE_SIZE + chunk_size + TAG_SIZE
    current = _read_full(source, record_size)
    index = 0
    while True:
        if len(current) < NONCE_SIZE + TAG_SIZE:
            raise damaged(f"the data is truncated before chunk {index}")
        ahead = _read_full(source, record_size) if len(current) == record_size else b""
        final = not ahead
        nonce, body = current[:NONCE_SIZE], current[NONCE_SIZE:]
        try:
            plain = decrypt(
                key.algorithm, key.material, nonce, body, _aad(header, index, final, aad)
            )
        except InvalidTag:
            raise damaged(f"chunk {index} failed authentication") from None
        yield plain
        if final:
            return
        current = ahead
        index += 1


def _read_stream_header(source: BinaryIO) -> bytes:
    # The fixed part ends with the key id length; read exactly what the header declares.
    fixed = _read_full(source, 8)
    if len(fixed) < 8:
        raise damaged("too short to be a sealed file")
    rest = _read_full(source, fixed[7] + _TAIL.size)
    if len(rest) < fixed[7] + _TAIL.size:
        raise damaged("header is truncated")
    return fixed + rest


def _aad(header: bytes, index: int, final: bool, aad: bytes) -> bytes:
    return header + _POSITION.pack(index, final) + aad


def _read_full(source: BinaryIO, size: int) -> bytes:
    """Read ``size`` bytes, or fewer only at end of input (``read`` may return short)."""
    data = source.read(size)
    if len(data) == size or not data:
        return data
    parts = [data]
    have = len(data)
    while have < size:
        more = source.read(size - have)
        if not more:
            break
        parts.append(more)
        have += len(more)
    return b"".join(parts)
