"""Helpers shared by the SSH, password-policy and account collectors (not a collector)."""

from __future__ import annotations

import fnmatch
import posixpath
from dataclasses import dataclass

from garrison.checks.collectors.host.source import HostSource

#: Glob patterns expand to at most this many files (a hostile tree must not make us read all).
MAX_GLOB = 256


@dataclass(frozen=True, slots=True)
class Setting:
    """One configured value and where it was set.

    Attributes:
        value: The value as written (case kept).
        file: The file on the host.
        line: Its line (1-based).
    """

    value: str
    file: str
    line: int


def as_int(text: str | None) -> int | None:
    """``text`` as a (signed) integer, ``None`` when it is not one."""
    if text is None:
        return None
    text = text.strip()
    body = text[1:] if text[:1] in "+-" else text
    if not body.isascii() or not body.isdigit() or len(body) > 18:
        return None
    return int(text)


def host_glob(source: HostSource, pattern: str) -> list[str]:
    """The host paths matching an absolute glob ``pattern``, sorted, like glob(3).

    Wildcards may appear in any component; as with glob(3), ``*`` does not match a leading dot.
    """
    parts = [p for p in pattern.split("/") if p and p != "."]
    found = ["/"]
    for part in parts:
        following: list[str] = []
        for base in found:
            if part == "..":
                following.append(posixpath.dirname(base.rstrip("/")) or "/")
            elif not any(c in part for c in "*?["):
                following.append(posixpath.join(base, part))
            else:
                for name in source.listdir(base):
                    if name.startswith(".") and not part.startswith("."):
                        continue
                    if fnmatch.fnmatchcase(name, part):
                        following.append(posixpath.join(base, name))
        found = sorted(following)[:MAX_GLOB]
    return found if parts else []


def words(line: str) -> list[str]:
    """``line`` split on whitespace, stopping at a word that starts with ``#``."""
    out: list[str] = []
    for word in line.split():
        if word.startswith("#"):
            break
        out.append(word)
    return out
