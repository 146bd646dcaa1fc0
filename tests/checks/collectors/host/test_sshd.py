"""The sshd_config reader: Include, first value wins, Match blocks apart, OpenSSH splitting."""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.checks.collectors.host import sshd
from garrison.checks.collectors.host.source import FileInfo, LocalSource


class MemorySource:
    """A host made of a dict of path -> text (for property tests: no disk)."""

    description = "memory"

    def __init__(self, files: dict[str, str]) -> None:
        self.files = files

    def read_text(self, path: str, limit: int = 1 << 22) -> str | None:
        return self.files.get(path)

    def stat(self, path: str) -> FileInfo | None:
        return FileInfo(path, 0o100644, 0, 0, len(self.files[path])) if path in self.files else None

    def listdir(self, path: str) -> list[str]:
        prefix = path.rstrip("/") + "/"
        return sorted({p[len(prefix) :].split("/")[0] for p in self.files if p.startswith(prefix)})

    def walk(self, top: str, limit: int = 200_000) -> Iterator[FileInfo]:
        return iter(())


def parse(main: str, **others: str) -> sshd.SshdConfig:
    files = {"/etc/ssh/sshd_config": main}
    files.update({posixpath.join("/etc/ssh", k): v for k, v in others.items()})
    return sshd.collect(MemorySource(files))


def test_missing_config_means_no_sshd(tmp_path: Path) -> None:
    config = sshd.collect(LocalSource(tmp_path))
    assert not config.present and config.directives == ()


def test_first_value_wins_and_includes_are_read_in_place() -> None:
    config = parse(
        "Include sshd_config.d/*.conf\nPermitRootLogin no\nMaxAuthTries 3\n",
        **{
            "sshd_config.d/20-b.conf": "PermitRootLogin yes\n",
            "sshd_config.d/10-a.conf": "MaxAuthTries 9\n",
            "sshd_config.d/.hidden.conf": "PasswordAuthentication yes\n",
        },
    )
    assert config.first("permitrootlogin") is not None
    root = config.effective("PermitRootLogin")
    assert (root.value, root.file, root.line) == ("yes", "/etc/ssh/sshd_config.d/20-b.conf", 1)
    tries = config.effective("MAXAUTHTRIES")
    assert (tries.value, tries.file) == ("9", "/etc/ssh/sshd_config.d/10-a.conf")
    assert config.effective("PasswordAuthentication").default  # dotfiles are not globbed
    assert config.files == (
        "/etc/ssh/sshd_config",
        "/etc/ssh/sshd_config.d/10-a.conf",
        "/etc/ssh/sshd_config.d/20-b.conf",
    )
    assert [d.line for d in config.all("PermitRootLogin")] == [1, 2]


def test_defaults_for_unset_keywords() -> None:
    config = parse("Port 2222\n")
    assert config.effective("PermitRootLogin").value == "prohibit-password"
    assert config.effective("PasswordAuthentication").value == "yes"
    assert config.effective("MaxAuthTries").value == "6"
    assert config.effective("ClientAliveInterval").value == "0"
    effective = config.effective("PermitRootLogin")
    assert effective.default and effective.line is None and effective.file == "/etc/ssh/sshd_config"


def test_match_blocks_never_override_globals() -> None:
    config = parse(
        "PermitRootLogin no\nMatch User backup\n  PasswordAuthentication yes\n"
        "  PermitRootLogin yes\nMatch all\nX11Forwarding yes\n"
    )
    assert config.effective("PasswordAuthentication").default
    assert config.effective("X11Forwarding").default  # after "Match all": still a Match block
    assert [(m.criteria, m.line) for m in config.matches] == [("User backup", 2), ("all", 5)]
    assert config.matches[0].first("permitrootlogin") is not None
    assert config.effective("PermitRootLogin").value == "no"


def test_a_match_in_an_included_file_ends_with_that_file() -> None:
    config = parse(
        "Include extra.conf\nPasswordAuthentication no\nMatch Group sftp\nInclude inner.conf\n",
        **{
            "extra.conf": "Match Address 10.0.0.1\nMaxAuthTries 10\n",
            "inner.conf": "ForceCommand internal-sftp\n",
        },
    )
    assert config.effective("PasswordAuthentication").value == "no"
    assert config.effective("MaxAuthTries").default
    blocks = {m.criteria: m for m in config.matches}
    assert blocks["Address 10.0.0.1"].first("MaxAuthTries") is not None
    forced = blocks["Group sftp"].first("ForceCommand")
    assert forced is not None and forced.file == "/etc/ssh/inner.conf"


def test_include_loops_stop_at_the_depth_limit() -> None:
    config = parse("Include sshd_config\nPort 22\n")
    assert any("too deeply" in p for p in config.problems)
    assert len(config.files) == sshd.MAX_DEPTH + 1


def test_splitting_like_openssh() -> None:
    config = parse(
        'PermitRootLogin=no\nBanner "/etc/my banner"\nMaxAuthTries = 4 # four\n'
        "ChallengeResponseAuthentication no\nAllowUsers 'a b' c\n"
        'Subsystem "sftp\n'
    )
    assert config.effective("permitrootlogin").value == "no"
    banner = config.first("Banner")
    assert banner is not None and banner.args == ("/etc/my banner",)
    assert config.effective("MaxAuthTries").value == "4"
    kbd = config.first("KbdInteractiveAuthentication")
    assert kbd is not None and kbd.written == "ChallengeResponseAuthentication"
    allow = config.first("AllowUsers")
    assert allow is not None and allow.args == ("a b", "c")
    assert config.problems == ("/etc/ssh/sshd_config:6: unbalanced quotes (sshd refuses this)",)


def test_include_of_a_missing_file_is_not_fatal() -> None:
    config = parse("Include /etc/ssh/nope.conf /etc/ssh/none.d/*.conf\nPort 22\n")
    assert config.present and config.problems == ("/etc/ssh/nope.conf: included but unreadable",)


@pytest.mark.parametrize(
    ("line", "value"),
    [
        ("TMOUT=300", "300"),
        ("readonly TMOUT=600", "600"),
        ("export TMOUT=900", "900"),
        ("declare -r TMOUT=120", "120"),
        ("TMOUT=300; readonly TMOUT; export TMOUT", "300"),
        ("# TMOUT=300", None),
        ("MYTMOUT=300", None),
    ],
)
def test_shell_timeouts(line: str, value: str | None) -> None:
    config = sshd.collect(
        MemorySource({"/etc/ssh/sshd_config": "", "/etc/profile.d/x.sh": line + "\n"})
    )
    assert [t.value for t in config.tmout] == ([value] if value else [])


# -- properties ------------------------------------------------------------------------------

KEYWORDS = ["PermitRootLogin", "PasswordAuthentication", "MaxAuthTries", "Ciphers", "Port"]
_value = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789-,@.", min_size=1, max_size=12)
_gap = st.sampled_from([" ", "\t", "  ", " = ", "=", "\t=\t"])
_case = st.sampled_from([str.lower, str.upper, str.title, lambda s: s])


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=400))
def test_arbitrary_text_never_crashes(text: str) -> None:
    config = parse(text)
    assert config.present
    for directive in config.directives:
        assert directive.keyword == directive.keyword.lower()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(KEYWORDS),
            _value,
            _gap,
            _case,
            st.sampled_from(["", "  ", "\t"]),
            st.sampled_from(["", " # note", "\t#x"]),
        ),
        min_size=1,
        max_size=20,
    ),
    st.lists(st.sampled_from(["", "# comment", "   ", "\t# indented"]), max_size=5),
    st.lists(st.tuples(st.sampled_from(KEYWORDS), _value), max_size=5),
)
def test_first_value_wins_whatever_the_spelling(
    lines: list[tuple[str, str, str, object, str, str]],
    noise: list[str],
    in_match: list[tuple[str, str]],
) -> None:
    text: list[str] = list(noise)
    expected: dict[str, tuple[str, int]] = {}
    for keyword, value, gap, case, indent, comment in lines:
        text.append(f"{indent}{case(keyword)}{gap}{value}{comment}")  # type: ignore[operator]
        expected.setdefault(keyword.lower(), (value, len(text)))
    text.append("Match User someone")
    text.extend(f"  {k} {v}" for k, v in in_match)
    config = parse("\n".join(text) + "\n")
    for keyword, (value, line) in expected.items():
        effective = config.effective(keyword)
        assert (effective.value, effective.line) == (value, line)
    for keyword in {k.lower() for k in KEYWORDS} - set(expected):
        assert config.effective(keyword).default
