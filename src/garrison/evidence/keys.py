"""Evidence keys: the key file in the data directory and the keyring loaded from it.

``<home>/keys/evidence.keys`` holds one JSON object per line::

    {"id": "20250301-3fa2b1c9", "algorithm": "aes-256-gcm", "key": "<base64>", "created": "..."}

The last line is the current key, used for new files; every older key stays so that files
sealed before a rotation still open. Keys live outside the database on purpose (a stolen
database dump does not include them) and never appear in ``repr``, ``str``, logs or errors.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
import secrets
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TypeVar

from garrison.core.clock import Clock
from garrison.core.errors import ConfigError
from garrison.evidence import fsutil
from garrison.evidence.algorithms import Algorithm, require_available

KEYS_DIR = "keys"
KEY_FILE = "evidence.keys"
_LOCK_FILE = "evidence.keys.lock"
_T = TypeVar("_T")

KEY_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
"""Key ids are short ASCII names: they are written into every file header."""


@dataclass(frozen=True, slots=True, repr=False)
class Key:
    """One symmetric key. ``repr``/``str`` show the id and algorithm, never the material.

    Attributes:
        id: Stable name written into file headers (``KEY_ID_PATTERN``).
        algorithm: The AEAD this key is for.
        material: The raw key bytes (32 for AES-256-GCM, 16 for SM4-GCM).
        created: When the key was generated (aware UTC).
    """

    id: str
    algorithm: Algorithm
    material: bytes
    created: datetime

    def __post_init__(self) -> None:
        if not KEY_ID_PATTERN.fullmatch(self.id):
            raise ConfigError(f"invalid key id {self.id!r}", hint="use letters, digits, . _ -")
        if len(self.material) != self.algorithm.key_size:
            # The actual length is fine to show; the bytes are not.
            raise ConfigError(
                f"key {self.id!r} has {len(self.material)} bytes, {self.algorithm.value} "
                f"needs {self.algorithm.key_size}"
            )
        if self.created.tzinfo is None:
            raise ConfigError(f"key {self.id!r} has a creation time without a timezone")

    def __repr__(self) -> str:
        return (
            f"Key(id={self.id!r}, algorithm={self.algorithm.value!r}, "
            f"created={self.created.isoformat()!r})"
        )

    __str__ = __repr__


def generate_key(algorithm: Algorithm, *, clock: Clock, taken: Sequence[str] = ()) -> Key:
    """Make a new random key whose id is the creation date plus 8 random hex digits."""
    created = clock.now().astimezone(UTC)
    while True:
        key_id = f"{created:%Y%m%d}-{secrets.token_hex(4)}"
        if key_id not in taken:
            break
    return Key(key_id, algorithm, secrets.token_bytes(algorithm.key_size), created)


def key_file_path(home: Path) -> Path:
    """Where the evidence key file lives in the data directory ``home``."""
    return home / KEYS_DIR / KEY_FILE


class Keyring:
    """The evidence keys, backed by the key file (or held in memory only, for tests).

    Thread-safe: the store may seal in one thread while another rotates.
    """

    def __init__(self, keys: Sequence[Key], *, path: Path | None = None) -> None:
        """Build a keyring from ``keys`` (oldest first; the last one is current).

        Args:
            keys: At least one key, ids unique.
            path: The key file to reload from and persist rotations to; None keeps it in memory.

        Raises:
            ConfigError: No keys, or two keys share an id.
        """
        _check_keys(keys, path)
        self._keys = list(keys)
        self._path = path
        self._lock = threading.Lock()

    @classmethod
    def open(
        cls,
        home: Path,
        *,
        clock: Clock,
        algorithm: Algorithm | str = Algorithm.AES_256_GCM,
    ) -> Keyring:
        """Load ``<home>/keys/evidence.keys``, creating it with one new key on first use.

        Args:
            home: The data directory.
            clock: Stamps the creation time of a generated key.
            algorithm: Algorithm of the first key when the file does not exist yet. An existing
                file is loaded as it is; call :meth:`ensure_current` to switch algorithms.

        Raises:
            ConfigError: The file is readable by group/others, malformed, or empty.
        """
        algo = Algorithm.parse(algorithm) if isinstance(algorithm, str) else algorithm
        path = key_file_path(home)
        fsutil.ensure_private_dir(path.parent)
        with fsutil.locked(path.parent / _LOCK_FILE):
            if not path.exists():
                require_available(algo)
                first = generate_key(algo, clock=clock)
                fsutil.write_private_atomic(path, _dump([first]))
            return cls(_load(path), path=path)

    @property
    def path(self) -> Path | None:
        """The backing key file, or None for an in-memory keyring."""
        return self._path

    def current(self) -> Key:
        """The key new files are sealed with (the most recently added)."""
        with self._lock:
            return self._keys[-1]

    def get(self, key_id: str) -> Key:
        """Return the key called ``key_id``.

        Raises:
            ConfigError: No such key in the keyring or the key file.
        """
        key = self.find(key_id)
        if key is None:
            raise ConfigError(
                f"no evidence key with id {key_id!r}",
                hint="restore the key file from a backup; data sealed with a lost key cannot be "
                "recovered",
            )
        return key

    def find(self, key_id: str) -> Key | None:
        """Return the key called ``key_id``, or None if there is none.

        Another process may have rotated since this keyring was loaded, so a miss re-reads
        the key file once before giving up.

        Raises:
            ConfigError: The key file became unreadable or malformed since it was loaded.
        """
        with self._lock:
            for key in self._keys:
                if key.id == key_id:
                    return key
            if self._path is not None and self._path.exists():
                self._keys = _load(self._path)
                for key in self._keys:
                    if key.id == key_id:
                        return key
        return None

    def ids(self) -> list[str]:
        """Key ids, oldest first."""
        with self._lock:
            return [k.id for k in self._keys]

    def rotate(self, algorithm: Algorithm | str, *, clock: Clock) -> Key:
        """Add a new current key; older keys stay available for reading.

        The key file is re-read under a cross-process lock first, so concurrent rotations in
        two processes both survive instead of one overwriting the other's key.

        Returns:
            The new current key.

        Raises:
            ConfigError: The algorithm is unknown or unavailable in this build.
        """
        algo = Algorithm.parse(algorithm) if isinstance(algorithm, str) else algorithm
        require_available(algo)
        with self._lock:
            if self._path is None:
                key = generate_key(algo, clock=clock, taken=[k.id for k in self._keys])
                self._keys.append(key)
                return key
            with fsutil.locked(self._path.parent / _LOCK_FILE):
                keys = _load(self._path)
                key = generate_key(algo, clock=clock, taken=[k.id for k in keys])
                keys.append(key)
                fsutil.write_private_atomic(self._path, _dump(keys))
                self._keys = keys
                return key

    def ensure_current(self, algorithm: Algorithm | str, *, clock: Clock) -> Key:
        """Rotate only if the current key is not for ``algorithm`` (the configured one)."""
        algo = Algorithm.parse(algorithm) if isinstance(algorithm, str) else algorithm
        current = self.current()
        if current.algorithm is algo:
            return current
        return self.rotate(algo, clock=clock)

    def __repr__(self) -> str:
        with self._lock:
            ids = [k.id for k in self._keys]
        return f"Keyring(path={self._path!s}, keys={ids!r}, current={ids[-1]!r})"

    __str__ = __repr__


def _check_keys(keys: Sequence[Key], path: Path | None) -> None:
    where = f" in {path}" if path else ""
    if not keys:
        raise ConfigError(
            f"no evidence keys{where}",
            hint="restore the key file from a backup, or remove the empty file to start anew",
        )
    seen: set[str] = set()
    for key in keys:
        if key.id in seen:
            raise ConfigError(f"evidence key id {key.id!r} appears twice{where}")
        seen.add(key.id)


def _dump(keys: Sequence[Key]) -> bytes:
    lines = [
        json.dumps(
            {
                "id": k.id,
                "algorithm": k.algorithm.value,
                "key": base64.b64encode(k.material).decode("ascii"),
                "created": k.created.astimezone(UTC).isoformat(),
            }
        )
        for k in keys
    ]
    return ("\n".join(lines) + "\n").encode("ascii")


def _load(path: Path) -> list[Key]:
    fsutil.check_private(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise ConfigError(f"{path} is not a text key file") from None
    keys = [
        _parse_line(line, path, number)
        for number, line in enumerate(text.splitlines(), start=1)
        if line.strip()
    ]
    _check_keys(keys, path)
    return keys


def _parse_line(line: str, path: Path, number: int) -> Key:
    # Messages name the line and field but never quote the line: it contains a key. Errors are
    # raised outside the ``except`` blocks so no parser exception (JSONDecodeError keeps the
    # whole line in ``.doc``) rides along as ``__context__`` into logs.
    where = f"{path}, line {number}"
    obj: Any = _or_none(json.loads, line)
    if not isinstance(obj, dict):
        raise ConfigError(f"{where}: not a JSON object")
    fields: dict[str, str] = {}
    for name in ("id", "algorithm", "key", "created"):
        value = obj.get(name)
        if not isinstance(value, str):
            raise ConfigError(f"{where}: field {name!r} is missing or not a string")
        fields[name] = value
    material = _or_none(lambda text: base64.b64decode(text, validate=True), fields["key"])
    if material is None:
        raise ConfigError(f"{where}: field 'key' is not valid base64")
    created = _or_none(datetime.fromisoformat, fields["created"])
    if created is None:
        raise ConfigError(f"{where}: field 'created' is not an ISO 8601 time")
    try:
        return Key(fields["id"], Algorithm.parse(fields["algorithm"]), material, created)
    except ConfigError as exc:
        error = ConfigError(f"{where}: {exc.message}", hint=exc.hint)
    raise error


def _or_none(parse: Callable[[str], _T], text: str) -> _T | None:
    try:
        return parse(text)
    except (ValueError, binascii.Error):
        return None
