"""Helpers shared by the parsers whose records are JSON objects.

:class:`ObjectParser` reads records with :func:`~garrison.normalize.jsonstream.iter_json`, turns
the objects it does not accept and any failure into unparsed events, and keeps the event model's
own fields out of the source's keys. The value helpers read the loosely typed values of JSON
sources (numbers as text, IPs that may be host names, ISO or epoch times) without raising.
"""

from __future__ import annotations

import re
from abc import abstractmethod
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime, tzinfo
from functools import lru_cache
from ipaddress import ip_address
from typing import Any, ClassVar, Final

from garrison.events import schema
from garrison.events.model import Event
from garrison.normalize.base import Line, ParseContext, Parser
from garrison.normalize.jsonstream import JsonError, JsonRecord, clean, decode_sample, iter_json
from garrison.normalize.timeutil import MONTHS, from_epoch, parse_iso

#: Tag added to events whose timestamp field exists but could not be read.
TIMESTAMP_UNPARSED: Final = "timestamp_unparsed"

_CLF_TIME: Final = re.compile(
    r"(?P<day>\d\d)/(?P<mon>[A-Za-z]{3})/(?P<year>\d{4}):(?P<clock>\d\d:\d\d:\d\d)"
    r" (?P<zone>[+-]\d{4})$"
)
# Fields the event model owns; a source must not override them through its own keys.
_RESERVED: Final = (schema.TIMESTAMP, schema.ID, schema.DATASET, schema.ORIGINAL)
_INT_MIN: Final = -(2**63)
_INT_MAX: Final = 2**64 - 1
_IP_ASIDE: Final = (
    (schema.SOURCE_IP, "source.address"),
    (schema.DESTINATION_IP, "destination.address"),
)


def as_text(value: Any) -> str | None:
    """Return a value as text if it is a non-empty scalar, else ``None``."""
    if isinstance(value, str):
        return clean(value) if value else None
    if isinstance(value, bool) or value is None or isinstance(value, dict | list):
        return None
    return str(value)


def as_int(value: Any, base: int = 10) -> int | None:
    """Return a value as an int (``"0x1f"`` accepted with ``base=16``), else ``None``.

    Only 64-bit values are returned: JSON encoders (and so the event store) refuse larger.
    """
    if isinstance(value, bool):
        return None
    number: int | None = None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and value and len(value) < 40:
        try:
            number = int(value.strip(), base)
        except ValueError:
            return None
    elif isinstance(value, float) and value.is_integer():
        number = int(value)
    if number is None or not _INT_MIN <= number <= _INT_MAX:
        return None
    return number


@lru_cache(maxsize=65536)
def _ip(text: str) -> str | None:
    try:
        return str(ip_address(text))
    except ValueError:
        return None


def as_ip(value: Any) -> str | None:
    """Return a value as a normalised IP address text, else ``None`` (e.g. ``"-"``, hosts)."""
    if not isinstance(value, str) or not value or len(value) > 45:
        return None
    if value.startswith("::ffff:") and "." in value:  # IPv4-mapped, as Windows logs them
        value = value[7:]
    elif "%" in value:  # an IPv6 zone ("fe80::1%eth0") is not part of the address
        value = value.partition("%")[0]
    return _ip(value)


def _from_epoch(number: float) -> datetime | None:
    """Epoch seconds, milliseconds, microseconds or nanoseconds (told by magnitude)."""
    if number > 1e17:
        number /= 1e9
    elif number > 1e14:
        number /= 1e6
    elif number > 1e11:
        number /= 1e3
    if number < 1e8:  # before 1973: not a timestamp of a log record
        return None
    try:
        return from_epoch(number)
    except (OverflowError, OSError, ValueError):
        return None


def parse_time(value: Any, tz: tzinfo = UTC) -> datetime | None:
    """Read an ISO 8601 text or an epoch number (s, ms, us or ns) as an aware UTC datetime.

    Args:
        value: The field value.
        tz: Zone of zone-less ISO texts.

    Returns:
        The time, or ``None`` when the value is not a timestamp.
    """
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return None
        if text.isascii() and text.replace(".", "", 1).isdigit():
            when = _from_epoch(float(text))
            if when is not None:
                return when
        try:
            return parse_iso(text, tz)
        except ValueError:
            pass
        match = _CLF_TIME.match(text)  # nginx/apache $time_local: 23/Nov/2026:10:00:00 +0800
        if match is not None and match["mon"].lower() in MONTHS:
            day, mon, year, clock, zone = match.group("day", "mon", "year", "clock", "zone")
            iso = f"{year}-{MONTHS[mon.lower()]:02d}-{day}T{clock}{zone[:3]}:{zone[3:]}"
            try:
                return parse_iso(iso, tz)
            except ValueError:
                return None
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return _from_epoch(float(value))
    return None


def add_tag(fields: dict[str, Any], tag: str) -> None:
    """Append a tag to ``fields["tags"]``, turning a scalar there into a list."""
    tags = fields.get(schema.TAGS)
    if isinstance(tags, list):
        tags.append(tag)
    elif tags is None:
        fields[schema.TAGS] = [tag]
    else:
        fields[schema.TAGS] = [tags, tag]


def put_cloud(
    fields: dict[str, Any],
    *,
    provider: str,
    region: Any,
    account: Any,
    address: Any,
    agent: Any,
) -> None:
    """The cloud audit-trail fields shared by CloudTrail and ActionTrail.

    ``address`` is the caller's source address: an IP goes to ``source.ip``; a cloud service
    acting for a user appears by name ("ec2.amazonaws.com", "internal") under
    ``source.address``.
    """
    fields[schema.CLOUD_PROVIDER] = provider
    if text := as_text(region):
        fields[schema.CLOUD_REGION] = text
    if text := as_text(account):
        fields[schema.CLOUD_ACCOUNT_ID] = text
    if text := as_text(address):
        ip = as_ip(text)
        fields[schema.SOURCE_IP if ip else "source.address"] = ip or text
    if text := as_text(agent):
        fields[schema.USER_AGENT] = text


class ObjectParser(Parser):
    """Base of the parsers whose records are JSON objects (NDJSON or whole documents).

    Subclasses set :attr:`dataset`, :attr:`label` and :attr:`markers` and implement
    :meth:`accepts` and :meth:`convert`.
    """

    #: ``event.dataset`` of unparsed records.
    dataset: ClassVar[str]
    #: What a record of the format is, in reasons ("a CloudTrail record").
    label: ClassVar[str]
    #: Recognises a format from the text of a document too large for the sniff sample.
    markers: ClassVar[re.Pattern[str] | None] = None

    @abstractmethod
    def accepts(self, obj: dict[str, Any]) -> bool:
        """Whether a decoded object is a record of this format."""

    @abstractmethod
    def convert(
        self, obj: dict[str, Any], ctx: ParseContext
    ) -> tuple[datetime | None, dict[str, Any], str] | None:
        """Normalise one object: (timestamp, fields, dataset), or ``None`` if not this format."""

    def pending_offset(self) -> int | None:
        """Offset of the first line of a multi-line JSON document still being read."""
        held: list[Line] = getattr(self, "_held", [])
        return held[0].offset if held else None

    def sniff(self, sample: Sequence[str]) -> float:
        """Fraction of the sample's records this parser accepts."""
        try:
            decoded = decode_sample(sample)
            if decoded is None:
                return 0.0
            values, joined = decoded
            if not values:
                # A document larger than the sample: judge by its text.
                start = joined.lstrip()[:1]
                if start in ("{", "[") and self.markers is not None:
                    return 1.0 if self.markers.search(joined) else 0.0
                return 0.0
            hits = sum(1 for v in values if isinstance(v, dict) and self.accepts(v))
            return hits / len(values)
        except Exception:  # sniffing must never fail
            return 0.0

    def parse(self, lines: Iterable[Line], ctx: ParseContext) -> Iterator[Event]:
        """Parse JSON records; undecodable lines and foreign objects become unparsed events."""
        self._held: list[Line] = []
        for item in iter_json(lines, buffer=self._held):
            if isinstance(item, JsonError):
                yield ctx.unparsed(
                    item.text, item.offset, f"{self.name}: {item.reason}", self.dataset
                )
            else:
                yield self._event(item, ctx)

    def _event(self, item: JsonRecord, ctx: ParseContext) -> Event:
        value = item.value
        if not isinstance(value, dict):
            reason = f"{self.name}: JSON {type(value).__name__} is not an object"
            return ctx.unparsed(item.original, item.offset, reason, self.dataset)
        try:
            result = self.convert(value, ctx)
        except Exception as exc:  # bad input must not stop the stream
            reason = f"{self.name}: {type(exc).__name__}: {exc}"
            return ctx.unparsed(item.original, item.offset, reason, self.dataset)
        if result is None:
            reason = f"{self.name}: not {self.label}"
            return ctx.unparsed(item.original, item.offset, reason, self.dataset)
        timestamp, fields, dataset = result
        for key in _RESERVED:
            fields.pop(key, None)
        if fields.get(schema.KIND) == schema.KIND_PIPELINE_ERROR:
            fields[schema.KIND] = schema.KIND_EVENT  # only the pipeline may say "unparsed"
        for name, aside in _IP_ASIDE:
            # A source key spelled like the schema's IP field may hold anything.
            value = fields.get(name)
            if value is not None:
                ip = as_ip(value)
                if ip is None:
                    del fields[name]
                    fields.setdefault(aside, value)
                else:
                    fields[name] = ip
        return ctx.make(
            timestamp=timestamp,
            dataset=dataset,
            original=item.original,
            offset=item.offset,
            fields=fields,
        )


class KindParser(ObjectParser):
    """A parser of one kind of JSON record, made of a recogniser and a normaliser.

    Subclasses set ``recognise = staticmethod(module.recognise)`` and
    ``normalise = staticmethod(module.normalise)``; the generic JSON parser dispatches to the
    same functions, so a record normalises the same whichever parser reads it.
    """

    @staticmethod
    @abstractmethod
    def recognise(obj: dict[str, Any]) -> bool:
        """Whether a decoded object is a record of this kind."""

    @staticmethod
    @abstractmethod
    def normalise(obj: dict[str, Any]) -> tuple[datetime | None, dict[str, Any]]:
        """The record's timestamp and normalised fields."""

    def accepts(self, obj: dict[str, Any]) -> bool:
        """Whether the object is a record of this kind."""
        return self.recognise(obj)

    def convert(
        self, obj: dict[str, Any], ctx: ParseContext
    ) -> tuple[datetime | None, dict[str, Any], str] | None:
        """Normalise a record of this kind; ``None`` for any other object."""
        if not self.recognise(obj):
            return None
        timestamp, fields = self.normalise(obj)
        return timestamp, fields, self.dataset
