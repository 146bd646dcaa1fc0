"""Windows events exported as JSON lines or documents.

Accepts the ``{"Event": {"System": {...}, "EventData": {...}}}`` records written by
``evtx_dump -o jsonl``, python-evtx with xmltodict, or PowerShell (``[xml]$e.ToXml()`` piped to
``ConvertTo-Json``), and Winlogbeat's ``{"winlog": {...}}`` documents. The mapping is shared with
the binary EVTX parser (:mod:`garrison.normalize.windows`), so both yield the same fields.
"""

from __future__ import annotations

import re
from typing import ClassVar

from garrison.normalize.jsonobject import KindParser
from garrison.normalize.windows import DATASET, normalise, recognise

__all__ = ["DATASET", "EvtxJsonParser", "normalise", "recognise"]


class EvtxJsonParser(KindParser):
    """Parser of Windows events in JSON (dataset ``windows.evtx``)."""

    name = "evtx-json"
    description = "Windows events as JSON (evtx_dump, PowerShell, Winlogbeat)"
    dataset = DATASET
    label = "a Windows event"
    markers: ClassVar[re.Pattern[str] | None] = re.compile(r'"EventID"\s*:|"winlog"\s*:\s*\{')

    recognise = staticmethod(recognise)
    normalise = staticmethod(normalise)
