"""The asset list: systems with their importance and owner, matched against an incident.

An asset names the addresses and host names it answers to (IPs, CIDR blocks, host names). The
most important asset an incident touches decides the system view of its grade. The list is
imported from CSV or YAML (``garrison assets import``) or set over the API.
"""

from __future__ import annotations

import csv
import io
import ipaddress
from collections.abc import Iterable
from dataclasses import dataclass, field

import yaml

from garrison.core.errors import RejectedError
from garrison.incidents.grading import IMPORTANCE

#: Importance words accepted on import (English, or the standard's Chinese).
IMPORTANCE_WORDS = {
    "critical": "critical",
    "特别重要": "critical",
    "important": "important",
    "重要": "important",
    "general": "general",
    "一般": "general",
}
COLUMNS = ("name", "importance", "owner", "addresses", "kind", "description")


@dataclass(frozen=True, slots=True)
class Asset:
    """A system on the asset list.

    Attributes:
        name: Unique name.
        importance: ``critical`` (特别重要), ``important`` (重要) or ``general`` (一般).
        owner: Who is responsible for it.
        addresses: IPs, CIDR blocks and host names it answers to.
        kind: Free text (server, database, website, ...).
        description: Free text.
    """

    name: str
    importance: str
    owner: str | None = None
    addresses: tuple[str, ...] = field(default_factory=tuple)
    kind: str | None = None
    description: str | None = None

    def to_dict(self) -> dict[str, object]:
        """JSON-ready form."""
        return {
            "name": self.name,
            "importance": self.importance,
            "owner": self.owner,
            "addresses": list(self.addresses),
            "kind": self.kind,
            "description": self.description,
        }

    def matches(self, entities: Iterable[str]) -> bool:
        """Whether the asset is one of ``entities`` (``ip:...``, ``host:...``)."""
        for entity in entities:
            kind, _, value = entity.partition(":")
            if kind == "ip" and _ip_in(value, self.addresses):
                return True
            if kind == "host" and value.lower() in {a.lower() for a in self.addresses}:
                return True
        return False


def _ip_in(value: str, addresses: tuple[str, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(value)
    except ValueError:
        return False
    for address in addresses:
        try:
            if ip in ipaddress.ip_network(address, strict=False):
                return True
        except ValueError:
            continue  # a host name
    return False


def affected(assets: Iterable[Asset], entities: Iterable[str]) -> list[Asset]:
    """The assets among ``entities``, most important first."""
    wanted = list(entities)
    found = [a for a in assets if a.matches(wanted)]
    return sorted(found, key=lambda a: (IMPORTANCE.index(a.importance), a.name))


def _asset(row: dict[str, object], where: str, problems: list[dict[str, object]]) -> Asset | None:
    name = str(row.get("name") or "").strip()
    word = str(row.get("importance") or "").strip().lower()
    importance = IMPORTANCE_WORDS.get(word) or IMPORTANCE_WORDS.get(str(row.get("importance")))
    if not name or len(name) > 256:
        problems.append({"where": where, "message": "a name of 1-256 characters is required"})
        return None
    if importance is None:
        problems.append(
            {
                "where": where,
                "message": f"unknown importance {row.get('importance')!r}",
                "hint": "critical/特别重要, important/重要 or general/一般",
            }
        )
        return None
    raw = row.get("addresses") or ()
    items: list[object]
    if isinstance(raw, str):
        items = list(raw.replace(";", " ").replace(",", " ").split())
    elif isinstance(raw, list | tuple):
        items = list(raw)
    else:
        items = [raw]
    addresses = tuple(str(a).strip() for a in items if str(a).strip())
    for address in addresses:
        if "/" in address:
            try:
                ipaddress.ip_network(address, strict=False)
            except ValueError:
                problems.append({"where": where, "message": f"invalid network {address!r}"})
                return None

    def text(key: str) -> str | None:
        value = row.get(key)
        return str(value).strip() or None if value is not None else None

    return Asset(name, importance, text("owner"), addresses, text("kind"), text("description"))


def _finish(assets: list[Asset], problems: list[dict[str, object]], source: str) -> list[Asset]:
    names = [a.name for a in assets]
    for duplicate in sorted({n for n in names if names.count(n) > 1}):
        problems.append({"where": source, "message": f"asset {duplicate!r} is listed twice"})
    if problems:
        raise RejectedError(
            f"{source}: {len(problems)} problem(s); nothing was imported",
            problems,
            hint="fix the rows named and import again",
        )
    return assets


def parse_csv(text: str, source: str = "assets.csv") -> list[Asset]:
    """Assets from CSV with a header row (columns: ``name, importance, owner, addresses, kind,
    description``; addresses separated by spaces or semicolons).

    Raises:
        RejectedError: With the line of each problem; nothing is returned then.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = {"name", "importance"} - set(reader.fieldnames or ())
    if missing:
        raise RejectedError(
            f"{source}: the header lacks {', '.join(sorted(missing))}",
            [{"where": f"{source}:1", "message": "header: " + ", ".join(COLUMNS)}],
        )
    problems: list[dict[str, object]] = []
    assets = []
    for row in reader:
        found = _asset(dict(row), f"{source}:{reader.line_num}", problems)
        if found is not None:
            assets.append(found)
    return _finish(assets, problems, source)


def parse_yaml(text: str, source: str = "assets.yml") -> list[Asset]:
    """Assets from YAML: a list of mappings with the CSV's keys (``addresses`` a list).

    Raises:
        RejectedError: With the place of each problem; nothing is returned then.
    """
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise RejectedError(
            f"{source}: not valid YAML", [{"where": f"{source}{line}", "message": str(exc)}]
        ) from exc
    if not isinstance(data, list):
        raise RejectedError(
            f"{source}: expected a list of assets",
            [{"where": source, "message": "the file must be a YAML list"}],
        )
    problems: list[dict[str, object]] = []
    assets = []
    for index, item in enumerate(data):
        where = f"{source}[{index}]"
        if not isinstance(item, dict):
            problems.append({"where": where, "message": "each asset is a mapping"})
            continue
        found = _asset(item, where, problems)
        if found is not None:
            assets.append(found)
    return _finish(assets, problems, source)
