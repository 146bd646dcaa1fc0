"""A small Docker Engine API client: just what the container actions need.

It speaks HTTP over the daemon's unix socket (``unix:///var/run/docker.sock``) or to a TCP
address (``http://host:2375``, ``https://host:2376``). Paths carry the API version
(:data:`API_VERSION`); a daemon older than that answers 400 "client version ... is too new.
Maximum supported API version is 1.43", and the client then uses the daemon's version once it
is at least :data:`OLDEST_API_VERSION` (the request shapes used here exist since 1.41).

Every failure becomes an :class:`~garrison.core.errors.ActionError`: a timeout, an unreachable
daemon and 5xx answers may succeed later (``retryable``); 404 ("no such container"), 409 (a
conflict such as "not running") and other refusals will not.

:class:`Endpoint` is a container's endpoint on one network as Garrison records it when it
isolates the container, converted from ``docker inspect`` and back to ``EndpointConfig``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Annotated, Any
from urllib.parse import quote, urlsplit

import httpx
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from garrison.core.errors import ActionError
from garrison.respond.actions.base import Effect
from garrison.respond.actions.values import IpAddress

#: The Engine API version used first: Docker 25 and later (Docker 29 refuses older ones).
API_VERSION = "1.44"
#: The oldest version this client falls back to (Docker 20.10).
OLDEST_API_VERSION = "1.41"
#: Seconds to wait for the daemon on ordinary calls.
DEFAULT_TIMEOUT = 30.0

_TOO_NEW = re.compile(r"[Mm]aximum supported API version is (\d+)\.(\d+)")
_HINT = "check [response] docker_url and that Garrison may use the Docker socket"


def _version(text: str) -> tuple[int, int]:
    major, minor = text.split(".")
    return int(major), int(minor)


def _segment(value: str) -> str:
    """One URL path segment (ids and names are validated already; this is the backstop)."""
    if value in {"", ".", ".."}:  # would change the path itself once normalised
        raise ActionError(f"{value!r} cannot be part of a URL path")
    return quote(value, safe="")


def _message(response: httpx.Response) -> str:
    """The daemon's ``{"message": ...}``, or the status line, cut to 300 characters."""
    try:
        data = response.json()
        text = str(data.get("message", "")) if isinstance(data, dict) else ""
    except ValueError:
        text = ""
    return (text or f"HTTP {response.status_code}").strip()[:300]


# --- endpoint settings (what a reconnect restores) ----------------------------------------


def _printable(value: str) -> str:
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        raise ValueError("control characters are not allowed")
    return value


#: A Docker network name or id, as Docker accepts them.
NetworkName = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")]
#: An alias, link or driver option: printable text without control characters.
Token = Annotated[str, StringConstraints(min_length=1, max_length=255), AfterValidator(_printable)]
OptionValue = Annotated[str, StringConstraints(max_length=1024), AfterValidator(_printable)]


class Ipam(BaseModel):
    """The static addresses of an endpoint (Docker's ``IPAMConfig``)."""

    model_config = ConfigDict(extra="forbid")

    ipv4_address: IpAddress | None = None
    ipv6_address: IpAddress | None = None
    link_local_ips: list[IpAddress] = Field(default_factory=list, max_length=16)


class Endpoint(BaseModel):
    """What ``POST /networks/{id}/connect`` needs to restore a container's endpoint.

    Attributes:
        aliases: DNS names of the container on that network.
        links: Legacy links (``container:alias``).
        ipam: Addresses the container was given explicitly (``--ip``), if any.
        driver_opts: Options of the network driver for this endpoint.
    """

    model_config = ConfigDict(extra="forbid")

    aliases: list[Token] = Field(default_factory=list, max_length=64)
    links: list[Token] = Field(default_factory=list, max_length=64)
    ipam: Ipam | None = None
    driver_opts: dict[Token, OptionValue] = Field(default_factory=dict, max_length=32)

    @classmethod
    def from_docker(cls, data: Mapping[str, Any]) -> Endpoint:
        """The settings of one ``NetworkSettings.Networks`` entry of an inspect result."""
        raw_ipam = data.get("IPAMConfig") or {}
        ipam = None
        if (
            raw_ipam.get("IPv4Address")
            or raw_ipam.get("IPv6Address")
            or raw_ipam.get("LinkLocalIPs")
        ):
            ipam = Ipam(
                ipv4_address=raw_ipam.get("IPv4Address") or None,
                ipv6_address=raw_ipam.get("IPv6Address") or None,
                link_local_ips=list(raw_ipam.get("LinkLocalIPs") or []),
            )
        return cls(
            aliases=list(data.get("Aliases") or []),
            links=list(data.get("Links") or []),
            ipam=ipam,
            driver_opts=dict(data.get("DriverOpts") or {}),
        )

    def to_docker(self) -> dict[str, Any]:
        """Docker's ``EndpointConfig`` (only the fields that are set)."""
        config: dict[str, Any] = {}
        if self.aliases:
            config["Aliases"] = list(self.aliases)
        if self.links:
            config["Links"] = list(self.links)
        if self.ipam is not None:
            ipam: dict[str, Any] = {}
            if self.ipam.ipv4_address:
                ipam["IPv4Address"] = self.ipam.ipv4_address
            if self.ipam.ipv6_address:
                ipam["IPv6Address"] = self.ipam.ipv6_address
            if self.ipam.link_local_ips:
                ipam["LinkLocalIPs"] = list(self.ipam.link_local_ips)
            config["IPAMConfig"] = ipam
        if self.driver_opts:
            config["DriverOpts"] = dict(self.driver_opts)
        return config


class DockerClient:
    """Calls of the Docker Engine API, each mapped to one daemon request.

    Args:
        url: ``unix:///path/to/docker.sock`` or ``http(s)://host:port``.
        timeout: Seconds per request (a stop adds its grace period on top).

    Raises:
        ActionError: For an address of another form.
    """

    def __init__(self, url: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
        self.url = url
        self.version = API_VERSION
        parts = urlsplit(url)
        if parts.scheme == "unix" and parts.path:
            # The host part of the URL is ignored by a unix-socket transport; "docker" reads
            # well in logs. Plain HTTP over the socket: no TLS context to build (and load).
            transport = httpx.HTTPTransport(uds=parts.path, verify=False)
            base = "http://docker"
        elif parts.scheme in {"http", "https"} and parts.hostname:
            # Certificates are verified for https; plain http needs no TLS context.
            transport = httpx.HTTPTransport(verify=parts.scheme == "https")
            base = f"{parts.scheme}://{parts.netloc}"
        else:
            raise ActionError(
                f"{url!r} is not a Docker address",
                hint="use unix:///var/run/docker.sock or http(s)://host:port in [response] "
                "docker_url",
            )
        # trust_env=False: a proxy from the environment must never carry Docker API calls.
        self._client = httpx.Client(
            base_url=base, transport=transport, timeout=timeout, trust_env=False
        )

    def __enter__(self) -> DockerClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the connection pool."""
        self._client.close()

    # --- effects (for plans: no request) ------------------------------------------------

    def effect(self, method: str, path: str) -> Effect:
        """The :class:`Effect` of a request to ``path`` (without the version prefix)."""
        return Effect("http", f"{method} {self.url} /v{self.version}{path}")

    # --- requests -----------------------------------------------------------------------

    def _request(
        self,
        method: str,
        path: str,
        *,
        missing: str,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        timeout: float | None = None,
    ) -> httpx.Response:
        """Send one request and map failures; ``missing`` is the message for a 404."""
        for _attempt in range(2):
            response = self._send(method, path, params=params, body=body, timeout=timeout)
            if response.status_code == 400 and self._downgrade(response):
                continue
            self._raise_for(response, missing)
            return response
        raise ActionError(f"the Docker daemon at {self.url} refused every API version")

    def _send(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None,
        body: Any,
        timeout: float | None,
    ) -> httpx.Response:
        kwargs: dict[str, Any] = {"params": params, "json": body}
        if timeout is not None:
            kwargs["timeout"] = timeout
        try:
            return self._client.request(method, f"/v{self.version}{path}", **kwargs)
        except httpx.TimeoutException:
            raise ActionError(
                f"the Docker daemon at {self.url} did not answer in time", retryable=True
            ) from None
        except httpx.TransportError as exc:
            raise ActionError(
                f"cannot reach the Docker daemon at {self.url}: {exc}"[:300],
                retryable=True,
                hint=_HINT,
            ) from None

    def _downgrade(self, response: httpx.Response) -> bool:
        """Switch to the daemon's API version when it says ours is too new."""
        match = _TOO_NEW.search(_message(response))
        if match is None:
            return False
        theirs = (int(match.group(1)), int(match.group(2)))
        if theirs < _version(OLDEST_API_VERSION) or theirs >= _version(self.version):
            raise ActionError(
                f"the Docker daemon at {self.url} supports API {theirs[0]}.{theirs[1]}; "
                f"Garrison needs {OLDEST_API_VERSION} or later",
                hint="upgrade Docker to 20.10 or later",
            )
        self.version = f"{theirs[0]}.{theirs[1]}"
        return True

    def _raise_for(self, response: httpx.Response, missing: str) -> None:
        status = response.status_code
        if status < 400:
            return
        detail = _message(response)
        if status == 404:
            raise ActionError(f"{missing} ({detail})")
        if status == 409:
            raise ActionError(f"Docker refused: {detail}")
        if status >= 500 or status == 429:
            raise ActionError(f"the Docker daemon failed: {detail}", retryable=True)
        raise ActionError(f"Docker refused the request ({status}): {detail}", hint=_HINT)

    # --- containers ---------------------------------------------------------------------

    def inspect(self, container: str) -> dict[str, Any]:
        """``GET /containers/{id}/json``: the container's state, config and networks."""
        response = self._request(
            "GET",
            f"/containers/{_segment(container)}/json",
            missing=f"no such container: {container}",
        )
        data = response.json()
        if not isinstance(data, dict):
            raise ActionError(f"Docker answered an unexpected inspect result for {container}")
        return data

    def pause(self, container: str) -> None:
        """``POST /containers/{id}/pause`` (freezes every process of the container)."""
        self._request(
            "POST",
            f"/containers/{_segment(container)}/pause",
            missing=f"no such container: {container}",
        )

    def unpause(self, container: str) -> None:
        """``POST /containers/{id}/unpause``."""
        self._request(
            "POST",
            f"/containers/{_segment(container)}/unpause",
            missing=f"no such container: {container}",
        )

    def stop(self, container: str, timeout: int) -> bool:
        """``POST /containers/{id}/stop?t=N``; ``False`` when it was stopped already (304)."""
        response = self._request(
            "POST",
            f"/containers/{_segment(container)}/stop",
            missing=f"no such container: {container}",
            params={"t": str(timeout)},
            timeout=(self._client.timeout.read or DEFAULT_TIMEOUT) + timeout,
        )
        return response.status_code != 304

    def start(self, container: str) -> bool:
        """``POST /containers/{id}/start``; ``False`` when it was running already (304)."""
        response = self._request(
            "POST",
            f"/containers/{_segment(container)}/start",
            missing=f"no such container: {container}",
        )
        return response.status_code != 304

    # --- networks -----------------------------------------------------------------------

    def disconnect(self, network: str, container: str) -> None:
        """``POST /networks/{id}/disconnect`` with ``Force`` (works on stopped containers)."""
        self._request(
            "POST",
            f"/networks/{_segment(network)}/disconnect",
            missing=f"no such container or network: {container} / {network}",
            body={"Container": container, "Force": True},
        )

    def connect(self, network: str, container: str, endpoint: Mapping[str, Any]) -> None:
        """``POST /networks/{id}/connect`` with the endpoint settings to restore."""
        self._request(
            "POST",
            f"/networks/{_segment(network)}/connect",
            missing=f"no such container or network: {container} / {network}",
            body={"Container": container, "EndpointConfig": dict(endpoint)},
        )

    # --- images and file systems --------------------------------------------------------

    def commit(self, container: str, *, repo: str, tag: str, comment: str) -> str:
        """``POST /commit``: an image of the container (paused meanwhile); its id."""
        response = self._request(
            "POST",
            "/commit",
            missing=f"no such container: {container}",
            params={
                "container": container,
                "repo": repo,
                "tag": tag,
                "pause": "true",
                "comment": comment,
            },
        )
        try:
            data = response.json()
        except ValueError:
            data = None
        image = data.get("Id") if isinstance(data, dict) else None
        if not isinstance(image, str) or not image:
            raise ActionError(f"Docker did not say which image it made of {container}")
        return image

    @contextmanager
    def export(self, container: str) -> Iterator[Iterator[bytes]]:
        """``GET /containers/{id}/export``: the container's file system as a tar stream.

        Yields:
            The body in chunks; the connection closes when the block ends.
        """
        path = f"/containers/{_segment(container)}/export"
        missing = f"no such container: {container}"
        for _attempt in range(2):
            try:
                with self._client.stream("GET", f"/v{self.version}{path}") as response:
                    if response.status_code == 400:
                        response.read()
                        if self._downgrade(response):
                            continue
                    if response.status_code >= 400:
                        response.read()
                        self._raise_for(response, missing)
                    yield response.iter_bytes()
                    return
            except httpx.TimeoutException:
                raise ActionError(
                    f"the Docker daemon at {self.url} stopped sending the export", retryable=True
                ) from None
            except httpx.TransportError as exc:
                raise ActionError(
                    f"the export from {self.url} broke off: {exc}"[:300], retryable=True
                ) from None
        raise ActionError(f"the Docker daemon at {self.url} refused every API version")
