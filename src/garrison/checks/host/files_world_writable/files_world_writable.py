"""World-writable files and folders in system and web roots: any local user (or a web
application's process) can replace binaries, configuration or pages."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result
from garrison.checks.collectors.host.files import FileModes
from garrison.checks.host._common import entry_results

#: Results per check at most; the rest are counted in one more result.
CAP = 100


class files_world_writable(Check):
    """Fails for each world-writable entry (sticky folders such as ``/tmp`` excepted)."""

    needs = ("file_modes",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per entry (up to :data:`CAP`), or a pass for the roots walked."""
        modes: FileModes = self.fact(facts, "file_modes")
        return entry_results(
            self,
            modes,
            modes.world_writable,
            CAP,
            message="anyone can write here",
            expected="not writable by others (o-w)",
            ok="no world-writable entry",
        )
