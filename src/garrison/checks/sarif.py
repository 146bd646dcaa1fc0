"""Failures as a SARIF 2.1.0 log, for code-scanning dashboards (GitHub, GitLab, Azure DevOps).

One run, tool ``Garrison``; one rule per check (titles, description, remediation as help,
等保/CIS/ISO/NIST ids as tags, ``security-severity`` for GitHub's severity levels); one
result per failure. Files become relative ``artifactLocation`` URIs (under ``%SRCROOT%`` when
a root is given), URLs stay URLs, and other resources (a user, a service) become logical
locations. Each result carries a fingerprint of :attr:`Finding.key`, so dashboards recognise
the same finding across runs even when its line moves.
"""

from __future__ import annotations

import hashlib
import posixpath
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import quote

from garrison import __version__
from garrison.checks.base import Status
from garrison.checks.frameworks import HasMetadata
from garrison.checks.metadata import Metadata
from garrison.checks.scan import Finding

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
VERSION = "2.1.0"
#: GitHub maps these to critical (>= 9.0), high (>= 7.0), medium (>= 4.0) and low.
SECURITY_SEVERITY: dict[str, str] = {
    "critical": "9.5",
    "high": "8.0",
    "medium": "5.5",
    "low": "3.0",
    "info": "0.0",
}
LEVELS: dict[str, str] = {
    "critical": "error",
    "high": "error",
    "medium": "warning",
    "low": "warning",
    "info": "note",
}
#: Metadata mapping key -> tag prefix.
TAG_PREFIXES: dict[str, str] = {
    "dengbao": "等保 ",
    "cis": "CIS ",
    "iso27001": "ISO27001 ",
    "nist_csf": "NIST-CSF ",
}


def _text(meta: Metadata, field: str, language: str) -> str:
    value: Any = getattr(meta, field)
    text: str = value.in_(language)
    return text


def rule(meta: Metadata, language: str = "en") -> dict[str, Any]:
    """The SARIF ``reportingDescriptor`` of a check."""
    commands = "\n".join(meta.remediation.commands)
    help_text = meta.remediation.text.in_(language)
    markdown = help_text
    if commands:
        help_text = f"{help_text}\n\n{commands}"
        markdown = f"{markdown}\n\n```sh\n{commands}\n```"
    tags = ["security", f"area:{meta.area}"]
    for key, prefix in TAG_PREFIXES.items():
        tags.extend(f"{prefix}{item}" for item in getattr(meta.mappings, key))
    described: dict[str, Any] = {
        "id": meta.id,
        "name": "".join(part.capitalize() for part in meta.id.split("_")),
        "shortDescription": {"text": _text(meta, "title", language)},
        "fullDescription": {
            "text": f"{_text(meta, 'description', language)} {_text(meta, 'rationale', language)}"
        },
        "help": {"text": help_text, "markdown": markdown},
        "defaultConfiguration": {"level": LEVELS[meta.severity]},
        "properties": {
            "tags": tags,
            "precision": "high",
            "problem.severity": LEVELS[meta.severity],
            "security-severity": SECURITY_SEVERITY[meta.severity],
        },
    }
    web = [r for r in meta.references if r.startswith(("https://", "http://"))]
    if web:
        described["helpUri"] = web[0]
    return described


def _is_url(resource: str) -> bool:
    return resource.startswith(("http://", "https://"))


def _looks_like_file(finding: Finding) -> bool:
    return finding.line is not None or "/" in finding.resource or "\\" in finding.resource


def _uri(path: str, root: str | None) -> tuple[str, str | None]:
    """A file path as a URI reference, relative to ``root`` when it lies under it."""
    posix = path.replace("\\", "/")
    if root is not None:
        base = root.replace("\\", "/").rstrip("/") or "/"
        if posix == base or posix.startswith(base.rstrip("/") + "/"):
            relative = posixpath.relpath(posix, base)
            return quote(relative, safe="/-._~"), "%SRCROOT%"
    if PurePosixPath(posix).is_absolute():
        return "file://" + quote(posix, safe="/-._~"), None
    return quote(posixpath.normpath(posix), safe="/-._~"), "%SRCROOT%"


def location(finding: Finding, root: str | None = None) -> dict[str, Any]:
    """The SARIF ``location`` of a finding."""
    if _is_url(finding.resource):
        return {"physicalLocation": {"artifactLocation": {"uri": finding.resource}}}
    if not _looks_like_file(finding):
        return {
            "logicalLocations": [
                {
                    "name": finding.resource,
                    "fullyQualifiedName": f"{finding.target}:{finding.resource}",
                }
            ]
        }
    uri, base = _uri(finding.resource, root)
    artifact: dict[str, Any] = {"uri": uri}
    if base is not None:
        artifact["uriBaseId"] = base
    physical: dict[str, Any] = {"artifactLocation": artifact}
    if finding.line is not None and finding.line >= 1:
        physical["region"] = {"startLine": finding.line}
    return {"physicalLocation": physical}


def fingerprint(finding: Finding) -> str:
    """A stable hash of what identifies the finding across scans (not its line)."""
    joined = "\x1f".join((finding.target, *finding.key))
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


def result(finding: Finding, rule_index: int, root: str | None = None) -> dict[str, Any]:
    """The SARIF ``result`` of a failure."""
    text = finding.message
    details = []
    if finding.expected:
        details.append(f"expected: {finding.expected}")
    if finding.actual:
        details.append(f"actual: {finding.actual}")
    if details:
        text = f"{text} ({'; '.join(details)})"
    out: dict[str, Any] = {
        "ruleId": finding.check_id,
        "ruleIndex": rule_index,
        "level": LEVELS.get(finding.severity, "warning"),
        "kind": "fail",
        "message": {"text": text},
        "locations": [location(finding, root)],
        "partialFingerprints": {"garrisonFindingKey/v1": fingerprint(finding)},
        "properties": {"severity": finding.severity, "target": finding.target},
    }
    if finding.expected is not None:
        out["properties"]["expected"] = finding.expected
    if finding.actual is not None:
        out["properties"]["actual"] = finding.actual
    return out


def to_sarif(
    findings: Iterable[Finding],
    checks: Iterable[HasMetadata],
    *,
    language: str = "en",
    root: str | None = None,
    all_rules: bool = False,
) -> dict[str, Any]:
    """A SARIF 2.1.0 log of the failures among ``findings``.

    Args:
        findings: Findings of one or more scans; only failures become results.
        checks: The checks (their metadata describes the rules).
        language: ``en`` or ``zh-CN``, for rule texts (messages are the checks' own).
        root: The scanned folder: file paths under it become relative to ``%SRCROOT%``.
        all_rules: Describe every given check, not only those with failures.
            Failures of checks missing from ``checks`` are left out (no rule to cite).

    Returns:
        The log, ready for ``json.dumps``.
    """
    metas = {c.metadata.id: c.metadata for c in checks}
    failures = [f for f in findings if f.status is Status.FAIL]
    wanted = sorted(metas) if all_rules else sorted({f.check_id for f in failures} & set(metas))
    index = {check_id: i for i, check_id in enumerate(wanted)}
    rules = [rule(metas[check_id], language) for check_id in wanted]
    results = [result(f, index[f.check_id], root) for f in failures if f.check_id in index]
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "Garrison",
                "version": __version__,
                "semanticVersion": __version__.split(".dev")[0],
                "language": language,
                "rules": rules,
            }
        },
        "results": results,
        "columnKind": "unicodeCodePoints",
    }
    if root is not None:
        base = root.replace("\\", "/").rstrip("/") + "/"
        if not base.startswith("/"):
            base = posixpath.abspath(base) + "/"
        run["originalUriBaseIds"] = {"%SRCROOT%": {"uri": "file://" + quote(base, safe="/-._~")}}
    return {"$schema": SCHEMA, "version": VERSION, "runs": [run]}
