"""Sealed blobs: one AEAD-encrypted message behind a small versioned header.

Layout (all integers big-endian)::

    "GRSN" | version u8 (=1) | kind u8 | algorithm u8 | key id length u8 | key id (ASCII)
    kind 1 (blob):   nonce (12) | ciphertext | tag (16)
    kind 2 (stream): see :mod:`garrison.evidence.stream`

The header names the algorithm and the key, so a file stays readable after the key is rotated
or the configured algorithm changes. The header bytes are part of the associated data, so
changing any of them makes the tag fail; the caller's ``aad`` (the evidence id) is appended,
so a file moved to another record fails too. Every failure to open raises
:class:`~garrison.core.errors.IntegrityError` and returns nothing.
"""

from __future__ import annotations

import enum
import secrets
import struct
from dataclasses import dataclass

from cryptography.exceptions import InvalidTag

from garrison.core.errors import IntegrityError
from garrison.evidence.algorithms import NONCE_SIZE, TAG_SIZE, Algorithm, decrypt, encrypt
from garrison.evidence.keys import KEY_ID_PATTERN, Key, Keyring

MAGIC = b"GRSN"
VERSION = 1
_FIXED = struct.Struct(">4sBBBB")  # magic, version, kind, algorithm, key id length

_DAMAGED_HINT = (
    "the file was altered, truncated or attached to another record; restore it from a backup"
)


class Kind(enum.IntEnum):
    """What follows the header."""

    BLOB = 1
    STREAM = 2


@dataclass(frozen=True, slots=True)
class Header:
    """The authenticated-but-cleartext prefix of every sealed file.

    Attributes:
        kind: Blob (one message) or stream (chunked).
        algorithm: The AEAD used.
        key_id: The key used, looked up in the keyring when opening.
    """

    kind: Kind
    algorithm: Algorithm
    key_id: str

    def encode(self) -> bytes:
        """The header bytes as written to the file."""
        kid = self.key_id.encode("ascii")
        return _FIXED.pack(MAGIC, VERSION, self.kind, self.algorithm.wire_id, len(kid)) + kid


def parse_header(data: bytes | memoryview) -> tuple[Header, int]:
    """Parse the header at the start of ``data``.

    Returns:
        The header and its length in bytes.

    Raises:
        IntegrityError: Not a Garrison sealed file, an unknown version, kind or algorithm.
    """
    if len(data) < _FIXED.size:
        raise damaged("too short to be a sealed file")
    magic, version, kind, wire_id, kid_len = _FIXED.unpack_from(data)
    if magic != MAGIC:
        raise damaged("not a Garrison sealed file (bad magic)")
    if version != VERSION:
        raise IntegrityError(
            f"unsupported sealed-file version {version}",
            hint="the file was written by a newer Garrison, or it is damaged",
        )
    if kind not in Kind.__members__.values():
        raise damaged(f"unknown sealed-file kind {kind}")
    algorithm = Algorithm.from_wire_id(wire_id)
    if algorithm is None:
        raise damaged(f"unknown algorithm id {wire_id}")
    end = _FIXED.size + kid_len
    if len(data) < end:
        raise damaged("header is truncated")
    try:
        key_id = bytes(data[_FIXED.size : end]).decode("ascii")
    except UnicodeDecodeError:
        raise damaged("key id in the header is not ASCII") from None
    if not KEY_ID_PATTERN.fullmatch(key_id):
        raise damaged("key id in the header is malformed")
    return Header(Kind(kind), algorithm, key_id), end


def key_for(header: Header, keyring: Keyring) -> Key:
    """The keyring's key named by ``header``.

    Raises:
        IntegrityError: No such key, or it is for another algorithm. The two cannot be told
            apart from a damaged header, since the header is authenticated only by the tag.
    """
    key = keyring.find(header.key_id)
    if key is None:
        raise IntegrityError(
            f"sealed with key {header.key_id!r}, which is not in the keyring",
            hint="the file's header is damaged, or the key file lost that key (restore it "
            "from a backup)",
        )
    if key.algorithm is not header.algorithm:
        raise damaged(
            f"header says {header.algorithm.value} but key {key.id!r} is {key.algorithm.value}"
        )
    return key


def damaged(reason: str) -> IntegrityError:
    """The one error for a sealed file that fails a check."""
    return IntegrityError(f"sealed data failed its integrity check: {reason}", hint=_DAMAGED_HINT)


def seal(plaintext: bytes, key: Key, *, aad: bytes) -> bytes:
    """Encrypt ``plaintext`` into a self-describing blob.

    Args:
        plaintext: The data; kept whole in memory (use the store's streaming format for files).
        key: Usually ``keyring.current()``.
        aad: Context the blob is bound to (e.g. the evidence id); needed again to open it.

    Returns:
        Header, random 96-bit nonce, ciphertext and tag.
    """
    header = Header(Kind.BLOB, key.algorithm, key.id).encode()
    nonce = secrets.token_bytes(NONCE_SIZE)
    return header + nonce + encrypt(key.algorithm, key.material, nonce, plaintext, header + aad)


def open_sealed(blob: bytes, keyring: Keyring, *, aad: bytes) -> bytes:
    """Check and decrypt a blob made by :func:`seal`.

    Args:
        blob: The sealed bytes.
        keyring: Supplies the key named in the header (current or older).
        aad: The same context bytes given to :func:`seal`.

    Returns:
        The plaintext, only if every byte of ``blob`` and ``aad`` is authentic.

    Raises:
        IntegrityError: Altered, truncated, wrong context, unknown key; nothing is returned.
    """
    view = memoryview(blob)
    header, end = parse_header(view)
    if header.kind is not Kind.BLOB:
        raise damaged("this is a chunked evidence file; open it with EvidenceStore")
    key = key_for(header, keyring)
    if len(view) < end + NONCE_SIZE + TAG_SIZE:
        raise damaged("the data is truncated")
    nonce = bytes(view[end : end + NONCE_SIZE])
    body = bytes(view[end + NONCE_SIZE :])
    try:
        return decrypt(key.algorithm, key.material, nonce, body, bytes(view[:end]) + aad)
    except InvalidTag:
        raise damaged("authentication tag mismatch") from None
