"""Expanding the PATH arguments of ``garrison ingest``: files, folders, globs, ``-``."""

from __future__ import annotations

import glob
from collections.abc import Iterable
from pathlib import Path


def expand(arguments: Iterable[str]) -> tuple[list[str], list[str]]:
    """Expand files, folders (recursively, hidden files skipped) and glob patterns.

    Returns:
        ``(paths, missing)``: the files to read in a stable order (``-`` kept as is), and the
        arguments that matched nothing.
    """
    paths: list[str] = []
    missing: list[str] = []
    seen: set[str] = set()

    def add(item: str) -> None:
        if item not in seen:
            seen.add(item)
            paths.append(item)

    for arg in arguments:
        if arg == "-":
            add("-")
            continue
        candidate = Path(arg)
        if candidate.is_dir():
            for found in sorted(candidate.rglob("*")):
                if found.is_file() and not any(
                    p.startswith(".") for p in found.relative_to(candidate).parts
                ):
                    add(str(found))
            continue
        if candidate.exists():
            add(arg)
            continue
        if glob.has_magic(arg):
            matches = sorted(glob.glob(arg, recursive=True))
            files = [m for m in matches if Path(m).is_file()]
            if files:
                for match in files:
                    add(match)
                continue
        missing.append(arg)
    return paths, missing


def total_size(paths: Iterable[str]) -> int:
    """Sum of the on-disk sizes of the files (0 for stdin and unreadable ones)."""
    size = 0
    for item in paths:
        if item == "-":
            continue
        try:
            size += Path(item).stat().st_size
        except OSError:
            continue
    return size
