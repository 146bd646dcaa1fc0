"""Field names of the normalised schema (ECS-style dotted names).

See ``docs/events.md`` for the meaning of each field. Parsers must use these constants rather
than literals for the fields that detection and storage rely on.
"""

from __future__ import annotations

from typing import Final

ID: Final = "event.id"
TIMESTAMP: Final = "@timestamp"
DATASET: Final = "event.dataset"
ORIGINAL: Final = "event.original"

KIND: Final = "event.kind"
CATEGORY: Final = "event.category"
TYPE: Final = "event.type"
ACTION: Final = "event.action"
OUTCOME: Final = "event.outcome"
SEVERITY: Final = "event.severity"
MODULE: Final = "event.module"
PROVIDER: Final = "event.provider"
CODE: Final = "event.code"
REASON: Final = "event.reason"

SOURCE_IP: Final = "source.ip"
SOURCE_PORT: Final = "source.port"
DESTINATION_IP: Final = "destination.ip"
DESTINATION_PORT: Final = "destination.port"

USER_NAME: Final = "user.name"
USER_ID: Final = "user.id"
USER_DOMAIN: Final = "user.domain"
USER_EFFECTIVE_NAME: Final = "user.effective.name"
USER_TARGET_NAME: Final = "user.target.name"
GROUP_NAME: Final = "group.name"

HOST_NAME: Final = "host.name"
HOST_IP: Final = "host.ip"

PROCESS_NAME: Final = "process.name"
PROCESS_PID: Final = "process.pid"
PROCESS_EXECUTABLE: Final = "process.executable"
PROCESS_COMMAND_LINE: Final = "process.command_line"
PROCESS_ARGS: Final = "process.args"
PROCESS_WORKING_DIRECTORY: Final = "process.working_directory"
PROCESS_PARENT_PID: Final = "process.parent.pid"

URL_ORIGINAL: Final = "url.original"
URL_PATH: Final = "url.path"
URL_QUERY: Final = "url.query"
URL_DOMAIN: Final = "url.domain"
HTTP_METHOD: Final = "http.request.method"
HTTP_STATUS: Final = "http.response.status_code"
HTTP_BYTES: Final = "http.response.body.bytes"
HTTP_REFERRER: Final = "http.request.referrer"
HTTP_VERSION: Final = "http.version"
USER_AGENT: Final = "user_agent.original"

FILE_PATH: Final = "file.path"
LOG_FILE_PATH: Final = "log.file.path"
LOG_OFFSET: Final = "log.offset"
LOG_LEVEL: Final = "log.level"
LOG_SYSLOG_FACILITY: Final = "log.syslog.facility.code"
LOG_SYSLOG_SEVERITY: Final = "log.syslog.severity.code"
LOG_SYSLOG_PRIORITY: Final = "log.syslog.priority"
MESSAGE: Final = "message"
ERROR_MESSAGE: Final = "error.message"
TAGS: Final = "tags"

CLOUD_PROVIDER: Final = "cloud.provider"
CLOUD_REGION: Final = "cloud.region"
CLOUD_ACCOUNT_ID: Final = "cloud.account.id"
RULE_NAME: Final = "rule.name"

# ECS allowed values used across parsers.
KIND_EVENT: Final = "event"
KIND_ALERT: Final = "alert"
KIND_PIPELINE_ERROR: Final = "pipeline_error"
OUTCOME_SUCCESS: Final = "success"
OUTCOME_FAILURE: Final = "failure"
OUTCOME_UNKNOWN: Final = "unknown"

CATEGORY_AUTHENTICATION: Final = "authentication"
CATEGORY_IAM: Final = "iam"
CATEGORY_PROCESS: Final = "process"
CATEGORY_WEB: Final = "web"
CATEGORY_NETWORK: Final = "network"
CATEGORY_FILE: Final = "file"
CATEGORY_CONFIGURATION: Final = "configuration"
CATEGORY_SESSION: Final = "session"
CATEGORY_HOST: Final = "host"
CATEGORY_INTRUSION_DETECTION: Final = "intrusion_detection"

# Fields the event store keeps in their own indexed columns (C1's six fields and friends).
PROMOTED: Final = (
    KIND,
    CATEGORY,
    ACTION,
    OUTCOME,
    SOURCE_IP,
    DESTINATION_IP,
    USER_NAME,
    HOST_NAME,
)

# The six fields REQUIREMENTS C1 / 000 §4.1 require on every event where the source has them.
REQUIRED_SIX: Final = (TIMESTAMP, SOURCE_IP, DESTINATION_IP, USER_NAME, CATEGORY, OUTCOME)
