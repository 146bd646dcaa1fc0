"""A client of the Kestra API: start a flow, follow its execution, resume it when paused.

Paths follow Kestra's executions API (tenant-scoped since Kestra 0.23; the open-source edition's
tenant is ``main``)::

    POST /api/v1/{tenant}/executions/{namespace}/{flowId}?labels=k:v   inputs: multipart fields
    POST /api/v1/{tenant}/executions/webhook/{namespace}/{flowId}/{key}  JSON body
    GET  /api/v1/{tenant}/executions/{executionId}
    POST /api/v1/{tenant}/executions/{executionId}/resume                inputs: multipart fields

Garrison signs in with an API token (``Authorization: Bearer``, Enterprise edition) or with
basic authentication (open-source edition). Neither the token, the password nor a webhook key
(which starts the flow by itself) appears in effects, errors or logs.

Failures are :class:`~garrison.core.errors.ActionError`: timeouts, connection errors, 5xx and
429 are ``retryable``; refused credentials, unknown flows and executions, and invalid inputs
are not.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import httpx

from garrison.core.errors import ActionError
from garrison.respond.actions.http_request import tls_context
from garrison.respond.config import KestraSettings

#: States after which an execution does not change any more.
TERMINAL = frozenset({"SUCCESS", "WARNING", "FAILED", "KILLED", "CANCELLED", "RETRIED", "SKIPPED"})
#: States :meth:`KestraClient.follow` stops at: the terminal ones and ``PAUSED`` (waiting for
#: someone, which may be a Garrison approval).
SETTLED = TERMINAL | {"PAUSED"}
#: Longest pause between two polls while following an execution.
MAX_POLL_SECONDS = 10.0

_TENANT = re.compile(r"[A-Za-z0-9_-]{1,64}")
_HINT = "set [response.kestra] url, and token or username/password, in garrison.toml"

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Execution:
    """One Kestra execution as Garrison reports it.

    Attributes:
        id: The execution id.
        namespace / flow_id: The flow it runs.
        state: Its current state (``CREATED``, ``RUNNING``, ``PAUSED``, ``SUCCESS``...).
        url: Where people see it in Kestra's UI.
    """

    id: str
    namespace: str
    flow_id: str
    state: str
    url: str

    def to_json(self) -> dict[str, Any]:
        """The JSON-ready form actions output."""
        return {
            "execution_id": self.id,
            "namespace": self.namespace,
            "flow_id": self.flow_id,
            "state": self.state,
            "url": self.url,
        }


def _segment(value: str) -> str:
    """One URL path segment (ids and names are validated already; this is the backstop)."""
    if value in {"", ".", ".."}:  # would change the path itself once normalised
        raise ActionError(f"{value!r} cannot be part of a URL path")
    return quote(value, safe="")


def form_value(value: Scalar) -> str:
    """A scalar input as a form field (``true``/``false`` for booleans, as Kestra reads)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _message(response: httpx.Response) -> str:
    try:
        data = response.json()
        text = str(data.get("message", "")) if isinstance(data, dict) else ""
    except ValueError:
        text = ""
    return (text or response.reason_phrase or f"HTTP {response.status_code}").strip()[:300]


class KestraClient:
    """Calls of the Kestra API for one configured server.

    Args:
        settings: ``[response.kestra]``.
        transport: An httpx transport (tests); by default httpx's own.

    Raises:
        ActionError: When no URL is configured, or it is not ``http(s)://``.
    """

    def __init__(
        self, settings: KestraSettings, *, transport: httpx.BaseTransport | None = None
    ) -> None:
        parts = urlsplit(settings.url)
        if not settings.url:
            raise ActionError("Kestra is not configured", hint=_HINT)
        if parts.scheme not in {"http", "https"} or not parts.hostname:
            raise ActionError(
                f"[response.kestra] url {settings.url!r} is not http(s)://", hint=_HINT
            )
        if not _TENANT.fullmatch(settings.tenant):
            raise ActionError(f"[response.kestra] tenant {settings.tenant!r} is not a tenant id")
        self.base = settings.url.rstrip("/")
        self.tenant = settings.tenant
        headers: dict[str, str] = {}
        auth: httpx.Auth | None = None
        if settings.token is not None:
            headers["Authorization"] = f"Bearer {settings.token.get_secret_value()}"
        elif settings.username and settings.password is not None:
            auth = httpx.BasicAuth(settings.username, settings.password.get_secret_value())
        self._client = httpx.Client(
            base_url=self.base,
            headers=headers,
            auth=auth,
            timeout=settings.timeout_seconds,
            follow_redirects=False,
            transport=transport,
            verify=tls_context(),
        )

    def __enter__(self) -> KestraClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # --- addresses ----------------------------------------------------------------------

    def api(self, path: str) -> str:
        """The API path of ``path`` (``/executions/...``) for this tenant."""
        return f"/api/v1/{_segment(self.tenant)}{path}"

    def describe(self, method: str, path: str) -> str:
        """``METHOD <full URL>`` for effects (callers mask webhook keys first)."""
        return f"{method} {self.base}{self.api(path)}"

    def ui_url(self, namespace: str, flow_id: str, execution_id: str) -> str:
        """The execution's page in Kestra's UI."""
        return (
            f"{self.base}/ui/{_segment(self.tenant)}/executions/{_segment(namespace)}/"
            f"{_segment(flow_id)}/{_segment(execution_id)}"
        )

    @staticmethod
    def start_path(namespace: str, flow_id: str) -> str:
        """The path that starts ``namespace.flow_id``."""
        return f"/executions/{_segment(namespace)}/{_segment(flow_id)}"

    @staticmethod
    def webhook_path(namespace: str, flow_id: str, key: str) -> str:
        """The webhook trigger path (``key`` is a secret: show ``<key>`` instead)."""
        return f"/executions/webhook/{_segment(namespace)}/{_segment(flow_id)}/{_segment(key)}"

    @staticmethod
    def execution_path(execution_id: str) -> str:
        """The path of one execution."""
        return f"/executions/{_segment(execution_id)}"

    # --- requests -----------------------------------------------------------------------

    def _call(
        self, method: str, path: str, what: str, *, accept: int = 0, **kwargs: Any
    ) -> httpx.Response:
        """Send one request; a status of 300 or more (except ``accept``) raises."""
        try:
            response = self._client.request(method, self.api(path), **kwargs)
        except httpx.TimeoutException:
            raise ActionError(
                f"Kestra at {self.base} did not answer in time", retryable=True
            ) from None
        except httpx.TransportError as exc:
            raise ActionError(
                f"cannot reach Kestra at {self.base}: {type(exc).__name__}", retryable=True
            ) from None
        status = response.status_code
        if status < 300 or status == accept:
            return response
        detail = _message(response)
        if status in {401, 403}:
            raise ActionError(
                f"Kestra refused Garrison's credentials ({status})",
                hint="check token or username/password in [response.kestra]",
            )
        if status == 404:
            raise ActionError(f"Kestra has no {what} ({detail})")
        if status >= 500 or status == 429:
            raise ActionError(f"Kestra failed ({status}): {detail}", retryable=True)
        if status < 400:
            raise ActionError(
                f"Kestra answered a redirect ({status})",
                hint="[response.kestra] url must be the API address itself",
            )
        raise ActionError(f"Kestra refused ({status}): {detail}")

    def _execution(self, data: Any, *, namespace: str = "", flow_id: str = "") -> Execution:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            raise ActionError("Kestra answered without an execution id")
        state = data.get("state")
        current = state.get("current") if isinstance(state, dict) else state
        ns = str(data.get("namespace") or namespace)
        flow = str(data.get("flowId") or flow_id)
        return Execution(
            id=data["id"],
            namespace=ns,
            flow_id=flow,
            state=str(current or "CREATED"),
            url=self.ui_url(ns, flow, data["id"]),
        )

    @staticmethod
    def _form(inputs: Mapping[str, Scalar]) -> dict[str, Any]:
        """Inputs as multipart form fields (no file name, so Kestra reads them as values)."""
        if not inputs:
            return {}
        return {"files": [(name, (None, form_value(value))) for name, value in inputs.items()]}

    def start(
        self,
        namespace: str,
        flow_id: str,
        inputs: Mapping[str, Scalar],
        labels: Mapping[str, str] | None = None,
    ) -> Execution:
        """Create an execution of ``namespace.flow_id``; inputs go as multipart fields."""
        pairs = dict(labels or {})
        if any(not text or ":" in text or "," in text for pair in pairs.items() for text in pair):
            # Kestra splits "key:value" on every colon and refuses anything but two parts.
            raise ActionError("Kestra labels need a key and a value without ':' or ','")
        params = [("labels", f"{key}:{value}") for key, value in pairs.items()]
        response = self._call(
            "POST",
            self.start_path(namespace, flow_id),
            f"flow {namespace}.{flow_id}",
            params=params or None,
            **self._form(inputs),
        )
        return self._execution(response.json(), namespace=namespace, flow_id=flow_id)

    def webhook(
        self, namespace: str, flow_id: str, key: str, body: Mapping[str, Any]
    ) -> Execution | None:
        """Trigger the flow's webhook with a JSON body; ``None`` when its conditions said no."""
        response = self._call(
            "POST",
            self.webhook_path(namespace, flow_id, key),
            f"webhook trigger with that key on flow {namespace}.{flow_id}",
            json=dict(body),
        )
        if response.status_code == 204 or not response.content:
            return None
        return self._execution(response.json(), namespace=namespace, flow_id=flow_id)

    def get(self, execution_id: str) -> Execution:
        """The execution's current state."""
        response = self._call("GET", self.execution_path(execution_id), f"execution {execution_id}")
        return self._execution(response.json())

    def resume(self, execution_id: str, inputs: Mapping[str, Scalar]) -> bool:
        """Resume a paused execution; ``False`` when Kestra says it is not paused (409)."""
        response = self._call(
            "POST",
            self.execution_path(execution_id) + "/resume",
            f"execution {execution_id}",
            accept=409,
            **self._form(inputs),
        )
        return response.status_code != 409

    def follow(
        self, execution: Execution, *, wait_seconds: float, sleep: Callable[[float], None]
    ) -> Execution:
        """Poll until the execution settles (terminal or ``PAUSED``) or ``wait_seconds`` pass.

        Polls start one second apart and slow down to :data:`MAX_POLL_SECONDS`.
        """
        current, waited, interval = execution, 0.0, 1.0
        while current.state not in SETTLED and waited < wait_seconds:
            pause = min(interval, wait_seconds - waited)
            sleep(pause)
            waited += pause
            interval = min(interval * 2, MAX_POLL_SECONDS)
            current = self.get(execution.id)
        return current
