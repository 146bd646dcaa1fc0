"""Software past its upstream end of life (PHP below 8.1, MySQL 5.x, old Tomcat, Python 2,
OpenSSL 1.x, nginx below 1.20, DedeCMS): new vulnerabilities stay open (等保 8.1.4.4 e)).

Versions come from the package databases (dpkg, apk) and from software installed outside
them (宝塔 PHP, DedeCMS). The table holds the branches that ended by 2024 (newer branches,
whose distributions usually still patch them, are left to the vendors' own notices). Dates
are upstream's; a distribution may still backport fixes to its
own build, which the message says. As in ``eol_os``, an unknown scan time fails only branches
that ended before 2024.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.software import Package, Software

KNOWN_BEFORE = date(2024, 1, 1)


@dataclass(frozen=True, slots=True)
class Product:
    """A product whose branches end.

    Attributes:
        name: For people.
        packages: Package names that carry it (regular expression, full match).
        ends: ``major.minor`` (or ``major``) branch -> end of upstream support.
        below: Every version below this one ended (for branches not in ``ends``).
        below_end: When that happened.
    """

    name: str
    packages: re.Pattern[str]
    ends: dict[str, date]
    below: tuple[int, int] | None = None
    below_end: date = KNOWN_BEFORE


PRODUCTS = (
    Product(
        "PHP",
        re.compile(r"php(\d+(\.\d+)?)?(-(cli|fpm|cgi|common|mysql|mysqlnd))?"),
        {
            "7.0": date(2019, 1, 10),
            "7.1": date(2019, 12, 1),
            "7.2": date(2020, 11, 30),
            "7.3": date(2021, 12, 6),
            "7.4": date(2022, 11, 28),
            "8.0": date(2023, 11, 26),
        },
        below=(7, 0),
        below_end=date(2018, 12, 31),
    ),
    Product(
        "MySQL",
        re.compile(r"mysql-(community-)?server(-core)?(-\d+\.\d+)?"),
        {
            "5.1": date(2013, 12, 31),
            "5.5": date(2018, 12, 31),
            "5.6": date(2021, 2, 28),
            "5.7": date(2023, 10, 31),
        },
        below=(5, 1),
        below_end=date(2013, 12, 31),
    ),
    Product(
        "MariaDB",
        re.compile(r"mariadb-server(-core)?(-\d+\.\d+)?"),
        {
            "10.0": date(2019, 3, 31),
            "10.1": date(2020, 10, 17),
            "10.2": date(2022, 5, 23),
            "10.3": date(2023, 5, 25),
            "10.4": date(2024, 6, 18),
        },
        below=(10, 0),
        below_end=date(2019, 3, 31),
    ),
    Product(
        "Apache Tomcat",
        re.compile(r"tomcat\d*"),
        {
            "6.0": date(2016, 12, 31),
            "7.0": date(2021, 3, 31),
            "8.0": date(2018, 6, 30),
            "8.5": date(2024, 3, 31),
            "10.0": date(2022, 10, 31),
        },
        below=(6, 0),
        below_end=date(2016, 12, 31),
    ),
    Product(
        "Python 2",
        re.compile(r"python(2(\.\d+)?)?(-minimal)?"),
        {},
        below=(3, 0),
        below_end=date(2020, 1, 1),
    ),
    Product(
        "OpenSSL",
        re.compile(r"openssl|libssl\d+(\.\d+)*"),
        {"1.0": date(2019, 12, 31), "1.1": date(2023, 9, 11)},
        below=(1, 0),
        below_end=date(2015, 12, 31),
    ),
    Product(
        "nginx",
        re.compile(r"nginx(-(core|full|light|extras))?"),
        {},
        below=(1, 20),
        below_end=date(2021, 5, 25),
    ),
)
_VERSION = re.compile(r"(\d+)\.(\d+)")


def branch(version: str) -> tuple[int, int] | None:
    """``(major, minor)`` of a package version (``2:7.4+76`` -> ``(7, 4)``)."""
    match = _VERSION.match(version.split(":", 1)[-1])
    return (int(match.group(1)), int(match.group(2))) if match else None


def end_of(product: Product, version: tuple[int, int]) -> date | None:
    """When the branch of ``version`` ended (or ends), ``None`` when not known to."""
    major, minor = version
    for key in (f"{major}.{minor}", str(major)):
        if key in product.ends:
            return product.ends[key]
    if product.below is not None and version < product.below:
        return product.below_end
    return None


class eol_software(Check):
    """Fails per end-of-life product branch found; DedeCMS needs a person."""

    needs = ("software",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per product branch found, or one pass."""
        software: Software = self.fact(facts, "software")
        today = facts.now.date() if facts.now else None
        found: dict[tuple[str, tuple[int, int]], list[Package]] = {}
        results = []
        for package in software.packages:
            if package.name == "dedecms":
                results.append(
                    self.result(
                        Status.MANUAL,
                        package.source,
                        f"DedeCMS (version {package.version}): a long record of public "
                        "vulnerabilities; verify it is the latest release or replace it",
                    )
                )
                continue
            for product in PRODUCTS:
                version = branch(package.version)
                if product.packages.fullmatch(package.name) and version is not None:
                    if product.name == "Python 2" and version[0] != 2:
                        continue
                    found.setdefault((product.name, version), []).append(package)
        products = {p.name: p for p in PRODUCTS}
        for (name, version), packages in sorted(found.items()):
            end = end_of(products[name], version)
            if end is None:
                continue
            results.append(self._branch(name, version, packages, end, today))
        if not results:
            if not software.packages:
                why = (
                    "the RPM database is binary: list packages with 'rpm -qa'"
                    if software.package_db == "rpm"
                    else "no package database could be read"
                )
                return [self.result(Status.MANUAL, software.package_db or "packages", why)]
            results.append(
                self.result(
                    Status.PASS,
                    software.package_db or "packages",
                    f"no end-of-life software among {len(software.packages)} packages",
                )
            )
        return results

    def _branch(
        self,
        name: str,
        version: tuple[int, int],
        packages: list[Package],
        end: date,
        today: date | None,
    ) -> Result:
        shown = f"{name} {version[0]}.{version[1]}"
        names = ", ".join(f"{p.name} {p.version}" for p in packages[:5])
        resource = packages[0].source if packages[0].source.startswith("/") else packages[0].name
        if end <= (today or KNOWN_BEFORE):
            return self.result(
                Status.FAIL,
                resource,
                f"{shown} reached its upstream end of life on {end.isoformat()} "
                "(a distribution may still backport fixes)",
                expected=f"a supported {name} release",
                actual=names,
            )
        if today is None:
            return self.result(
                Status.MANUAL,
                resource,
                f"{shown}: upstream support ends {end.isoformat()}; the scan time is unknown",
                actual=names,
            )
        return self.result(
            Status.PASS, resource, f"{shown}: supported until {end.isoformat()}", actual=names
        )
