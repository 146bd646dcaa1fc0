"""Argument vectors for the firewall tools ``block_ip`` drives: nftables, iptables, firewalld.

Every builder takes an address already parsed by :func:`host_address` (a canonical IPv4 or
IPv6 address without a zone index) and names from :class:`ResponseSettings` (checked against
their patterns again here), so each argv element is either a fixed token or one of those
values. ``nft`` joins its arguments and parses them as its own language, which is why the
address must be exactly an address: a ``%zone`` suffix could carry ``}; flush ruleset``.

The block reason never reaches a command: it lives only in the ledger.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Literal, get_args

from garrison.core.errors import ActionError
from garrison.respond.actions.argv import Completed
from garrison.respond.config import ResponseSettings

Backend = Literal["nftables", "iptables", "firewalld"]
BACKENDS: tuple[str, ...] = get_args(Backend)

_NFT_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,31}")
_CHAIN = re.compile(r"[A-Za-z][A-Za-z0-9_-]{0,28}")
#: ``nft`` messages that mean "already gone" when deleting an element.
_NFT_GONE = ("No such file or directory", "does not exist")
#: firewall-cmd's ALREADY_ENABLED and NOT_ENABLED codes count as success (see firewall-cmd(1)).
FIREWALLD_OK = (0, 11, 12)


def host_address(value: str) -> str:
    """``value`` as a canonical host address, refusing IPv6 zone indexes (``fe80::1%eth0``).

    Raises:
        ValueError: For anything but a plain IPv4 or IPv6 address.
    """
    if "%" in value:
        raise ValueError("an address with a zone index (%...) cannot be blocked")
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        raise ValueError(f"{value[:64]!r} is not an IP address") from None


def is_ipv6(address: str) -> bool:
    """Whether ``address`` is an IPv6 address."""
    return ipaddress.ip_address(address).version == 6


def protected_by(address: str, settings: ResponseSettings) -> str | None:
    """The ``never_block`` entry that covers ``address`` (IPv4-mapped IPv6 included), if any."""
    ip = ipaddress.ip_address(address)
    candidates = [ip]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        candidates.append(ip.ipv4_mapped)
    for entry in settings.never_block:
        network = ipaddress.ip_network(entry, strict=False)
        if any(c.version == network.version and c in network for c in candidates):
            return entry
    return None


def _checked(pattern: re.Pattern[str], value: str, what: str) -> str:
    # The settings model validates these names; checking again keeps a settings object built
    # without validation (model_construct) from smuggling text into nft's language.
    if not pattern.fullmatch(value):
        raise ActionError(f"the {what} name {value[:40]!r} in [response] is not acceptable")
    return value


# -- nftables ---------------------------------------------------------------------------------


def nft_table(settings: ResponseSettings) -> str:
    """The table name (family ``inet``)."""
    return _checked(_NFT_NAME, settings.nft_table, "nft_table")


def nft_family_set(settings: ResponseSettings, version: Literal[4, 6]) -> str:
    """The set of IPv4 (``<nft_set>4``) or IPv6 (``<nft_set>6``) addresses."""
    return f"{_checked(_NFT_NAME, settings.nft_set, 'nft_set')}{version}"


def nft_set(settings: ResponseSettings, address: str) -> str:
    """The set holding ``address``."""
    return nft_family_set(settings, 6 if is_ipv6(address) else 4)


def nft_probe(settings: ResponseSettings) -> list[str]:
    """Lists the IPv4 set; fails when Garrison's table has not been created yet."""
    return ["nft", "list", "set", "inet", nft_table(settings), nft_family_set(settings, 4)]


def nft_script(settings: ResponseSettings) -> bytes:
    """The ``nft -f -`` script creating the table, both sets and the dropping chain."""
    table = nft_table(settings)
    set4 = nft_family_set(settings, 4)
    set6 = nft_family_set(settings, 6)
    lines = [
        f"table inet {table} {{",
        f"\tset {set4} {{",
        "\t\ttype ipv4_addr",
        "\t\tflags timeout",
        "\t}",
        f"\tset {set6} {{",
        "\t\ttype ipv6_addr",
        "\t\tflags timeout",
        "\t}",
        "\tchain input {",
        "\t\ttype filter hook input priority -10; policy accept;",
        f"\t\tip saddr @{set4} drop",
        f"\t\tip6 saddr @{set6} drop",
        "\t}",
        "}",
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def nft_add(settings: ResponseSettings, address: str, seconds: int) -> list[str]:
    """Adds ``address`` to its set; the kernel removes it after ``seconds``."""
    element = f"{{ {address} timeout {seconds}s }}"
    return [
        "nft",
        "add",
        "element",
        "inet",
        nft_table(settings),
        nft_set(settings, address),
        element,
    ]


def nft_delete(settings: ResponseSettings, address: str) -> list[str]:
    """Removes ``address`` from its set."""
    element = f"{{ {address} }}"
    return [
        "nft",
        "delete",
        "element",
        "inet",
        nft_table(settings),
        nft_set(settings, address),
        element,
    ]


def nft_gone(done: Completed) -> bool:
    """Whether a failed ``nft delete element`` failed because the element was not there."""
    return not done.ok and any(marker in done.stderr for marker in _NFT_GONE)


# -- iptables ---------------------------------------------------------------------------------


def iptables(settings: ResponseSettings, op: Literal["-C", "-I", "-D"], address: str) -> list[str]:
    """``iptables`` (or ``ip6tables``) checking, inserting or deleting the DROP rule."""
    program = "ip6tables" if is_ipv6(address) else "iptables"
    chain = _checked(_CHAIN, settings.iptables_chain, "iptables_chain")
    return [program, "-w", op, chain, "-s", address, "-j", "DROP"]


# -- firewalld --------------------------------------------------------------------------------


def rich_rule(address: str) -> str:
    """The firewalld rich rule dropping traffic from ``address``."""
    family = "ipv6" if is_ipv6(address) else "ipv4"
    return f'rule family="{family}" source address="{address}" drop'


def firewalld_add(address: str, seconds: int) -> list[str]:
    """Adds the runtime rich rule; firewalld removes it after ``seconds``."""
    return ["firewall-cmd", f"--add-rich-rule={rich_rule(address)}", f"--timeout={seconds}"]


def firewalld_remove(address: str) -> list[str]:
    """Removes the runtime rich rule."""
    return ["firewall-cmd", f"--remove-rich-rule={rich_rule(address)}"]
