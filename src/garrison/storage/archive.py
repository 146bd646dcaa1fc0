"""The archive file format: gzip-compressed NDJSON with a SHA-256 manifest beside it.

An archive holds whole batches. The first line is a header object; every following line is
one stored event row with the exact column values that the batch digest was computed from,
so a restored batch verifies again. ``<name>.manifest.json`` records the file's SHA-256 and
every batch's chain entry.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import orjson

from garrison.core.errors import InputError, IntegrityError

FORMAT = "garrison-archive"
VERSION = 1


@dataclass(frozen=True, slots=True)
class ArchiveSummary:
    """What was written to one archive file."""

    path: Path
    sha256: str
    events: int
    batches: list[dict[str, Any]]


def manifest_path(path: Path) -> Path:
    """The manifest file that belongs to an archive file."""
    return path.with_name(path.name + ".manifest.json")


def write_archive(
    path: Path, batches: list[dict[str, Any]], rows: Iterable[dict[str, Any]]
) -> ArchiveSummary:
    """Write rows to a new archive atomically (temp file, fsync, rename) plus its manifest.

    Args:
        path: Destination ``.ndjson.gz`` file.
        batches: Chain entries (seq, event_count, digest, prev_hash, hash, min_ts, max_ts).
        rows: Stored event rows (id, ts, dataset, fields, original, batch_seq, ...).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    count = 0
    with tmp.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0) as gz:
        header = {"format": FORMAT, "version": VERSION, "batches": [b["seq"] for b in batches]}
        gz.write(orjson.dumps(header) + b"\n")
        for row in rows:
            gz.write(orjson.dumps(row) + b"\n")
            count += 1
        gz.flush()
    with tmp.open("rb") as fh:
        os.fsync(fh.fileno())
        digest = hashlib.file_digest(fh, "sha256").hexdigest()
    os.replace(tmp, path)
    manifest = {
        "format": FORMAT,
        "version": VERSION,
        "file": path.name,
        "sha256": digest,
        "events": count,
        "batches": batches,
    }
    manifest_path(path).write_bytes(orjson.dumps(manifest, option=orjson.OPT_INDENT_2))
    return ArchiveSummary(path=path, sha256=digest, events=count, batches=batches)


def read_manifest(path: Path) -> dict[str, Any]:
    """Load and check an archive's manifest against the file's SHA-256.

    Raises:
        InputError: If the manifest is missing or not an archive manifest.
        IntegrityError: If the file does not match the manifest's SHA-256.
    """
    mpath = manifest_path(path)
    if not mpath.is_file():
        raise InputError(f"{path}: manifest {mpath.name} not found beside the archive")
    try:
        manifest: dict[str, Any] = orjson.loads(mpath.read_bytes())
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{mpath}: not valid JSON: {exc}") from None
    if manifest.get("format") != FORMAT:
        raise InputError(f"{mpath}: not a Garrison archive manifest")
    with path.open("rb") as fh:
        actual = hashlib.file_digest(fh, "sha256").hexdigest()
    if actual != manifest.get("sha256"):
        raise IntegrityError(
            f"{path}: SHA-256 {actual} does not match the manifest ({manifest.get('sha256')})",
            hint="the archive was modified or damaged; restore it from a backup copy",
        )
    return manifest


def read_rows(path: Path) -> Iterator[dict[str, Any]]:
    """Yield the event rows of an archive (after the header line).

    Raises:
        InputError: If the file is not a Garrison archive or is damaged.
    """
    try:
        with gzip.open(path, "rb") as fh:
            header = orjson.loads(fh.readline() or b"null")
            if not isinstance(header, dict) or header.get("format") != FORMAT:
                raise InputError(f"{path}: not a Garrison archive")
            for number, line in enumerate(fh, start=2):
                try:
                    row = orjson.loads(line)
                except orjson.JSONDecodeError as exc:
                    raise InputError(f"{path}:{number}: damaged archive line: {exc}") from None
                yield row
    except (OSError, EOFError) as exc:
        raise InputError(f"{path}: cannot read archive: {exc}") from None
