"""The built-in compliance frameworks and their requirements (one YAML file each).

``dengbao_l3.yaml`` (GB/T 22239-2019 第三级 安全通用要求, 8.1.2-8.1.5), ``cis_linux.yaml``,
``cis_docker.yaml``, ``cis_kubernetes.yaml`` (the CIS items the checks can map),
``iso27001.yaml`` (ISO/IEC 27001:2022 Annex A, all 93 controls) and ``nist_csf.yaml``
(NIST CSF 2.0 subcategories).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from garrison.checks.frameworks.model import (
    METADATA_KEYS,
    Family,
    Framework,
    HasMetadata,
    Requirement,
    load_framework,
    validate_mappings,
)

ROOT = Path(__file__).parent
#: Framework ids in the order reports show them, with their files.
FILES: dict[str, str] = {
    "dengbao": "dengbao_l3.yaml",
    "cis_linux": "cis_linux.yaml",
    "cis_docker": "cis_docker.yaml",
    "cis_kubernetes": "cis_kubernetes.yaml",
    "iso27001": "iso27001.yaml",
    "nist_csf": "nist_csf.yaml",
}


@cache
def builtin_frameworks() -> tuple[Framework, ...]:
    """Every built-in framework, in :data:`FILES` order.

    Raises:
        ConfigError: When a file is invalid (with its file and line).
    """
    return tuple(load_framework(ROOT / name) for name in FILES.values())


def framework(framework_id: str) -> Framework:
    """One built-in framework by id.

    Raises:
        KeyError: For an unknown id.
    """
    for found in builtin_frameworks():
        if found.id == framework_id:
            return found
    raise KeyError(framework_id)


__all__ = [
    "FILES",
    "METADATA_KEYS",
    "Family",
    "Framework",
    "HasMetadata",
    "Requirement",
    "builtin_frameworks",
    "framework",
    "load_framework",
    "validate_mappings",
]
