"""Web roots: folders at most 750 and files at most 640 (source doc 003: "文件夹和文件权限尽量
不高于750,640"), so other local users cannot read code, configuration and uploads."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.files import FileModes, describe

CAP = 50


class files_web_root_modes(Check):
    """Fails per over-permissive path in a web root (up to :data:`CAP`, then a count)."""

    needs = ("file_modes",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per path, a count of the rest, or a pass per web root."""
        modes: FileModes = self.fact(facts, "file_modes")
        if not modes.web_roots:
            return [self.result(Status.NOT_APPLICABLE, "web roots", "no web root on this host")]
        results = []
        for info in modes.web_loose[:CAP]:
            limit = "0750" if info.is_dir else "0640"
            kind = "folder" if info.is_dir else "file"
            results.append(
                self.result(
                    Status.FAIL,
                    info.path,
                    f"web {kind} more permissive than {limit}",
                    expected=f"at most {limit}",
                    actual=describe(info),
                )
            )
        rest = modes.web_loose_count - len(results)
        if rest > 0:
            results.append(
                self.result(
                    Status.FAIL,
                    ", ".join(modes.web_roots),
                    f"{rest} more over-permissive entries in the web roots",
                    expected="folders at most 0750, files at most 0640",
                    actual=f"{modes.web_loose_count} entries in all",
                )
            )
        if not results:
            results = [
                self.result(Status.PASS, root, "folders at most 0750, files at most 0640")
                for root in modes.web_roots
            ]
        if modes.truncated:
            results.append(
                self.result(
                    Status.MANUAL,
                    ", ".join(modes.web_roots),
                    f"the walk stopped after {modes.scanned} entries: the rest was not checked",
                )
            )
        return results
