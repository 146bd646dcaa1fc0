"""One JSON POST with httpx, turned into a :class:`Delivery`.

Shared by the webhook and robot channels so that they classify failures the same way:
transport errors, 429 and 5xx are retryable; other statuses (4xx, and redirects, which are
never followed because a signed request must not be replayed elsewhere) are not.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, TypeVar

import httpx

from garrison.core.clock import Clock
from garrison.notify.base import ChannelConfig, Delivery, failure

ConfigT = TypeVar("ConfigT", bound=ChannelConfig)

_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")

# Checks a robot's JSON reply: returns an error text, or None when the reply means success.
ReplyCheck = Callable[[Any], str | None]


def make_client() -> httpx.Client:
    """A client for channels built without one: no redirects, no cookies kept between sends."""
    return httpx.Client(follow_redirects=False)


class HttpChannel(Generic[ConfigT]):
    """What every HTTP channel holds: its name, its settings, the clock and the client."""

    def __init__(
        self,
        name: str,
        config: ConfigT,
        *,
        clock: Clock,
        client: httpx.Client | None = None,
    ) -> None:
        """Build the channel; ``client`` lets tests point it at a local server."""
        self._name = name
        self.config = config
        self._clock = clock
        self._client = client if client is not None else make_client()

    @property
    def name(self) -> str:
        """Channel name from the configuration."""
        return self._name


def encode_json(body: Mapping[str, Any]) -> bytes:
    """Serialise ``body`` compactly as UTF-8 JSON with stable key order (it gets signed)."""
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode()


def _retry_after(value: str | None) -> float | None:
    if value is None or not value.strip().isdigit():
        # HTTP-date values would need the clock; receivers of these channels send seconds.
        return None
    return float(int(value.strip()))


def _snippet(content: bytes) -> str:
    text = content[:200].decode("utf-8", "replace")
    return _CONTROL.sub(" ", text).strip()


def post_json(
    client: httpx.Client,
    *,
    channel: str,
    url: str,
    body: bytes,
    timeout: float,
    secrets: Iterable[str],
    headers: Mapping[str, str] | None = None,
    check: ReplyCheck | None = None,
) -> Delivery:
    """POST ``body`` to ``url`` and describe the outcome.

    Args:
        client: The httpx client (injected so tests can point it at a local server).
        channel: Channel name, copied into the delivery.
        url: Full URL, possibly carrying a token in its query.
        body: The exact bytes to send (already signed where needed).
        timeout: Seconds for connect, read, write and pool each.
        secrets: Values to remove from any error text (tokens, keys).
        headers: Extra request headers.
        check: For robots that answer 200 with an error code in JSON: returns the error.

    Returns:
        A delivery; never raises for network or HTTP problems.
    """
    secret_list = [s for s in secrets if s]
    all_headers = {"Content-Type": "application/json; charset=utf-8"}
    all_headers.update(headers or {})
    try:
        response = client.post(
            url,
            content=body,
            headers=all_headers,
            timeout=httpx.Timeout(timeout),
            follow_redirects=False,
        )
    except (httpx.TimeoutException, httpx.TransportError) as exc:
        # The exception text can quote the URL, which carries the robot's token.
        return failure(channel, f"{type(exc).__name__}: {exc}", secrets=secret_list, retryable=True)
    except httpx.HTTPError as exc:
        return failure(channel, f"{type(exc).__name__}: {exc}", secrets=secret_list)
    status = response.status_code
    if status == 429 or status >= 500:
        return failure(
            channel,
            f"HTTP {status}: {_snippet(response.content)}",
            secrets=secret_list,
            http_status=status,
            retryable=True,
            retry_after=_retry_after(response.headers.get("Retry-After")),
        )
    if not 200 <= status < 300:
        return failure(
            channel,
            f"HTTP {status}: {_snippet(response.content)}",
            secrets=secret_list,
            http_status=status,
        )
    if check is not None:
        try:
            reply = json.loads(response.content)
        except ValueError:
            return failure(
                channel,
                f"unexpected reply (not JSON): {_snippet(response.content)}",
                secrets=secret_list,
                http_status=status,
            )
        problem = check(reply)
        if problem is not None:
            return failure(channel, problem, secrets=secret_list, http_status=status)
    return Delivery(channel=channel, ok=True, status="sent", http_status=status)


def code_check(key: str, message_key: str, *, fallback_key: str | None = None) -> ReplyCheck:
    """Build a check for replies like ``{"errcode": 0, "errmsg": "ok"}``.

    Args:
        key: Field holding the numeric result code; ``0`` means success.
        message_key: Field holding the human-readable error.
        fallback_key: Older field name for the code, used when ``key`` is absent.
    """

    def check(reply: Any) -> str | None:
        if not isinstance(reply, dict):
            return "unexpected reply (not a JSON object)"
        code = reply.get(key)
        if code is None and fallback_key is not None:
            code = reply.get(fallback_key)
        if code is None:
            return f"unexpected reply (no {key!r})"
        if code != 0:
            detail = _CONTROL.sub(" ", str(reply.get(message_key, "")))[:200]
            return f"{key} {code}: {detail}"
        return None

    return check
