"""Task templates per incident type, and the response organisation's roles.

The templates are YAML (``content/incidents/task_templates.yml``, or a file of the
administrator's): each incident type lists tasks with a phase, a title in both languages, the
role that owns them and when they are due after the incident opens.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, RootModel, ValidationError

from garrison.core.errors import ConfigError
from garrison.incidents.phases import Phase

BUILTIN = Path(__file__).resolve().parents[1] / "content" / "incidents" / "task_templates.yml"

#: Response roles (REQUIREMENTS.md C3): 应急指挥部, 技术处置组, 沟通协调组.
ROLES: dict[str, tuple[str, str]] = {
    "command": ("应急指挥部", "Command group"),
    "technical": ("技术处置组", "Technical team"),
    "communication": ("沟通协调组", "Communication team"),
}

#: Incident types with templates (``generic`` is the fallback).
TYPES = (
    "generic",
    "brute_force",
    "account_compromise",
    "malware",
    "data_leak",
    "web_intrusion",
    "container_escape",
    "ddos",
)


class TaskTemplate(BaseModel):
    """One task of a template."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    phase: Phase
    role: Literal["command", "technical", "communication"]
    due_minutes: int = Field(ge=1, le=60 * 24 * 365)
    zh: str = Field(min_length=1, max_length=500)
    en: str = Field(min_length=1, max_length=500)


class Templates(RootModel[dict[str, list[TaskTemplate]]]):
    """Incident type -> tasks."""


@dataclass(frozen=True, slots=True)
class PlannedTask:
    """A task to create for a new incident."""

    phase: Phase
    role: str
    title_zh: str
    title_en: str
    due: datetime


def load_templates(path: Path | None = None) -> dict[str, list[TaskTemplate]]:
    """Read and validate a template file (the built-in one by default).

    Raises:
        ConfigError: With the file and the place of each problem.
    """
    return _load(path or BUILTIN)


@cache
def _load(path: Path) -> dict[str, list[TaskTemplate]]:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(f"{path}: cannot read the task templates: {exc}") from exc
    try:
        templates = Templates.model_validate(data).root
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc'])}: {err['msg']}" for err in exc.errors()
        )
        raise ConfigError(f"{path}: invalid task templates: {problems}") from exc
    if "generic" not in templates:
        raise ConfigError(f"{path}: the task templates need a 'generic' type (the fallback)")
    return templates


def plan(
    incident_type: str, opened_at: datetime, templates: dict[str, list[TaskTemplate]]
) -> list[PlannedTask]:
    """The tasks a new incident of ``incident_type`` starts with."""
    chosen = templates.get(incident_type) or templates["generic"]
    return [
        PlannedTask(
            phase=t.phase,
            role=t.role,
            title_zh=t.zh,
            title_en=t.en,
            due=opened_at + timedelta(minutes=t.due_minutes),
        )
        for t in chosen
    ]
