"""Listening sockets (``listening`` fact), from the kernel's ``/proc/net/{tcp,tcp6,udp,udp6}``.

Only TCP sockets in state LISTEN (``0A``) and unconnected UDP sockets (state ``07`` with no
remote address) are kept. Addresses are written by the kernel as host-order 32-bit words in
hex, so each word is byte-swapped (this assumes a little-endian host, which every x86 and
common ARM server is). The owning process is not resolved: that needs ``readlink`` on
``/proc/<pid>/fd/*``, which the read-only :class:`HostSource` does not offer.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass

from garrison.checks.collectors.host.source import HostSource

FACT = "listening"
#: The tables read: file -> protocol name.
TABLES = {"tcp": "tcp", "tcp6": "tcp", "udp": "udp", "udp6": "udp"}
_TCP_LISTEN = "0A"
_UDP_UNCONNECTED = "07"


@dataclass(frozen=True, slots=True)
class Listener:
    """A socket waiting for connections.

    Attributes:
        protocol: ``tcp`` or ``udp``.
        address: The local address (``0.0.0.0``, ``::``, ``127.0.0.1``...).
        port: The local port.
        inode: The socket inode (links a socket to ``/proc/<pid>/fd``).
    """

    protocol: str
    address: str
    port: int
    inode: int

    @property
    def loopback(self) -> bool:
        """Only reachable from this host (``127.0.0.0/8``, ``::1``, ``::ffff:127.x``)."""
        ip = ipaddress.ip_address(self.address)
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            return ip.ipv4_mapped.is_loopback
        return ip.is_loopback

    @property
    def endpoint(self) -> str:
        """``address:port`` (IPv6 in brackets)."""
        host = f"[{self.address}]" if ":" in self.address else self.address
        return f"{host}:{self.port}"


@dataclass(frozen=True, slots=True)
class Listening:
    """Every listener, and which tables could be read.

    Attributes:
        listeners: TCP listeners and unconnected UDP sockets, deduplicated.
        tables: The ``/proc/net`` tables read (empty when ``/proc`` is not readable).
    """

    listeners: tuple[Listener, ...]
    tables: tuple[str, ...]


def decode_address(text: str) -> str:
    """A ``/proc/net`` hex address (``0100007F``, 32 hex digits for IPv6) as text.

    Raises:
        ValueError: When ``text`` is not 8 or 32 hex digits.
    """
    if len(text) not in (8, 32):
        raise ValueError(f"not a /proc/net address: {text!r}")
    raw = bytes.fromhex(text)
    # Each 32-bit word is in host (little-endian) byte order.
    swapped = b"".join(raw[i : i + 4][::-1] for i in range(0, len(raw), 4))
    return str(ipaddress.ip_address(swapped))


def parse_table(text: str, protocol: str) -> list[Listener]:
    """The listeners in one ``/proc/net/tcp``-style table (``protocol``: tcp or udp).

    Malformed lines are skipped: the table comes from the target and may be anything.
    """
    found = []
    for line in text.splitlines()[1:]:
        fields = line.split()
        if len(fields) < 10:
            continue
        local, remote, state = fields[1], fields[2], fields[3].upper()
        if protocol == "tcp" and state != _TCP_LISTEN:
            continue
        if protocol == "udp" and (state != _UDP_UNCONNECTED or remote.strip("0:") != ""):
            continue
        address, _, port_hex = local.partition(":")
        try:
            port = int(port_hex, 16)
            if not 0 <= port <= 0xFFFF:
                continue
            found.append(Listener(protocol, decode_address(address), port, int(fields[9])))
        except ValueError:
            continue
    return found


def collect(source: HostSource) -> Listening:
    """Read the four socket tables."""
    seen: dict[tuple[str, str, int], Listener] = {}
    tables = []
    for name, protocol in TABLES.items():
        text = source.read_text(f"/proc/net/{name}")
        if text is None:
            continue
        tables.append(name)
        for listener in parse_table(text, protocol):
            seen.setdefault((listener.protocol, listener.address, listener.port), listener)
    return Listening(tuple(seen.values()), tuple(tables))
