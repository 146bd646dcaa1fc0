"""The ``sysctl`` collector: live ``/proc/sys`` values, else configuration in systemd order."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.collectors.host import sysctl
from tests.checks.host._trees import write_tree


def test_live_values_come_from_proc_sys(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/proc/sys/kernel/randomize_va_space": "2\n",
            "/proc/sys/net/ipv4/conf/all/rp_filter": "0\n",
            "/etc/sysctl.conf": "net.ipv4.conf.all.rp_filter = 1\n",  # not applied yet
        },
    )
    found = sysctl.collect(source)
    assert found.live
    assert found.values["net.ipv4.conf.all.rp_filter"].value == "0"
    assert found.values["kernel.randomize_va_space"].source == "/proc/sys/kernel/randomize_va_space"
    assert "fs.suid_dumpable" not in found.values


def test_configuration_follows_systemd_sysctl_order(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/usr/lib/sysctl.d/50-default.conf": "fs.protected_symlinks = 1\nkernel.kptr_restrict=1\n",
            "/etc/sysctl.d/50-default.conf": "fs.protected_symlinks = 0\n",  # hides the /usr/lib one
            "/usr/lib/sysctl.d/60-z.conf": "kernel.dmesg_restrict = 1\n",
            "/etc/sysctl.d/10-a.conf": "kernel.dmesg_restrict = 0\n",  # earlier name: overridden
            "/etc/sysctl.conf": "# last\n-net/ipv4/ip_forward = 1\n",
        },
    )
    found = sysctl.collect(source)
    assert not found.live
    assert found.values["fs.protected_symlinks"].value == "0"
    assert "kernel.kptr_restrict" not in found.values  # the hidden file is not read
    assert found.values["kernel.dmesg_restrict"].source == "/usr/lib/sysctl.d/60-z.conf"
    forward = found.values["net.ipv4.ip_forward"]
    assert (forward.value, forward.source, forward.line) == ("1", "/etc/sysctl.conf", 2)


KEY = st.sampled_from(sysctl.KEYS)
VALUE = st.integers(-5, 10).map(str)


@given(st.lists(st.tuples(KEY, VALUE, st.booleans(), st.booleans()), max_size=30))
def test_last_assignment_wins_with_its_line(
    lines: list[tuple[str, str, bool, bool]],
) -> None:
    text = ""
    for key, value, slashes, spaced in lines:
        written = key.replace(".", "/") if slashes else key
        text += f"{written} = {value}\n" if spaced else f"{written}={value}\n"
        text += "# comment\n"
    found = sysctl.parse_conf(text, "/etc/sysctl.conf")
    expected: dict[str, tuple[str, int]] = {}
    for index, (key, value, _, _) in enumerate(lines):
        expected[key] = (value, 2 * index + 1)
    assert {k: (v.value, v.line) for k, v in found.items()} == expected


@given(st.text())
def test_any_text_parses(text: str) -> None:
    for key, value in sysctl.parse_conf(text, "/x").items():
        assert key == value.key and value.line is not None
