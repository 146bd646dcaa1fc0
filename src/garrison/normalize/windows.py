"""Windows event records: the mapping shared by EVTX files and their JSON exports.

A Windows event is ``<Event><System>...</System><EventData>...</EventData></Event>``. Tools
render it as JSON in several shapes, all accepted here:

* ``evtx`` / ``evtx_dump``: attributes under ``"#attributes"`` (or ``"Provider_attributes"``
  with ``--separate-json-attributes``) and named ``Data`` items as plain keys of ``EventData``;
* xmltodict-style (python-evtx): attributes as ``"@Name"`` keys, ``Data`` as a list of
  ``{"@Name": ..., "#text": ...}``;
* PowerShell ``[xml]`` + ``ConvertTo-Json``: attributes as plain keys, ``{"Name", "#text"}`` items;
* Winlogbeat: ``{"winlog": {"event_id", "channel", "event_data": {...}}}``.

Every shape yields the same flat fields, named as Sigma rules name them: the ``System``
children (``EventID``, ``Channel``, ``Provider_Name``, ``Computer``, ``EventRecordID``,
``TimeCreated_SystemTime``, ``Level``, ``Security_UserID``...) and every named ``Data`` item by
its name (``TargetUserName``, ``IpAddress``, ``CommandLine``...), plus the ECS fields mapped by
:mod:`garrison.normalize.windows_ecs`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, Final

import orjson

from garrison.events import schema
from garrison.normalize.jsonobject import TIMESTAMP_UNPARSED, add_tag, as_int, parse_time
from garrison.normalize.jsonstream import clean, flatten
from garrison.normalize.windows_ecs import map_ecs

DATASET: Final = "windows.evtx"

# Values given as the element text by the several JSON renderings of XML.
_TEXT_KEYS: Final = ("#text", "#value", "Value", "value")
_ATTRIBUTES: Final = "#attributes"

# Winlogbeat's winlog.* keys and the System names they stand for.
_WINLOG_SYSTEM: Final = (
    ("event_id", "EventID"),
    ("channel", "Channel"),
    ("provider_name", "Provider_Name"),
    ("provider_guid", "Provider_Guid"),
    ("computer_name", "Computer"),
    ("record_id", "EventRecordID"),
    ("task", "Task"),
    ("opcode", "Opcode"),
    ("keywords", "Keywords"),
    ("version", "Version"),
)


def recognise(obj: dict[str, Any]) -> bool:
    """Whether a JSON object is a Windows event (any of the accepted shapes)."""
    event = obj.get("Event")
    if isinstance(event, dict):
        return isinstance(event.get("System"), dict)
    winlog = obj.get("winlog")
    return isinstance(winlog, dict) and "event_id" in winlog


def normalise(obj: dict[str, Any]) -> tuple[datetime | None, dict[str, Any]]:
    """Normalise a Windows event in any accepted JSON shape.

    Returns:
        The event time (``None`` if unreadable, tagged ``timestamp_unparsed``) and the fields.
    """
    event = obj.get("Event")
    if isinstance(event, dict):
        return normalise_event(event)
    return _normalise_winlogbeat(obj)


def normalise_event(
    event: dict[str, Any], fallback_time: Callable[[], datetime | None] | None = None
) -> tuple[datetime | None, dict[str, Any]]:
    """Normalise the ``Event`` element of a Windows event.

    Args:
        event: The value under ``"Event"``.
        fallback_time: Gives the time to use when ``TimeCreated`` is missing or unreadable
            (the EVTX record header's); called only then.

    Returns:
        The event time and the fields.
    """
    fields: dict[str, Any] = {}
    _data_into(fields, event.get("EventData"), "EventData")
    _data_into(fields, event.get("UserData"), "UserData")
    system = event.get("System")
    if isinstance(system, dict):
        _system_into(fields, system)
    return _finish(fields, fields.get("TimeCreated_SystemTime"), fallback_time)


def _normalise_winlogbeat(obj: dict[str, Any]) -> tuple[datetime | None, dict[str, Any]]:
    winlog: dict[str, Any] = obj["winlog"]
    fields: dict[str, Any] = {}
    _data_into(fields, winlog.get("event_data"), "EventData")
    _data_into(fields, winlog.get("user_data"), "UserData")
    for key, name in _WINLOG_SYSTEM:
        value = winlog.get(key)
        if value is not None:
            fields[name] = _scalar(value)
    user = winlog.get("user")
    if isinstance(user, dict) and user.get("identifier"):
        fields["Security_UserID"] = _scalar(user["identifier"])
    message = obj.get("message")
    if isinstance(message, str):
        fields[schema.MESSAGE] = clean(message)
    when = obj.get("@timestamp", winlog.get("time_created"))
    return _finish(fields, when, None)


def _finish(
    fields: dict[str, Any], when: Any, fallback: Callable[[], datetime | None] | None
) -> tuple[datetime | None, dict[str, Any]]:
    """Add the ECS fields and read the time."""
    # Renderings differ on numbers ("4624" or 4624): Sigma rules compare EventID as a number.
    for name in ("EventID", "EventRecordID", "Level", "Task", "Opcode", "Version"):
        number = as_int(fields.get(name))
        if number is not None:
            fields[name] = number
    map_ecs(fields)
    timestamp = parse_time(when) if when is not None else None
    if timestamp is None:
        if fallback is not None:
            timestamp = fallback()
        if timestamp is None:
            add_tag(fields, TIMESTAMP_UNPARSED)
    return timestamp, fields


def _scalar(value: Any) -> Any:
    """A field value: scalars and lists of scalars as they are, anything else as JSON text."""
    kind = type(value)
    if kind is str:
        return value if "\x00" not in value else clean(value)
    if kind is int or value is None:  # the common cases first: this runs for every item
        return value
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, list) and not any(isinstance(v, dict | list) for v in value):
        return [clean(v) if isinstance(v, str) else v for v in value]
    if isinstance(value, dict | list):
        return clean(orjson.dumps(value).decode())
    return value


def _put(fields: dict[str, Any], name: str, value: Any) -> None:
    """Store a data item under its name, flattening structured values below it."""
    if isinstance(value, dict):
        text = next((value[k] for k in _TEXT_KEYS if k in value), None)
        if text is not None and all(k in _TEXT_KEYS or _is_attribute(k) for k in value):
            fields[name] = _scalar(text)  # {"#attributes": {...}, "#text": "v"}: just the text
        else:
            flatten(value, name, fields)
    elif isinstance(value, list):
        flatten(value, name, fields)
    else:
        fields[name] = _scalar(value)


def _is_attribute(key: str) -> bool:
    return key == _ATTRIBUTES or key.startswith(("@", "xmlns"))


def _item_name(item: dict[str, Any]) -> str | None:
    """The ``Name`` attribute of a ``Data`` item in any rendering."""
    name = item.get("Name", item.get("@Name"))
    if name is None:
        attributes = item.get(_ATTRIBUTES)
        if isinstance(attributes, dict):
            name = attributes.get("Name")
    return clean(name) if isinstance(name, str) and name else None


def _data_items(fields: dict[str, Any], value: Any) -> None:
    """Store ``Data`` items by name; unnamed ones go, in order, to ``Data``."""
    items = value if isinstance(value, list) else [value]
    unnamed: list[Any] = []
    for item in items:
        if isinstance(item, dict):
            name = _item_name(item)
            text = next((item[k] for k in _TEXT_KEYS if k in item), None)
            if name is not None:
                fields[name] = _scalar(text)
            elif isinstance(text, list):
                unnamed.extend(text)  # evtx renders unnamed items as {"#text": [...]}
            elif text is not None:
                unnamed.append(text)
            elif item:
                flatten(item, "Data", fields)
        elif item is not None:
            unnamed.append(item)
    if unnamed:
        fields["Data"] = _scalar(unnamed[0] if len(unnamed) == 1 else unnamed)


def _data_into(fields: dict[str, Any], data: Any, section: str) -> None:
    """Store ``EventData`` / ``UserData`` items as top-level fields named by the items."""
    if data is None:
        return
    if not isinstance(data, dict):
        if data != "":
            fields[section] = _scalar(data)
        return
    for key, value in data.items():
        kind = type(value)
        if (kind is str or kind is int) and key[:1] not in "#@x" and "\x00" not in key:
            # Fast path for the usual named items ("TargetUserName": "alice").
            fields[key] = value if kind is int or "\x00" not in value else clean(value)
            continue
        if _is_attribute(key):
            continue  # namespaces and the like
        if key == "Data":
            _data_items(fields, value)
        elif section == "UserData" and isinstance(value, dict):
            # UserData wraps its items in one provider-defined element (<LogFileCleared>).
            for name, item in value.items():
                if not _is_attribute(name):
                    _put(fields, clean(name), item)
        else:
            _put(fields, clean(key), value)


def _system_into(fields: dict[str, Any], system: dict[str, Any]) -> None:
    """Store the ``System`` children as ``Name`` and their attributes as ``Name_Attribute``."""
    for key, value in system.items():
        if "\x00" in key:
            key = clean(key)
        if not isinstance(value, dict):
            if value is not None:
                fields[key] = _scalar(value)
            continue
        if key.endswith("_attributes"):  # evtx --separate-json-attributes
            _attributes_into(fields, key[: -len("_attributes")], value)
            continue
        for sub, sub_value in value.items():
            if sub == _ATTRIBUTES and isinstance(sub_value, dict):
                _attributes_into(fields, key, sub_value)
            elif sub in _TEXT_KEYS:
                fields[key] = _scalar(sub_value)
            elif not sub.startswith("xmlns"):
                fields[clean(f"{key}_{sub.lstrip('@')}")] = _scalar(sub_value)


def _attributes_into(fields: dict[str, Any], element: str, attributes: dict[str, Any]) -> None:
    for name, value in attributes.items():
        fields[clean(f"{element}_{name}")] = _scalar(value)
