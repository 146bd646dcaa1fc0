"""SSH protocol 1 and weak ciphers, MACs, key exchanges and host key algorithms."""

from __future__ import annotations

from collections.abc import Callable

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.sshd import Directive, SshdConfig
from garrison.checks.host._common import no_sshd


def weak_cipher(name: str) -> bool:
    """CBC modes (plaintext recovery attacks), RC4 (arcfour), no encryption."""
    name = name.lower()
    return name.endswith("-cbc") or "cbc@" in name or name.startswith("arcfour") or name == "none"


def weak_mac(name: str) -> bool:
    """MD5, SHA-1, RIPEMD-160 and 64-bit UMAC tags."""
    name = name.lower()
    return (
        "md5" in name
        or name.startswith("hmac-sha1")
        or "ripemd160" in name
        or name.startswith("umac-64")
        or name == "none"
    )


def weak_kex(name: str) -> bool:
    """SHA-1 key exchanges (group1 is also only 1024 bits)."""
    name = name.lower()
    return name.endswith("-sha1") or "-sha1-" in name or "group1-" in name


def weak_key(name: str) -> bool:
    """DSA keys and RSA signatures with SHA-1 (``ssh-rsa``)."""
    name = name.lower()
    return name.startswith(("ssh-dss", "ssh-rsa")) and "sha2" not in name


#: Keyword -> the test for its list items.
LISTS: dict[str, Callable[[str], bool]] = {
    "ciphers": weak_cipher,
    "macs": weak_mac,
    "kexalgorithms": weak_kex,
    "hostkeyalgorithms": weak_key,
    "pubkeyacceptedalgorithms": weak_key,
    "casignaturealgorithms": weak_key,
    "hostbasedacceptedalgorithms": weak_key,
}


def weak_items(directive: Directive) -> list[str]:
    """The weak algorithms a list directive enables (``-`` lists only remove algorithms)."""
    test = LISTS[directive.keyword]
    value = directive.value.strip()
    if value.startswith("-"):
        return []
    items = value.lstrip("+^").split(",")
    return [item.strip() for item in items if item.strip() and test(item.strip())]


class ssh_protocol_ciphers(Check):
    """Fails for ``Protocol 1`` and for each algorithm list that enables a weak algorithm.

    Only what the configuration sets is judged: OpenSSH 7.4 and later ship without CBC
    ciphers, MD5 MACs or group1 key exchange, so an unset list keeps the built-in defaults.
    """

    needs = ("sshd",)

    def run(self, facts: Facts) -> list[Result]:
        """One failure per offending directive, or one pass."""
        config: SshdConfig = self.fact(facts, "sshd")
        if not config.present:
            return no_sshd(self, config)
        results: list[Result] = []
        protocol = config.first("Protocol")
        if protocol is not None and "1" in protocol.value.replace(" ", "").split(","):
            results.append(
                self.result(
                    Status.FAIL,
                    protocol.file,
                    "SSH protocol 1 is enabled (broken since 2001)",
                    line=protocol.line,
                    expected="Protocol 2",
                    actual=f"Protocol {protocol.value}",
                )
            )
        for keyword in LISTS:
            directive = config.first(keyword)
            if directive is None:
                continue
            weak = weak_items(directive)
            if weak:
                name = directive.written or keyword
                results.append(
                    self.result(
                        Status.FAIL,
                        directive.file,
                        f"{name} enables weak algorithms: {', '.join(weak)}",
                        line=directive.line,
                        expected="no CBC/arcfour ciphers, MD5/SHA-1 MACs, SHA-1 key exchange, "
                        "ssh-rsa/ssh-dss signatures",
                        actual=f"{name} {directive.value}",
                    )
                )
        if not results:
            results.append(
                self.result(
                    Status.PASS,
                    config.main_file,
                    "no weak SSH protocol or algorithm is enabled",
                )
            )
        return results
