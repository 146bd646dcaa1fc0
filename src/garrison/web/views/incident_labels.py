"""Words of the incident pages: phases, clocks, milestones, types, assessments (translated).

Module-level labels are marked with ``N_`` so that the catalog tool finds them; the pages
translate them when they are shown.
"""

from __future__ import annotations

from garrison.incidents.phases import ORDER, Phase
from garrison.incidents.sla import ClockState, Milestone
from garrison.web.i18n import N_

PHASES: dict[str, str] = {
    Phase.DETECT: N_("Detect"),
    Phase.TRIAGE: N_("Triage"),
    Phase.CONTAIN: N_("Contain"),
    Phase.ERADICATE: N_("Eradicate"),
    Phase.RECOVER: N_("Recover"),
    Phase.REVIEW: N_("Review"),
    Phase.CLOSED: N_("Closed"),
}
#: The phases of the stepper (closing is the end of the last one, not a step).
STEPS = tuple(p for p in ORDER if p is not Phase.CLOSED)

MILESTONES: dict[str, str] = {
    Milestone.DETECTED: N_("Detected"),
    Milestone.OPENED: N_("Opened"),
    Milestone.CONFIRMED: N_("Confirmed"),
    Milestone.REPORTED: N_("Reported"),
    Milestone.ESCALATED: N_("Escalated to the command group"),
    Milestone.CONTAINED: N_("Contained"),
    Milestone.RECOVERED: N_("Recovered"),
    Milestone.REPORT_FILED: N_("Post-incident report filed"),
    Milestone.REVIEWED: N_("Review meeting held"),
    Milestone.CLOSED: N_("Closed"),
}
#: Buttons that record a milestone by hand.
MARK_BUTTONS: dict[str, str] = {
    Milestone.REPORTED: N_("Mark reported"),
    Milestone.ESCALATED: N_("Mark escalated"),
    Milestone.REPORT_FILED: N_("Mark report filed"),
    Milestone.REVIEWED: N_("Mark reviewed"),
}

CLOCKS: dict[str, str] = {
    "confirm": N_("Confirm"),
    "report": N_("Report"),
    "escalate": N_("Escalate"),
    "recover": N_("Recover (RTO)"),
    "post_report": N_("Post-incident report"),
    "review": N_("Review meeting"),
}
CLOCK_STATES: dict[str, str] = {
    ClockState.RUNNING: N_("Running"),
    ClockState.WARNING: N_("Nearly due"),
    ClockState.BREACHED: N_("Breached"),
    ClockState.MET: N_("Met"),
    ClockState.MET_LATE: N_("Met late"),
}

TYPE_LABELS: dict[str, str] = {
    "generic": N_("General incident"),
    "brute_force": N_("Brute force"),
    "account_compromise": N_("Account compromise"),
    "malware": N_("Malware"),
    "data_leak": N_("Data leak"),
    "web_intrusion": N_("Web intrusion"),
    "container_escape": N_("Container escape"),
    "ddos": N_("DDoS attack"),
}
LOSS_LABELS: dict[str, str] = {
    "extremely_serious": N_("Extremely serious"),
    "serious": N_("Serious"),
    "considerable": N_("Considerable"),
    "minor": N_("Minor"),
}
IMPACT_LABELS: dict[str, str] = {
    "extremely_major": N_("Extremely major"),
    "major": N_("Major"),
    "considerable": N_("Considerable"),
    "general": N_("General"),
}
IMPORTANCE_LABELS: dict[str, str] = {
    "critical": N_("Critical system"),
    "important": N_("Important system"),
    "general": N_("General system"),
}
#: Subcategories of GB/T 20986-2023 (grading.CATEGORIES), as people read them.
SUBCATEGORIES: dict[str, str] = {
    "virus": N_("Virus"),
    "worm": N_("Worm"),
    "trojan": N_("Trojan"),
    "botnet": N_("Botnet"),
    "ransomware": N_("Ransomware"),
    "mining": N_("Cryptomining"),
    "webshell": N_("Web shell"),
    "dos": N_("Denial of service"),
    "scan": N_("Scanning"),
    "brute_force": N_("Brute force"),
    "exploit": N_("Vulnerability exploitation"),
    "backdoor": N_("Backdoor"),
    "phishing": N_("Phishing"),
    "interference": N_("Interference"),
    "tampering": N_("Data tampering"),
    "leak": N_("Data leak"),
    "theft": N_("Data theft"),
    "loss": N_("Data loss"),
    "misuse": N_("Data misuse"),
    "illegal_content": N_("Illegal content"),
    "rumour": N_("Rumours"),
    "hardware": N_("Hardware failure"),
    "software": N_("Software failure"),
    "power": N_("Power failure"),
    "network": N_("Network failure"),
    "privilege_abuse": N_("Abuse of privileges"),
    "unauthorised_change": N_("Unauthorised change"),
    "unauthorised_access": N_("Unauthorised access"),
    "vulnerability": N_("Vulnerability"),
    "misconfiguration": N_("Misconfiguration"),
    "access": N_("Abnormal access"),
    "traffic": N_("Abnormal traffic"),
    "account": N_("Abnormal account activity"),
    "natural_disaster": N_("Natural disaster"),
    "accident": N_("Accident"),
    "other": N_("Other"),
}
MEASURES: dict[str, str] = {
    "time_to_detect": N_("Time to detect"),
    "time_to_acknowledge": N_("Time to confirm"),
    "time_to_contain": N_("Time to contain"),
    "time_to_recover": N_("Time to recover"),
    "time_to_close": N_("Time to close"),
}
#: What a plain form's redirect shows (``?done=``): fixed words, never text from the request.
DONE: dict[str, str] = {
    "opened": N_("Incident opened"),
    "transition": N_("Phase changed"),
    "mark": N_("Milestone recorded"),
    "regrade": N_("Grade changed"),
    "attach": N_("Alerts attached"),
    "note": N_("Note added"),
    "task": N_("Task done"),
}
REPORT_LANGUAGES = {"zh-CN": "中文", "en": "English"}
