"""The registry of parsers and format auto-detection.

Parsers are registered by dotted path and imported lazily, so that ``garrison --help`` does not
pay for importing every parser (and EVTX's native module).
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import dataclass

from garrison.core.errors import UsageError
from garrison.normalize.base import Parser

#: ``--format`` name -> "module:Class". Order matters: on equal sniff scores the earlier,
#: more specific parser wins.
PARSERS: dict[str, str] = {
    "evtx": "garrison.normalize.evtx:EvtxParser",
    "evtx-json": "garrison.normalize.evtx_json:EvtxJsonParser",
    "cloudtrail": "garrison.normalize.cloudtrail:CloudTrailParser",
    "actiontrail": "garrison.normalize.actiontrail:ActionTrailParser",
    "k8s-audit": "garrison.normalize.k8s_audit:K8sAuditParser",
    "falco": "garrison.normalize.falco:FalcoParser",
    "json": "garrison.normalize.jsonl:JsonLinesParser",
    "auditd": "garrison.normalize.auditd:AuditdParser",
    "iis": "garrison.normalize.iis:IisParser",
    "access": "garrison.normalize.access:AccessLogParser",
    "apache-error": "garrison.normalize.apache_error:ApacheErrorParser",
    "syslog": "garrison.normalize.syslog:SyslogParser",
}

#: Below this sniff score a stream is "unknown": every line is stored unparsed.
MIN_SCORE = 0.5


@dataclass(frozen=True, slots=True)
class Detection:
    """Result of format detection: the chosen format (or ``None``) and its score."""

    name: str | None
    score: float


def names() -> list[str]:
    """Return every registered format name."""
    return list(PARSERS)


def create(name: str) -> Parser:
    """Instantiate the parser registered under ``name``.

    Raises:
        UsageError: If no parser has that name.
    """
    try:
        target = PARSERS[name]
    except KeyError:
        raise UsageError(
            f"unknown format {name!r}",
            hint="choose one of: " + ", ".join(PARSERS),
        ) from None
    module_name, _, class_name = target.partition(":")
    cls = getattr(importlib.import_module(module_name), class_name)
    parser = cls()
    if not isinstance(parser, Parser):  # pragma: no cover - registry misconfiguration
        raise TypeError(f"{target} is not a Parser")
    return parser


def binary_format(head: bytes) -> str | None:
    """The binary format whose magic bytes start ``head``, if any."""
    for name in PARSERS:
        parser = create(name)
        if parser.binary and head and parser.sniff_bytes(head):
            return name
    return None


def detect(sample: Sequence[str], head: bytes = b"") -> Detection:
    """Pick the parser that best fits a stream.

    Args:
        sample: The first lines of the stream (decoded).
        head: The first bytes of the stream, for binary formats.

    Returns:
        The best format and its score; ``name`` is ``None`` when nothing scores
        :data:`MIN_SCORE` or more.
    """
    binary = binary_format(head)
    if binary is not None:
        return Detection(binary, 1.0)
    best = Detection(None, 0.0)
    for name in PARSERS:
        parser = create(name)
        if parser.binary:
            continue
        score = parser.sniff(sample)
        if score > best.score:
            best = Detection(name, score)
    if best.score < MIN_SCORE:
        return Detection(None, best.score)
    return best
