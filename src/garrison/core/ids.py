"""Stable identifiers.

An event id is derived from where its bytes came from and the bytes themselves, never from the
time of ingestion, so that ingesting the same bytes twice yields the same ids and the store can
refuse the duplicates.
"""

from __future__ import annotations

import hashlib

_SEP = b"\x00"


def stream_key(first_line: bytes, *, salt: str = "") -> str:
    """Fingerprint a stream by its first line.

    Files are identified by content rather than path so that a rotated (renamed or gzipped) copy
    of an already ingested file produces the same event ids. The first line is stable once
    written, unlike a fixed-size prefix of a growing file.

    Args:
        first_line: The first line of the stream, at most 1 KiB is used.
        salt: Distinguishes streams whose first lines may collide (e.g. a listener's peer).

    Returns:
        A 16-hex-character fingerprint.
    """
    h = hashlib.blake2b(first_line[:1024], digest_size=8, person=b"garrison-stream")
    if salt:
        h.update(_SEP + salt.encode("utf-8", "replace"))
    return h.hexdigest()


def event_id(stream: str, offset: int, sub: int, raw: str) -> str:
    """Return the stable id of one event.

    The id is ``<8 hex of the stream><12 hex of the offset><12 hex of a hash>``: events of one
    stream sort by their position, so the store's primary-key index grows at its right edge
    instead of at random places (inserts into a large SQLite table were twice as costly with
    uniformly random ids). The hash covers everything, so two events differ in id whenever
    their stream, offset, sub-index or text differ (up to a 2**-48 chance per pair of events
    at the same place of streams that share the prefix).

    Args:
        stream: The stream fingerprint from :func:`stream_key`.
        offset: Byte offset of the record in the (decompressed) stream, or its ordinal.
        sub: Index of the event among those produced by one record (``message repeated``).
        raw: The original record text.

    Returns:
        A 32-hex-character id.
    """
    h = hashlib.blake2b(digest_size=6)
    h.update(f"{stream}\x00{offset}\x00{sub}\x00".encode())
    h.update(raw.encode("utf-8", "surrogatepass"))
    return f"{stream[:8]:0>8}{offset & 0xFFFFFFFFFFFF:012x}{h.hexdigest()}"
