"""Services that are routinely attacked when reachable from the network (unauthenticated
Redis, MongoDB, Docker API, etcd...; cleartext telnet and FTP; SMB, RDP, VNC)."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.listening import Listening

#: (protocol, port) -> service.
HIGH_RISK: dict[tuple[str, int], str] = {
    ("tcp", 21): "FTP",
    ("tcp", 23): "telnet",
    ("tcp", 445): "SMB",
    ("tcp", 873): "rsync",
    ("tcp", 2181): "ZooKeeper",
    ("tcp", 2375): "Docker API",
    ("tcp", 2376): "Docker API (TLS)",
    ("tcp", 2379): "etcd",
    ("tcp", 3306): "MySQL",
    ("tcp", 3389): "RDP",
    ("tcp", 5432): "PostgreSQL",
    ("tcp", 5900): "VNC",
    ("tcp", 5984): "CouchDB",
    ("tcp", 6379): "Redis",
    ("tcp", 9200): "Elasticsearch",
    ("tcp", 9300): "Elasticsearch transport",
    ("tcp", 10250): "Kubelet",
    ("tcp", 11211): "Memcached",
    ("udp", 11211): "Memcached (UDP, used for amplification)",
    ("tcp", 15672): "RabbitMQ management",
    ("tcp", 27017): "MongoDB",
}


class listening_high_risk_ports(Check):
    """Fails once per high-risk service listening on a non-loopback address."""

    needs = ("listening",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per exposed listener, else one pass."""
        listening: Listening = self.fact(facts, "listening")
        if not listening.tables:
            return [
                self.result(
                    Status.MANUAL,
                    "/proc/net/tcp",
                    "the socket tables could not be read: list listeners with 'ss -lntup'",
                )
            ]
        results = []
        for listener in sorted(listening.listeners, key=lambda x: (x.port, x.protocol, x.address)):
            service = HIGH_RISK.get((listener.protocol, listener.port))
            if service is None or listener.loopback:
                continue
            results.append(
                self.result(
                    Status.FAIL,
                    f"{listener.protocol}/{listener.endpoint}",
                    f"{service} listens on {listener.endpoint}: reachable beyond this host",
                    expected=f"{service} bound to 127.0.0.1 or a private address behind a "
                    "firewall, or not running",
                    actual=f"{listener.protocol} {listener.endpoint} ({service})",
                )
            )
        if not results:
            results.append(
                self.result(
                    Status.PASS,
                    "listening sockets",
                    f"no high-risk service listens beyond loopback "
                    f"({len(listening.listeners)} listeners)",
                )
            )
        return results
