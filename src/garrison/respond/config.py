"""The ``[response]`` settings table: what response actions may touch, and how.

Every action reads its limits from here rather than from the playbook, so a playbook (which
users write and which reads attacker-controlled values) can never widen them: the never-block
list, the hosts HTTP requests may reach, where quarantined files go.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

#: Addresses no playbook may block by default: loopback, link-local, and "this network".
DEFAULT_NEVER_BLOCK = ["127.0.0.0/8", "::1/128", "169.254.0.0/16", "fe80::/10", "0.0.0.0/8"]
#: RFC 1918 and unique-local ranges: "internal" for playbook conditions (``is_internal``).
DEFAULT_INTERNAL = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"]


def _networks(values: list[str]) -> list[str]:
    for value in values:
        try:
            ipaddress.ip_network(value, strict=False)
        except ValueError as exc:
            raise ValueError(f"{value!r} is not an address or network ({exc})") from exc
    return values


class KestraSettings(BaseModel):
    """Where Kestra runs and how Garrison signs in to it.

    Attributes:
        url: Base URL of the Kestra server (``http://kestra:8080``).
        tenant: Tenant id in API paths (``main`` on a default installation).
        token: API token sent as a bearer token (Enterprise edition), or
        username / password: Basic authentication (open-source edition).
        timeout_seconds: Per-request timeout.
    """

    model_config = ConfigDict(extra="forbid")

    url: str = ""
    tenant: str = "main"
    token: SecretStr | None = None
    username: str | None = None
    password: SecretStr | None = None
    timeout_seconds: float = Field(default=15.0, gt=0, le=300)


class LdapSettings(BaseModel):
    """The directory where LDAP accounts are disabled and enabled.

    Attributes:
        url: ``ldap://`` or ``ldaps://`` server URL.
        bind_dn / password: The service account that may change ``users_dn`` entries.
        users_dn: The base under which accounts live (``ou=people,dc=example,dc=com``).
        user_attribute: The naming attribute of an account (``uid``; ``sAMAccountName`` on AD).
        flavor: ``openldap`` (sets ``pwdAccountLockedTime``) or ``ad`` (sets the
            ``ACCOUNTDISABLE`` bit of ``userAccountControl``).
    """

    model_config = ConfigDict(extra="forbid")

    url: str = ""
    bind_dn: str = ""
    password: SecretStr | None = None
    users_dn: str = ""
    user_attribute: str = "uid"
    flavor: Literal["openldap", "ad"] = "openldap"


class ResponseSettings(BaseModel):
    """The ``[response]`` table: playbooks and the limits of response actions.

    Attributes:
        enabled: Run playbooks on alerts and incidents (manual runs work either way).
        playbooks: Extra folders of playbook YAML files, besides the shipped ones.
        builtin_playbooks: Load the playbooks shipped in ``content/playbooks``.
        firewall: Which tool ``block_ip`` drives on this host.
        nft_table / nft_set: The nftables table (family ``inet``) and set Garrison owns.
        iptables_chain: The chain Garrison inserts its ``DROP`` rules into.
        never_block: Addresses and networks no playbook may block, whatever it says.
        never_disable: Accounts no playbook may disable (local or LDAP).
        internal: Networks that count as internal for ``is_internal()`` in expressions.
        http_allow: Host names (or ``*.suffix``) the ``http_request`` action may call.
        quarantine_dir: Where quarantined files are moved (default ``<home>/quarantine``).
        docker_url: Docker Engine API address (``unix:///var/run/docker.sock`` or ``http://``).
        max_concurrent: Default limit of runs of one playbook at the same time.
        approval_hours: Default time an approval step waits before its ``on_timeout``.
        command_timeout_seconds: Longest a host command may run.
        kestra: The Kestra server for the ``kestra`` action.
        ldap: The directory for LDAP account actions.
    """

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    playbooks: list[Path] = Field(default_factory=list)
    builtin_playbooks: bool = True
    firewall: Literal["nftables", "iptables", "firewalld"] = "nftables"
    nft_table: str = Field(default="garrison", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
    nft_set: str = Field(default="blocklist", pattern=r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
    iptables_chain: str = Field(default="INPUT", pattern=r"^[A-Za-z][A-Za-z0-9_-]{0,28}$")
    never_block: list[str] = Field(default_factory=lambda: list(DEFAULT_NEVER_BLOCK))
    never_disable: list[str] = Field(default_factory=lambda: ["root"])
    internal: list[str] = Field(default_factory=lambda: list(DEFAULT_INTERNAL))
    http_allow: list[str] = Field(default_factory=list)
    quarantine_dir: Path | None = None
    docker_url: str = "unix:///var/run/docker.sock"
    max_concurrent: int = Field(default=4, ge=1, le=1000)
    approval_hours: float = Field(default=4.0, gt=0, le=24 * 30)
    command_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)
    kestra: KestraSettings = Field(default_factory=KestraSettings)
    ldap: LdapSettings = Field(default_factory=LdapSettings)

    @field_validator("never_block", "internal")
    @classmethod
    def _check_networks(cls, value: list[str]) -> list[str]:
        return _networks(value)

    @field_validator("http_allow")
    @classmethod
    def _check_hosts(cls, value: list[str]) -> list[str]:
        for host in value:
            bare = host.removeprefix("*.")
            if not bare or "/" in bare or ":" in bare or " " in bare:
                raise ValueError(f"{host!r} is not a host name (give 'host' or '*.suffix')")
        return [h.lower() for h in value]
