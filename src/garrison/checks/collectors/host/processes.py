"""Running processes (``processes`` fact): names from ``/proc/<pid>/comm``.

The kernel cuts ``comm`` to 15 characters (``systemd-timesyncd`` -> ``systemd-timesyn``), so
only for such names is ``cmdline`` read too, for the base name of its first argument: one
read per process keeps the collector cheap over SSH.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass

from garrison.checks.collectors.host.source import HostSource

FACT = "processes"
#: ``comm`` holds at most this many characters (TASK_COMM_LEN - 1).
COMM_LEN = 15
#: At most this many processes are read.
MAX_PROCESSES = 5000


@dataclass(frozen=True, slots=True)
class Processes:
    """The names of the running processes.

    Attributes:
        names: ``comm`` values, and base names of ``argv[0]`` where ``comm`` was cut.
        count: Processes seen.
        available: ``/proc`` could be listed (otherwise nothing is known about processes).
    """

    names: frozenset[str]
    count: int
    available: bool

    def running(self, *names: str) -> bool:
        """Any of ``names`` runs (a name longer than 15 characters also matches its cut)."""
        return any(n in self.names or n[:COMM_LEN] in self.names for n in names)


def collect(source: HostSource) -> Processes:
    """Read the name of every process in ``/proc``."""
    pids = [name for name in source.listdir("/proc") if name.isdigit()][:MAX_PROCESSES]
    names: set[str] = set()
    for pid in pids:
        comm = source.read_text(f"/proc/{pid}/comm", limit=64)
        if comm is None:
            continue  # the process ended meanwhile
        comm = comm.strip()
        if comm:
            names.add(comm)
        if len(comm) >= COMM_LEN:
            cmdline = source.read_text(f"/proc/{pid}/cmdline", limit=4096) or ""
            first = cmdline.split("\0", 1)[0].split(" ", 1)[0]
            if first:
                names.add(posixpath.basename(first))
    return Processes(frozenset(names), len(pids), bool(pids))
