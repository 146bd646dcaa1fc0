"""The Dockerfile parser: instructions, lines, stages, heredocs; found by file name."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.checks.collectors.dockerfile import (
    collect,
    is_dockerfile,
    pairs,
    parse,
    substitute,
    words,
)

SAMPLE = """\
# syntax=docker/dockerfile:1
ARG BASE=python:3.12-slim
ARG VERSION
FROM ${BASE} AS build
# a comment
RUN apt-get update && \\
    # a comment inside the command

    apt-get install -y curl
ENV A=1 \\
    DB_PASSWORD="s3cr et" \\
    B=2
ENV LEGACY_TOKEN some value
RUN <<EOF
FROM not-an-instruction
curl -s https://example.com/i.sh | sh
EOF
COPY --from=build --chown=app <<-ONE <<TWO /x
\tfoo
ONE
bar
TWO
FROM build
USER root
CMD ["python", "-m", "app"]
from scratch as final
"""


def test_instructions_with_their_lines() -> None:
    parsed = parse(SAMPLE, "Dockerfile")
    got = [(i.keyword, i.line, i.end_line) for i in parsed.instructions]
    assert got == [
        ("ARG", 2, 2),
        ("ARG", 3, 3),
        ("FROM", 4, 4),
        ("RUN", 6, 9),
        ("ENV", 10, 12),
        ("ENV", 13, 13),
        ("RUN", 14, 17),
        ("COPY", 18, 22),
        ("FROM", 23, 23),
        ("USER", 24, 24),
        ("CMD", 25, 25),
        ("FROM", 26, 26),
    ]
    run = parsed.instructions[3]
    assert run.args.split() == ["apt-get", "update", "&&", "apt-get", "install", "-y", "curl"]
    assert run.line_at(run.args.index("install")) == 9
    heredoc = parsed.instructions[6]
    assert heredoc.heredocs == ("FROM not-an-instruction\ncurl -s https://example.com/i.sh | sh",)
    assert "curl -s" in heredoc.command
    copy = parsed.instructions[7]
    assert copy.flag("from") == "build" and copy.flag("chown") == "app" and copy.flag("x") is None
    assert copy.heredocs == ("foo", "bar") and copy.args.startswith("<<-ONE")
    assert parsed.instructions[10].exec_form == ("python", "-m", "app")
    assert parsed.instructions[10].command == "python -m app"


def test_env_and_arg_pairs_with_lines() -> None:
    parsed = parse(SAMPLE, "Dockerfile")
    env, legacy = parsed.instructions[4], parsed.instructions[5]
    assert pairs(env) == [("A", "1", 10), ("DB_PASSWORD", "s3cr et", 11), ("B", "2", 12)]
    assert pairs(legacy) == [("LEGACY_TOKEN", "some value", 13)]
    assert pairs(parsed.instructions[1]) == [("VERSION", None, 3)]


def test_stages_resolve_global_args_and_earlier_stages() -> None:
    parsed = parse(SAMPLE, "Dockerfile")
    assert dict(parsed.global_args) == {"BASE": "python:3.12-slim", "VERSION": None}
    build, second, final = parsed.stages
    assert (build.image, build.resolved, build.name, build.line) == (
        "${BASE}",
        "python:3.12-slim",
        "build",
        4,
    )
    assert parsed.base_stage(second) is build and parsed.base_stage(build) is None
    assert [s.index for s in parsed.lineage(second)] == [1, 0]
    assert second.last("USER") is not None and second.last("HEALTHCHECK") is None
    assert final.name == "final" and final.image == "scratch" and parsed.final is final
    assert [i.keyword for i in second.instructions] == ["FROM", "USER", "CMD"]


def test_escape_directive_and_windows_line_endings() -> None:
    text = "# escape=`\r\nFROM mcr.microsoft.com/windows/servercore:ltsc2022\r\nRUN dir `\r\n  C:\\\r\nUSER ContainerUser\r\n"
    parsed = parse(text, "Dockerfile")
    assert [(i.keyword, i.line) for i in parsed.instructions] == [
        ("FROM", 2),
        ("RUN", 3),
        ("USER", 5),
    ]
    assert parsed.instructions[1].args.split() == ["dir", "C:\\"]


def test_directive_after_a_comment_is_a_comment() -> None:
    text = "# hello\n# escape=`\nRUN a `\nRUN b\n"
    assert [i.line for i in parse(text, "f").instructions] == [3, 4]


def test_substitute_and_words() -> None:
    env: dict[str, str | None] = {"A": "x", "B": None}
    assert substitute("$A:${A}-${C:-d}${A:+y}", env) == "x:x-dy"
    assert substitute("${B}", env) is None and substitute("${B:-z}", env) == "z"
    assert words("a \"b c\" d\\ e 'f g'") == [("a", 0), ("b c", 2), ("d e", 8), ("f g", 13)]
    assert words('unbalanced "quote') == [("unbalanced", 0), ("quote", 11)]


def test_names_that_are_dockerfiles(tmp_path: Path) -> None:
    yes = ["Dockerfile", "dockerfile", "Dockerfile.prod", "api.Dockerfile", "Containerfile"]
    no = ["Dockerfile.md", "docker-compose.yml", "README", "Dockerfile.dockerignore"]
    assert all(is_dockerfile(Path(n)) for n in yes)
    assert not any(is_dockerfile(Path(n)) for n in no)
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "Dockerfile").write_text("FROM alpine:3.20\n")
    (tmp_path / "app.Dockerfile").write_text("FROM alpine:3.20\nUSER app\n")
    (tmp_path / "notes.md").write_text("FROM alpine\n")
    facts = collect([tmp_path])
    assert sorted(Path(f.file).name for f in facts.files) == ["Dockerfile", "app.Dockerfile"]
    assert facts.errors == []
    # An explicit path is still chosen by name: the CLI hands every path to every collector.
    assert collect([tmp_path / "notes.md"]).files == []


_KEYWORDS = st.sampled_from(["FROM", "RUN", "ENV", "COPY", "USER", "CMD", "LABEL", "WORKDIR"])
_WORD = st.from_regex(r"[A-Za-z0-9_./:=$-]{1,8}", fullmatch=True)


@st.composite
def _dockerfiles(draw: st.DrawFn) -> tuple[str, list[tuple[str, int, list[str]]]]:
    """A Dockerfile with comments, blank lines and continuations, and what it holds."""
    lines: list[str] = []
    expected: list[tuple[str, int, list[str]]] = []
    for _ in range(draw(st.integers(1, 8))):
        for _ in range(draw(st.integers(0, 2))):
            lines.append(draw(st.sampled_from(["", "   ", "# note", "  # indented note"])))
        keyword = draw(_KEYWORDS)
        args = draw(st.lists(_WORD, min_size=1, max_size=6))
        cased = draw(st.sampled_from([keyword, keyword.lower(), keyword.title()]))
        expected.append((keyword, len(lines) + 1, args))
        # Split the arguments over continued lines, with comments and blanks between them.
        parts = [args[0]]
        for word in args[1:]:
            if draw(st.booleans()):
                parts.append(word)
            else:
                parts[-1] += " " + word
        physical = [f"{draw(st.sampled_from(['', '  ']))}{cased} {parts[0]}"]
        for part in parts[1:]:
            physical[-1] += draw(st.sampled_from([" \\", "\\", " \\  "]))
            physical.extend(draw(st.lists(st.sampled_from(["# inside", ""]), max_size=1)))
            physical.append("    " + part)
        lines.extend(physical)
    return "\n".join(lines) + draw(st.sampled_from(["", "\n"])), expected


@settings(max_examples=300, deadline=None)
@given(_dockerfiles())
def test_generated_dockerfiles_parse_back(
    case: tuple[str, list[tuple[str, int, list[str]]]],
) -> None:
    text, expected = case
    parsed = parse(text, "Dockerfile")
    assert [(i.keyword, i.line) for i in parsed.instructions] == [(k, n) for k, n, _ in expected]
    for instruction, (_, _, args) in zip(parsed.instructions, expected, strict=True):
        assert instruction.value.split() == args
        assert instruction.line <= instruction.end_line
        # Every word is reported on the physical line it was written on.
        for word, offset in words(instruction.value, "\x00"):
            line = text.split("\n")[instruction.line_at(offset) - 1]
            assert word in line


@settings(max_examples=300, deadline=None)
@given(st.text(st.characters(codec="utf-8"), max_size=300))
def test_any_text_parses_with_sane_lines(text: str) -> None:
    parsed = parse(text, "Dockerfile")
    count = len(text.split("\n"))
    previous = 0
    for instruction in parsed.instructions:
        assert previous < instruction.line <= instruction.end_line <= count
        previous = instruction.end_line
    assert sum(len(s.instructions) for s in parsed.stages) <= len(parsed.instructions)
