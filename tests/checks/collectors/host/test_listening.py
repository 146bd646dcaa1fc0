"""The ``listening`` collector: ``/proc/net`` tables, hex addresses, LISTEN and unconnected UDP."""

from __future__ import annotations

import ipaddress
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.collectors.host import listening
from garrison.checks.collectors.host.source import LocalSource

HEADER = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"


def _kernel_hex(address: str) -> str:
    """``address`` written the way the kernel does (32-bit words in little-endian order)."""
    raw = ipaddress.ip_address(address).packed
    return "".join(raw[i : i + 4][::-1].hex().upper() for i in range(0, len(raw), 4))


def _row(local: str, port: int, state: str, remote: str = "0.0.0.0", inode: int = 1) -> str:
    zero = _kernel_hex(remote)
    return (
        f"   0: {_kernel_hex(local)}:{port:04X} {zero}:0000 {state} 00000000:00000000 "
        f"00:00000000 00000000     0        0 {inode} 1 0000000000000000 100 0 0 10 0\n"
    )


def test_known_addresses_decode() -> None:
    assert listening.decode_address("0100007F") == "127.0.0.1"
    assert listening.decode_address("00000000") == "0.0.0.0"
    assert listening.decode_address("00000000000000000000000001000000") == "::1"
    mapped = listening.decode_address("0000000000000000FFFF00000100007F")
    assert ipaddress.ip_address(mapped) == ipaddress.ip_address("::ffff:127.0.0.1")


def test_only_listening_tcp_and_unconnected_udp_are_kept() -> None:
    tcp = HEADER + _row("0.0.0.0", 6379, "0A") + _row("10.0.2.15", 22, "01", "10.0.2.2")
    assert [(x.address, x.port) for x in listening.parse_table(tcp, "tcp")] == [("0.0.0.0", 6379)]
    udp = HEADER + _row("0.0.0.0", 53, "07") + _row("10.0.2.15", 40000, "01", "8.8.8.8")
    udp += _row("10.0.2.15", 40001, "07", "8.8.8.8")  # connected UDP: not a listener
    assert [x.port for x in listening.parse_table(udp, "udp")] == [53]


def test_loopback_and_endpoint() -> None:
    assert listening.Listener("tcp", "::ffff:127.0.0.1", 80, 1).loopback
    assert not listening.Listener("tcp", "::", 80, 1).loopback
    assert listening.Listener("tcp", "::", 80, 1).endpoint == "[::]:80"


def test_collect_reads_the_four_tables(tmp_path: Path) -> None:
    (tmp_path / "proc/net").mkdir(parents=True)
    (tmp_path / "proc/net/tcp").write_text(HEADER + _row("0.0.0.0", 22, "0A"))
    (tmp_path / "proc/net/udp6").write_text(HEADER + _row("::", 5353, "07", "::"))
    found = listening.collect(LocalSource(tmp_path))
    assert found.tables == ("tcp", "udp6")
    assert {(x.protocol, x.address, x.port) for x in found.listeners} == {
        ("tcp", "0.0.0.0", 22),
        ("udp", "::", 5353),
    }


def test_no_proc_means_no_tables(tmp_path: Path) -> None:
    assert listening.collect(LocalSource(tmp_path)) == listening.Listening((), ())


@given(
    st.one_of(st.ip_addresses(v=4), st.ip_addresses(v=6)),
    st.integers(0, 0xFFFF),
    st.integers(0, 2**32),
)
def test_rows_round_trip(
    address: ipaddress.IPv4Address | ipaddress.IPv6Address, port: int, inode: int
) -> None:
    remote = "0.0.0.0" if address.version == 4 else "::"
    parsed = listening.parse_table(HEADER + _row(str(address), port, "0A", remote, inode), "tcp")
    assert parsed == [listening.Listener("tcp", str(address), port, inode)]


@given(st.text())
def test_any_table_text_parses_without_raising(text: str) -> None:
    for protocol in ("tcp", "udp"):
        for found in listening.parse_table(text, protocol):
            assert 0 <= found.port <= 0xFFFF
