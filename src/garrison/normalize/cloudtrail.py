"""AWS CloudTrail records.

CloudTrail delivers files holding ``{"Records": [...]}`` (one line, or pretty-printed when
downloaded from the console); CloudTrail Lake and most forwarders write one record per line.
Both layouts are read by :mod:`garrison.normalize.jsonstream`.

Every record keeps its own fields flattened (``eventName``, ``userIdentity.arn``,
``requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp``), so rules written against
CloudTrail's names work, and gets the ECS fields: ``event.action`` is the API name, the
category comes from the service and the verb of the API (:func:`categorise`).
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any, ClassVar, Final

from garrison.events import schema
from garrison.normalize.jsonobject import (
    TIMESTAMP_UNPARSED,
    KindParser,
    add_tag,
    as_text,
    parse_time,
    put_cloud,
)
from garrison.normalize.jsonstream import clean, flatten

DATASET: Final = "aws.cloudtrail"

# Sign-in and session APIs: authentication rather than configuration.
_AUTH_EVENTS: Final = frozenset(
    {
        "ConsoleLogin",
        "CheckMfa",
        "SwitchRole",
        "ExitRole",
        "RenewRole",
        "AssumeRole",
        "AssumeRoleWithSAML",
        "AssumeRoleWithWebIdentity",
        "GetSessionToken",
        "GetFederationToken",
        "Federate",
        "UserAuthentication",
        "CredentialVerification",
    }
)
# Services whose APIs manage identities and permissions.
_IAM_SOURCES: Final = frozenset(
    {
        "iam.amazonaws.com",
        "sso.amazonaws.com",
        "identitystore.amazonaws.com",
        "sso-directory.amazonaws.com",
        "organizations.amazonaws.com",
    }
)
# Verb prefix of an API name -> ECS event.type. Order matters: the first match wins.
_VERBS: Final = (
    (("Create", "Run", "Register", "Allocate", "Import", "Upload", "Issue"), "creation"),
    (("Delete", "Terminate", "Deregister", "Release"), "deletion"),
    (("Get", "List", "Describe", "Head", "Lookup", "Search", "Select", "Scan", "Query"), "access"),
    (("BatchGet", "Check", "Download", "Validate", "Simulate", "Generate", "Decrypt"), "access"),
)
# S3 object-level (data) events: reads and writes of files.
_S3_OBJECT: Final = re.compile(r"^(Get|Put|Delete|Copy|Restore|Select)Object|^(Upload|Complete)")


def recognise(obj: dict[str, Any]) -> bool:
    """Whether a JSON object is a CloudTrail record."""
    source = obj.get("eventSource")
    return (
        isinstance(source, str)
        and source.endswith(".amazonaws.com")
        and isinstance(obj.get("eventName"), str)
    )


def verb_type(name: str, read_only: bool = False) -> str:
    """ECS ``event.type`` of an API from the verb it starts with (``DeleteTrail``: deletion)."""
    for prefixes, verb in _VERBS:
        if name.startswith(prefixes):
            return verb
    return "access" if read_only else "change"


def categorise(source: str, name: str, read_only: Any) -> tuple[str, list[str]]:
    """ECS category and types of an API call.

    Args:
        source: ``eventSource`` (``iam.amazonaws.com``).
        name: ``eventName`` (``CreateUser``).
        read_only: The record's ``readOnly`` flag, if any.

    Returns:
        ``(event.category, event.type)``.
    """
    if name in _AUTH_EVENTS:
        return schema.CATEGORY_AUTHENTICATION, ["start"]
    kind = verb_type(name, read_only is True)
    if source in _IAM_SOURCES:
        types = [kind]
        if "User" in name or "LoginProfile" in name or "AccessKey" in name:
            types.insert(0, "user")
        elif "Group" in name:
            types.insert(0, "group")
        elif "Role" in name or "Policy" in name:
            types.insert(0, "admin")
        return schema.CATEGORY_IAM, types
    if source == "s3.amazonaws.com" and _S3_OBJECT.match(name):
        return schema.CATEGORY_FILE, [kind]
    return schema.CATEGORY_CONFIGURATION, [kind]


def _user_name(identity: dict[str, Any]) -> str | None:
    """``userName``, else the last part of the ARN (the session name of an assumed role).

    An AWS service acting on its own (``"type": "AWSService"``) has neither: the service
    (``invokedBy``, e.g. ``ec2.amazonaws.com``) is then the account that acted.
    """
    name = as_text(identity.get("userName"))
    if name:
        return name
    if identity.get("type") == "AWSService":
        return as_text(identity.get("invokedBy"))
    arn = as_text(identity.get("arn"))
    if arn:
        last = arn.rpartition("/")[2] if "/" in arn else arn.rpartition(":")[2]
        return last or None
    issuer = identity.get("sessionContext")
    if isinstance(issuer, dict) and isinstance(issuer.get("sessionIssuer"), dict):
        return as_text(issuer["sessionIssuer"].get("userName"))
    return None


def normalise(obj: dict[str, Any]) -> tuple[datetime | None, dict[str, Any]]:
    """Normalise a CloudTrail record.

    Returns:
        The event time (``None`` if unreadable, tagged ``timestamp_unparsed``) and the fields.
    """
    fields = flatten(obj)
    name = clean(str(obj.get("eventName", "")))
    source = clean(str(obj.get("eventSource", "")))
    category, types = categorise(source, name, obj.get("readOnly"))
    fields[schema.CATEGORY] = category
    fields[schema.TYPE] = types
    fields[schema.ACTION] = name
    fields[schema.PROVIDER] = source
    identity = obj.get("userIdentity")
    if not isinstance(identity, dict):
        identity = {}
    put_cloud(
        fields,
        provider="aws",
        region=obj.get("awsRegion"),
        account=as_text(obj.get("recipientAccountId")) or identity.get("accountId"),
        address=obj.get("sourceIPAddress"),
        agent=obj.get("userAgent"),
    )
    user = _user_name(identity)
    if user:
        fields[schema.USER_NAME] = user
    principal = as_text(identity.get("principalId"))
    if principal:
        fields[schema.USER_ID] = principal
    fields[schema.OUTCOME] = _outcome(obj, fields)
    timestamp = parse_time(obj.get("eventTime"))
    if timestamp is None:
        add_tag(fields, TIMESTAMP_UNPARSED)
    return timestamp, fields


def _outcome(obj: dict[str, Any], fields: dict[str, Any]) -> str:
    """Failure when the call failed (``errorCode``, or a console login answered "Failure")."""
    error = as_text(obj.get("errorCode"))
    message = as_text(obj.get("errorMessage"))
    if message:
        fields[schema.REASON] = message
    if error:
        fields["error.code"] = error
        return schema.OUTCOME_FAILURE
    response = obj.get("responseElements")
    if isinstance(response, dict):
        login = response.get("ConsoleLogin")
        if login == "Failure":
            return schema.OUTCOME_FAILURE
        if login == "Success":
            return schema.OUTCOME_SUCCESS
    return schema.OUTCOME_SUCCESS


class CloudTrailParser(KindParser):
    """Parser of AWS CloudTrail records (dataset ``aws.cloudtrail``)."""

    name = "cloudtrail"
    description = "AWS CloudTrail records (log files or one record per line)"
    dataset = DATASET
    label = "a CloudTrail record"
    markers: ClassVar[re.Pattern[str] | None] = re.compile(
        r'"eventSource"\s*:\s*"[\w.-]+\.amazonaws\.com"'
    )

    recognise = staticmethod(recognise)
    normalise = staticmethod(normalise)
