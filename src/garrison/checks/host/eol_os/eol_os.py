"""Operating systems past the end of their vendor's security support get no more fixes for
new vulnerabilities (等保 8.1.4.4 e)).

The end dates are compared with the scan time (``facts.now``). When the scan time is unknown,
only releases that ended before :data:`KNOWN_BEFORE` (2024-01-01) are failed: those are past
their end whenever the scan runs; later ends give a ``manual`` result instead of a guess.
"""

from __future__ import annotations

from datetime import date

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.software import OsRelease, Software

#: Used when the scan time is unknown: anything that ended before it has ended for sure.
KNOWN_BEFORE = date(2024, 1, 1)
#: (distribution, release) -> end of security support. Debian: end of LTS; Ubuntu: end of
#: standard support; RHEL and rebuilds: end of maintenance support (before paid ELS).
EOL: dict[tuple[str, str], date] = {
    ("debian", "6"): date(2016, 2, 29),
    ("debian", "7"): date(2018, 5, 31),
    ("debian", "8"): date(2020, 6, 30),
    ("debian", "9"): date(2022, 6, 30),
    ("debian", "10"): date(2024, 6, 30),
    ("debian", "11"): date(2026, 8, 31),
    ("debian", "12"): date(2028, 6, 30),
    ("ubuntu", "12.04"): date(2017, 4, 28),
    ("ubuntu", "14.04"): date(2019, 4, 30),
    ("ubuntu", "16.04"): date(2021, 4, 30),
    ("ubuntu", "18.04"): date(2023, 5, 31),
    ("ubuntu", "20.04"): date(2025, 5, 31),
    ("ubuntu", "22.04"): date(2027, 6, 1),
    ("ubuntu", "24.04"): date(2029, 5, 31),
    ("centos", "4"): date(2012, 2, 29),
    ("centos", "5"): date(2017, 3, 31),
    ("centos", "6"): date(2020, 11, 30),
    ("centos", "7"): date(2024, 6, 30),
    ("centos", "8"): date(2021, 12, 31),
    ("centos-stream", "8"): date(2024, 5, 31),
    ("centos-stream", "9"): date(2027, 5, 31),
    ("rhel", "5"): date(2017, 3, 31),
    ("rhel", "6"): date(2020, 11, 30),
    ("rhel", "7"): date(2024, 6, 30),
    ("rhel", "8"): date(2029, 5, 31),
    ("rhel", "9"): date(2032, 5, 31),
    ("rocky", "8"): date(2029, 5, 31),
    ("rocky", "9"): date(2032, 5, 31),
    ("almalinux", "8"): date(2029, 5, 31),
    ("almalinux", "9"): date(2032, 5, 31),
}
#: Distributions whose table key is the major version (the others use VERSION_ID as is).
_MAJOR = {"debian", "centos", "centos-stream", "rhel", "rocky", "almalinux"}


def release_key(os: OsRelease) -> tuple[str, str]:
    """The :data:`EOL` key of an OS (``("centos-stream", "8")``, ``("ubuntu", "18.04")``)."""
    distro = os.id
    if distro == "centos" and "stream" in os.name.lower():
        distro = "centos-stream"
    version = os.version_id.split(".")[0] if distro in _MAJOR else os.version_id
    return distro, version


def _number(version: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in version.split("."))
    except ValueError:
        return ()


class eol_os(Check):
    """Fails when the operating system release is past its end of security support."""

    needs = ("software",)

    def run(self, facts: Facts) -> list[Result]:
        """One result for the operating system."""
        software: Software = self.fact(facts, "software")
        os = software.os
        if os is None:
            return [self.result(Status.MANUAL, "/etc/os-release", "the OS could not be told")]
        distro, version = release_key(os)
        resource = os.source or "/etc/os-release"
        end = EOL.get((distro, version))
        if end is None:
            known = [_number(v) for d, v in EOL if d == distro]
            if known and _number(version) and _number(version) > max(known):
                return [self.result(Status.PASS, resource, f"{os.name}: a current release")]
            return [
                self.result(
                    Status.MANUAL,
                    resource,
                    f"{os.name}: not in the end-of-life table, verify vendor support",
                )
            ]
        today = facts.now.date() if facts.now else None
        if end <= (today or KNOWN_BEFORE):
            return [
                self.result(
                    Status.FAIL,
                    resource,
                    f"{os.name} reached its end of security support on {end.isoformat()}",
                    expected="a release with security support",
                    actual=f"{distro} {version}, support ended {end.isoformat()}",
                )
            ]
        if today is None:
            return [
                self.result(
                    Status.MANUAL,
                    resource,
                    f"{os.name}: support ends {end.isoformat()}; the scan time is unknown",
                )
            ]
        return [self.result(Status.PASS, resource, f"{os.name}: supported until {end.isoformat()}")]
