"""The JSON Schema of playbook files, generated from the pydantic model (for editors).

Point an editor at it with a first line such as
``# yaml-language-server: $schema=playbook.schema.json``; ``garrison playbooks schema``
writes the current one.
"""

from __future__ import annotations

from typing import Any

from garrison.respond.actions import registry
from garrison.respond.playbook import Playbook

SCHEMA_ID = "https://garrison.dev/schemas/playbook.schema.json"


def json_schema() -> dict[str, Any]:
    """The schema: the model's, with the known action names as an enumeration."""
    schema = Playbook.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = SCHEMA_ID
    step = schema.get("$defs", {}).get("Step", {})
    action = step.get("properties", {}).get("action")
    if isinstance(action, dict):
        names = sorted(registry.registry())
        action["anyOf"] = [{"enum": names, "type": "string"}, {"type": "null"}]
    return schema
