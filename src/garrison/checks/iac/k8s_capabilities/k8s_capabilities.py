"""Kubernetes containers that add Linux capabilities beyond the Pod Security baseline."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.kubernetes import Workload

#: What the Pod Security Standards' baseline profile lets a container add (the container
#: runtime's defaults); anything else (SYS_ADMIN, NET_ADMIN, NET_RAW, SYS_PTRACE, ALL...)
#: widens what a compromised process can do to the node.
BASELINE = frozenset(
    {
        "AUDIT_WRITE",
        "CHOWN",
        "DAC_OVERRIDE",
        "FOWNER",
        "FSETID",
        "KILL",
        "MKNOD",
        "NET_BIND_SERVICE",
        "SETFCAP",
        "SETGID",
        "SETPCAP",
        "SETUID",
        "SYS_CHROOT",
    }
)


def _name(capability: str) -> str:
    """``cap_sys_admin`` -> ``SYS_ADMIN`` (the runtimes accept either form)."""
    name = capability.strip().upper()
    return name[4:] if name.startswith("CAP_") else name


class k8s_capabilities(Check):
    """Fails for each added capability outside the baseline set; passes otherwise."""

    needs = ("kubernetes",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per dangerous added capability, one pass per container without."""
        workloads: list[Workload] = self.fact(facts, "kubernetes")
        results = []
        for pod in workloads:
            for container in pod.containers:
                where = f"{pod.label} {container.label}"
                security = container.security
                bad = [
                    (cap, line)
                    for cap, line in zip(security.capabilities_add, security.add_lines, strict=True)
                    if _name(cap) not in BASELINE
                ]
                for cap, line in bad:
                    results.append(
                        self.result(
                            Status.FAIL,
                            pod.file,
                            f"{where} adds the capability {_name(cap)}",
                            line=line,
                            expected="capabilities.drop: [ALL], add only what the baseline allows",
                            actual=f"capabilities.add: {cap}",
                        )
                    )
                if not bad:
                    drops_all = any(_name(c) == "ALL" for c in security.capabilities_drop)
                    note = "drops ALL" if drops_all else "keeps the runtime's default set"
                    results.append(
                        self.result(
                            Status.PASS,
                            pod.file,
                            f"{where} adds no dangerous capability ({note})",
                            line=container.line,
                        )
                    )
        return results
