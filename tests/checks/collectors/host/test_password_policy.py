"""The password policy reader: login.defs, pwquality (conf.d first), PAM stacks, faillock."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from garrison.checks.collectors.host import password_policy as pp
from garrison.checks.collectors.host.source import LocalSource


def tree(root: Path, files: dict[str, str]) -> pp.PasswordPolicy:
    for name, text in files.items():
        path = root / name.lstrip("/")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return pp.collect(LocalSource(root))


def test_empty_host_gives_empty_policy(tmp_path: Path) -> None:
    policy = pp.collect(LocalSource(tmp_path))
    assert policy.login_defs == {} and policy.stacks == () and policy.pam == ()


def test_login_defs_last_assignment_wins_with_lines(tmp_path: Path) -> None:
    policy = tree(
        tmp_path,
        {"/etc/login.defs": "# c\nPASS_MAX_DAYS\t99999\nPASS_MIN_LEN 8\nPASS_MAX_DAYS 60\n"},
    )
    assert policy.login_defs["PASS_MAX_DAYS"] == pp.Setting("60", "/etc/login.defs", 4)
    assert policy.login_defs["PASS_MIN_LEN"].line == 3


def test_pwquality_conf_d_is_read_before_the_main_file(tmp_path: Path) -> None:
    policy = tree(
        tmp_path,
        {
            "/etc/security/pwquality.conf": "minlen = 10\n# minclass = 4\n",
            "/etc/security/pwquality.conf.d/20-b.conf": "minclass=3\nminlen=16\n",
            "/etc/security/pwquality.conf.d/10-a.conf": "minclass = 2\n",
        },
    )
    assert policy.pwquality["minlen"] == pp.Setting("10", "/etc/security/pwquality.conf", 1)
    assert policy.pwquality["minclass"].file.endswith("20-b.conf")


def test_pam_lines_with_brackets_continuations_and_optional_modules(tmp_path: Path) -> None:
    policy = tree(
        tmp_path,
        {
            "/etc/pam.d/common-password": (
                "# here\n"
                "password [success=1 default=ignore] pam_unix.so obscure \\\n"
                "    remember=5 sha512\n"
                "-password optional /lib/security/pam_pwquality.so minlen=14 [badwords=a b]\n"
                "password requisite pam_deny.so\n"
                "@include common-other\n"
            ),
            "/etc/pam.d/system-auth": "auth required pam_faillock.so preauth deny=4\n",
        },
    )
    assert policy.stacks == ("/etc/pam.d/common-password", "/etc/pam.d/system-auth")
    unix, quality, faillock = policy.pam
    assert (unix.module, unix.line, unix.control) == ("pam_unix", 2, "[success=1 default=ignore]")
    assert unix.option("remember") == "5" and unix.option("obscure") == ""
    assert (quality.type, quality.module, quality.option("minlen")) == (
        "password",
        "pam_pwquality",
        "14",
    )
    assert quality.option("badwords") == "a b"
    assert policy.stacks_of("password") == ["/etc/pam.d/common-password"]
    assert policy.stacks_of("auth") == ["/etc/pam.d/system-auth"]
    assert faillock.option("deny") == "4"


def test_quality_resolution_order(tmp_path: Path) -> None:
    policy = tree(
        tmp_path,
        {
            "/etc/pam.d/system-auth": "password requisite pam_pwquality.so minlen=15\n",
            "/etc/pam.d/password-auth": "password requisite pam_cracklib.so\n",
            "/etc/security/pwquality.conf": "minlen = 9\nminclass = 3\n",
        },
    )
    stack = "/etc/pam.d/system-auth"
    minlen = policy.quality(stack, "minlen")
    assert minlen is not None and (minlen.value, minlen.origin) == ("15", "option")
    minclass = policy.quality(stack, "minclass")
    assert minclass is not None and (minclass.value, minclass.origin) == ("3", "config")
    dcredit = policy.quality(stack, "dcredit")
    assert dcredit is not None and (dcredit.value, dcredit.origin) == ("0", "default")
    cracklib = policy.quality("/etc/pam.d/password-auth", "minlen")  # ignores pwquality.conf
    assert cracklib is not None and (cracklib.value, cracklib.origin) == ("9", "default")
    assert policy.quality("/etc/pam.d/common-password", "minlen") is None


def test_faillock_and_pwhistory_conf(tmp_path: Path) -> None:
    policy = tree(
        tmp_path,
        {
            "/etc/security/faillock.conf": "deny = 4\n# unlock_time = 1\nunlock_time=900\nsilent\n",
            "/etc/security/pwhistory.conf": "remember = 24\n",
        },
    )
    assert policy.faillock["deny"].value == "4"
    assert policy.faillock["unlock_time"] == pp.Setting("900", "/etc/security/faillock.conf", 3)
    assert policy.faillock["silent"].value == ""
    assert policy.pwhistory["remember"].value == "24"


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_parsers_never_crash(text: str) -> None:
    pp.parse_login_defs(text)
    pp.parse_key_values(text, "/x", {})
    for line in pp.parse_pam(text, "/etc/pam.d/x"):
        assert line.module in pp.MODULES
