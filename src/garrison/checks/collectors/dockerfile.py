"""Dockerfiles parsed into instructions and build stages, with line numbers.

A small parser of our own (no dependency, fast on thousands of files) that follows BuildKit's
reading of a Dockerfile: parser directives (``# escape=``) at the top, comment lines dropped
(also inside continued instructions), lines continued with the escape character joined,
heredocs (``RUN <<EOF`` ... ``EOF``) read as bodies rather than instructions, JSON (exec)
and shell forms, multi-stage ``FROM ... AS name`` and ``ARG`` before the first ``FROM``.
Parsing never fails: a line that is no instruction is kept as one with an unknown keyword.

Files are chosen by name: ``Dockerfile``, ``Dockerfile.*``, ``*.Dockerfile``, ``*.dockerfile``,
``Containerfile`` and ``Containerfile.*``.
"""

from __future__ import annotations

import json
import os
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

#: Instructions whose leading ``--name=value`` words are flags (``COPY --from=build``).
_FLAGGED = {"FROM", "RUN", "COPY", "ADD", "HEALTHCHECK"}
#: Instructions that may carry heredocs (BuildKit, Dockerfile syntax 1.4+).
_HEREDOC_KEYWORDS = {"RUN", "COPY", "ADD"}
_KEYWORD = re.compile(r"(\S+)\s*")
_DIRECTIVE = re.compile(r"^#\s*([a-zA-Z][a-zA-Z0-9]*)\s*=\s*(.*?)\s*$")
_HEREDOC = re.compile(r"(?<![<\w])<<(-?)\s*([\"']?)([A-Za-z_][\w.-]*)\2")
_VARIABLE = re.compile(r"\$(?:\{(\w+)(?:(:?[-+])([^}]*))?\}|(\w+))")
#: Folders never worth walking (version control, dependencies, caches).
SKIP_DIRS = frozenset({".git", ".hg", ".svn", "node_modules", ".venv", "__pycache__", ".tox"})
#: Files larger than this are not Dockerfiles worth reading.
MAX_SIZE = 2 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Instruction:
    """One instruction.

    Attributes:
        keyword: Upper-cased (``FROM``, ``RUN``...).
        value: Everything after the keyword, continued lines joined (escape and newline
            removed, comment lines dropped), flags included.
        line: The 1-based line of the keyword.
        end_line: The last line of the instruction (heredoc bodies included).
        flags: Leading ``--name=value`` flags (``FROM``, ``RUN``, ``COPY``, ``ADD``,
            ``HEALTHCHECK``), name without dashes -> value (``""`` for a bare ``--flag``).
        args: ``value`` without the flags.
        exec_form: The arguments when ``args`` is a JSON array of strings, else ``None``.
        heredocs: The bodies of the instruction's heredocs, in order.
        offsets: ``(offset in value, line)`` where each joined physical line starts.
    """

    keyword: str
    value: str
    line: int
    end_line: int
    flags: tuple[tuple[str, str], ...] = ()
    args: str = ""
    exec_form: tuple[str, ...] | None = None
    heredocs: tuple[str, ...] = ()
    offsets: tuple[tuple[int, int], ...] = ()

    def flag(self, name: str) -> str | None:
        """The value of flag ``name`` (without dashes), ``None`` when absent."""
        for key, value in self.flags:
            if key == name:
                return value
        return None

    def line_at(self, offset: int) -> int:
        """The physical line of character ``offset`` of :attr:`value`."""
        if not self.offsets:
            return self.line
        index = bisect_right([o for o, _ in self.offsets], offset) - 1
        return self.offsets[max(index, 0)][1]

    @property
    def command(self) -> str:
        """The command text of a ``RUN`` (exec form joined), heredoc bodies appended."""
        text = " ".join(self.exec_form) if self.exec_form is not None else self.args
        return "\n".join((text, *self.heredocs))


@dataclass(frozen=True, slots=True)
class Stage:
    """One build stage (from a ``FROM`` to the next).

    Attributes:
        index: 0-based position.
        image: The base image as written (``python:3.12``, ``${BASE}``, ``build``).
        resolved: ``image`` with global ``ARG`` defaults substituted; ``None`` when a variable
            has no default (the image is only known at build time).
        name: The ``AS`` name (lower-cased, as BuildKit compares them), or ``None``.
        line: The line of the ``FROM``.
        instructions: The stage's instructions, its ``FROM`` first.
    """

    index: int
    image: str
    resolved: str | None
    name: str | None
    line: int
    instructions: tuple[Instruction, ...]

    def last(self, keyword: str) -> Instruction | None:
        """The stage's last ``keyword`` instruction."""
        for instruction in reversed(self.instructions):
            if instruction.keyword == keyword:
                return instruction
        return None


@dataclass(frozen=True, slots=True)
class Dockerfile:
    """A parsed Dockerfile.

    Attributes:
        file: Its path.
        instructions: Every instruction, in order.
        stages: The build stages.
        global_args: ``ARG`` before the first ``FROM``: name -> default (``None``: no default).
    """

    file: str
    instructions: tuple[Instruction, ...]
    stages: tuple[Stage, ...]
    global_args: tuple[tuple[str, str | None], ...] = ()

    @property
    def final(self) -> Stage | None:
        """The stage that becomes the image (the last), ``None`` without ``FROM``."""
        return self.stages[-1] if self.stages else None

    def base_stage(self, stage: Stage) -> Stage | None:
        """The earlier stage ``stage`` builds on (``FROM build``), ``None`` for an image."""
        image = (stage.resolved or stage.image).lower()
        for earlier in self.stages[: stage.index]:
            if earlier.name == image or str(earlier.index) == image:
                return earlier
        return None

    def lineage(self, stage: Stage) -> list[Stage]:
        """``stage`` then the earlier stages it builds on, nearest first."""
        chain = [stage]
        while (base := self.base_stage(chain[-1])) is not None and base not in chain:
            chain.append(base)
        return chain


@dataclass
class DockerfileFacts:
    """What the collector found.

    Attributes:
        files: The parsed Dockerfiles.
        errors: ``(file, line or None, reason)`` for each Dockerfile that could not be read
            (the same shape as the Compose collector's errors).
    """

    files: list[Dockerfile] = field(default_factory=list)
    errors: list[tuple[str, int | None, str]] = field(default_factory=list)


def is_dockerfile(path: Path) -> bool:
    """Whether the file's name says it is a Dockerfile (or a Containerfile)."""
    name = path.name
    lower = name.lower()
    return (
        lower in ("dockerfile", "containerfile")
        or lower.startswith(("dockerfile.", "containerfile."))
        or lower.endswith(".dockerfile")
    ) and not lower.endswith((".dockerignore", ".md", ".txt"))


def words(text: str, escape: str = "\\") -> list[tuple[str, int]]:
    """Split like a shell (quotes, escapes) into ``(word, start offset)``, never failing."""
    found: list[tuple[str, int]] = []
    current: list[str] = []
    start = -1
    quote = ""
    i = 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == quote:
                quote = ""
            elif char == escape and quote == '"' and i + 1 < len(text):
                i += 1
                current.append(text[i])
            else:
                current.append(char)
        elif char.isspace():
            if start >= 0:
                found.append(("".join(current), start))
                current, start = [], -1
        else:
            if start < 0:
                start = i
            if char in "\"'":
                quote = char
            elif char == escape and i + 1 < len(text):
                i += 1
                current.append(text[i])
            else:
                current.append(char)
        i += 1
    if start >= 0:
        found.append(("".join(current), start))
    return found


def pairs(instruction: Instruction, escape: str = "\\") -> list[tuple[str, str | None, int]]:
    """``ENV`` / ``ARG`` / ``LABEL`` as ``(name, value or None, line)``.

    Handles ``NAME=value`` (several per instruction, quoted) and the legacy ``ENV NAME value``.
    """
    split = words(instruction.args, escape)
    if not split:
        return []
    base = len(instruction.value) - len(instruction.args)  # flags come before the arguments
    first, offset = split[0]
    if instruction.keyword == "ENV" and "=" not in first:
        rest = instruction.args[offset + len(first) :].strip()
        legacy = words(rest, escape)
        text = (
            " ".join(w for w, _ in legacy) if len(legacy) > 1 else (legacy[0][0] if legacy else "")
        )
        return [(first, text, instruction.line_at(base + offset))]
    found: list[tuple[str, str | None, int]] = []
    for word, start in split:
        name, eq, value = word.partition("=")
        if name:
            found.append((name, value if eq else None, instruction.line_at(base + start)))
    return found


def substitute(text: str, variables: dict[str, str | None]) -> str | None:
    """``text`` with ``$VAR`` / ``${VAR}`` / ``${VAR:-word}`` / ``${VAR:+word}`` replaced.

    Returns:
        The text, or ``None`` when a variable has no value and no default.
    """
    unknown = False

    def replace(match: re.Match[str]) -> str:
        nonlocal unknown
        name = match.group(1) or match.group(4)
        operator, word = match.group(2), match.group(3) or ""
        value = variables.get(name)
        if operator in (":-", "-"):
            return value if value else word
        if operator in (":+", "+"):
            return word if value else ""
        if value is None:
            unknown = True
            return match.group(0)
        return value

    result = _VARIABLE.sub(replace, text)
    return None if unknown else result


def _split_lines(text: str) -> list[str]:
    # Docker reads lines split on "\n" only (with "\r" trimmed): str.splitlines would also split
    # on form feeds and Unicode separators and shift every line number after them.
    return [line[:-1] if line.endswith("\r") else line for line in text.split("\n")]


def _directives(lines: list[str]) -> tuple[str, int]:
    """The escape character and the index of the first line after the parser directives."""
    escape = "\\"
    seen: set[str] = set()
    for index, line in enumerate(lines):
        match = _DIRECTIVE.match(line)
        if not match or match.group(1).lower() in seen:
            return escape, index
        name = match.group(1).lower()
        seen.add(name)
        if name == "escape" and match.group(2) in ("\\", "`"):
            escape = match.group(2)
    return escape, len(lines)


def _continues(line: str, escape: str) -> bool:
    stripped = line.rstrip(" \t")
    return stripped.endswith(escape)


def _flags(keyword: str, value: str) -> tuple[tuple[tuple[str, str], ...], str]:
    if keyword not in _FLAGGED:
        return (), value
    flags = []
    rest = value
    while rest.startswith("--"):
        word, _, after = rest.partition(" ")
        name, _, flag_value = word[2:].partition("=")
        if not name:
            break
        flags.append((name.lower(), flag_value))
        rest = after.lstrip()
    return tuple(flags), rest


def _exec_form(args: str) -> tuple[str, ...] | None:
    if not args.startswith("["):
        return None
    try:
        parsed = json.loads(args)
    except ValueError:
        return None
    if isinstance(parsed, list) and all(isinstance(p, str) for p in parsed):
        return tuple(parsed)
    return None


def _instructions(lines: list[str], start: int, escape: str) -> Iterator[Instruction]:
    i = start
    while i < len(lines):
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        first = i
        text = lines[i].lstrip()
        offsets = [(0, i + 1)]
        while _continues(text, escape) and i + 1 < len(lines):
            text = text.rstrip(" \t")[:-1]
            i += 1
            # Comment and empty lines inside a continued instruction are dropped.
            while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
                i += 1
            if i >= len(lines):
                break
            offsets.append((len(text), i + 1))
            text += lines[i]
        if _continues(text, escape):  # the file ends on a continuation
            text = text.rstrip(" \t")[:-1]
        head = _KEYWORD.match(text)
        keyword = head.group(1) if head else ""
        shift = head.end() if head else 0
        value = text[shift:].rstrip()
        upper = keyword.upper()
        flags, args = _flags(upper, value)
        heredocs: list[str] = []
        if upper in _HEREDOC_KEYWORDS and "<<" in args:
            for match in _HEREDOC.finditer(args):
                strip_tabs, terminator = match.group(1) == "-", match.group(3)
                body: list[str] = []
                while i + 1 < len(lines):
                    i += 1
                    line = lines[i].lstrip("\t") if strip_tabs else lines[i]
                    if line == terminator:
                        break
                    body.append(line)
                heredocs.append("\n".join(body))
        yield Instruction(
            keyword=upper,
            value=value,
            line=first + 1,
            end_line=i + 1,
            flags=flags,
            args=args,
            exec_form=_exec_form(args),
            heredocs=tuple(heredocs),
            offsets=tuple((max(o - shift, 0), n) for o, n in offsets),  # relative to value
        )
        i += 1


def _from_parts(instruction: Instruction) -> tuple[str, str | None]:
    split = [w for w, _ in words(instruction.args)]
    image = split[0] if split else ""
    name = split[2].lower() if len(split) >= 3 and split[1].lower() == "as" else None
    return image, name


def parse(text: str, file: str) -> Dockerfile:
    """Parse a Dockerfile's text (never fails)."""
    lines = _split_lines(text)
    escape, start = _directives(lines)
    instructions = tuple(_instructions(lines, start, escape))
    global_args: dict[str, str | None] = {}
    stages: list[Stage] = []
    current: list[Instruction] = []
    head: Instruction | None = None

    def close() -> None:
        if head is None:
            return
        image, name = _from_parts(head)
        stages.append(
            Stage(
                index=len(stages),
                image=image,
                resolved=substitute(image, global_args),
                name=name,
                line=head.line,
                instructions=tuple(current),
            )
        )

    for instruction in instructions:
        if instruction.keyword == "FROM":
            close()
            head, current = instruction, [instruction]
        elif head is None:
            if instruction.keyword == "ARG":
                for name, default, _ in pairs(instruction, escape):
                    global_args[name] = default
        else:
            current.append(instruction)
    close()
    return Dockerfile(file, instructions, tuple(stages), tuple(global_args.items()))


def _files(paths: Iterable[Path]) -> Iterator[Path]:
    for path in paths:
        if path.is_dir():
            found: list[Path] = []
            for folder, dirs, names in os.walk(path):
                dirs[:] = [d for d in dirs if d not in SKIP_DIRS]
                found.extend(Path(folder, n) for n in names if is_dockerfile(Path(n)))
            yield from sorted(found)
        elif is_dockerfile(path):
            yield path


def collect(paths: Iterable[Path]) -> DockerfileFacts:
    """Find and parse the Dockerfiles among ``paths`` (folders are walked)."""
    facts = DockerfileFacts()
    for file in _files(paths):
        try:
            if file.stat().st_size > MAX_SIZE:
                facts.errors.append((str(file), None, f"larger than {MAX_SIZE} bytes: not read"))
                continue
            text = file.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            facts.errors.append((str(file), None, f"cannot read: {exc.strerror or exc}"))
            continue
        facts.files.append(parse(text, str(file)))
    return facts
