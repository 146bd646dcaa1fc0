"""Compliance frameworks (等保2.0, CIS, ISO/IEC 27001, NIST CSF) read from YAML files.

A framework file lists requirements and their families; it does not list checks. Which checks
cover a requirement is derived from the checks' own metadata (``mappings``), the single source
of truth, so a check and the requirements it claims can never drift apart in two places.
:func:`validate_mappings` finds metadata that names a requirement no framework file has.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal, Protocol

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from garrison.checks.metadata import Metadata, Text
from garrison.core.errors import ConfigError

FrameworkId = Literal[
    "dengbao", "cis_linux", "cis_docker", "cis_kubernetes", "iso27001", "nist_csf"
]
#: The field of :class:`~garrison.checks.metadata.Mappings` a framework reads.
MetadataKey = Literal["dengbao", "cis", "iso27001", "nist_csf"]
METADATA_KEYS: tuple[str, ...] = ("dengbao", "cis", "iso27001", "nist_csf")


class HasMetadata(Protocol):
    """A check (class or instance): anything carrying its metadata."""

    metadata: Metadata


class Family(BaseModel):
    """A group of requirements (等保: 安全计算环境 8.1.4, and its 身份鉴别 8.1.4.1).

    Attributes:
        id: The family's number or code (``8.1.4``, ``A.8``, ``PR.AA``).
        title: Its name in both languages.
        parent: The enclosing family, for sub-families.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    title: Text
    parent: str | None = None


class Requirement(BaseModel):
    """One requirement (control, item) of a framework.

    Attributes:
        id: Its id exactly as check metadata writes it (``8.1.4.1 a)``, ``Docker 5.31``).
        family: The (most specific) family it belongs to.
        title: The requirement text in both languages.
        guidance: How a person verifies it when no check does, in both languages.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(min_length=1)
    family: str = Field(min_length=1)
    title: Text
    guidance: Text | None = None


class Framework(BaseModel):
    """A framework file.

    Attributes:
        id: The framework (``dengbao``, ``cis_linux``...).
        metadata: The :class:`~garrison.checks.metadata.Mappings` field its ids are read from.
        prefix: For frameworks sharing a field (the CIS benchmarks share ``cis``): the start of
            every id of this one (``Linux ``); empty otherwise.
        title: Its name in both languages.
        version: The edition the ids and texts come from.
        families: Its families, parents before children.
        requirements: Its requirements, in the framework's order.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: FrameworkId
    metadata: MetadataKey
    prefix: str = ""
    title: Text
    version: str = Field(min_length=1)
    families: tuple[Family, ...]
    requirements: tuple[Requirement, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Framework:
        family_ids = [f.id for f in self.families]
        _unique(family_ids, "family")
        known = set(family_ids)
        for family in self.families:
            if family.parent is not None and family.parent not in known:
                raise ValueError(f"family {family.id!r}: unknown parent {family.parent!r}")
        _unique([r.id for r in self.requirements], "requirement")
        for requirement in self.requirements:
            if requirement.family not in known:
                raise ValueError(
                    f"requirement {requirement.id!r}: unknown family {requirement.family!r}"
                )
            if not requirement.id.startswith(self.prefix):
                raise ValueError(
                    f"requirement {requirement.id!r} does not start with {self.prefix!r}"
                )
        return self

    def requirement(self, requirement_id: str) -> Requirement | None:
        """The requirement with this id, if the framework has it."""
        return self._by_id().get(requirement_id)

    def family(self, family_id: str) -> Family:
        """The family with this id.

        Raises:
            KeyError: When there is none.
        """
        return next(f for f in self.families if f.id == family_id)

    def top_family(self, requirement: Requirement) -> Family:
        """The outermost family of a requirement (等保 8.1.4 for 8.1.4.1 a))."""
        family = self.family(requirement.family)
        while family.parent is not None:
            family = self.family(family.parent)
        return family

    def top_families(self) -> tuple[Family, ...]:
        """The families without a parent, in file order."""
        return tuple(f for f in self.families if f.parent is None)

    def owns(self, item: str) -> bool:
        """Whether a metadata item of :attr:`metadata` belongs to this framework (by prefix)."""
        return item.startswith(self.prefix)

    def checks_for(self, requirement_id: str, checks: Iterable[HasMetadata]) -> list[str]:
        """The ids of the checks whose metadata maps onto a requirement, sorted."""
        return sorted(
            c.metadata.id
            for c in checks
            if requirement_id in getattr(c.metadata.mappings, self.metadata)
        )

    def coverage(self, checks: Iterable[HasMetadata]) -> dict[str, tuple[str, ...]]:
        """Requirement id -> ids of the checks covering it (empty when none: manual)."""
        found: dict[str, list[str]] = {r.id: [] for r in self.requirements}
        for check in checks:
            for item in getattr(check.metadata.mappings, self.metadata):
                if item in found:
                    found[item].append(check.metadata.id)
        return {key: tuple(sorted(set(ids))) for key, ids in found.items()}

    def _by_id(self) -> Mapping[str, Requirement]:
        # Frozen models cannot cache in a field; the dict is cheap for a few hundred items.
        return {r.id: r for r in self.requirements}


def _unique(ids: list[str], what: str) -> None:
    seen: set[str] = set()
    for item in ids:
        if item in seen:
            raise ValueError(f"duplicate {what} id {item!r}")
        seen.add(item)


def _line_of(node: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """The 1-based line of the YAML node at a pydantic error location (deepest one found)."""
    line = node.start_mark.line + 1 if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            node = next((v for k, v in node.value if getattr(k, "value", None) == key), None)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int):
            node = node.value[key] if 0 <= key < len(node.value) else None
        else:
            node = None
        if node is None:
            break
        line = node.start_mark.line + 1
    return line


def load_framework(path: Path) -> Framework:
    """Read and validate one framework file.

    Raises:
        ConfigError: With the file and line of each problem.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{where}: invalid YAML: {exc}") from exc
    try:
        return Framework.model_validate(data)
    except ValidationError as exc:
        problems = []
        for err in exc.errors():
            line = _line_of(node, tuple(err["loc"]))
            place = ".".join(str(p) for p in err["loc"]) or "(file)"
            problems.append(f"{path}:{line}: {place}: {err['msg']}")
        raise ConfigError("; ".join(problems)) from exc


def validate_mappings(checks: Iterable[HasMetadata], frameworks: Iterable[Framework]) -> list[str]:
    """Every metadata mapping that names a requirement absent from its framework file.

    Returns:
        One line per problem (``check_id: cis "Docker 9.9" is not in cis_docker``), sorted;
        empty when every mapping resolves.
    """
    by_key: dict[str, list[Framework]] = {}
    for framework in frameworks:
        by_key.setdefault(framework.metadata, []).append(framework)
    problems = []
    for check in checks:
        meta = check.metadata
        for key in METADATA_KEYS:
            for item in getattr(meta.mappings, key):
                owners = [f for f in by_key.get(key, []) if f.owns(item)]
                if not owners:
                    problems.append(f"{meta.id}: {key} {item!r} belongs to no framework file")
                elif not any(f.requirement(item) is not None for f in owners):
                    names = ", ".join(f.id for f in owners)
                    problems.append(f"{meta.id}: {key} {item!r} is not a requirement of {names}")
    return sorted(problems)
