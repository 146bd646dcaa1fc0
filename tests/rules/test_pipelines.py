"""End to end: SigmaHQ-style rules, prepared with the built-in pipelines, on our parsers' events."""

from __future__ import annotations

import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sigma.rule import SigmaRule

from garrison.core.errors import ConfigError
from garrison.core.ids import stream_key
from garrison.detect.compiler import compile_rule
from garrison.events.model import Event
from garrison.ingest.reader import iter_lines, open_binary, peek
from garrison.normalize import registry
from garrison.normalize.base import ParseContext
from garrison.rules.pipelines import load_pipelines, prepare

DATA = Path(__file__).parents[1] / "data"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
PIPELINE = load_pipelines()


def parse(fmt: str, relpath: str) -> list[Event]:
    path = DATA / relpath
    parser = registry.create(fmt)
    stream, _raw = open_binary(path)
    with stream:
        head = peek(stream)
        ctx = ParseContext(stream=stream_key(head[:64]), now=NOW, year=2026, reference_time=NOW)
        if parser.binary:
            return list(parser.parse_binary(io.BytesIO(path.read_bytes()), ctx))
        return list(parser.parse(list(iter_lines(stream)), ctx))


def rule(text: str) -> SigmaRule:
    return SigmaRule.from_yaml(text)


def hits(sigma: SigmaRule, events: list[Event], *, restrict: bool = True) -> list[Event]:
    compiled = compile_rule(prepare(sigma, PIPELINE, restrict=restrict))
    return [e for e in events if compiled.matches(e)]


def fields_of(sigma: SigmaRule) -> set[str | None]:
    return {
        item.field
        for detection in sigma.detection.detections.values()
        for item in detection.detection_items
        if hasattr(item, "field")
    }


@pytest.fixture(name="web_events")
def fixture_web_events() -> list[Event]:
    return parse("access", "access/nginx_access.log") + parse("iis", "iis/u_ex261121.log")


SQLI = rule(r"""
title: SQL injection in URL query
logsource: {category: webserver}
detection:
  selection:
    cs-uri-query|contains: ['union select', 'union%20select', 'union+select']
  condition: selection
""")


def test_webserver_sqli_matches_the_nginx_line(web_events: list[Event]) -> None:
    found = hits(SQLI, web_events)
    assert [e.fields["url.path"] for e in found] == ["/products.php"]
    assert found[0].fields["source.ip"] == "198.51.100.8"
    # Unmapped, the W3C name exists on no nginx event at all.
    assert compile_rule(SQLI).matches(found[0]) is False


def test_webserver_rule_matches_nginx_and_iis_alike(web_events: list[Event]) -> None:
    scanners = rule(r"""
title: Scripted clients
logsource: {category: webserver}
detection:
  selection:
    cs-user-agent|contains: ['sqlmap', 'python-requests']
  condition: selection
""")
    found = hits(scanners, web_events)
    assert [(e.dataset, e.fields["source.ip"]) for e in found] == [
        ("web.access", "198.51.100.23"),
        ("web.access", "198.51.100.8"),
        ("iis.access", "198.51.100.99"),
    ]


def test_webserver_proxyshell_on_iis(web_events: list[Event]) -> None:
    proxyshell = rule(r"""
title: ProxyShell autodiscover
logsource: {category: webserver}
detection:
  selection:
    cs-method: POST
    cs-uri-stem|contains: '/autodiscover/autodiscover.json'
    cs-uri-query|contains: '/powershell'
    sc-status: 401
    c-ip|cidr: 198.51.100.0/24
  condition: selection
""")
    found = hits(proxyshell, web_events)
    assert [(e.dataset, e.fields["log.offset"]) for e in found] == [("iis.access", 712)]


def test_linux_sshd_rule_on_auth_log() -> None:
    events = parse("syslog", "syslog/auth.log")
    failed_root = rule(r"""
title: Failed SSH password for root
logsource: {product: linux, service: sshd}
detection:
  keywords: ['Failed password']
  selection:
    User: root
  condition: keywords and selection
""")
    found = hits(failed_root, events)
    # Line 9, and line 10 ("message repeated 2 times") which the parser expands to two events.
    assert [e.fields["source.ip"] for e in found] == ["203.0.113.45"] * 3
    assert [e.fields["log.offset"] for e in found][1:] == [found[1].fields["log.offset"]] * 2
    assert all("Failed password for root" in e.original for e in found)
    any_failed = rule(r"""
title: Any failed SSH password
logsource: {product: linux, service: sshd}
detection:
  keywords: ['Failed password']
  condition: keywords
""")
    assert len(hits(any_failed, events)) == 4


def test_linux_auditd_raw_fields() -> None:
    events = parse("auditd", "auditd/audit.log")
    execve = rule(r"""
title: Reading passwd
logsource: {product: linux, service: auditd}
detection:
  selection:
    type: EXECVE
    a0: cat
    a1|contains: /etc/passwd
  condition: selection
""")
    assert [e.fields["process.command_line"] for e in hits(execve, events)] == ["cat /etc/passwd"]
    connect = rule(r"""
title: ncat connects out
logsource: {product: linux, service: auditd}
detection:
  selection:
    type: SYSCALL
    SYSCALL: connect
    exe|endswith: /ncat
    key: net_connect
  condition: selection
""")
    found = hits(connect, events)
    assert [e.fields["process.command_line"] for e in found] == ["nc 198.51.100.7 4433"]


LINUX_SHADOW = rule(r"""
title: Shadow file read by a process
logsource: {product: linux, category: process_creation}
detection:
  selection:
    CommandLine|contains: /etc/shadow
  condition: selection
""")


def test_linux_process_creation_only_on_auditd() -> None:
    events = parse("auditd", "auditd/audit.log") + parse("syslog", "syslog/auth.log")
    found = hits(LINUX_SHADOW, events)
    assert [(e.dataset, e.fields["process.command_line"]) for e in found] == [
        ("linux.auditd", "cat /etc/shadow")
    ]
    # Without the log source restriction the sudo syslog line matches too.
    assert sorted(e.dataset for e in hits(LINUX_SHADOW, events, restrict=False)) == [
        "linux.auditd",
        "linux.auth",
    ]
    bash_curl = rule(r"""
title: Shell downloading
logsource: {product: linux, category: process_creation}
detection:
  selection:
    Image|endswith: /bash
    CommandLine|contains: curl
  condition: selection
""")
    assert [e.fields["log.offset"] for e in hits(bash_curl, events)] == [
        e.fields["log.offset"]
        for e in events
        if "curl" in str(e.fields.get("process.command_line")) and e.dataset == "linux.auditd"
    ]
    assert len(hits(bash_curl, events)) == 1


ENCODED_PS = rule(r"""
title: Encoded PowerShell
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\powershell.exe'
    CommandLine|contains: '-enc'
  condition: selection
""")
CMD_FROM_EXPLORER = rule(r"""
title: cmd started from explorer
logsource: {product: windows, category: process_creation}
detection:
  selection:
    Image|endswith: '\cmd.exe'
    ParentImage|endswith: '\explorer.exe'
  condition: selection
""")


@pytest.mark.parametrize(
    "sources",
    [
        [("evtx-json", "evtx-json/evtx_dump.jsonl")],
        [("evtx", "evtx/sysmon.evtx"), ("evtx", "evtx/security.evtx")],
    ],
    ids=["evtx-json", "evtx"],
)
def test_windows_process_creation_sysmon_and_4688(sources: list[tuple[str, str]]) -> None:
    events = [e for fmt, path in sources for e in parse(fmt, path)]
    found = hits(ENCODED_PS, events)
    assert [(e.fields["EventID"], e.fields["Channel"]) for e in found] == [
        (1, "Microsoft-Windows-Sysmon/Operational")
    ]
    # 4688 names the process NewProcessName/ParentProcessName: matched through the mapping.
    found = hits(CMD_FROM_EXPLORER, events)
    assert [(e.fields["EventID"], e.fields["NewProcessName"]) for e in found] == [
        (4688, r"C:\Windows\System32\cmd.exe")
    ]
    assert not [e for e in events if compile_rule(CMD_FROM_EXPLORER).matches(e)]


def test_cloudtrail_rule_stays_on_aws() -> None:
    events = parse(
        "cloudtrail", "cloudtrail/123456789012_CloudTrail_us-east-1_20261123T0225Z_Xy7Q2mPa.json"
    ) + parse("actiontrail", "actiontrail/actiontrail.jsonl")
    stop = rule(r"""
title: CloudTrail logging stopped
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventName: StopLogging
  condition: selection
""")
    found = hits(stop, events)
    assert [(e.dataset, e.fields["user.name"]) for e in found] == [
        ("aws.cloudtrail", "bob@example.com")
    ]
    assert len(hits(stop, events, restrict=False)) == 2  # the ActionTrail one too
    tampering = rule(r"""
title: Trail tampering
logsource: {product: aws, service: cloudtrail}
detection:
  selection:
    eventSource: cloudtrail.amazonaws.com
    eventName: [StopLogging, DeleteTrail, UpdateTrail]
  condition: selection
""")
    assert [e.fields["eventName"] for e in hits(tampering, events)] == [
        "StopLogging",
        "DeleteTrail",
    ]


def test_mappings_do_not_leak_across_logsources() -> None:
    windows = rule(r"""
title: Windows rule using W3C and process names
logsource: {product: windows, service: security}
detection:
  selection:
    c-ip: 10.0.0.1
    cs-uri-query: x
    Image: y
    type: EXECVE
  condition: selection
""")
    assert fields_of(prepare(windows, PIPELINE, restrict=False)) == {
        "c-ip",
        "cs-uri-query",
        "Image",
        "type",
    }
    sysmon_network = rule(r"""
title: Sysmon network connection keeps Image
logsource: {product: windows, category: network_connection}
detection:
  selection:
    Image|endswith: '\powershell.exe'
  condition: selection
""")
    assert fields_of(prepare(sysmon_network, PIPELINE, restrict=False)) == {"Image"}
    web = rule(r"""
title: Web rule keeps auditd-like names
logsource: {category: webserver}
detection:
  selection:
    Image: y
    a0: z
  condition: selection
""")
    assert fields_of(prepare(web, PIPELINE, restrict=False)) == {"Image", "a0"}


def test_prepare_returns_a_copy() -> None:
    before = fields_of(SQLI)
    prepared = prepare(SQLI, PIPELINE)
    assert fields_of(SQLI) == before == {"cs-uri-query"}
    assert fields_of(prepared) == {"url.query", "event.dataset"}
    assert [c.condition for c in SQLI.detection.parsed_condition] == ["selection"]
    # Preparing twice gives the same result (no state left on the pipeline or the rule).
    assert fields_of(prepare(SQLI, PIPELINE)) == fields_of(prepared)


def test_unknown_logsource_is_not_restricted() -> None:
    anything = rule(r"""
title: Unknown product
logsource: {product: zeek, service: conn}
detection:
  keywords: ['Failed password for root']
  condition: keywords
""")
    assert fields_of(prepare(anything, PIPELINE)) == {None}  # no event.dataset condition
    assert len(hits(anything, parse("syslog", "syslog/auth.log"))) == 3


def test_user_pipeline_is_added(tmp_path: Path) -> None:
    (tmp_path / "site.yml").write_text(
        "name: site\npriority: 50\ntransformations:\n"
        "  - id: site_src\n    type: field_name_mapping\n    mapping:\n"
        "      src_ip: source.ip\n    rule_conditions:\n"
        "      - type: logsource\n        category: webserver\n",
        encoding="utf-8",
    )
    pipeline = load_pipelines([tmp_path])
    assert pipeline.items[-1].identifier == "site_src"
    web = rule(r"""
title: By source
logsource: {category: webserver}
detection:
  selection:
    src_ip: 198.51.100.8
  condition: selection
""")
    events = parse("access", "access/nginx_access.log")
    compiled = compile_rule(prepare(web, pipeline))
    assert [e.fields["url.path"] for e in events if compiled.matches(e)] == ["/products.php"]


def test_invalid_user_pipeline_names_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    bad.write_text(
        "name: bad\ntransformations:\n"
        "  - type: field_name_mapping\n    mapping: {a: b}\n"
        "  - type: no_such_transformation\n",
        encoding="utf-8",
    )
    with pytest.raises(ConfigError, match=r"bad\.yml:5: invalid processing pipeline"):
        load_pipelines([tmp_path])
    bad.write_text("name: bad\ntransformations: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yml:3: invalid YAML"):
        load_pipelines([tmp_path])
    bad.write_text("- just a list\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"bad\.yml:1: a processing pipeline must be"):
        load_pipelines([tmp_path])
    with pytest.raises(ConfigError, match="not found"):
        load_pipelines([tmp_path / "missing"])
