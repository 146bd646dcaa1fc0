"""TLS facts of an HTTPS endpoint: the protocol versions it accepts and its certificate.

One handshake per protocol version (TLS 1.0, 1.1, 1.2, 1.3), each with a context pinned to that
version and ``DEFAULT:@SECLEVEL=0`` ciphers so this OpenSSL can still *offer* the old versions,
plus one verifying handshake that tells whether the certificate is trusted and matches the
host name. Handshakes send no application data. A version this OpenSSL cannot offer at all is
recorded as ``None`` (unknown), never as "refused".
"""

from __future__ import annotations

import socket
import ssl
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from cryptography import x509

try:  # httpx's own roots; a dependency of httpx, not of ours
    import certifi

    _CERTIFI: str | None = certifi.where()
except ImportError:  # pragma: no cover - httpx installs it
    _CERTIFI = None

#: Label -> ssl version, oldest first.
VERSIONS: tuple[tuple[str, ssl.TLSVersion], ...] = (
    ("TLS 1.0", ssl.TLSVersion.TLSv1),
    ("TLS 1.1", ssl.TLSVersion.TLSv1_1),
    ("TLS 1.2", ssl.TLSVersion.TLSv1_2),
    ("TLS 1.3", ssl.TLSVersion.TLSv1_3),
)
#: Versions that RFC 8996 deprecates.
OLD_VERSIONS = ("TLS 1.0", "TLS 1.1")
#: OpenSSL verify codes about dates (the certificate check reports dates itself).
_DATE_CODES = {9, 10}  # X509_V_ERR_CERT_NOT_YET_VALID, X509_V_ERR_CERT_HAS_EXPIRED
#: Client-side reasons meaning "this OpenSSL will not offer that version" (not the server).
_LOCAL_REFUSALS = ("NO_PROTOCOLS_AVAILABLE", "NO_SUITABLE_SIGNATURE_ALGORITHM")


@dataclass(frozen=True, slots=True)
class Certificate:
    """The leaf certificate the server presents.

    Attributes:
        subject: Subject distinguished name (RFC 4514).
        issuer: Issuer distinguished name (RFC 4514).
        not_before: Start of validity (UTC).
        not_after: End of validity (UTC).
        self_signed: The issuer is the subject (nothing vouches for the key but itself).
        names: DNS names and IP addresses of the subjectAltName extension.
    """

    subject: str
    issuer: str
    not_before: datetime
    not_after: datetime
    self_signed: bool
    names: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class TlsFacts:
    """What the TLS handshakes told about ``host:port``.

    Attributes:
        host: The host name (or address) connected to; also the SNI name.
        port: The TCP port.
        versions: Label ("TLS 1.0"...) -> accepted (True), refused (False), or ``None`` when
            this machine's OpenSSL cannot offer that version, so it could not be tried.
        certificate: The leaf certificate, when a handshake succeeded.
        verified: The certificate chains to a trusted root and matches the host name
            (``None`` when the verifying handshake could not be made at all).
        verify_error: OpenSSL's reason when verification failed (``self-signed certificate``,
            ``Hostname mismatch...``).
        verify_code: OpenSSL's verify code for ``verify_error`` (18 self-signed, 62 host name
            mismatch, 10 expired...).
        error: Why nothing could be learned (connection refused, timeout...).
    """

    host: str
    port: int
    versions: Mapping[str, bool | None]
    certificate: Certificate | None = None
    verified: bool | None = None
    verify_error: str | None = None
    verify_code: int | None = None
    error: str | None = None

    @property
    def accepted(self) -> tuple[str, ...]:
        """The versions the server accepted, oldest first."""
        return tuple(label for label, _ in VERSIONS if self.versions.get(label))

    @property
    def untested(self) -> tuple[str, ...]:
        """The versions this OpenSSL could not offer."""
        return tuple(label for label, _ in VERSIONS if self.versions.get(label, None) is None)

    @property
    def trust_problem(self) -> bool:
        """Verification failed for a reason other than the certificate's dates."""
        return self.verified is False and self.verify_code not in _DATE_CODES


def trust_context(verify: bool | ssl.SSLContext = True) -> ssl.SSLContext:
    """The context that decides whether a certificate is trusted.

    The system store plus certifi's roots (what ``httpx`` trusts by default), or the caller's
    own context (an internal CA). Ours also offers TLS 1.0/1.1, so that the certificate of a
    legacy-only server can still be judged (its old versions are reported separately).
    """
    if isinstance(verify, ssl.SSLContext):
        return verify
    context = ssl.create_default_context()
    if _CERTIFI is not None:
        context.load_verify_locations(cafile=_CERTIFI)
    context.set_ciphers("DEFAULT:@SECLEVEL=0")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
    return context


def _pinned(version: ssl.TLSVersion) -> ssl.SSLContext:
    """A non-verifying context that offers exactly ``version``."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we only ask whether the version is accepted
    context.set_ciphers("DEFAULT:@SECLEVEL=0")  # else OpenSSL 3 will not offer TLS 1.0/1.1
    with (
        warnings.catch_warnings()
    ):  # setting TLSv1/TLSv1_1 is deprecated; probing them is the point
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = version
        context.maximum_version = version
    return context


class _UnreachableError(Exception):
    """The TCP connection itself failed: no point trying other versions."""


def _handshake(host: str, port: int, context: ssl.SSLContext, timeout: float) -> bytes | None:
    """One handshake; the peer's DER certificate.

    ``server_hostname`` is the host: a name is sent as SNI and checked against the
    certificate; an IP address is not sent (SNI carries names only) but still checked.

    Raises:
        _UnreachableError: When the TCP connection cannot be made.
        ssl.SSLError: When the handshake fails (OSError when the server drops it).
    """
    try:
        raw = socket.create_connection((host, port), timeout=timeout)
    except OSError as exc:
        raise _UnreachableError(f"{type(exc).__name__}: {exc}") from exc
    with raw, context.wrap_socket(raw, server_hostname=host) as tls:
        return tls.getpeercert(binary_form=True)


def parse_certificate(der: bytes) -> Certificate:
    """The fields of a DER certificate that the checks read."""
    cert = x509.load_der_x509_certificate(der)
    names: tuple[str, ...] = ()
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        pass
    else:
        dns = san.get_values_for_type(x509.DNSName)
        ips = [str(ip) for ip in san.get_values_for_type(x509.IPAddress)]
        names = tuple(dns) + tuple(ips)
    return Certificate(
        subject=cert.subject.rfc4514_string(),
        issuer=cert.issuer.rfc4514_string(),
        not_before=cert.not_valid_before_utc.astimezone(UTC),
        not_after=cert.not_valid_after_utc.astimezone(UTC),
        self_signed=cert.issuer == cert.subject,
        names=names,
    )


def probe_tls(
    host: str, port: int, *, timeout: float = 5.0, verify: bool | ssl.SSLContext = True
) -> TlsFacts:
    """Handshake with ``host:port`` once per TLS version, then once verifying.

    Args:
        host: Host name or IP address (also the SNI name and the name the certificate must
            carry).
        port: TCP port.
        timeout: Seconds per connection.
        verify: The trust to verify the certificate against (``True``: system and certifi
            roots; a context: its CAs). ``False`` still verifies against the default roots:
            whether a certificate is trusted is a fact about the server, not about the scan.

    Returns:
        The facts; ``error`` is set when no handshake at all could be made.
    """
    versions: dict[str, bool | None] = {}
    der: bytes | None = None
    for label, version in VERSIONS:
        try:
            context = _pinned(version)
        except (ValueError, ssl.SSLError):
            versions[label] = None
            continue
        try:
            peer = _handshake(host, port, context, timeout)
        except _UnreachableError as exc:  # a down or filtered host: do not wait once per version
            return TlsFacts(host, port, versions, error=str(exc))
        except ssl.SSLError as exc:
            local = any(reason in str(exc) for reason in _LOCAL_REFUSALS)
            versions[label] = None if local else False
        except OSError:  # reset or timed out mid-handshake: the server did not take it
            versions[label] = False
        else:
            versions[label] = True
            der = der or peer
    if not any(versions.values()):
        return TlsFacts(host, port, versions, error="no TLS version was accepted")
    verified: bool | None
    verify_error: str | None = None
    verify_code: int | None = None
    context = trust_context(verify)
    try:
        peer = _handshake(host, port, context, timeout)
        verified = True
        der = peer or der
    except ssl.SSLCertVerificationError as exc:
        verified, verify_error, verify_code = False, exc.verify_message, exc.verify_code
    except (_UnreachableError, ssl.SSLError, OSError) as exc:  # e.g. a context refusing TLS 1.0
        verified, verify_error = None, f"{type(exc).__name__}: {exc}"
    certificate = parse_certificate(der) if der else None
    return TlsFacts(
        host,
        port,
        versions,
        certificate=certificate,
        verified=verified,
        verify_error=verify_error,
        verify_code=verify_code,
    )
