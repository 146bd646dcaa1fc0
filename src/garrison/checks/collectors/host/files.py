"""File permissions (``file_modes`` fact): sensitive files, and a bounded walk of system and
web roots for world-writable, mode-777 and (in web roots) over-permissive entries.

The walk is bounded twice, by a number of entries and by a time budget, because it runs on
real hosts (and over SFTP, one round trip per directory): a huge ``/var/www`` must not stall
the scan. When a bound stops it, the fact says so (``truncated``) and the checks report it.
Symbolic links are never followed nor reported (their mode is always 777 and means nothing).
"""

from __future__ import annotations

import stat
import time
from collections.abc import Iterable
from dataclasses import dataclass

from garrison.checks.base import Check, Result, Status
from garrison.checks.collectors.host.source import FileInfo, HostSource

FACT = "file_modes"

#: Files whose mode the checks judge one by one.
SENSITIVE = ("/etc/shadow", "/etc/gshadow", "/etc/passwd", "/etc/ssh/sshd_config", "/etc/sudoers")
#: System folders walked for world-writable and 777 entries.
SYSTEM_ROOTS = ("/etc", "/usr/bin", "/usr/sbin", "/bin", "/sbin", "/usr/local/bin", "/boot")
#: Usual document roots (Debian/RHEL packages, Arch, nginx, Apache from source, 宝塔 panel, XAMPP).
WEB_ROOTS = (
    "/var/www",
    "/srv/www",
    "/srv/http",
    "/usr/share/nginx/html",
    "/usr/local/nginx/html",
    "/usr/local/apache2/htdocs",
    "/www/wwwroot",
    "/opt/lampp/htdocs",
)
#: Most permissive modes allowed in web roots (source doc 003: "不高于750,640，禁止777").
WEB_DIR_MAX = 0o750
WEB_FILE_MAX = 0o640
#: Bounds of the walk: entries visited, seconds spent, findings kept per kind.
MAX_ENTRIES = 150_000
MAX_SECONDS = 12.0
MAX_KEPT = 500


@dataclass(frozen=True, slots=True)
class FileModes:
    """What the walk found.

    Attributes:
        sensitive: The sensitive files that exist (``lstat``), in :data:`SENSITIVE` order.
        world_writable: Files and directories anyone may write (sticky directories excepted).
        mode_777: Entries with all permission bits (sticky directories excepted).
        web_loose: Entries in web roots above 750 (directories) or 640 (files).
        web_loose_count: How many such entries there were (``web_loose`` keeps :data:`MAX_KEPT`).
        system_roots: The system roots that were walked.
        web_roots: The web roots that exist and were walked.
        scanned: Entries visited.
        truncated: A bound stopped the walk before its end.
    """

    sensitive: tuple[FileInfo, ...]
    world_writable: tuple[FileInfo, ...]
    mode_777: tuple[FileInfo, ...]
    web_loose: tuple[FileInfo, ...]
    web_loose_count: int
    system_roots: tuple[str, ...]
    web_roots: tuple[str, ...]
    scanned: int
    truncated: bool


def world_writable(info: FileInfo) -> bool:
    """Anyone may write ``info`` (a sticky directory such as ``/tmp`` is meant to be)."""
    if info.is_link or not info.perms & stat.S_IWOTH:
        return False
    return not (info.is_dir and info.perms & stat.S_ISVTX)


def is_777(info: FileInfo) -> bool:
    """All of ``rwxrwxrwx`` set (links, and sticky directories like ``/tmp``, excepted)."""
    if info.is_link or info.perms & 0o777 != 0o777:
        return False
    return not (info.is_dir and info.perms & stat.S_ISVTX)


def above(perms: int, allowed: int) -> bool:
    """``perms`` grants a bit ``allowed`` does not (setuid/setgid/sticky count too)."""
    return bool(perms & ~allowed & 0o7777)


def web_loose(info: FileInfo) -> bool:
    """A web-root directory above 750 or file above 640."""
    if info.is_dir:
        return above(info.perms, WEB_DIR_MAX)
    if info.is_file:
        return above(info.perms, WEB_FILE_MAX)
    return False


def _roots(source: HostSource, roots: Iterable[str]) -> list[str]:
    """The roots that exist as real directories (``/bin`` -> ``usr/bin`` links are skipped:
    the target is walked under its own name)."""
    found = []
    for root in dict.fromkeys(roots):
        info = source.stat(root)
        if info is not None and info.is_dir:
            found.append(root)
    return found


def collect(
    source: HostSource,
    system_roots: Iterable[str] = SYSTEM_ROOTS,
    web_roots: Iterable[str] = WEB_ROOTS,
    *,
    max_entries: int = MAX_ENTRIES,
    max_seconds: float = MAX_SECONDS,
) -> FileModes:
    """Read the modes of the sensitive files and walk the roots (bounded)."""
    sensitive = tuple(i for i in (source.stat(p) for p in SENSITIVE) if i is not None)
    systems = _roots(source, system_roots)
    webs = _roots(source, web_roots)
    deadline = time.monotonic() + max_seconds
    writable: dict[str, FileInfo] = {}
    full: dict[str, FileInfo] = {}
    loose: list[FileInfo] = []
    loose_count = 0
    scanned = 0
    truncated = False
    walks = [(root, False) for root in systems] + [(root, True) for root in webs]
    for root, is_web in walks:
        root_info = source.stat(root)
        entries = [root_info] if root_info is not None else []
        for info in (*entries, *source.walk(root, limit=max_entries - scanned + 1)):
            scanned += 1
            if scanned > max_entries or (scanned % 256 == 0 and time.monotonic() > deadline):
                truncated = True
                break
            if world_writable(info) and len(writable) < MAX_KEPT:
                writable.setdefault(info.path, info)
            if is_777(info) and len(full) < MAX_KEPT:
                full.setdefault(info.path, info)
            if is_web and web_loose(info):
                loose_count += 1
                if len(loose) < MAX_KEPT:
                    loose.append(info)
        if truncated:
            break
    return FileModes(
        sensitive=sensitive,
        world_writable=tuple(writable.values()),
        mode_777=tuple(full.values()),
        web_loose=tuple(loose),
        web_loose_count=loose_count,
        system_roots=tuple(systems),
        web_roots=tuple(webs),
        scanned=min(scanned, max_entries),
        truncated=truncated,
    )


def describe(info: FileInfo) -> str:
    """``0777 (drwxrwxrwx)``: the mode for a finding."""
    return f"{info.perms:04o} ({stat.filemode(info.mode)})"


def walk_results(
    check: Check, modes: FileModes, failures: list[Result], total: int, ok: str
) -> list[Result]:
    """The results of a walk check: its failures, a count of those past the cap, or a pass
    naming the roots walked, and a ``manual`` result when the walk was cut short."""
    roots = ", ".join((*modes.system_roots, *modes.web_roots)) or "system and web roots"
    results = list(failures)
    if total > len(failures):
        more = f"{total - len(failures)} more" + (" (or more)" if total >= MAX_KEPT else "")
        results.append(check.result(Status.FAIL, roots, f"{more} such entries not listed"))
    if not results:
        if not modes.system_roots and not modes.web_roots:
            return [check.result(Status.NOT_APPLICABLE, roots, "none of the roots exists")]
        results.append(check.result(Status.PASS, roots, f"{ok} among {modes.scanned} entries"))
    if modes.truncated:
        results.append(
            check.result(
                Status.MANUAL,
                roots,
                f"the walk stopped after {modes.scanned} entries: the rest was not checked",
            )
        )
    return results
