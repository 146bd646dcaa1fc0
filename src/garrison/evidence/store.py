"""The evidence file store: encrypted files under the data directory, one per evidence id.

Layout: ``<root>/<2 hex>/<evidence id>.sealed``, where the two hex digits are the start of the
SHA-256 of the id, so no folder grows past a few thousand entries. Files are written once
(temp file, fsync, hard link into place, fsync the folder), sealed in 1 MiB chunks (see
:mod:`garrison.evidence.stream`) and bound to their evidence id, so a file copied over another
record's file fails to open. Who stored and read what is the database's business (chain of
custody); this module only handles bytes.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import BinaryIO

from garrison.core.errors import InputError, IntegrityError, NotFoundError
from garrison.evidence import fsutil
from garrison.evidence.keys import Keyring
from garrison.evidence.stream import DEFAULT_CHUNK_SIZE, open_stream, seal_stream

EVIDENCE_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,127}")
"""Evidence ids become file names, so only a portable, traversal-free alphabet is accepted."""

SUFFIX = ".sealed"
_AAD_PREFIX = b"garrison.evidence.v1\x00"


@dataclass(frozen=True, slots=True)
class StoredFile:
    """What the database records about one stored file.

    Attributes:
        sha256: Hex SHA-256 of the plaintext (what investigators compare against).
        size: Plaintext size in bytes.
        path: Location relative to the store root, POSIX separators.
        algorithm: Algorithm name the file was sealed with (``aes-256-gcm``, ``sm4-gcm``).
        key_id: Id of the key the file was sealed with.
    """

    sha256: str
    size: int
    path: str
    algorithm: str
    key_id: str


class EvidenceStore:
    """Encrypted, write-once evidence files under ``root``."""

    def __init__(
        self, root: Path, keyring: Keyring, *, chunk_size: int = DEFAULT_CHUNK_SIZE
    ) -> None:
        """Use ``root`` (created with mode 0700 on first write) and ``keyring``.

        Args:
            root: Folder for evidence files, normally ``<home>/evidence``.
            keyring: Seals new files with its current key; opens old ones by key id.
            chunk_size: Plaintext bytes per sealed chunk (tests use small values).
        """
        self._root = root
        self._keyring = keyring
        self._chunk_size = chunk_size

    @property
    def root(self) -> Path:
        """The folder that holds the evidence files."""
        return self._root

    def relative_path(self, evidence_id: str) -> str:
        """Where the file for ``evidence_id`` lives, relative to the root (POSIX form).

        Raises:
            InputError: The id is not usable as a file name.
        """
        _check_id(evidence_id)
        shard = hashlib.sha256(evidence_id.encode("ascii")).hexdigest()[:2]
        return f"{shard}/{evidence_id}{SUFFIX}"

    def put(self, evidence_id: str, data: bytes | BinaryIO) -> StoredFile:
        """Encrypt and store ``data`` as the file of ``evidence_id``.

        Streams in fixed-size chunks: a file object of any size is read a chunk at a time,
        and ``bytes`` are sliced without a second full copy.

        Args:
            evidence_id: The database id of the evidence record.
            data: The content, as bytes or a binary file object read to its end.

        Returns:
            Hash, size, location, algorithm and key id, for the database record.

        Raises:
            InputError: Bad id, or a file is already stored for this id (evidence is
                write-once: delete it first to replace it).
        """
        rel = self.relative_path(evidence_id)
        final = self._root / rel
        if final.exists():
            raise _exists(evidence_id)
        fsutil.ensure_private_dir(self._root)
        fsutil.ensure_private_dir(final.parent)
        key = self._keyring.current()
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        tmp = fsutil.temp_path(final)
        fd = fsutil.open_private_new(tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                summary = seal_stream(
                    source, out, key, aad=_aad(evidence_id), chunk_size=self._chunk_size
                )
                out.flush()
                os.fsync(out.fileno())
            _place(tmp, final, evidence_id)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()
        fsutil.fsync_dir(final.parent)
        return StoredFile(summary.sha256, summary.size, rel, key.algorithm.value, key.id)

    def get(self, evidence_id: str, stored: StoredFile) -> bytes:
        """Decrypt the whole file into memory, after checking every chunk and the SHA-256.

        For large files prefer :meth:`export`, which needs only a chunk of memory.

        Raises:
            NotFoundError: The file is missing.
            IntegrityError: The file or the record do not match; nothing is returned.
        """
        parts = list(self._plaintext(evidence_id, stored))
        return b"".join(parts)

    def export(self, evidence_id: str, stored: StoredFile, dest: Path) -> None:
        """Decrypt to ``dest`` (created 0600, replaced if present) only once fully verified.

        The plaintext goes to a temporary file beside ``dest`` that is renamed into place
        after the last chunk and the SHA-256 check pass, so ``dest`` never holds partial or
        unverified data.

        Raises:
            NotFoundError: The stored file is missing.
            IntegrityError: The file or the record do not match; ``dest`` is left untouched.
        """
        tmp = fsutil.temp_path(dest)
        fd = fsutil.open_private_new(tmp)
        try:
            with os.fdopen(fd, "wb") as out:
                for chunk in self._plaintext(evidence_id, stored):
                    out.write(chunk)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, dest)
        finally:
            with contextlib.suppress(FileNotFoundError):
                tmp.unlink()

    def verify(self, evidence_id: str, stored: StoredFile) -> None:
        """Check the stored file against its record without keeping the plaintext.

        Raises:
            NotFoundError: The file is missing.
            IntegrityError: Any mismatch.
        """
        for _ in self._plaintext(evidence_id, stored):
            pass

    def delete(self, evidence_id: str, stored: StoredFile) -> bool:
        """Remove the file of ``evidence_id`` (retention). Returns False if it was gone.

        Raises:
            IntegrityError: The record's path is not this id's file.
        """
        path = self._path_of(evidence_id, stored)
        try:
            path.unlink()
        except FileNotFoundError:
            return False
        fsutil.fsync_dir(path.parent)
        return True

    def _path_of(self, evidence_id: str, stored: StoredFile) -> Path:
        expected = self.relative_path(evidence_id)
        # The layout is derived from the id, so a record pointing elsewhere (a tampered or
        # mixed-up row) must not lead to reading or deleting another record's file.
        if PurePosixPath(stored.path) != PurePosixPath(expected):
            raise IntegrityError(
                f"evidence record {evidence_id!r} points at {stored.path!r}, expected {expected!r}",
                hint="the database record was altered or belongs to another evidence id",
            )
        return self._root / expected

    def _plaintext(self, evidence_id: str, stored: StoredFile) -> Iterator[bytes]:
        path = self._path_of(evidence_id, stored)
        try:
            fh = path.open("rb")
        except FileNotFoundError:
            raise NotFoundError(
                f"evidence file for {evidence_id!r} is missing",
                hint=f"expected {path}; restore it from a backup",
            ) from None
        digest = hashlib.sha256()
        size = 0
        with fh:
            for chunk in open_stream(fh, self._keyring, aad=_aad(evidence_id)):
                size += len(chunk)
                if size > stored.size:
                    # Stop before a forged size makes us buffer unbounded data.
                    raise _mismatch(evidence_id, "is larger than recorded")
                digest.update(chunk)
                yield chunk
        if size != stored.size:
            raise _mismatch(evidence_id, f"has {size} bytes, the record says {stored.size}")
        if digest.hexdigest() != stored.sha256.lower():
            raise _mismatch(evidence_id, "does not match the recorded SHA-256")


def _check_id(evidence_id: str) -> None:
    if not EVIDENCE_ID_PATTERN.fullmatch(evidence_id):
        raise InputError(
            f"invalid evidence id {evidence_id[:80]!r}",
            hint="1-128 characters: letters, digits, '.', '_' or '-', starting with a "
            "letter or digit",
        )


def _aad(evidence_id: str) -> bytes:
    return _AAD_PREFIX + evidence_id.encode("ascii")


def _place(tmp: Path, final: Path, evidence_id: str) -> None:
    """Move ``tmp`` to ``final`` without ever replacing an existing file."""
    try:
        os.link(tmp, final)
    except FileExistsError:
        raise _exists(evidence_id) from None
    except OSError:
        # Some filesystems (FAT, some network shares) have no hard links; the id is unique in
        # the database, so the window between this check and the rename is only theoretical.
        if final.exists():
            raise _exists(evidence_id) from None
        os.replace(tmp, final)


def _exists(evidence_id: str) -> InputError:
    return InputError(
        f"evidence {evidence_id!r} already has a stored file",
        hint="evidence files are write-once; delete the old file first to replace it",
    )


def _mismatch(evidence_id: str, what: str) -> IntegrityError:
    return IntegrityError(
        f"evidence file for {evidence_id!r} {what}",
        hint="the file or its database record was altered; restore from a backup",
    )
