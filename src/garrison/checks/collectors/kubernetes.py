"""Kubernetes workload manifests: pod specs and containers, with the line of each setting.

YAML files (``*.yaml``, ``*.yml``, multi-document streams) are read with
:mod:`garrison.core.yamlloc`. A document counts when it has a string
``apiVersion`` and ``kind`` and the kind runs pods: Pod, Deployment, StatefulSet, DaemonSet,
ReplicaSet, ReplicationController, Job, CronJob; ``List`` documents (``kubectl get -o yaml``)
contribute their items. Everything else (compose files, CI configs, other kinds) is skipped
silently, and so is YAML that does not parse (Helm templates with ``{{ }}`` are not YAML).

Manifests are attacker-controlled: a value of the wrong type (a string where a mapping
belongs) is treated as absent, never trusted. Lines are 1-based; a setting that is absent
takes the line of the container (its ``- name:`` item) or of the pod spec, where the fix goes.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from garrison.core.yamlloc import LocList, LocMap, YamlError, load_documents

log = logging.getLogger(__name__)

#: Folders never descended into (vendored code, VCS metadata).
SKIP_DIRS = {".git", ".hg", ".svn", "node_modules", ".terraform", "__pycache__"}
#: Files larger than this are not hand-written manifests worth reading.
MAX_SIZE = 4 * 1024 * 1024
#: Kind -> the keys leading from the document to its pod spec.
POD_SPEC_PATHS: dict[str, tuple[str, ...]] = {
    "Pod": ("spec",),
    "Deployment": ("spec", "template", "spec"),
    "StatefulSet": ("spec", "template", "spec"),
    "DaemonSet": ("spec", "template", "spec"),
    "ReplicaSet": ("spec", "template", "spec"),
    "ReplicationController": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec"),
    "CronJob": ("spec", "jobTemplate", "spec", "template", "spec"),
}
DEFAULT_NAMESPACE = "default"


@dataclass(frozen=True, slots=True)
class SecurityContext:
    """The settings of a pod's or container's ``securityContext`` that checks read.

    Pod-level contexts only carry ``runAsNonRoot`` and ``runAsUser`` of these (the API has
    no pod-level ``privileged`` or capabilities), so the others stay ``None`` there.

    Attributes:
        privileged: ``privileged`` (``None``: not set).
        allow_privilege_escalation: ``allowPrivilegeEscalation``.
        run_as_non_root: ``runAsNonRoot``.
        run_as_user: ``runAsUser``.
        read_only_root_filesystem: ``readOnlyRootFilesystem``.
        capabilities_add: ``capabilities.add``, as written.
        capabilities_drop: ``capabilities.drop``, as written.
        add_lines: The line of each ``capabilities.add`` item.
        lines: Setting name (the API's camelCase, ``capabilities.add``...) -> its line;
            ``""`` -> the line of ``securityContext`` itself.
    """

    privileged: bool | None = None
    allow_privilege_escalation: bool | None = None
    run_as_non_root: bool | None = None
    run_as_user: int | None = None
    read_only_root_filesystem: bool | None = None
    capabilities_add: tuple[str, ...] = ()
    capabilities_drop: tuple[str, ...] = ()
    add_lines: tuple[int, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict)

    def line(self, key: str, default: int) -> int:
        """The line of setting ``key``, ``default`` when it is not set."""
        return self.lines.get(key, default)


@dataclass(frozen=True, slots=True)
class Container:
    """One container or init container of a pod spec.

    Attributes:
        name: Its name (``""`` when missing).
        image: Its image reference, ``None`` when missing.
        init: Whether it is an init container.
        line: The line of its list item (the ``- name:`` line), where missing settings go.
        image_line: The line of ``image`` (``line`` when missing).
        security: Its own ``securityContext`` (without what the pod sets).
        limits: ``resources.limits`` (``cpu``, ``memory``...) as strings.
        limits_line: The line of ``resources.limits`` (else ``resources``, else ``line``).
    """

    name: str
    image: str | None
    init: bool
    line: int
    image_line: int
    security: SecurityContext = SecurityContext()
    limits: Mapping[str, str] = field(default_factory=dict)
    limits_line: int = 0

    @property
    def label(self) -> str:
        """How messages name it: ``container 'app'`` / ``init container 'migrate'``."""
        return f"{'init container' if self.init else 'container'} {self.name or '?'!r}"


@dataclass(frozen=True, slots=True)
class HostPath:
    """A ``hostPath`` volume.

    Attributes:
        volume: The volume's name.
        path: The host path, as written.
        line: The line of ``path`` (else of the volume item).
    """

    volume: str
    path: str
    line: int


@dataclass(frozen=True, slots=True)
class Workload:
    """One object that runs pods, with its pod spec.

    Attributes:
        file: The manifest.
        kind: ``Deployment``, ``CronJob``...
        name: ``metadata.name`` (``""`` when missing).
        namespace: ``metadata.namespace``, ``default`` when absent.
        namespace_set: Whether ``metadata.namespace`` is written.
        line: The line of the object (its first key).
        namespace_line: The line of ``namespace`` (else ``metadata``, else ``line``).
        spec_line: The line of the pod spec (its first key), where pod settings go.
        host_network: ``hostNetwork`` is true.
        host_pid: ``hostPID`` is true.
        host_ipc: ``hostIPC`` is true.
        host_paths: The ``hostPath`` volumes.
        security: The pod-level ``securityContext``.
        containers: Init containers then containers, in order.
        lines: Pod spec key (``hostNetwork``...) -> its line.
    """

    file: str
    kind: str
    name: str
    namespace: str = DEFAULT_NAMESPACE
    namespace_set: bool = False
    line: int = 0
    namespace_line: int = 0
    spec_line: int = 0
    host_network: bool = False
    host_pid: bool = False
    host_ipc: bool = False
    host_paths: tuple[HostPath, ...] = ()
    security: SecurityContext = SecurityContext()
    containers: tuple[Container, ...] = ()
    lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def label(self) -> str:
        """How messages name it: ``Deployment/web``."""
        return f"{self.kind}/{self.name or '?'}"

    def pod_line(self, key: str) -> int:
        """The line of pod spec key ``key`` (the pod spec's line when absent)."""
        return self.lines.get(key, self.spec_line)


def _map(value: Any) -> Mapping[Any, Any]:
    """``value`` when it is a mapping, else an empty one (wrong types count as absent)."""
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    """``value`` when it is a list, else an empty one."""
    return value if isinstance(value, list) else []


def _line(container: Any, key: Any, default: int) -> int:
    """The line of ``key`` in a LocMap (or of item ``key`` in a LocList), else ``default``."""
    if isinstance(container, LocMap):
        found = container.key_lines.get(key)
        return found if found else default
    if isinstance(container, LocList) and isinstance(key, int):
        return container.item_lines[key] if 0 <= key < len(container.item_lines) else default
    return default


def _own_line(value: Any, default: int) -> int:
    """The line a LocMap or LocList starts on, else ``default``."""
    line = getattr(value, "line", 0)
    return line if isinstance(line, int) and line > 0 else default


def _bool(value: Any) -> bool | None:
    """A YAML boolean; anything else (``"true"`` in quotes is no bool to the API) is unset."""
    return value if isinstance(value, bool) else None


def _int(value: Any) -> int | None:
    """A YAML integer (not a bool)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    """A string, or a number written where a string belongs (``memory: 512``)."""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    return None


_SECURITY_KEYS = (
    "privileged",
    "allowPrivilegeEscalation",
    "runAsNonRoot",
    "runAsUser",
    "readOnlyRootFilesystem",
)


def security_context(value: Any, default_line: int) -> SecurityContext:
    """Read a ``securityContext`` mapping (anything else gives an empty context)."""
    context = _map(value)
    if not context:
        return SecurityContext()
    lines = {key: _line(context, key, default_line) for key in _SECURITY_KEYS if key in context}
    lines[""] = _own_line(context, default_line)
    capabilities = _map(context.get("capabilities"))
    add = _items(capabilities.get("add"))
    drop = _items(capabilities.get("drop"))
    for key in ("add", "drop"):
        if key in capabilities:
            lines[f"capabilities.{key}"] = _line(capabilities, key, default_line)
    add_line = lines.get("capabilities.add", default_line)
    return SecurityContext(
        privileged=_bool(context.get("privileged")),
        allow_privilege_escalation=_bool(context.get("allowPrivilegeEscalation")),
        run_as_non_root=_bool(context.get("runAsNonRoot")),
        run_as_user=_int(context.get("runAsUser")),
        read_only_root_filesystem=_bool(context.get("readOnlyRootFilesystem")),
        capabilities_add=tuple(str(c) for c in add if isinstance(c, str)),
        capabilities_drop=tuple(str(c) for c in drop if isinstance(c, str)),
        add_lines=tuple(_line(add, i, add_line) for i, c in enumerate(add) if isinstance(c, str)),
        lines=lines,
    )


def _container(item: Mapping[Any, Any], line: int, *, init: bool) -> Container:
    resources = _map(item.get("resources"))
    limits = _map(resources.get("limits"))
    resources_line = _line(item, "resources", line)
    image = _str(item.get("image"))
    return Container(
        name=_str(item.get("name")) or "",
        image=image,
        init=init,
        line=line,
        image_line=_line(item, "image", line),
        security=security_context(item.get("securityContext"), line),
        limits={str(k): v for k, raw in limits.items() if (v := _str(raw)) is not None},
        limits_line=_line(resources, "limits", resources_line),
    )


def _containers(spec: Mapping[Any, Any], spec_line: int) -> Iterator[Container]:
    for key, init in (("initContainers", True), ("containers", False)):
        items = _items(spec.get(key))
        list_line = _line(spec, key, spec_line)
        for index, item in enumerate(items):
            if isinstance(item, Mapping):
                yield _container(item, _line(items, index, list_line), init=init)


def _host_paths(spec: Mapping[Any, Any], spec_line: int) -> Iterator[HostPath]:
    volumes = _items(spec.get("volumes"))
    volumes_line = _line(spec, "volumes", spec_line)
    for index, volume in enumerate(volumes):
        host_path = _map(_map(volume).get("hostPath"))
        path = _str(host_path.get("path"))
        if path is None:
            continue
        item_line = _line(volumes, index, volumes_line)
        yield HostPath(
            volume=_str(_map(volume).get("name")) or "",
            path=path,
            line=_line(host_path, "path", item_line),
        )


def workload(document: Mapping[Any, Any], file: str) -> Workload | None:
    """The workload of one manifest object, ``None`` when it runs no pods or is malformed."""
    kind = document.get("kind")
    if not isinstance(document.get("apiVersion"), str) or not isinstance(kind, str):
        return None
    if kind not in POD_SPEC_PATHS:
        return None
    node: Any = document
    for key in POD_SPEC_PATHS[kind]:
        node = _map(node).get(key)
    if not isinstance(node, Mapping):
        return None
    spec: Mapping[Any, Any] = node
    line = _own_line(document, 1)
    spec_line = _own_line(spec, line)
    metadata = _map(document.get("metadata"))
    namespace = _str(metadata.get("namespace"))
    metadata_line = _line(document, "metadata", line)
    lines = {k: _line(spec, k, spec_line) for k in ("hostNetwork", "hostPID", "hostIPC")}
    lines["securityContext"] = _line(spec, "securityContext", spec_line)
    return Workload(
        file=file,
        kind=str(kind),
        name=_str(metadata.get("name")) or "",
        namespace=namespace or DEFAULT_NAMESPACE,
        namespace_set=bool(namespace),
        line=line,
        namespace_line=_line(metadata, "namespace", metadata_line),
        spec_line=spec_line,
        host_network=spec.get("hostNetwork") is True,
        host_pid=spec.get("hostPID") is True,
        host_ipc=spec.get("hostIPC") is True,
        host_paths=tuple(_host_paths(spec, spec_line)),
        security=security_context(spec.get("securityContext"), lines["securityContext"]),
        containers=tuple(_containers(spec, spec_line)),
        lines=lines,
    )


def _objects(document: Any, depth: int = 0) -> Iterator[Mapping[Any, Any]]:
    """The objects of a document: itself, or the items of a ``List`` (nested lists too)."""
    if not isinstance(document, Mapping) or depth > 8:
        return
    kind = document.get("kind")
    if isinstance(kind, str) and kind.endswith("List") and "items" in document:
        for item in _items(document.get("items")):
            yield from _objects(item, depth + 1)
    else:
        yield document


def scan_text(text: str, file: str) -> list[Workload]:
    """Every workload of a YAML file's text; ``[]`` for non-Kubernetes or invalid YAML."""
    # Cheap filter first: most YAML in a repository (compose, CI) has no "apiVersion".
    if "apiVersion" not in text or "kind" not in text:
        return []
    try:
        documents = load_documents(text, file)
    except YamlError as exc:
        log.debug("skipping %s: %s", file, exc)
        return []
    found = []
    for document in documents:
        for obj in _objects(document):
            loaded = workload(obj, file)
            if loaded is not None:
                found.append(loaded)
    return found


def _files(path: Path) -> Iterator[Path]:
    if not path.is_dir():
        yield path  # a file named explicitly is read whatever its suffix
        return
    found: list[Path] = []
    for folder, dirs, names in os.walk(path):  # scandir: no stat per entry
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
        found.extend(Path(folder, n) for n in names if n.lower().endswith((".yaml", ".yml")))
    yield from sorted(found)


def collect(paths: Iterable[Path]) -> list[Workload]:
    """Read the YAML files (folders: every ``*.yaml``/``*.yml`` below them) for workloads."""
    found: list[Workload] = []
    for path in paths:
        for file in _files(path):
            try:
                if file.stat().st_size > MAX_SIZE:
                    continue
                text = file.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            found.extend(scan_text(text, str(file)))
    return found


@dataclass(frozen=True, slots=True)
class RunAs:
    """Who a container runs as, container settings overriding the pod's.

    Attributes:
        run_as_non_root: The effective ``runAsNonRoot`` (``None``: set nowhere).
        run_as_user: The effective ``runAsUser`` (``None``: the image's user applies).
        non_root_line: The line of the ``runAsNonRoot`` that applies (``None`` when unset).
        user_line: The line of the ``runAsUser`` that applies (``None`` when unset).
    """

    run_as_non_root: bool | None
    run_as_user: int | None
    non_root_line: int | None
    user_line: int | None


def run_as(pod: Workload, container: Container) -> RunAs:
    """The user settings that apply to ``container`` (its own, else the pod's)."""
    own, shared = container.security, pod.security
    non_root, non_root_line = own.run_as_non_root, own.lines.get("runAsNonRoot")
    if non_root is None:
        non_root, non_root_line = shared.run_as_non_root, shared.lines.get("runAsNonRoot")
    user, user_line = own.run_as_user, own.lines.get("runAsUser")
    if user is None:
        user, user_line = shared.run_as_user, shared.lines.get("runAsUser")
    return RunAs(non_root, user, non_root_line, user_line)
