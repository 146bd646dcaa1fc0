"""Report data for the tests: a realistic brute-force incident, and a long variant."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from decimal import Decimal

from garrison.reports.model import (
    AffectedAsset,
    Attachment,
    Losses,
    MeasuredTimes,
    PhaseAction,
    ReportData,
    SlaResult,
    TimelineEntry,
)

T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PHONE = "13812345678"
ID_NUMBER = "11010519900307123X"
EMAIL = "zhangsan@example.com"


def minutes(value: float) -> timedelta:
    return timedelta(minutes=value)


def sample(*, timeline_entries: int | None = None, **changes: object) -> ReportData:
    """A graded, closed brute-force incident; ``timeline_entries`` makes a long timeline."""
    timeline = [
        TimelineEntry(T0, "alert", "SSH 暴力破解：同一来源 5 分钟内失败 12 次", "detection"),
        TimelineEntry(T0 + minutes(1), "alert", "暴力破解后登录成功 user=root", "detection"),
        TimelineEntry(T0 + minutes(6), "phase", "进入研判确认阶段", "王工"),
        TimelineEntry(T0 + minutes(9), "action", "封禁源 IP 203.0.113.45（nftables）", "playbook"),
        TimelineEntry(T0 + minutes(12), "note", f"已电话联系主机负责人 {PHONE}", "王工"),
        TimelineEntry(T0 + minutes(40), "phase", "进入恢复阶段", "李工"),
    ]
    if timeline_entries is not None:
        timeline = [
            TimelineEntry(
                T0 + timedelta(seconds=30 * index),
                ("alert", "event", "action", "note")[index % 4],
                f"第 {index + 1} 条记录：来自 203.0.113.{index % 250} 的 sshd 登录失败 "
                f"(event {index:06d})",
                "detection",
            )
            for index in range(timeline_entries)
        ]
    values: dict[str, object] = {
        "incident_id": "INC-2026-0042",
        "title": "生产堡垒机 SSH 暴力破解后登录成功",
        "summary": (
            "2026-11-23 10:00 发现源 IP 203.0.113.45 对堡垒机 bastion-01 进行 SSH 暴力破解，"
            f"随后以 root 登录成功。报告人手机 {PHONE}，身份证号 {ID_NUMBER}，邮箱 {EMAIL}。\n"
            "订单号 12345678901234567890 与时间戳 1732356000000 不属于个人信息。"
        ),
        "grade": "II",
        "category": "network_attack",
        "subcategory": "后门攻击 / 口令暴力破解",
        "detected_at": T0,
        "opened_at": T0 + minutes(3),
        "closed_at": T0 + timedelta(hours=20),
        "generated_at": T0 + timedelta(hours=30),
        "reporter": "张三",
        "handlers": ("王工", "李工"),
        "assets": (
            AffectedAsset("bastion-01（堡垒机）", "critical", "运维部 赵六"),
            AffectedAsset("db-02", "important", "DBA 组"),
        ),
        "timeline": tuple(timeline),
        "actions": (
            PhaseAction("detect", "确认告警并通知值班人员", "值班员", "done", T0 + minutes(5)),
            PhaseAction("triage", "核实登录会话与命令记录", "王工", "done", T0 + minutes(20)),
            PhaseAction(
                "contain", "封禁源 IP、禁用 root 远程登录", "王工", "done", T0 + minutes(25)
            ),
            PhaseAction("eradicate", "排查后门与计划任务", "李工", "done", T0 + timedelta(hours=3)),
            PhaseAction("recover", "从快照恢复并验证业务", "李工", "done", T0 + timedelta(hours=5)),
            PhaseAction("review", "召开复盘会议", "张三", "open", None),
        ),
        "losses": Losses("业务中断约 40 分钟，未发现数据外泄。", Decimal("12500.50")),
        "root_cause": "堡垒机 root 账号使用弱口令，且允许从互联网直接 SSH 登录。",
        "sla": (
            SlaResult("confirm", T0 + minutes(15), "met", T0 + minutes(6), minutes(6)),
            SlaResult("report", T0 + timedelta(hours=1), "met", T0 + minutes(30), minutes(30)),
            SlaResult(
                "recover",
                T0 + timedelta(hours=4),
                "breached",
                T0 + timedelta(hours=5),
                timedelta(hours=5),
            ),
            SlaResult("review_meeting", T0 + timedelta(days=7, hours=20), "open"),
        ),
        "measured": MeasuredTimes(
            time_to_detect=minutes(2),
            time_to_acknowledge=minutes(6),
            time_to_contain=minutes(25),
            time_to_recover=timedelta(hours=5),
            time_to_close=timedelta(hours=20),
        ),
        "improvements": ("禁止 root 远程登录，启用双因素认证", "堡垒机仅允许内网访问"),
        "attachments": (
            Attachment("auth.log", "a" * 64, 1_572_864),
            Attachment("sessions.csv", "0123456789abcdef" * 4, 812),
        ),
    }
    values.update(changes)
    return ReportData(**values)  # type: ignore[arg-type]
