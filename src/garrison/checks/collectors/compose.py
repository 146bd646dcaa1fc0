"""Docker Compose files: each service's security-relevant settings, with their lines.

Files are chosen by name (``docker-compose*.yml``, ``compose*.yaml``...) and, to catch files
named otherwise (``stack.yml``, ``prod.yml``), any other ``.yml`` / ``.yaml`` whose text has a
top-level ``services:`` line is read too, but kept only when every service looks like a
Compose service (a mapping, at least one with ``image``, ``build`` or ``extends``) and the
document is no Kubernetes object. YAML that does not parse is recorded in
:attr:`ComposeFacts.errors` with the reason, never dropped silently.

Both syntaxes are read: short and long ``volumes`` and ``ports``, ``environment`` as a list or
a mapping, ``security_opt`` as ``key:value`` or ``key=value``. Values stay as written (a
``${VAR:-default}`` is kept); :func:`interpolate` gives the default a value falls back to.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garrison.checks.collectors.dockerfile import SKIP_DIRS
from garrison.core.yamlloc import LocList, LocMap, YamlError, load_documents

#: Files larger than this are no Compose files worth reading.
MAX_SIZE = 4 * 1024 * 1024
_NAMED = re.compile(r"^(?:docker-)?compose(?:[.-][^/]*)?\.ya?ml$", re.IGNORECASE)
_SERVICES_LINE = re.compile(r"^services\s*:", re.MULTILINE)
_SERVICE_KEYS = {"image", "build", "extends"}
_VARIABLE = re.compile(r"\$\{(\w+)(?:(:?[-?+])([^}]*))?\}|\$(\w+)")


@dataclass(frozen=True, slots=True)
class Value:
    """A setting as written, with its line.

    Attributes:
        value: The value (str, int, bool... as YAML gave it).
        line: The 1-based line of its key (or list item).
    """

    value: Any
    line: int

    @property
    def text(self) -> str:
        """The value as a string (booleans as ``true``/``false``, as Compose reads them)."""
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return "" if self.value is None else str(self.value)


@dataclass(frozen=True, slots=True)
class Volume:
    """One ``volumes`` item.

    Attributes:
        source: Host path or named volume (``None`` for an anonymous volume).
        target: The path in the container.
        type: ``bind``, ``volume``, ``tmpfs``, ``npipe`` or ``cluster``.
        read_only: Mounted read-only.
        line: The item's line.
        text: The item as written (long syntax summarised).
    """

    source: str | None
    target: str | None
    type: str
    read_only: bool
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class Port:
    """One published port (``ports`` item).

    Attributes:
        host_ip: The host address it binds to (``None``: every interface).
        published: The host port or range (``None``: a random host port).
        target: The container port or range.
        protocol: ``tcp`` or ``udp``.
        line: The item's line.
        text: The item as written.
    """

    host_ip: str | None
    published: str | None
    target: str | None
    protocol: str
    line: int
    text: str


@dataclass(frozen=True, slots=True)
class EnvVar:
    """One ``environment`` entry.

    Attributes:
        name: The variable.
        value: Its value as written, ``None`` when taken from the shell (``- NAME``).
        line: Its line.
    """

    name: str
    value: str | None
    line: int


@dataclass(frozen=True, slots=True)
class Service:
    """One Compose service.

    Attributes:
        file: The Compose file.
        name: The service name.
        line: The line of the service's key.
        image: ``image``.
        user: ``user``.
        privileged: ``privileged``.
        read_only: ``read_only``.
        namespaces: ``network_mode``, ``pid``, ``ipc``, ``userns_mode``, ``uts`` when set.
        security_opt: ``security_opt`` items.
        cap_add: ``cap_add`` items.
        cap_drop: ``cap_drop`` items.
        environment: ``environment`` entries.
        env_files: ``env_file`` paths.
        secrets: Names of the ``secrets`` the service uses.
        ports: ``ports`` items.
        volumes: ``volumes`` items.
        memory_limit: ``deploy.resources.limits.memory`` or ``mem_limit``.
        cpu_limit: ``deploy.resources.limits.cpus`` or ``cpus``.
    """

    file: str
    name: str
    line: int
    image: Value | None = None
    user: Value | None = None
    privileged: Value | None = None
    read_only: Value | None = None
    namespaces: tuple[tuple[str, Value], ...] = ()
    security_opt: tuple[Value, ...] = ()
    cap_add: tuple[Value, ...] = ()
    cap_drop: tuple[Value, ...] = ()
    environment: tuple[EnvVar, ...] = ()
    env_files: tuple[Value, ...] = ()
    secrets: tuple[str, ...] = ()
    ports: tuple[Port, ...] = ()
    volumes: tuple[Volume, ...] = ()
    memory_limit: Value | None = None
    cpu_limit: Value | None = None


@dataclass(frozen=True, slots=True)
class ComposeFile:
    """A Compose file and its services."""

    file: str
    services: tuple[Service, ...]


@dataclass
class ComposeFacts:
    """What the collector found.

    Attributes:
        files: The Compose files read.
        errors: ``(file, line or None, reason)`` for each Compose file that could not be read
            or parsed.
    """

    files: list[ComposeFile] = field(default_factory=list)
    errors: list[tuple[str, int | None, str]] = field(default_factory=list)

    @property
    def services(self) -> list[Service]:
        """Every service of every file."""
        return [s for f in self.files for s in f.services]


def is_compose_name(path: Path) -> bool:
    """Whether the file's name says it is a Compose file."""
    return bool(_NAMED.match(path.name))


def interpolate(text: str) -> str:
    """``text`` with ``${VAR:-default}`` / ``${VAR-default}`` replaced by their default.

    Variables without a default are left as written: their value is only known at run time.
    """

    def replace(match: re.Match[str]) -> str:
        if match.group(2) in (":-", "-"):
            return match.group(3) or ""
        return match.group(0)

    return _VARIABLE.sub(replace, text)


def has_variable(text: str) -> bool:
    """Whether ``text`` takes part of its value from a ``$VAR`` / ``${VAR}``."""
    return bool(_VARIABLE.search(text.replace("$$", "")))


def _line(container: Any, key: Any, default: int) -> int:
    if isinstance(container, LocMap):
        return container.line_of(key)
    if isinstance(container, LocList) and isinstance(key, int):
        return container.line_at(key)
    return default


def _value(service: Any, key: str) -> Value | None:
    if key not in service:
        return None
    return Value(service[key], _line(service, key, 0))


def _items(service: Any, key: str) -> tuple[Value, ...]:
    found = service.get(key)
    if isinstance(found, list):
        return tuple(
            Value(item, _line(found, i, _line(service, key, 0))) for i, item in enumerate(found)
        )
    if isinstance(found, str):  # a single string where a list belongs (env_file: .env)
        return (Value(found, _line(service, key, 0)),)
    return ()


def _environment(service: Any) -> tuple[EnvVar, ...]:
    env = service.get("environment")
    if isinstance(env, dict):
        return tuple(
            EnvVar(
                str(k), None if v is None else Value(v, 0).text, _line(env, k, service.line_of(k))
            )
            for k, v in env.items()
        )
    if isinstance(env, list):
        found = []
        for i, item in enumerate(env):
            name, eq, value = str(item).partition("=")
            found.append(EnvVar(name.strip(), value if eq else None, _line(env, i, 0)))
        return tuple(found)
    return ()


def _split_volume(text: str) -> list[str]:
    """``source:target:mode`` split on colons outside ``${...}``, keeping drive letters."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for i, char in enumerate(text):
        if char == "{" and text[i - 1 : i] == "$":
            depth += 1
        elif char == "}" and depth:
            depth -= 1
        elif char == ":" and not depth:
            parts.append("".join(current))
            current = []
            continue
        current.append(char)
    parts.append("".join(current))
    merged: list[str] = []
    for part in parts:
        if merged and len(merged[-1]) == 1 and merged[-1].isalpha() and part[:1] in ("\\", "/"):
            merged[-1] += ":" + part  # a Windows drive letter (C:\data)
        else:
            merged.append(part)
    return merged


def _volumes(service: Any) -> tuple[Volume, ...]:
    found: list[Volume] = []
    for item in _items(service, "volumes"):
        if isinstance(item.value, dict):
            spec = item.value
            kind = str(spec.get("type", "volume"))
            source = spec.get("source")
            target = spec.get("target")
            text = f"type: {kind}, source: {source}, target: {target}"
            found.append(
                Volume(
                    None if source is None else str(source),
                    None if target is None else str(target),
                    kind,
                    spec.get("read_only") is True,
                    item.line,
                    text,
                )
            )
        elif isinstance(item.value, str):
            parts = _split_volume(item.value)
            if len(parts) == 1:
                found.append(Volume(None, parts[0], "volume", False, item.line, item.value))
                continue
            source, target = parts[0], parts[1]
            mode = parts[2] if len(parts) > 2 else ""
            kind = "bind" if source.startswith(("/", ".", "~", "$")) or ":" in source else "volume"
            read_only = "ro" in mode.split(",")
            found.append(Volume(source, target, kind, read_only, item.line, item.value))
    return tuple(found)


def _short_port(text: str, line: int) -> Port:
    spec, _, protocol = text.partition("/")
    host_ip: str | None = None
    if spec.startswith("["):  # [::1]:5432:5432
        host_ip, _, spec = spec[1:].partition("]")
        spec = spec.lstrip(":")
    parts = spec.split(":")
    if len(parts) > 3:  # an unbracketed IPv6 address
        host_ip, parts = ":".join(parts[:-2]), parts[-2:]
    elif len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    published, target = (parts[0] or None, parts[1]) if len(parts) == 2 else (None, parts[0])
    return Port(host_ip or None, published, target or None, protocol or "tcp", line, text)


def _ports(service: Any) -> tuple[Port, ...]:
    found: list[Port] = []
    for item in _items(service, "ports"):
        if isinstance(item.value, dict):
            spec = item.value
            published, target = spec.get("published"), spec.get("target")
            text = ", ".join(f"{k}: {v}" for k, v in spec.items())
            found.append(
                Port(
                    str(spec["host_ip"]) if spec.get("host_ip") else None,
                    None if published is None else str(published),
                    None if target is None else str(target),
                    str(spec.get("protocol", "tcp")),
                    item.line,
                    text,
                )
            )
        elif isinstance(item.value, str | int) and not isinstance(item.value, bool):
            found.append(_short_port(str(item.value), item.line))
    return tuple(found)


def _limits(service: Any) -> tuple[Value | None, Value | None]:
    memory, cpus = _value(service, "mem_limit"), _value(service, "cpus")
    deploy = service.get("deploy")
    resources = deploy.get("resources") if isinstance(deploy, dict) else None
    limits = resources.get("limits") if isinstance(resources, dict) else None
    if isinstance(limits, dict):
        memory = _value(limits, "memory") or memory
        cpus = _value(limits, "cpus") or cpus
    return memory, cpus


def _secrets(service: Any) -> tuple[str, ...]:
    names = []
    for item in service.get("secrets") or ():
        name = item.get("source") if isinstance(item, dict) else item
        if name is not None:
            names.append(str(name))
    return tuple(names)


def _service(file: str, name: str, spec: LocMap, line: int) -> Service:
    memory, cpus = _limits(spec)
    namespaces = tuple(
        (key, value)
        for key in ("network_mode", "pid", "ipc", "userns_mode", "uts")
        if (value := _value(spec, key)) is not None
    )
    return Service(
        file=file,
        name=name,
        line=line,
        image=_value(spec, "image"),
        user=_value(spec, "user"),
        privileged=_value(spec, "privileged"),
        read_only=_value(spec, "read_only"),
        namespaces=namespaces,
        security_opt=_items(spec, "security_opt"),
        cap_add=_items(spec, "cap_add"),
        cap_drop=_items(spec, "cap_drop"),
        environment=_environment(spec),
        env_files=tuple(
            Value(v.value.get("path"), v.line) if isinstance(v.value, dict) else v
            for v in _items(spec, "env_file")
        ),
        secrets=_secrets(spec),
        ports=_ports(spec),
        volumes=_volumes(spec),
        memory_limit=memory,
        cpu_limit=cpus,
    )


def services_of(document: Any, file: str, *, strict: bool) -> list[Service] | None:
    """The services of one YAML document, ``None`` when it is no Compose document.

    Args:
        document: A document from :func:`~garrison.core.yamlloc.load_documents`.
        file: Its file.
        strict: Require the services to look like Compose services (for files whose name does
            not say they are Compose files).
    """
    if not isinstance(document, LocMap) or "apiVersion" in document or "kind" in document:
        return None
    services = document.get("services")
    if not isinstance(services, LocMap):
        return None
    specs = [(str(k), v) for k, v in services.items()]
    if strict and not (
        specs
        and all(isinstance(v, dict) for _, v in specs)
        and any(_SERVICE_KEYS & set(v) for _, v in specs)
    ):
        return None
    return [
        _service(file, name, spec, services.line_of(name))
        for name, spec in specs
        if isinstance(spec, LocMap)
    ]


def parse(text: str, file: str, *, strict: bool = False) -> ComposeFile | None:
    """The services of a Compose file's text, ``None`` when it holds no Compose document.

    Raises:
        YamlError: When the text is not valid YAML.
    """
    found: list[Service] = []
    compose = False
    for document in load_documents(text, file):
        services = services_of(document, file, strict=strict)
        if services is not None:
            compose = True
            found.extend(services)
    return ComposeFile(file, tuple(found)) if compose else None


def _candidates(paths: Iterable[Path]) -> Iterator[tuple[Path, bool]]:
    """``(file, named)``: Compose-named files, and other YAML files to sniff."""
    for path in paths:
        if path.is_dir():
            for file in sorted(_walk(path)):
                yield file, is_compose_name(file)
        elif path.suffix.lower() in (".yml", ".yaml"):
            yield path, is_compose_name(path)


def _walk(top: Path) -> Iterator[Path]:
    for folder, dirs, files in os.walk(top):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        for name in files:
            if name.lower().endswith((".yml", ".yaml")):
                yield Path(folder, name)


def collect(paths: Iterable[Path]) -> ComposeFacts:
    """Find and parse the Compose files among ``paths`` (folders are walked)."""
    facts = ComposeFacts()
    for file, named in _candidates(paths):
        try:
            if file.stat().st_size > MAX_SIZE:
                if named:
                    facts.errors.append((str(file), None, f"larger than {MAX_SIZE} bytes"))
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            if named:
                facts.errors.append((str(file), None, f"cannot read: {exc.strerror or exc}"))
            continue
        if not named and not _SERVICES_LINE.search(text):
            continue  # cheap test first: most YAML files are no Compose files
        try:
            parsed = parse(text, str(file), strict=not named)
        except YamlError as exc:
            facts.errors.append((str(file), exc.line, exc.message))
            continue
        if parsed is not None:
            facts.files.append(parsed)
    return facts
