"""Facts about a web endpoint, from a small fixed set of HTTP requests (and TLS handshakes).

Requests (GET, redirects never followed, bodies read at most :data:`MAX_BODY` bytes, each
request bounded in time), all relative to the directory of the URL's path unless noted:

1. the page itself (headers, ``Set-Cookie``, body);
2. ``.git/HEAD``, ``.git/config``, ``.svn/entries``, ``.svn/wc.db`` (version control);
3. ``.env``;
4. ``.DS_Store``;
5. ten backup names (:data:`BACKUP_PATHS`);
6. ``uploads/``, ``static/``, ``files/`` (directory listings; the page itself is the fourth);
7. a random path that does not exist (404 and debug pages) and the page with a malformed query
   (stack traces);
8. ``actuator`` and ``actuator/env`` (Spring Boot; ``actuator/heapdump`` is never fetched: it
   would make the server dump its heap, the index tells whether it is exposed);
9. ``phpinfo.php``;
10. ``/manager/html`` at the root (Tomcat); only when it asks for HTTP Basic authentication
    and ``try_default_credentials`` is set, at most :data:`MAX_ATTEMPTS` logins from
    :data:`DEFAULT_CREDENTIALS`, stopping at the first that works.

That is 26 requests plus at most 5 logins; for ``https`` URLs, five TLS handshakes
(:mod:`garrison.checks.collectors.web_tls`). Bodies are attacker-controlled: facts keep them
as bytes for checks to match with regular expressions, never to run or render. Cookie values
are dropped at once, and passwords tried are never kept: only the user name that worked.
"""

from __future__ import annotations

import secrets
import ssl
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from importlib.metadata import PackageNotFoundError, version
from urllib.parse import urlsplit, urlunsplit

import httpx

from garrison.checks.collectors.web_tls import TlsFacts, probe_tls, trust_context

try:
    _VERSION = version("garrison")
except PackageNotFoundError:  # a source tree without an install
    _VERSION = "dev"

#: Says who is knocking: operators grepping their logs see a baseline scan, not an attack.
USER_AGENT = f"Garrison-baseline/{_VERSION} (+security configuration check)"
#: Bytes of a body kept (debug pages and phpinfo fit; a leaked backup is not downloaded).
MAX_BODY = 256 * 1024
#: Bytes kept of files that are recognised by their first bytes.
MAX_FILE = 16 * 1024
#: Consecutive timeouts after which the host is taken as too slow and probing stops.
MAX_TIMEOUTS = 3

VCS_PATHS = (".git/HEAD", ".git/config", ".svn/entries", ".svn/wc.db")
ENV_PATH = ".env"
DS_STORE_PATH = ".DS_Store"
BACKUP_PATHS = (
    "backup.zip", "www.zip", "wwwroot.zip", "web.rar", "backup.sql", "db.sql",
    "index.php.bak", ".index.php.swp", "config.php.bak", "web.config.bak",
)  # fmt: skip
#: Directories whose listing is probed ("" is the page itself).
LISTING_PATHS = ("", "uploads/", "static/", "files/")
ACTUATOR_PATHS = ("actuator", "actuator/env")
PHPINFO_PATH = "phpinfo.php"
#: Admin pages tried for default credentials (absolute: they live at the server root).
ADMIN_PAGES = ("/manager/html",)
#: Well-known default logins of Tomcat's manager (user, password); short on purpose.
DEFAULT_CREDENTIALS: tuple[tuple[str, str], ...] = (
    ("tomcat", "tomcat"),
    ("admin", "admin"),
    ("admin", "123456"),
    ("tomcat", "s3cret"),
    ("admin", "admin@123"),
)
#: Logins tried in all (Tomcat's LockOutRealm locks a user after 5 failures; we stay below).
MAX_ATTEMPTS = 6
#: The malformed query sent to the page (a quote, an array where a string is expected).
MALFORMED_QUERY = "id=%27%22%3C&page[]=1"


@dataclass(frozen=True, slots=True)
class Response:
    """One probe and what came back.

    Attributes:
        name: The probe, relative to the base (``.git/HEAD``; ``""`` is the page itself).
        url: The full URL requested.
        status: HTTP status (0 when no response: see ``error``).
        headers: Header (lower-case name, value) pairs, repeated headers kept in order.
        body: The first bytes of the body (attacker-controlled; not shown in ``repr``).
        truncated: The body was longer than what was kept.
        error: Why there is no response (timeout, connection reset...).
    """

    name: str
    url: str
    status: int
    headers: tuple[tuple[str, str], ...] = ()
    body: bytes = field(default=b"", repr=False)
    truncated: bool = False
    error: str | None = None

    def header(self, name: str) -> str | None:
        """The first value of header ``name`` (case-insensitive)."""
        values = self.header_all(name)
        return values[0] if values else None

    def header_all(self, name: str) -> list[str]:
        """Every value of header ``name``."""
        lower = name.lower()
        return [v for n, v in self.headers if n == lower]

    @property
    def ok(self) -> bool:
        """A 2xx answer."""
        return 200 <= self.status < 300

    @property
    def text(self) -> str:
        """The body as text (UTF-8, undecodable bytes replaced)."""
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self) -> str:
        """The media type, lower-case, without parameters."""
        return (self.header("content-type") or "").split(";")[0].strip().lower()


@dataclass(frozen=True, slots=True)
class Cookie:
    """A cookie the page sets, without its value (which may be a session token).

    Attributes:
        name: Cookie name.
        secure: ``Secure`` attribute.
        http_only: ``HttpOnly`` attribute.
        same_site: ``SameSite`` value as written (``Lax``, ``Strict``, ``None``) or ``None``.
    """

    name: str
    secure: bool = False
    http_only: bool = False
    same_site: str | None = None


@dataclass(frozen=True, slots=True)
class CredentialProbe:
    """Default logins tried on one admin page.

    Attributes:
        url: The page.
        status: Its status without credentials (0: no answer).
        basic_realm: The realm when it asks for HTTP Basic authentication, else ``None``.
        tried: Whether logins were tried (off when the scan was told not to).
        attempts: Logins sent.
        accepted_user: The user name of a default login that worked (never the password).
    """

    url: str
    status: int
    basic_realm: str | None = None
    tried: bool = False
    attempts: int = 0
    accepted_user: str | None = None


@dataclass(frozen=True, slots=True)
class WebFacts:
    """What the probes of one URL returned (fact name ``web``).

    Attributes:
        url: The URL scanned.
        scheme: ``http`` or ``https``.
        host: Host name or address.
        port: TCP port.
        collected_at: When (UTC).
        responses: Every probe, page first.
        not_found: Name of the probe of a path that does not exist.
        malformed: Name of the probe of the page with a malformed query.
        cookies: Cookies the page sets.
        credentials: Default-login probes of admin pages.
        tls: TLS facts (``https`` only).
        error: Why the page could not be fetched (then only TLS facts may be present).
    """

    url: str
    scheme: str
    host: str
    port: int
    collected_at: datetime
    responses: tuple[Response, ...] = ()
    not_found: str = ""
    malformed: str = ""
    cookies: tuple[Cookie, ...] = ()
    credentials: tuple[CredentialProbe, ...] = ()
    tls: TlsFacts | None = None
    error: str | None = None

    def probe(self, name: str) -> Response | None:
        """The response to probe ``name`` (``None`` when it was not sent)."""
        return next((r for r in self.responses if r.name == name), None)

    @property
    def page(self) -> Response | None:
        """The response of the page itself."""
        return self.probe("")


def parse_set_cookie(header: str) -> Cookie | None:
    """The name and attributes of one ``Set-Cookie`` header (``None`` when it has no name).

    Lenient like browsers: attributes are case-insensitive, unknown ones and stray
    semicolons are ignored, the value is never kept.
    """
    first, *attributes = header.split(";")
    name, sep, _ = first.partition("=")
    name = name.strip()
    if not sep or not name:
        return None
    secure = http_only = False
    same_site: str | None = None
    for attribute in attributes:
        key, _, value = attribute.partition("=")
        key = key.strip().lower()
        if key == "secure":
            secure = True
        elif key == "httponly":
            http_only = True
        elif key == "samesite":
            same_site = value.strip() or None
    return Cookie(name[:128], secure, http_only, same_site)


def _base(url: str) -> tuple[str, str, str, int, str]:
    """Scheme, host, netloc, port and base directory of ``url``.

    Raises:
        ValueError: When it is not an http(s) URL with a host.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    path = parts.path or "/"
    directory = path if path.endswith("/") else path.rsplit("/", 1)[0] + "/"
    return parts.scheme, parts.hostname, parts.netloc, port, directory


class _Prober:
    """Sends the probes with one client; gives up on a host that keeps timing out."""

    def __init__(self, client: httpx.Client, origin: str, directory: str, timeout: float):
        self.client = client
        self.origin = origin
        self.directory = directory
        self.timeout = timeout
        self.timeouts = 0

    def url(self, name: str, query: str = "") -> str:
        path = name if name.startswith("/") else self.directory + name
        return urlunsplit((*urlsplit(self.origin)[:2], path, query, ""))

    def get(
        self,
        name: str,
        *,
        query: str = "",
        limit: int = MAX_BODY,
        auth: tuple[str, str] | None = None,
        url: str | None = None,
    ) -> Response:
        target = url or self.url(name, query)
        if self.timeouts >= MAX_TIMEOUTS:
            return Response(name, target, 0, error="skipped: the host keeps timing out")
        try:
            return self._get(name, target, limit, auth)
        except httpx.TimeoutException as exc:
            self.timeouts += 1
            return Response(name, target, 0, error=f"timeout: {type(exc).__name__}")
        except httpx.HTTPError as exc:
            return Response(name, target, 0, error=f"{type(exc).__name__}: {exc}"[:300])

    def _get(self, name: str, url: str, limit: int, auth: tuple[str, str] | None) -> Response:
        # A slow server drips bytes within each read timeout; the deadline bounds the whole read.
        deadline = time.monotonic() + 2 * self.timeout
        with self.client.stream("GET", url, auth=auth) as answer:
            chunks: list[bytes] = []
            size = 0
            truncated = False
            for chunk in answer.iter_bytes():
                chunks.append(chunk)
                size += len(chunk)
                if size > limit or time.monotonic() > deadline:
                    truncated = True
                    break
            headers = tuple((k.lower(), v) for k, v in answer.headers.multi_items())
        self.timeouts = 0
        body = b"".join(chunks)[:limit]
        return Response(name, url, answer.status_code, headers, body, truncated)


def _basic_realm(answer: Response) -> str | None:
    """The realm of an HTTP Basic challenge (``""`` without one), ``None`` when not asked."""
    if answer.status != 401:
        return None
    for challenge in answer.header_all("www-authenticate"):
        scheme, _, rest = challenge.strip().partition(" ")
        if scheme.lower() == "basic":
            _, _, realm = rest.partition("realm=")
            return realm.split(",")[0].strip().strip('"')[:120]
    return None


def _try_logins(prober: _Prober, page: str, budget: int) -> CredentialProbe:
    """Ask ``page`` without credentials, then try default logins while it asks for Basic."""
    url = prober.url(page)
    first = prober.get(page, limit=MAX_FILE)
    realm = _basic_realm(first)
    if realm is None or budget <= 0:
        return CredentialProbe(url, first.status, realm)
    attempts = 0
    for user, password in DEFAULT_CREDENTIALS[:budget]:
        attempts += 1
        answer = prober.get(page, limit=MAX_FILE, auth=(user, password))
        if answer.ok:
            return CredentialProbe(url, first.status, realm, True, attempts, user)
        if answer.status == 0:  # no answer: do not keep knocking
            break
    return CredentialProbe(url, first.status, realm, True, attempts)


def _probes(prober: _Prober, not_found: str) -> Iterator[Response]:
    """Every probe after the page, in the order of the module docstring."""
    for name in VCS_PATHS:
        yield prober.get(name, limit=MAX_FILE)
    yield prober.get(ENV_PATH, limit=MAX_FILE)
    yield prober.get(DS_STORE_PATH, limit=MAX_FILE)
    for name in BACKUP_PATHS:
        yield prober.get(name, limit=MAX_FILE)
    for name in LISTING_PATHS[1:]:
        yield prober.get(name)
    yield prober.get(not_found)
    for name in ACTUATOR_PATHS:
        yield prober.get(name)
    yield prober.get(PHPINFO_PATH)


def _client(timeout: float, verify: bool | ssl.SSLContext) -> httpx.Client:
    return httpx.Client(
        timeout=timeout,
        verify=trust_context(verify) if verify is not False else False,
        follow_redirects=False,
        headers={"User-Agent": USER_AGENT, "Accept": "*/*"},
        # Proxy variables of the scanning machine are not for the scanned targets.
        trust_env=False,
    )


def collect_web(
    url: str,
    *,
    timeout: float = 5.0,
    verify: bool | ssl.SSLContext = True,
    try_default_credentials: bool = True,
    client: httpx.Client | None = None,
    now: datetime | None = None,
) -> WebFacts:
    """Probe ``url`` once (requests listed in the module docstring) and return the facts.

    Args:
        url: An ``http`` or ``https`` URL; probes go to the directory of its path.
        timeout: Seconds per connection and read (a body read is cut at twice this).
        verify: Verify the server's certificate for the HTTP probes (``True``: system and
            certifi roots; an ``ssl.SSLContext``: its CAs; ``False``: scan anyway). The TLS
            facts always record whether the certificate is trusted.
        try_default_credentials: Try the short list of default logins on admin pages that ask
            for HTTP Basic authentication.
        client: An ``httpx.Client`` to send the requests with (kept open); by default one is
            made with the settings above and closed at the end.
        now: When the scan runs (UTC; default: now).

    Returns:
        The facts. When the page cannot be fetched, ``error`` says why and the other probes
        are not sent.

    Raises:
        ValueError: When ``url`` is not an http(s) URL.
    """
    scheme, host, netloc, port, directory = _base(url)
    collected_at = now or datetime.now(UTC)
    tls = probe_tls(host, port, timeout=timeout, verify=verify) if scheme == "https" else None
    own = client is None
    http = client or _client(timeout, verify)
    try:
        prober = _Prober(http, f"{scheme}://{netloc}", directory, timeout)
        page = prober.get("", url=url)
        if page.status == 0:
            return WebFacts(
                url, scheme, host, port, collected_at, (page,), tls=tls, error=page.error
            )
        not_found = f"garrison-{secrets.token_hex(6)}-not-found"
        responses = [page, *_probes(prober, not_found)]
        malformed_name = f"?{MALFORMED_QUERY}"
        page_path = urlsplit(url).path or "/"
        malformed = prober.get(malformed_name, url=prober.url(page_path, MALFORMED_QUERY))
        responses.append(malformed)
        credentials = []
        budget = MAX_ATTEMPTS
        for admin in ADMIN_PAGES:
            probe = _try_logins(prober, admin, budget if try_default_credentials else 0)
            budget -= probe.attempts
            credentials.append(probe)
    finally:
        if own:
            http.close()
    cookies = tuple(
        c for c in (parse_set_cookie(h) for h in page.header_all("set-cookie")) if c is not None
    )
    return WebFacts(
        url,
        scheme,
        host,
        port,
        collected_at,
        tuple(responses),
        not_found=not_found,
        malformed=malformed_name,
        cookies=cookies,
        credentials=tuple(credentials),
        tls=tls,
    )
