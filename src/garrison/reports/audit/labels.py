"""Every word the audit report prints, in zh-CN and en (same keys in both tables)."""

from __future__ import annotations

from garrison.reports.labels import LANGUAGES, Language

ZH_CN: dict[str, str] = {
    "report.title": "网络安全审计报告",
    "report.subtitle": "Cybersecurity Audit Report",
    "cover.organisation": "被审计单位",
    "cover.scope": "审计范围",
    "cover.period": "审计期间",
    "cover.generated_at": "报告生成时间",
    "cover.zone": "时区",
    "cover.confidential": "内部资料 注意保密",
    "page.before": "第 ",
    "page.middle": " 页，共 ",
    "page.after": " 页",
    "section.summary": "一、审计概述",
    "section.targets": "二、审计对象",
    "section.scores": "三、合规评分",
    "section.findings": "四、风险发现与整改建议",
    "section.trend": "五、与上次审计的对比",
    "section.manual": "六、需人工核查的项目",
    "section.method": "附：评分方法",
    "summary.targets": "审计对象",
    "summary.checks": "执行检查项",
    "summary.failed": "不符合项",
    "summary.errors": "无法判定",
    "summary.dengbao": "等保2.0（第三级）得分",
    "summary.manual": "需人工核查",
    "summary.text": (
        "本次审计共检查 {targets} 个对象，执行 {checks} 项自动化检查，发现 {failed} 项不符合"
        "（{by_severity}），{errors} 项因信息采集失败无法判定。"
    ),
    "summary.score_text": "等保2.0 第三级技术要求中可自动评估部分的得分为 {score} 分。",
    "summary.no_score": "本次检查未能自动评估等保2.0 第三级技术要求。",
    "summary.manual_text": (
        "另有 {manual} 项要求无自动化检查覆盖，需由审计人员人工核查（见第六部分）。"
    ),
    "summary.clean": "未发现不符合项。",
    "field.target": "对象",
    "field.kind": "类型",
    "field.started": "开始时间",
    "field.finished": "结束时间",
    "field.checks": "检查项",
    "field.failed": "不符合",
    "field.framework": "框架",
    "field.version": "版本",
    "field.score": "得分",
    "field.passed": "符合",
    "field.errors": "无法判定",
    "field.not_assessed": "未评估",
    "field.manual": "人工核查",
    "field.requirements": "要求项",
    "field.family": "控制类",
    "field.delta": "变化",
    "field.before": "上次得分",
    "field.after": "本次得分",
    "field.check": "检查项",
    "field.resource": "位置",
    "field.message": "问题描述",
    "field.expected": "期望值",
    "field.actual": "实际值",
    "field.mappings": "对应要求",
    "field.remediation": "整改建议",
    "field.commands": "参考命令",
    "field.status": "状态",
    "field.change": "变化",
    "field.requirement": "要求",
    "field.guidance": "核查方法",
    "field.id": "编号",
    "field.count": "数量",
    "kind.host": "主机",
    "kind.web": "Web 应用",
    "kind.config": "配置文件",
    "severity.critical": "严重",
    "severity.high": "高危",
    "severity.medium": "中危",
    "severity.low": "低危",
    "severity.info": "提示",
    "status.fail": "不符合",
    "status.error": "无法判定",
    "change.new": "新增",
    "change.still": "遗留",
    "change.none": "",
    "chart.frameworks": "图2 各框架合规得分",
    "chart.dengbao": "图3 等保2.0 各安全层面得分",
    "chart.severity": "图1 不符合项风险等级分布",
    "chart.not_assessed": "未评估",
    "trend.previous": "上次审计时间",
    "trend.new": "新增不符合项",
    "trend.fixed": "已整改项",
    "trend.still": "遗留不符合项",
    "trend.unverified": "本次未复查项",
    "trend.none": "无上次审计记录，本次为首次审计。",
    "trend.fixed_list": "已整改项明细",
    "manual.intro": (
        "以下等保2.0 第三级要求无自动化检查覆盖，需审计人员通过访谈、文档审查和配置核查进行"
        "人工验证。"
    ),
    "method.text": (
        "每项要求的结果由对应检查项的结果得出：任一检查项不符合则该要求不符合；无不符合但有检查"
        "无法判定则为无法判定；检查项均通过（至少一项通过）则符合；检查项未在本对象上执行或不适用"
        "则为未评估；无自动化检查覆盖的要求需人工核查。得分 = 符合项 ÷（符合项 + 不符合项）× 100，"
        "各要求等权，不按风险等级加权；无法判定、未评估与人工核查项不计入得分。"
    ),
    "common.none": "无",
    "common.colon": "：",
    "common.separator": "、",
    "common.not_assessed": "未评估",
    "common.line": "第 {line} 行",
    "common.points": "{score} 分",
    "group.heading": "{label}（{count} 项）",
}

EN: dict[str, str] = {
    "report.title": "Cybersecurity Audit Report",
    "report.subtitle": "网络安全审计报告",
    "cover.organisation": "Organisation",
    "cover.scope": "Scope",
    "cover.period": "Audit period",
    "cover.generated_at": "Generated",
    "cover.zone": "Time zone",
    "cover.confidential": "Internal - confidential",
    "page.before": "Page ",
    "page.middle": " of ",
    "page.after": "",
    "section.summary": "1. Summary",
    "section.targets": "2. Audited targets",
    "section.scores": "3. Compliance scores",
    "section.findings": "4. Findings and remediation",
    "section.trend": "5. Changes since the previous audit",
    "section.manual": "6. Items to verify manually",
    "section.method": "Appendix: how scores are computed",
    "summary.targets": "Targets",
    "summary.checks": "Checks run",
    "summary.failed": "Failures",
    "summary.errors": "Undecided",
    "summary.dengbao": "MLPS 2.0 (level 3) score",
    "summary.manual": "Manual items",
    "summary.text": (
        "The audit covered {targets} target(s) with {checks} automated checks and found {failed} "
        "failure(s) ({by_severity}); {errors} result(s) could not be decided because facts "
        "could not be collected."
    ),
    "summary.score_text": (
        "The automatically assessable part of the MLPS 2.0 level 3 technical requirements "
        "scores {score}."
    ),
    "summary.no_score": "This audit could not assess MLPS 2.0 level 3 requirements automatically.",
    "summary.manual_text": (
        "{manual} further requirements have no automated check and must be verified by an "
        "auditor (section 6)."
    ),
    "summary.clean": "No failures were found.",
    "field.target": "Target",
    "field.kind": "Kind",
    "field.started": "Started",
    "field.finished": "Finished",
    "field.checks": "Checks",
    "field.failed": "Failed",
    "field.framework": "Framework",
    "field.version": "Version",
    "field.score": "Score",
    "field.passed": "Passed",
    "field.errors": "Undecided",
    "field.not_assessed": "Not assessed",
    "field.manual": "Manual",
    "field.requirements": "Requirements",
    "field.family": "Family",
    "field.delta": "Change",
    "field.before": "Previous",
    "field.after": "Current",
    "field.check": "Check",
    "field.resource": "Location",
    "field.message": "Finding",
    "field.expected": "Expected",
    "field.actual": "Actual",
    "field.mappings": "Requirements",
    "field.remediation": "Remediation",
    "field.commands": "Commands",
    "field.status": "Status",
    "field.change": "Change",
    "field.requirement": "Requirement",
    "field.guidance": "How to verify",
    "field.id": "Item",
    "field.count": "Count",
    "kind.host": "Host",
    "kind.web": "Web application",
    "kind.config": "Configuration",
    "severity.critical": "Critical",
    "severity.high": "High",
    "severity.medium": "Medium",
    "severity.low": "Low",
    "severity.info": "Info",
    "status.fail": "Fail",
    "status.error": "Undecided",
    "change.new": "New",
    "change.still": "Open",
    "change.none": "",
    "chart.frameworks": "Figure 2. Compliance score per framework",
    "chart.dengbao": "Figure 3. MLPS 2.0 score per security layer",
    "chart.severity": "Figure 1. Failures by risk level",
    "chart.not_assessed": "not assessed",
    "trend.previous": "Previous audit",
    "trend.new": "New failures",
    "trend.fixed": "Fixed",
    "trend.still": "Still failing",
    "trend.unverified": "Not re-checked",
    "trend.none": "No previous audit: this is the first one.",
    "trend.fixed_list": "Fixed findings",
    "manual.intro": (
        "No automated check covers the following MLPS 2.0 level 3 requirements: an auditor "
        "verifies them through interviews, document review and configuration review."
    ),
    "method.text": (
        "Each requirement's result follows from the checks mapped onto it: it fails when any "
        "of them failed; it is undecided when none failed but one could not decide; it passes "
        "when they all passed or did not apply (at least one passed); it is not assessed when "
        "its checks did not run on the target or did not apply; without any check it is "
        "verified manually. Score = passed / (passed + failed) x 100, every requirement "
        "weighing the same (no severity weighting); undecided, not assessed and manual "
        "requirements do not count."
    ),
    "common.none": "None",
    "common.colon": ": ",
    "common.separator": ", ",
    "common.not_assessed": "not assessed",
    "common.line": "line {line}",
    "common.points": "{score}",
    "group.heading": "{label} ({count})",
}

LABELS: dict[Language, dict[str, str]] = {"zh-CN": ZH_CN, "en": EN}

#: Short framework names for chart axes (the full titles are too long for a bar label).
SHORT_NAMES: dict[Language, dict[str, str]] = {
    "zh-CN": {
        "dengbao": "等保2.0 三级",
        "cis_linux": "CIS Linux",
        "cis_docker": "CIS Docker",
        "cis_kubernetes": "CIS Kubernetes",
        "iso27001": "ISO/IEC 27001",
        "nist_csf": "NIST CSF 2.0",
    },
    "en": {
        "dengbao": "MLPS 2.0 L3",
        "cis_linux": "CIS Linux",
        "cis_docker": "CIS Docker",
        "cis_kubernetes": "CIS Kubernetes",
        "iso27001": "ISO/IEC 27001",
        "nist_csf": "NIST CSF 2.0",
    },
}

__all__ = ["EN", "LABELS", "LANGUAGES", "SHORT_NAMES", "ZH_CN", "Language"]
