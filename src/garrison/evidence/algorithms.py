"""The authenticated ciphers evidence can be sealed with: AES-256-GCM and SM4-GCM.

Both are GCM over a 128-bit block cipher, so they share one shape (96-bit nonce, 128-bit tag,
associated data) and the file formats treat them alike; only the key length differs. AES goes
through :class:`~cryptography.hazmat.primitives.ciphers.aead.AESGCM`; SM4 has no such one-shot
class, so it goes through the generic ``Cipher`` API, which needs OpenSSL 3 and cryptography 42
or later and may be missing from FIPS-restricted builds: :func:`require_available` says so up
front instead of failing on the first file.
"""

from __future__ import annotations

import enum

from cryptography.exceptions import InvalidTag, UnsupportedAlgorithm
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from garrison.core.errors import ConfigError

NONCE_SIZE = 12
"""Bytes of a GCM nonce (96 bits, the size GCM is specified for)."""

TAG_SIZE = 16
"""Bytes of a GCM authentication tag (128 bits, never truncated)."""


class Algorithm(enum.Enum):
    """A supported AEAD; the value is the name used in settings and the key file."""

    AES_256_GCM = "aes-256-gcm"
    SM4_GCM = "sm4-gcm"

    @property
    def wire_id(self) -> int:
        """The one-byte identifier written into file headers (never reuse a number)."""
        return _WIRE_IDS[self]

    @property
    def key_size(self) -> int:
        """Key length in bytes: 32 for AES-256, 16 for SM4 (SM4 only has 128-bit keys)."""
        return 32 if self is Algorithm.AES_256_GCM else 16

    @classmethod
    def parse(cls, name: str) -> Algorithm:
        """Return the algorithm called ``name``.

        Raises:
            ConfigError: The name is not a supported algorithm.
        """
        try:
            return cls(name.strip().lower())
        except ValueError:
            choices = ", ".join(a.value for a in cls)
            raise ConfigError(
                f"unknown evidence encryption algorithm {name!r}", hint=f"use one of: {choices}"
            ) from None

    @classmethod
    def from_wire_id(cls, wire_id: int) -> Algorithm | None:
        """Return the algorithm with header byte ``wire_id``, or None if there is none."""
        return _BY_WIRE_ID.get(wire_id)


_WIRE_IDS = {Algorithm.AES_256_GCM: 1, Algorithm.SM4_GCM: 2}
_BY_WIRE_ID = {v: k for k, v in _WIRE_IDS.items()}


def encrypt(algorithm: Algorithm, key: bytes, nonce: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate; returns the ciphertext followed by the 16-byte tag.

    Raises:
        ConfigError: The algorithm is not available in this build of cryptography/OpenSSL.
    """
    if algorithm is Algorithm.AES_256_GCM:
        return AESGCM(key).encrypt(nonce, plaintext, aad)
    try:
        enc = Cipher(algorithms.SM4(key), modes.GCM(nonce)).encryptor()
    except UnsupportedAlgorithm:
        raise _unavailable(algorithm) from None
    enc.authenticate_additional_data(aad)
    body = enc.update(plaintext) + enc.finalize()
    return body + enc.tag


def decrypt(algorithm: Algorithm, key: bytes, nonce: bytes, sealed: bytes, aad: bytes) -> bytes:
    """Check the tag and decrypt ``sealed`` (ciphertext followed by the tag).

    Nothing is returned unless the tag verifies, so callers never see unauthenticated bytes.

    Raises:
        cryptography.exceptions.InvalidTag: Wrong key, nonce, associated data, or altered bytes.
        ConfigError: The algorithm is not available in this build of cryptography/OpenSSL.
    """
    if len(sealed) < TAG_SIZE:
        raise InvalidTag
    if algorithm is Algorithm.AES_256_GCM:
        return AESGCM(key).decrypt(nonce, sealed, aad)
    body, tag = sealed[:-TAG_SIZE], sealed[-TAG_SIZE:]
    try:
        dec = Cipher(algorithms.SM4(key), modes.GCM(nonce, tag)).decryptor()
    except UnsupportedAlgorithm:
        raise _unavailable(algorithm) from None
    dec.authenticate_additional_data(aad)
    # ``update`` output is unauthenticated until ``finalize`` checks the tag; both are joined
    # only after finalize returns, so an InvalidTag leaves nothing behind.
    head = dec.update(body)
    tail = dec.finalize()
    return head + tail


def require_available(algorithm: Algorithm) -> None:
    """Fail early, with a hint, if this build cannot run ``algorithm``.

    Raises:
        ConfigError: The cipher/mode pair is not supported by the installed OpenSSL.
    """
    zero_key = bytes(algorithm.key_size)
    nonce = bytes(NONCE_SIZE)
    sealed = encrypt(algorithm, zero_key, nonce, b"probe", b"")
    decrypt(algorithm, zero_key, nonce, sealed, b"")


def _unavailable(algorithm: Algorithm) -> ConfigError:
    return ConfigError(
        f"{algorithm.value} is not supported by this build of cryptography/OpenSSL",
        hint="install cryptography>=42 built against OpenSSL 3 with SM4 enabled (not in FIPS "
        "mode), or set the evidence algorithm to aes-256-gcm",
    )
