"""The ``logging`` collector: rsyslog/syslog-ng rules, journald, auditd, logrotate retention."""

from __future__ import annotations

from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from garrison.checks.collectors.host import logging_config as lc
from garrison.checks.collectors.host.source import LocalSource
from tests.checks.host._trees import write_tree


def test_rsyslog_rules_and_targets() -> None:
    text = """
# comment
$ModLoad imuxsock
module(load="imklog")
auth,authpriv.*                 /var/log/auth.log
*.*;auth,authpriv.none          -/var/log/syslog
*.emerg                         :omusrmsg:*
mail.info action(type="omfile" file="/var/log/mail.info")
if $programname == 'sshd' then action(type="omfile" file="/var/log/sshd.log")
& stop
"""
    rules, targets = lc.rsyslog_rules(text)
    assert rules == 5
    assert targets == ["/var/log/auth.log", "/var/log/syslog", "/var/log/sshd.log"]


def test_rsyslog_reads_its_drop_in_folder(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/etc/rsyslog.conf": "$IncludeConfig /etc/rsyslog.d/*.conf\n",
            "/etc/rsyslog.d/50-default.conf": "auth.*  /var/log/secure\n",
            "/etc/rsyslog.d/README": "kern.* /var/log/ignored\n",
        },
    )
    found = lc.collect(source)
    assert [(c.daemon, c.rules) for c in found.syslog] == [("rsyslog", 1)]
    assert found.syslog[0].files == ("/etc/rsyslog.conf", "/etc/rsyslog.d/50-default.conf")
    assert found.syslog_files == ("/var/log/secure",)


def test_syslog_ng_counts_log_paths(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {"/etc/syslog-ng/syslog-ng.conf": "source s { system(); };\nlog { source(s); };\n"},
    )
    assert [(c.daemon, c.rules) for c in lc.collect(source).syslog] == [("syslog-ng", 1)]


def test_journald_storage_and_drop_ins(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/etc/systemd/journald.conf": "[Journal]\n#Storage=auto\nStorage=volatile\n",
            "/etc/systemd/journald.conf.d/keep.conf": "[Journal]\nStorage=persistent\n",
        },
    )
    journald = lc.collect(source).journald
    assert journald is not None and journald.persistent
    assert (journald.file, journald.line) == ("/etc/systemd/journald.conf.d/keep.conf", 2)


def test_journald_auto_is_persistent_only_with_var_log_journal(tmp_path: Path) -> None:
    source = write_tree(tmp_path, {"/etc/systemd/journald.conf": "[Journal]\n"})
    journald = lc.collect(source).journald
    assert journald is not None and journald.storage == "auto" and not journald.persistent
    (tmp_path / "var/log/journal").mkdir(parents=True)
    journald = lc.collect(source).journald
    assert journald is not None and journald.persistent


def test_audit_rules_count_watches_and_syscalls_not_controls() -> None:
    text = "-D\n-b 8192\n-a never,task\n-w /etc/shadow -p wa\n-a always,exit -S execve\n-e 2\n"
    assert lc.audit_rules(text) == 2


def test_auditd_falls_back_to_audit_rules(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/etc/audit/auditd.conf": "num_logs = 5\nmax_log_file_action = ROTATE\n",
            "/etc/audit/audit.rules": "-w /etc/passwd -p wa\n",
        },
    )
    auditd = lc.collect(source).auditd
    assert auditd is not None and auditd.rules == 1
    assert auditd.settings["max_log_file_action"] == "ROTATE"
    assert auditd.rule_files == ("/etc/audit/audit.rules",)


def test_no_auditd(tmp_path: Path) -> None:
    assert lc.collect(LocalSource(tmp_path)).auditd is None


def test_logrotate_defaults_come_from_logrotate_conf(tmp_path: Path) -> None:
    source = write_tree(
        tmp_path,
        {
            "/etc/logrotate.conf": "monthly\nrotate 6\ninclude /etc/logrotate.d\n"
            "/var/log/wtmp {\n    rotate 1\n}\n",
            "/etc/logrotate.d/rsyslog": "/var/log/messages /var/log/secure {\n"
            "    missingok\n    postrotate\n        rotate 1\n    endscript\n}\n",
            "/etc/logrotate.d/nginx": '"/var/log/nginx/*.log" {\n  daily\n  maxage 30\n}\n',
        },
    )
    rotations = {r.patterns: r for r in lc.collect(source).rotations}
    assert rotations[("/var/log/wtmp",)].retained_days == 30
    messages = rotations[("/var/log/messages", "/var/log/secure")]
    assert (messages.rotate, messages.period_days, messages.retained_days) == (6, 30, 180)
    assert rotations[("/var/log/nginx/*.log",)].retained_days == 6  # rotate 6 x daily < maxage
    assert rotations[("/var/log/nginx/*.log",)].covers("/var/log/nginx/access.log")


def test_multi_line_headers_size_and_forever() -> None:
    text = "/var/log/syslog\n/var/log/auth.log\n{\n  weekly\n  size 100M\n  rotate 9\n}\n"
    text += "/var/log/keep {\n  rotate -1\n}\n"
    (size, forever), _ = lc.parse_logrotate(text, "/etc/logrotate.d/x")
    assert size.patterns == ("/var/log/syslog", "/var/log/auth.log") and size.line == 1
    assert size.retained_days is None  # by size only: depends on the volume
    assert forever.retained_days == float("inf")


PERIOD = st.sampled_from(sorted(lc.PERIODS.items()))


@given(PERIOD, st.integers(0, 10_000), st.one_of(st.none(), st.integers(1, 10_000)))
def test_retention_is_rotate_times_period_capped_by_maxage(
    period: tuple[str, float], rotate: int, maxage: int | None
) -> None:
    name, days = period
    text = f"{name}\n/var/log/syslog {{\n  rotate {rotate}\n"
    text += f"  maxage {maxage}\n}}\n" if maxage is not None else "}\n"
    (found,), defaults = lc.parse_logrotate(text, "/etc/logrotate.conf")
    expected = rotate * days if maxage is None else min(rotate * days, maxage)
    assert found.retained_days == expected and found.line == 2
    assert defaults.period == days and defaults.rotate == 0


@given(st.text())
def test_any_logrotate_text_parses(text: str) -> None:
    rotations, _ = lc.parse_logrotate(text, "/x")
    assert all(r.patterns for r in rotations)
