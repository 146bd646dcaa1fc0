"""``docker run`` command lines in shell scripts and Markdown, parsed into their options.

Lines continued with a backslash are joined (the reported line is the first one); the command
is split like a POSIX shell would (``shlex``), falling back to whitespace when quotes are
unbalanced, so a half-written README line still gets checked.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: Files that may hold ``docker run`` lines.
SUFFIXES = {".sh", ".bash", ".zsh", ".md", ".markdown", ".txt", ".ps1", ".cmd", ".bat"}
_START = re.compile(r"\b(?:docker|podman|nerdctl)\s+(?:container\s+)?run\b")
#: Options that take a value (the rest are switches).
_VALUED = {
    "-a", "-c", "-e", "-h", "-l", "-m", "-p", "-u", "-v", "-w",
    "--add-host", "--attach", "--blkio-weight", "--cap-add", "--cap-drop", "--cgroup-parent",
    "--cgroupns", "--cidfile", "--cpu-period", "--cpu-quota", "--cpu-shares", "--cpus",
    "--cpuset-cpus", "--cpuset-mems", "--device", "--dns", "--dns-option", "--dns-search",
    "--entrypoint", "--env", "--env-file", "--expose", "--gpus", "--group-add",
    "--health-cmd", "--health-interval", "--health-retries", "--health-start-period",
    "--health-timeout", "--hostname", "--ip", "--ip6", "--ipc", "--isolation", "--label",
    "--label-file", "--link", "--log-driver", "--log-opt", "--mac-address", "--memory",
    "--memory-reservation", "--memory-swap", "--mount", "--name", "--net", "--network",
    "--network-alias", "--pid", "--pids-limit", "--platform", "--publish", "--pull",
    "--restart", "--runtime", "--security-opt", "--shm-size", "--stop-signal",
    "--stop-timeout", "--storage-opt", "--sysctl", "--tmpfs", "--ulimit", "--user",
    "--userns", "--uts", "--volume", "--volume-driver", "--volumes-from", "--workdir",
}  # fmt: skip


@dataclass
class DockerRun:
    """One ``docker run`` command.

    Attributes:
        file: Where it was found.
        line: Its first line (1-based).
        options: Option name (long form where there is one) -> values, in order.
        switches: Options given without a value (``--privileged``, ``--rm``...).
        image: The image, when it could be told.
        text: The command as written (joined lines).
    """

    file: str
    line: int
    options: dict[str, list[str]] = field(default_factory=dict)
    switches: set[str] = field(default_factory=set)
    image: str | None = None
    text: str = ""

    def values(self, *names: str) -> list[str]:
        """Every value given to any of ``names``."""
        return [v for n in names for v in self.options.get(n, [])]


_LONG = {
    "-e": "--env", "-p": "--publish", "-u": "--user", "-v": "--volume", "-w": "--workdir",
    "-h": "--hostname", "-l": "--label", "-m": "--memory", "-c": "--cpu-shares",
    "--net": "--network",
}  # fmt: skip


def parse(text: str, file: str, line: int) -> DockerRun:
    """Parse one command line (starting anywhere before ``docker run``)."""
    match = _START.search(text)
    tail = text[match.end() :] if match else text
    try:
        words = shlex.split(tail, comments=True)
    except ValueError:
        words = tail.split()
    found = DockerRun(file=file, line=line, text=text.strip())
    i = 0
    while i < len(words):
        word = words[i]
        if word in ("|", "&&", ";", "||", "&"):
            break
        if word.startswith("-") and word != "-":
            name, eq, value = word.partition("=")
            name = _LONG.get(name, name)
            if eq:
                found.options.setdefault(name, []).append(value)
            elif name in _VALUED or _LONG.get(word) in _VALUED:
                if i + 1 < len(words):
                    found.options.setdefault(name, []).append(words[i + 1])
                    i += 1
            else:
                found.switches.add(name)
            i += 1
            continue
        found.image = word
        break
    return found


def _logical_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """Lines with backslash continuations joined, with the number of their first line."""
    i = 0
    while i < len(lines):
        start, text = i + 1, lines[i]
        # A backslash (sh) or a lone backtick after a space (PowerShell) continues a line;
        # a Markdown fence (```) does not.
        while text.rstrip().endswith(("\\", " `")) and i + 1 < len(lines):
            i += 1
            text = text.rstrip()[:-1] + " " + lines[i].strip()
        yield start, text
        i += 1


def scan_text(text: str, file: str) -> list[DockerRun]:
    """Every ``docker run`` command in a file's text."""
    return [
        parse(line, file, number)
        for number, line in _logical_lines(text.splitlines())
        if _START.search(line)
    ]


def collect(paths: Iterable[Path]) -> list[DockerRun]:
    """Read the files (folders: the files with a known suffix below them) and parse."""
    found: list[DockerRun] = []
    for path in paths:
        files = (
            sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUFFIXES)
            if path.is_dir()
            else [path]
        )
        for file in files:
            try:
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found.extend(scan_text(text, str(file)))
    return found
