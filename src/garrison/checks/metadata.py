"""Check metadata (``<check_id>.metadata.json``): validated, refused with file and place."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from garrison.core.errors import ConfigError

CHECK_ID = re.compile(r"^[a-z][a-z0-9_]{2,80}$")
Severity = Literal["critical", "high", "medium", "low", "info"]
SEVERITIES: tuple[str, ...] = ("critical", "high", "medium", "low", "info")


class Text(BaseModel):
    """A text in both languages."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    zh: str = Field(alias="zh-CN", min_length=1)
    en: str = Field(min_length=1)

    def in_(self, language: str) -> str:
        """The text in ``language`` (zh-CN or en)."""
        return self.zh if language == "zh-CN" else self.en


class Remediation(BaseModel):
    """How to fix a failure."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    text: Text
    commands: tuple[str, ...] = ()


class Mappings(BaseModel):
    """Requirements the check covers, per framework."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    dengbao: tuple[str, ...] = ()  # GB/T 22239-2019 level 3 items, e.g. "8.1.4.1 a)"
    cis: tuple[str, ...] = ()
    iso27001: tuple[str, ...] = ()  # ISO/IEC 27001:2022 Annex A controls, e.g. "A.8.9"
    nist_csf: tuple[str, ...] = ()  # NIST CSF 2.0, e.g. "PR.PS-01"


class Metadata(BaseModel):
    """Everything about a check but its code."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    id: str = Field(pattern=CHECK_ID.pattern)
    area: Literal["host", "web", "container", "iac", "credentials"]
    title: Text
    description: Text
    severity: Severity
    rationale: Text
    remediation: Remediation
    references: tuple[str, ...] = ()
    mappings: Mappings = Mappings()


def load_metadata(path: Path) -> Metadata:
    """Read and validate a metadata file.

    Raises:
        ConfigError: With the file and the place of each problem.
    """
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise ConfigError(f"{path}:{exc.lineno}: invalid JSON: {exc.msg}") from exc
    try:
        return Metadata.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: invalid check metadata: {problems}") from exc
