"""Password and login-failure policy (``password_policy`` fact).

Sources, each value with its file and line:

- ``/etc/login.defs``: ``PASS_MAX_DAYS``, ``PASS_MIN_DAYS``, ``PASS_MIN_LEN``, ``PASS_WARN_AGE``
  (and every other key; the last assignment wins, as in shadow-utils).
- ``/etc/security/pwquality.conf``: libpwquality reads ``pwquality.conf.d/*.conf`` (sorted)
  *first* and the main file last; a later value overrides an earlier one.
- ``/etc/security/pwhistory.conf`` and ``/etc/security/faillock.conf`` (``key = value``).
- The PAM stacks that set passwords and authenticate: ``common-password``/``common-auth``
  (Debian, Ubuntu) and ``system-auth``/``password-auth`` (RHEL family). Options given to a module
  in the stack override its configuration file.
"""

from __future__ import annotations

from dataclasses import dataclass

from garrison.checks.collectors.host._auth_common import Setting, host_glob
from garrison.checks.collectors.host.source import HostSource

FACT = "password_policy"
LOGIN_DEFS = "/etc/login.defs"
PWQUALITY = "/etc/security/pwquality.conf"
PWHISTORY = "/etc/security/pwhistory.conf"
FAILLOCK = "/etc/security/faillock.conf"
#: The stacks read, in this order.
STACKS = (
    "/etc/pam.d/common-password",
    "/etc/pam.d/common-auth",
    "/etc/pam.d/system-auth",
    "/etc/pam.d/password-auth",
)
#: Modules whose lines are kept (base name without ``.so``).
MODULES = {
    "pam_pwquality", "pam_cracklib", "pam_pwhistory", "pam_unix", "pam_faillock", "pam_tally2",
}  # fmt: skip
#: Password quality modules.
QUALITY = ("pam_pwquality", "pam_cracklib")
#: What a quality module uses when neither its options nor its configuration set a value
#: (libpwquality 1.4+; pam_cracklib still gives one character of credit per class).
QUALITY_DEFAULTS: dict[str, dict[str, str]] = {
    "pam_pwquality": {"minlen": "8", "minclass": "0", "dcredit": "0", "ucredit": "0",
                      "lcredit": "0", "ocredit": "0"},
    "pam_cracklib": {"minlen": "9", "minclass": "0", "dcredit": "1", "ucredit": "1",
                     "lcredit": "1", "ocredit": "1"},
}  # fmt: skip


@dataclass(frozen=True, slots=True)
class Resolved:
    """The value a PAM module uses, and where it comes from.

    Attributes:
        value: The value.
        file: The file that sets it (the stack itself for options and defaults).
        line: Its line (the module's line for defaults).
        origin: ``option`` (in the stack), ``config`` (module configuration file) or
            ``default`` (the module's built-in default).
    """

    value: str
    file: str
    line: int
    origin: str


@dataclass(frozen=True, slots=True)
class PamLine:
    """One line of a PAM stack that uses a module the checks care about.

    Attributes:
        file: The stack file.
        line: Its (first) line.
        type: ``password``, ``auth``, ``account`` or ``session`` (a leading ``-`` dropped).
        control: ``required``, ``requisite``, ``[success=1 default=ignore]``...
        module: Base name of the module (``pam_pwquality``).
        options: Option -> value (``""`` for flags such as ``enforce_for_root``).
        option_lines: The raw option words in order (for messages).
    """

    file: str
    line: int
    type: str
    control: str
    module: str
    options: dict[str, str]
    option_lines: tuple[str, ...] = ()

    def option(self, name: str) -> str | None:
        """The value of option ``name`` (the last one given), ``None`` when absent."""
        return self.options.get(name)


@dataclass(frozen=True, slots=True)
class PasswordPolicy:
    """The ``password_policy`` fact.

    Attributes:
        login_defs: ``/etc/login.defs`` key (upper case) -> its effective value.
        pwquality: libpwquality setting (lower case) -> its effective value.
        pwhistory: ``pwhistory.conf`` setting -> value.
        faillock: ``faillock.conf`` setting -> value (flags have value ``""``).
        stacks: The PAM stack files found.
        pam: The relevant module lines of those stacks, in order.
    """

    login_defs: dict[str, Setting]
    pwquality: dict[str, Setting]
    pwhistory: dict[str, Setting]
    faillock: dict[str, Setting]
    stacks: tuple[str, ...]
    pam: tuple[PamLine, ...]

    def modules(self, stack: str, type_: str, *names: str) -> list[PamLine]:
        """The lines of ``stack`` of PAM type ``type_`` using one of the modules ``names``."""
        return [p for p in self.pam if p.file == stack and p.type == type_ and p.module in names]

    def stacks_of(self, type_: str) -> list[str]:
        """The stacks that have lines of PAM type ``type_`` (``password`` or ``auth``)."""
        return [s for s in self.stacks if any(p.file == s and p.type == type_ for p in self.pam)]

    def first_line(self, stack: str, type_: str) -> int | None:
        """The line of the first kept module of type ``type_`` in ``stack`` (where a missing
        module belongs)."""
        return next((p.line for p in self.pam if p.file == stack and p.type == type_), None)

    def quality_module(self, stack: str) -> PamLine | None:
        """The password quality module of ``stack`` (pam_pwquality or pam_cracklib)."""
        found = self.modules(stack, "password", *QUALITY)
        return found[0] if found else None

    def quality(self, stack: str, name: str) -> Resolved | None:
        """The value of quality setting ``name`` in ``stack``: option, then
        ``pwquality.conf`` (pam_pwquality only), then the module default; ``None`` when the
        stack has no quality module."""
        module = self.quality_module(stack)
        if module is None:
            return None
        option = module.option(name)
        if option is not None:
            return Resolved(option, module.file, module.line, "option")
        configured = self.pwquality.get(name) if module.module == "pam_pwquality" else None
        if configured is not None:
            return Resolved(configured.value, configured.file, configured.line, "config")
        default = QUALITY_DEFAULTS[module.module].get(name, "")
        return Resolved(default, module.file, module.line, "default")

    def module_setting(
        self, line: PamLine, name: str, config: dict[str, Setting], default: str | None
    ) -> Resolved | None:
        """Option ``name`` of ``line``, else its configuration file's value, else ``default``."""
        option = line.option(name)
        if option is not None:
            return Resolved(option, line.file, line.line, "option")
        configured = config.get(name)
        if configured is not None:
            return Resolved(configured.value, configured.file, configured.line, "config")
        if default is None:
            return None
        return Resolved(default, line.file, line.line, "default")


def parse_login_defs(text: str, path: str = LOGIN_DEFS) -> dict[str, Setting]:
    """``KEY value`` lines; the last assignment of a key wins (shadow-utils' getdef)."""
    found: dict[str, Setting] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split(None, 1)
        if len(parts) == 2:
            found[parts[0].upper()] = Setting(parts[1].strip().strip('"'), path, number)
    return found


def parse_key_values(text: str, path: str, into: dict[str, Setting]) -> None:
    """``name = value`` (or bare ``flag``) lines into ``into``; later values override."""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, eq, value = line.partition("=")
        name = name.strip().lower()
        if name and " " not in name:
            into[name] = Setting(value.strip() if eq else "", path, number)


def _pam_words(text: str) -> list[str]:
    """PAM line words: ``[...]`` groups (controls, bracketed arguments) stay one word."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        if text[i] == "[":
            end = text.find("]", i)
            end = n if end < 0 else end + 1
            out.append(text[i:end])
            i = end
            continue
        start = i
        while i < n and not text[i].isspace():
            i += 1
        out.append(text[start:i])
    return out


def parse_pam(text: str, path: str) -> list[PamLine]:
    """The lines of a PAM stack that use one of :data:`MODULES`; continued lines joined."""
    found: list[PamLine] = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        start, line = i + 1, lines[i]
        while line.rstrip().endswith("\\") and i + 1 < len(lines):
            i += 1
            line = line.rstrip()[:-1] + " " + lines[i]
        i += 1
        line = line.split("#", 1)[0]
        words = _pam_words(line)
        if len(words) < 3 or words[0].startswith("@"):
            continue
        module = words[2].rsplit("/", 1)[-1].removesuffix(".so")
        if module not in MODULES:
            continue
        options: dict[str, str] = {}
        for word in words[3:]:
            name, _, value = word.strip("[]").partition("=")
            options[name] = value
        found.append(
            PamLine(
                file=path,
                line=start,
                type=words[0].lstrip("-").lower(),
                control=words[1],
                module=module,
                options=options,
                option_lines=tuple(words[3:]),
            )
        )
    return found


def collect(source: HostSource) -> PasswordPolicy:
    """The ``password_policy`` fact of a host."""
    text = source.read_text(LOGIN_DEFS)
    login_defs = parse_login_defs(text, LOGIN_DEFS) if text is not None else {}
    pwquality: dict[str, Setting] = {}
    for path in [*host_glob(source, f"{PWQUALITY}.d/*.conf"), PWQUALITY]:
        text = source.read_text(path)
        if text is not None:
            parse_key_values(text, path, pwquality)
    others: list[dict[str, Setting]] = []
    for path in (PWHISTORY, FAILLOCK):
        values: dict[str, Setting] = {}
        text = source.read_text(path)
        if text is not None:
            parse_key_values(text, path, values)
        others.append(values)
    stacks: list[str] = []
    pam: list[PamLine] = []
    for path in STACKS:
        text = source.read_text(path)
        if text is None:
            continue
        stacks.append(path)
        pam.extend(parse_pam(text, path))
    return PasswordPolicy(
        login_defs=login_defs,
        pwquality=pwquality,
        pwhistory=others[0],
        faillock=others[1],
        stacks=tuple(stacks),
        pam=tuple(pam),
    )
