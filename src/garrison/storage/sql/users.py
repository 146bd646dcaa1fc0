"""Garrison's own accounts: one person one account, roles, passwords, TOTP, lockout.

Every change and every login attempt is written to the audit trail in the same transaction.
An account locked by repeated failures also raises an alert in Garrison itself (rule
``garrison.auth.lockout``), so the security team sees attacks on its own tool.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from garrison.alerts.live import fingerprint
from garrison.alerts.model import AlertMeta
from garrison.auth import totp
from garrison.auth.lockout import LockoutPolicy
from garrison.auth.passwords import PasswordPolicy, hash_password, reused, verify_password
from garrison.core.clock import Clock
from garrison.core.errors import AuthError, InputError, NotFoundError
from garrison.correlate.episodes import Episode
from garrison.storage.sql import audit
from garrison.storage.sql import tables as t
from garrison.storage.sql.codec import from_micros, to_micros
from garrison.storage.sql.detection import save_alert

ROLES = ("admin", "analyst", "auditor")
LANGUAGES = ("zh-CN", "en")
_NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,63}$")
LOCKOUT_RULE = "garrison.auth.lockout"


class LoginOutcome(StrEnum):
    """Why a login succeeded or not (shown to the user only as "invalid credentials")."""

    OK = "ok"
    BAD_CREDENTIALS = "bad_credentials"
    MFA_REQUIRED = "mfa_required"
    BAD_MFA = "bad_mfa"
    LOCKED = "locked"
    DISABLED = "disabled"
    PASSWORD_EXPIRED = "password_expired"  # noqa: S105 - an outcome name, not a password


@dataclass(frozen=True, slots=True)
class User:
    """An account (never with its secrets).

    Attributes:
        id: Its number.
        name: Login name.
        display_name: Full name.
        role: ``admin``, ``analyst`` or ``auditor``.
        disabled: Cannot log in.
        mfa_enrolled: A TOTP code has been confirmed.
        locked_until: End of a lockout, if locked.
        password_changed_at: When the password was last set.
        language: UI language (``zh-CN`` or ``en``).
        timezone: IANA zone the console shows times in (``None``: the server's setting).
        created_at: When the account was created.
        last_login_at: Last successful login.
    """

    id: int
    name: str
    display_name: str | None
    role: str
    disabled: bool
    mfa_enrolled: bool
    locked_until: datetime | None
    password_changed_at: datetime
    language: str
    timezone: str | None
    created_at: datetime
    last_login_at: datetime | None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""

        def iso(when: datetime | None) -> str | None:
            return when.isoformat().replace("+00:00", "Z") if when else None

        return {
            "id": self.id,
            "name": self.name,
            "display_name": self.display_name,
            "role": self.role,
            "disabled": self.disabled,
            "mfa_enrolled": self.mfa_enrolled,
            "locked_until": iso(self.locked_until),
            "password_changed_at": iso(self.password_changed_at),
            "language": self.language,
            "timezone": self.timezone,
            "created_at": iso(self.created_at),
            "last_login_at": iso(self.last_login_at),
        }


@dataclass(frozen=True, slots=True)
class Enrolment:
    """A TOTP secret to enrol in an authenticator app (shown once)."""

    secret: str
    uri: str


def _user(row: Any) -> User:
    return User(
        id=row.id,
        name=row.name,
        display_name=row.display_name,
        role=row.role,
        disabled=bool(row.disabled),
        mfa_enrolled=bool(row.totp_confirmed),
        locked_until=from_micros(row.locked_until) if row.locked_until is not None else None,
        password_changed_at=from_micros(row.password_changed_at),
        language=row.language,
        timezone=row.timezone,
        created_at=from_micros(row.created_at),
        last_login_at=from_micros(row.last_login_at) if row.last_login_at is not None else None,
    )


class UserStore:
    """Creates, changes and authenticates accounts."""

    def __init__(
        self,
        engine: Engine,
        clock: Clock,
        *,
        passwords: PasswordPolicy | None = None,
        lockout: LockoutPolicy | None = None,
        mfa_roles: frozenset[str] = frozenset({"admin"}),
    ) -> None:
        """Use ``engine`` and ``clock`` with the given policies."""
        self.engine = engine
        self.clock = clock
        self.passwords = passwords or PasswordPolicy()
        self.lockout = lockout or LockoutPolicy()
        self.mfa_roles = mfa_roles

    # -- reading ---------------------------------------------------------------------------

    def list(self) -> list[User]:
        """Every account, by name."""
        with self.engine.connect() as conn:
            return [_user(r) for r in conn.execute(sa.select(t.users).order_by(t.users.c.name))]

    def get(self, name: str) -> User:
        """One account.

        Raises:
            InputError: If there is no such account.
        """
        with self.engine.connect() as conn:
            row = self._row(conn, name)
        return _user(row)

    def count(self) -> int:
        """How many accounts exist."""
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.count()).select_from(t.users)).scalar_one())

    @staticmethod
    def _row(conn: Connection, name: str) -> Any:
        row = conn.execute(sa.select(t.users).where(t.users.c.name == name)).first()
        if row is None:
            raise NotFoundError(f"no user {name!r}", hint="see 'garrison users list'")
        return row

    # -- changing --------------------------------------------------------------------------

    def _check_password(self, name: str, password: str) -> str:
        problems = self.passwords.problems(password, name)
        if problems:
            raise InputError(
                "the password does not meet the policy: " + "; ".join(problems),
                hint="use a passphrase of 12+ characters with upper, lower, digit and symbol",
            )
        return hash_password(password)

    def create(
        self,
        name: str,
        role: str,
        password: str,
        *,
        actor: str,
        display_name: str | None = None,
        language: str = "zh-CN",
    ) -> tuple[User, Enrolment | None]:
        """Create an account; return it and, for roles that need MFA, its TOTP enrolment.

        Raises:
            InputError: On an invalid or taken name, an unknown role, or a weak password.
        """
        if not _NAME.match(name):
            raise InputError(
                f"invalid user name {name!r}",
                hint="2-64 characters: lowercase letters, digits, '.', '_', '-'; a letter first",
            )
        if role not in ROLES:
            raise InputError(f"unknown role {role!r}", hint=f"one of {', '.join(ROLES)}")
        if language not in LANGUAGES:
            raise InputError(f"unknown language {language!r}", hint="zh-CN or en")
        digest = self._check_password(name, password)
        secret = totp.new_secret() if role in self.mfa_roles else None
        now = to_micros(self.clock.now())
        with self.engine.begin() as conn:
            if conn.execute(sa.select(t.users.c.id).where(t.users.c.name == name)).first():
                raise InputError(f"user {name!r} exists", hint="one person, one account")
            key = conn.execute(
                t.users.insert().values(
                    name=name,
                    display_name=display_name,
                    role=role,
                    password_hash=digest,
                    password_changed_at=now,
                    totp_secret=secret,
                    totp_confirmed=False,
                    disabled=False,
                    language=language,
                    created_at=now,
                )
            ).inserted_primary_key
            assert key is not None  # noqa: S101 - an insert always has one
            conn.execute(
                t.password_history.insert(),
                {"user_id": int(key[0]), "password_hash": digest, "created_at": now},
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="user.create",
                target=f"user:{name}",
                details={"role": role, "display_name": display_name, "mfa": secret is not None},
            )
            row = self._row(conn, name)
        enrolment = Enrolment(secret, totp.provisioning_uri(secret, name)) if secret else None
        return _user(row), enrolment

    def _set(
        self,
        name: str,
        values: dict[str, Any],
        *,
        actor: str,
        action: str,
        details: dict[str, Any] | None = None,
    ) -> None:
        with self.engine.begin() as conn:
            self._row(conn, name)
            conn.execute(t.users.update().where(t.users.c.name == name).values(**values))
            # Disabling, enabling or re-enrolling an account ends its browser sessions.
            conn.execute(t.sessions.delete().where(t.sessions.c.user_name == name))
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action=action,
                target=f"user:{name}",
                details=details or {},
            )

    def disable(self, name: str, *, actor: str, reason: str) -> None:
        """Disable an account (it stays on record; its audit history keeps its name)."""
        self._set(
            name, {"disabled": True}, actor=actor, action="user.disable", details={"reason": reason}
        )

    def enable(self, name: str, *, actor: str, reason: str) -> None:
        """Enable an account and clear any lockout."""
        self._set(
            name,
            {"disabled": False, "locked_until": None},
            actor=actor,
            action="user.enable",
            details={"reason": reason},
        )

    def reset_mfa(self, name: str, *, actor: str, reason: str) -> Enrolment:
        """Give an account a new TOTP secret; the next login with its code enrols it."""
        secret = totp.new_secret()
        self._set(
            name,
            {"totp_secret": secret, "totp_confirmed": False, "totp_last_step": None},
            actor=actor,
            action="user.reset_mfa",
            details={"reason": reason},
        )
        return Enrolment(secret, totp.provisioning_uri(secret, name))

    def set_preferences(
        self, name: str, *, language: str, timezone: str | None, actor: str
    ) -> None:
        """Set an account's console language and time zone (audited).

        Raises:
            InputError: On an unknown language or time zone.
        """
        if language not in LANGUAGES:
            raise InputError(f"unknown language {language!r}", hint="zh-CN or en")
        if timezone is not None:
            try:
                ZoneInfo(timezone)
            except (ZoneInfoNotFoundError, ValueError) as exc:
                raise InputError(
                    f"unknown time zone {timezone!r}", hint="an IANA name such as Asia/Shanghai"
                ) from exc
        with self.engine.begin() as conn:
            self._row(conn, name)
            conn.execute(
                t.users.update()
                .where(t.users.c.name == name)
                .values(language=language, timezone=timezone)
            )
            audit.append(
                conn,
                self.clock,
                actor=actor,
                action="user.preferences",
                target=f"user:{name}",
                details={"language": language, "timezone": timezone},
            )

    def pending_enrolment(self, name: str) -> Enrolment | None:
        """The TOTP enrolment of an account that has a secret but has not confirmed a code.

        The console shows it (as a QR code) in the MFA step of the first login, after the
        password was checked, so that a new administrator can enrol without a terminal.
        """
        with self.engine.connect() as conn:
            row = self._row(conn, name)
        if row.totp_secret is None or row.totp_confirmed:
            return None
        return Enrolment(row.totp_secret, totp.provisioning_uri(row.totp_secret, name))

    def change_own_password(self, name: str, current: str, new: str, *, source: str = "") -> None:
        """A person changes their own password, proving the current one first.

        A wrong current password counts as a login failure (so this cannot be used to guess
        passwords past the lockout) and is audited.

        Raises:
            AuthError: The current password is wrong, or the account is locked.
            InputError: The new password breaks the policy or was used recently.
        """
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = self._row(conn, name)
            locked = row.locked_until is not None and to_micros(now) < row.locked_until
            proven = not locked and verify_password(row.password_hash, current)
            if not proven:
                audit.append(
                    conn,
                    self.clock,
                    actor=f"user:{name}",
                    action="login.failure",
                    target=f"user:{name}",
                    details={"source": source, "outcome": "bad_current_password"},
                )
                if not locked:
                    self._fail(conn, name, now, source)
        if not proven:
            raise AuthError("the current password is not right")
        self.change_password(name, new, actor=f"user:{name}")

    def change_password(self, name: str, new: str, *, actor: str) -> None:
        """Set a new password: policy and history (none of the last ``history``) apply.

        Raises:
            InputError: If the password is weak or was used recently.
        """
        digest = self._check_password(name, new)
        now = to_micros(self.clock.now())
        history = t.password_history
        with self.engine.begin() as conn:
            row = self._row(conn, name)
            previous = conn.execute(
                sa.select(history.c.password_hash)
                .where(history.c.user_id == row.id)
                .order_by(history.c.created_at.desc(), history.c.id.desc())
                .limit(self.passwords.history)
            ).scalars()
            if reused(new, previous):
                raise InputError(
                    f"the password was used recently (none of the last {self.passwords.history})"
                )
            conn.execute(
                t.users.update()
                .where(t.users.c.id == row.id)
                .values(password_hash=digest, password_changed_at=now)
            )
            conn.execute(
                history.insert(), {"user_id": row.id, "password_hash": digest, "created_at": now}
            )
            # Every session of the account ends with its old password.
            conn.execute(t.sessions.delete().where(t.sessions.c.user_name == name))
            audit.append(
                conn, self.clock, actor=actor, action="user.password_change", target=f"user:{name}"
            )

    # -- logging in ------------------------------------------------------------------------

    def authenticate(
        self, name: str, password: str, code: str | None = None, *, source: str = ""
    ) -> tuple[LoginOutcome, User | None]:
        """Check a login; count failures, lock, audit, and alert on a lockout.

        Args:
            name: Login name.
            password: Password.
            code: TOTP code (required for enrolled accounts and roles that need MFA).
            source: Where the attempt came from (client address), for the audit trail.

        Returns:
            The outcome and, when it is ``OK`` or ``PASSWORD_EXPIRED``, the user.
        """
        return self._attempt(name, password, code, source=source)

    def second_factor(
        self, name: str, code: str, *, source: str = ""
    ) -> tuple[LoginOutcome, User | None]:
        """Finish a login whose password was checked a moment ago (the console's MFA step).

        The caller must hold proof of that check (a pending session); lockout, disabled
        accounts, code replay, failure counting and the audit trail apply as in
        :meth:`authenticate`.
        """
        return self._attempt(name, None, code, source=source)

    def _attempt(
        self, name: str, password: str | None, code: str | None, *, source: str
    ) -> tuple[LoginOutcome, User | None]:
        now = self.clock.now()
        with self.engine.begin() as conn:
            row = conn.execute(sa.select(t.users).where(t.users.c.name == name)).first()
            outcome = self._check(conn, row, password, code, now)
            details = {"source": source, "outcome": outcome.value}
            target = f"user:{name[:64]}"
            if row is not None and outcome in (LoginOutcome.OK, LoginOutcome.PASSWORD_EXPIRED):
                conn.execute(t.login_failures.delete().where(t.login_failures.c.user_name == name))
                conn.execute(
                    t.users.update()
                    .where(t.users.c.id == row.id)
                    .values(last_login_at=to_micros(now))
                )
                audit.append(
                    conn,
                    self.clock,
                    actor=f"user:{name}",
                    action="login.success",
                    target=target,
                    details=details,
                )
                return outcome, _user(self._row(conn, name))
            if outcome is LoginOutcome.MFA_REQUIRED:
                return outcome, None  # password right, code still to come: not a failure
            audit.append(
                conn,
                self.clock,
                actor="anonymous",
                action="login.failure",
                target=target,
                details=details,
            )
            if row is not None and outcome in (LoginOutcome.BAD_CREDENTIALS, LoginOutcome.BAD_MFA):
                self._fail(conn, name, now, source)
        return outcome, None

    def _check(
        self, conn: Connection, row: Any, password: str | None, code: str | None, now: datetime
    ) -> LoginOutcome:
        """The outcome of a login; ``password`` is ``None`` when it was checked before."""
        if row is None:
            # Hash anyway, so that timing does not tell which names exist.
            verify_password(_dummy_hash(), password or "")
            return LoginOutcome.BAD_CREDENTIALS
        if row.locked_until is not None and to_micros(now) < row.locked_until:
            return LoginOutcome.LOCKED
        if row.disabled:
            return LoginOutcome.DISABLED
        if password is not None and not verify_password(row.password_hash, password):
            return LoginOutcome.BAD_CREDENTIALS
        if row.totp_secret is not None and (row.totp_confirmed or row.role in self.mfa_roles):
            if not code:
                return LoginOutcome.MFA_REQUIRED
            step = totp.verify(row.totp_secret, code, now, row.totp_last_step)
            if step is None:
                return LoginOutcome.BAD_MFA
            conn.execute(
                t.users.update()
                .where(t.users.c.id == row.id)
                .values(totp_last_step=step, totp_confirmed=True)
            )
        elif password is None:
            # A second factor for an account without one proves nothing.
            return LoginOutcome.BAD_MFA
        if self.passwords.expired(from_micros(row.password_changed_at), now):
            return LoginOutcome.PASSWORD_EXPIRED
        return LoginOutcome.OK

    def _fail(self, conn: Connection, name: str, now: datetime, source: str) -> None:
        failures = t.login_failures
        conn.execute(failures.insert(), {"user_name": name, "ts": to_micros(now)})
        horizon = to_micros(now - self.lockout.window)
        conn.execute(
            failures.delete().where(failures.c.user_name == name, failures.c.ts <= horizon)
        )
        recent = [
            from_micros(ts)
            for ts in conn.execute(
                sa.select(failures.c.ts).where(failures.c.user_name == name)
            ).scalars()
        ]
        until = self.lockout.lock_until(recent, now)
        if until is None:
            return
        conn.execute(
            t.users.update().where(t.users.c.name == name).values(locked_until=to_micros(until))
        )
        conn.execute(failures.delete().where(failures.c.user_name == name))
        audit.append(
            conn,
            self.clock,
            actor="system",
            action="user.lock",
            target=f"user:{name}",
            details={"failures": len(recent), "until": until.isoformat(), "source": source},
        )
        group = (name, source or None)
        save_alert(
            conn,
            _LOCKOUT,
            fingerprint(LOCKOUT_RULE, group),
            Episode(group=group, first=min(recent), last=now, count=len(recent), event_ids=[]),
            status="new",
            suppression_id=None,
            now=to_micros(now),
        )


_LOCKOUT = AlertMeta(
    rule_id=LOCKOUT_RULE,
    title="Garrison account locked after repeated login failures",
    level="high",
    tags=("attack.credential-access", "attack.t1110"),
    author="Garrison",
    kind="rule",
    group_by=("user.name", "source.ip"),
)


@cache
def _dummy_hash() -> str:
    """A hash to verify against for unknown names (computed once, on first need)."""
    return hash_password("garrison-dummy-password-for-timing")
