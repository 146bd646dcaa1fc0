"""Compose: a database port is published on every host interface."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.compose import ComposeFacts, Port, interpolate
from garrison.checks.iac._docker_common import unreadable

#: Default ports of databases, caches and search engines -> what usually listens there.
DATABASE_PORTS = {
    3306: "MySQL/MariaDB", 5432: "PostgreSQL", 6379: "Redis", 27017: "MongoDB",
    9200: "Elasticsearch", 11211: "Memcached", 1433: "SQL Server", 1521: "Oracle",
    5984: "CouchDB", 2379: "etcd", 9042: "Cassandra", 8086: "InfluxDB",
}  # fmt: skip
#: Host addresses that keep a port on the machine itself.
LOOPBACK = {"127.0.0.1", "::1", "localhost"}


def _ports(spec: str | None) -> range:
    """A port or ``start-end`` range (empty when unreadable)."""
    if not spec:
        return range(0)
    start, _, end = interpolate(spec).partition("-")
    try:
        return range(int(start), int(end or start) + 1)
    except ValueError:
        return range(0)


def database(port: Port) -> str | None:
    """What database the port's container side serves, by its default port."""
    for number in _ports(port.target):
        if number in DATABASE_PORTS:
            return f"{DATABASE_PORTS[number]} ({number})"
    return None


def is_public(port: Port) -> bool:
    """Published on every interface (no host address, or a wildcard one)."""
    host = interpolate(port.host_ip or "").strip().strip("[]")
    return host.lower() not in LOOPBACK and not host.startswith("127.")


class compose_database_ports_public(Check):
    """Fails on each database port published without a loopback host address."""

    needs = ("compose",)

    def run(self, facts: Facts) -> list[Result]:
        """A result per published database port; a pass per service without one."""
        found: ComposeFacts = self.fact(facts, "compose")
        results = unreadable(self, found.errors)
        for service in found.services:
            seen = False
            for port in service.ports:
                name = database(port)
                if name is None:
                    continue
                seen = True
                if is_public(port):
                    results.append(
                        self.result(
                            Status.FAIL,
                            service.file,
                            f"service {service.name} publishes {name} on every host interface",
                            line=port.line,
                            expected="127.0.0.1:<port>:<port>, or no published port",
                            actual=f"ports: {port.text}",
                        )
                    )
                else:
                    message = f"service {service.name} publishes {name} on loopback only"
                    results.append(self.result(Status.PASS, service.file, message, line=port.line))
            if not seen:
                message = f"service {service.name} publishes no database port"
                results.append(self.result(Status.PASS, service.file, message, line=service.line))
        return results
