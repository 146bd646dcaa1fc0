"""The wording of every notification, in zh-CN and en.

Templates are Jinja2 sources rendered in a sandbox (:mod:`garrison.notify.templates`). Each
event has a subject, a lead sentence and a list of rows (label, value template); a row whose
value renders empty is left out. Values reach the templates already neutralised.
"""

from __future__ import annotations

from typing import NamedTuple

# GB/T 20986-2023 grades with their names and warning colours.
GRADES: dict[str, dict[str, tuple[str, str]]] = {
    "I": {"zh-CN": ("特别重大", "红"), "en": ("extraordinarily serious", "red")},
    "II": {"zh-CN": ("重大", "橙"), "en": ("serious", "orange")},
    "III": {"zh-CN": ("较大", "黄"), "en": ("relatively serious", "yellow")},
    "IV": {"zh-CN": ("一般", "蓝"), "en": ("general", "blue")},
}
GRADE_COLORS = {"I": "red", "II": "orange", "III": "yellow", "IV": "blue"}
GRADE_ALIASES = {"1": "I", "2": "II", "3": "III", "4": "IV"}

# Deadline kinds of the SLA clocks; an unknown kind is shown as given.
DEADLINES: dict[str, dict[str, str]] = {
    "confirm": {"zh-CN": "确认", "en": "confirmation"},
    "report": {"zh-CN": "上报", "en": "report"},
    "escalate": {"zh-CN": "上报应急指挥部", "en": "escalation to the command group"},
    "contain": {"zh-CN": "遏制", "en": "containment"},
    "rto": {"zh-CN": "业务恢复（RTO）", "en": "recovery (RTO)"},
    "rpo": {"zh-CN": "数据恢复点（RPO）", "en": "recovery point (RPO)"},
    "recover": {"zh-CN": "恢复", "en": "recovery"},
    "post_report": {"zh-CN": "事件处置报告", "en": "post-incident report"},
    "review": {"zh-CN": "复盘会议", "en": "review meeting"},
}

LABELS: dict[str, dict[str, str]] = {
    "zh-CN": {
        "incident_id": "事件编号",
        "title": "事件名称",
        "grade": "事件级别",
        "category": "事件类别",
        "deadline": "时限",
        "who": "负责人",
        "escalated_to": "升级至",
        "task": "任务",
        "due": "完成时限",
        "reason": "原因",
        "link": "查看事件",
        "playbook": "剧本",
        "sep": "：",
    },
    "en": {
        "incident_id": "Incident",
        "title": "Title",
        "grade": "Severity",
        "category": "Category",
        "deadline": "Deadline",
        "who": "Assignee",
        "escalated_to": "Escalated to",
        "task": "Task",
        "due": "Due",
        "reason": "Reason",
        "link": "Open the incident",
        "playbook": "Playbook",
        "sep": ": ",
    },
}

GRADE_LABEL = {
    "zh-CN": "{{ grade }}级·{{ grade_name }}·{{ grade_colour }}色",
    "en": "Grade {{ grade }} ({{ grade_name }}, {{ grade_colour }})",
}


class EventTemplate(NamedTuple):
    """Wording of one event in one language.

    Attributes:
        subject: One-line subject template.
        lead: The first sentence of the body.
        rows: ``(label key, value template)`` pairs shown below the lead.
    """

    subject: str
    lead: str
    rows: tuple[tuple[str, str], ...]


_COMMON = (
    ("incident_id", "{{ incident_id }}"),
    ("title", "{{ title }}"),
    ("grade", "{{ grade_label }}"),
    ("category", "{{ category }}"),
)
_DEADLINE = (*_COMMON, ("deadline", "{{ deadline_label }} {{ deadline }}"))
_ZH_PREFIX = "{% if grade %}【{{ grade_label }}】{% endif %}"
_EN_PREFIX = "{% if grade %}[{{ grade_label }}] {% endif %}"

TEMPLATES: dict[str, dict[str, EventTemplate]] = {
    "incident.new": {
        "zh-CN": EventTemplate(
            _ZH_PREFIX + "新安全事件 {{ incident_id }}：{{ title }}",
            "发现新的网络安全事件，请按应急预案立即研判处置。",
            _COMMON,
        ),
        "en": EventTemplate(
            _EN_PREFIX + "New incident {{ incident_id }}: {{ title }}",
            "A new security incident was opened. Triage it according to the response plan.",
            _COMMON,
        ),
    },
    "sla.warning": {
        "zh-CN": EventTemplate(
            _ZH_PREFIX + "时限预警：{{ incident_id }} {{ deadline_label }}将于 {{ deadline }} 到期",
            "事件 {{ incident_id }} 的{{ deadline_label }}时限即将到期（截止 {{ deadline }}），"
            "请尽快处理。",
            _DEADLINE,
        ),
        "en": EventTemplate(
            _EN_PREFIX
            + "SLA warning: {{ deadline_label }} of {{ incident_id }} due {{ deadline }}",
            "The {{ deadline_label }} deadline of incident {{ incident_id }} is close "
            "(due {{ deadline }}). Please act now.",
            _DEADLINE,
        ),
    },
    "sla.breach": {
        "zh-CN": EventTemplate(
            _ZH_PREFIX + "时限已超：{{ incident_id }} {{ deadline_label }}（截止 {{ deadline }}）",
            "事件 {{ incident_id }} 的{{ deadline_label }}已超过时限（截止 {{ deadline }}），"
            "已按规定升级通报。",
            _DEADLINE,
        ),
        "en": EventTemplate(
            _EN_PREFIX + "SLA breached: {{ deadline_label }} of {{ incident_id }} "
            "(due {{ deadline }})",
            "The {{ deadline_label }} deadline of incident {{ incident_id }} passed at "
            "{{ deadline }}. The breach has been escalated.",
            _DEADLINE,
        ),
    },
    "incident.escalated": {
        "zh-CN": EventTemplate(
            _ZH_PREFIX + "事件升级：{{ incident_id }} 已升级至{{ who }}",
            "事件 {{ incident_id }} 已升级至{{ who }}"
            "{% if reason %}，原因：{{ reason }}{% endif %}。",
            (*_COMMON, ("escalated_to", "{{ who }}"), ("reason", "{{ reason }}")),
        ),
        "en": EventTemplate(
            _EN_PREFIX + "Incident {{ incident_id }} escalated to {{ who }}",
            "Incident {{ incident_id }} was escalated to {{ who }}"
            "{% if reason %} (reason: {{ reason }}){% endif %}.",
            (*_COMMON, ("escalated_to", "{{ who }}"), ("reason", "{{ reason }}")),
        ),
    },
    "task.assigned": {
        "zh-CN": EventTemplate(
            "任务分派：{{ task }}（事件 {{ incident_id }}）",
            "{{ who }}，您被分派了事件 {{ incident_id }} 的处置任务“{{ task }}”"
            "{% if due %}，请于 {{ due }} 前完成{% endif %}。",
            (*_COMMON, ("task", "{{ task }}"), ("who", "{{ who }}"), ("due", "{{ due }}")),
        ),
        "en": EventTemplate(
            "Task assigned: {{ task }} (incident {{ incident_id }})",
            '{{ who }}, you were assigned the task "{{ task }}" of incident {{ incident_id }}'
            "{% if due %}, due {{ due }}{% endif %}.",
            (*_COMMON, ("task", "{{ task }}"), ("who", "{{ who }}"), ("due", "{{ due }}")),
        ),
    },
    "playbook.notice": {
        "zh-CN": EventTemplate(
            "{{ subject }}",
            "{{ message }}",
            (("incident_id", "{{ incident_id }}"), ("playbook", "{{ playbook }}")),
        ),
        "en": EventTemplate(
            "{{ subject }}",
            "{{ message }}",
            (("incident_id", "{{ incident_id }}"), ("playbook", "{{ playbook }}")),
        ),
    },
    "playbook.approval": {
        "zh-CN": EventTemplate(
            "待审批：剧本 {{ playbook }}（运行 {{ run }}）",
            "剧本 {{ playbook }} 的运行 {{ run }} 正在等待您的审批：{{ message }}",
            (("playbook", "{{ playbook }}"), ("due", "{{ due }}")),
        ),
        "en": EventTemplate(
            "Approval needed: playbook {{ playbook }} (run {{ run }})",
            "Run {{ run }} of playbook {{ playbook }} waits for your approval: {{ message }}",
            (("playbook", "{{ playbook }}"), ("due", "{{ due }}")),
        ),
    },
}

REQUIRED: dict[str, tuple[str, ...]] = {
    "incident.new": ("incident_id", "title", "grade"),
    "sla.warning": ("incident_id", "title", "grade", "deadline_kind", "deadline"),
    "sla.breach": ("incident_id", "title", "grade", "deadline_kind", "deadline"),
    "incident.escalated": ("incident_id", "title", "grade", "who"),
    "task.assigned": ("incident_id", "title", "task", "who"),
    "playbook.notice": ("subject", "message"),
    "playbook.approval": ("playbook", "run", "message"),
}
OPTIONAL = ("category", "reason", "due", "link", "grade", "incident_id", "playbook")
