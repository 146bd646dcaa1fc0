"""Security updates are installed automatically (unattended-upgrades, dnf-automatic,
yum-cron): known vulnerabilities get patched without waiting for a person (等保 8.1.4.4 e))."""

from __future__ import annotations

from garrison.checks.base import Check, Facts, Result, Status
from garrison.checks.collectors.host.updates import APT_CONF_DIR, DNF_AUTOMATIC, YUM_CRON, Updates

_OFF = {"", "0", "false", "no", "off"}
_AUTO = f"{APT_CONF_DIR}/20auto-upgrades"


class updates_automatic_security(Check):
    """Fails when no automatic security update mechanism is installed and switched on."""

    needs = ("updates",)

    def run(self, facts: Facts) -> list[Result]:
        """One result per problem found (or one pass) for the host's package family."""
        updates: Updates = self.fact(facts, "updates")
        if updates.family == "debian":
            return self._debian(updates)
        if updates.family == "rhel":
            return [self._rhel(updates)]
        return [
            self.result(
                Status.MANUAL,
                "/etc",
                f"no known automatic update tool for this system ({updates.family or 'unknown'}):"
                " verify security patches are applied regularly",
            )
        ]

    def _debian(self, updates: Updates) -> list[Result]:
        if not updates.unattended_installed:
            return [
                self.result(
                    Status.FAIL,
                    "unattended-upgrades",
                    "unattended-upgrades is not installed",
                    expected="apt-get install unattended-upgrades",
                    actual="not installed",
                )
            ]
        results = []
        for key, name in (
            ("apt::periodic::update-package-lists", "APT::Periodic::Update-Package-Lists"),
            ("apt::periodic::unattended-upgrade", "APT::Periodic::Unattended-Upgrade"),
        ):
            setting = updates.apt.get(key)
            if setting is None or setting.value.strip().lower() in _OFF:
                results.append(
                    self.result(
                        Status.FAIL,
                        setting.file if setting else _AUTO,
                        f"{name} is off: updates are not applied automatically",
                        line=setting.line if setting else None,
                        expected=f'{name} "1";',
                        actual=f'{name} "{setting.value}";' if setting else "not set",
                    )
                )
        if updates.unattended_security is False:
            results.append(
                self.result(
                    Status.FAIL,
                    f"{APT_CONF_DIR}/50unattended-upgrades",
                    "Unattended-Upgrade allows no security archive",
                    expected='an origin such as "${distro_id}:${distro_codename}-security"',
                    actual="no security origin",
                )
            )
        if not results:
            results.append(
                self.result(Status.PASS, _AUTO, "unattended-upgrades applies updates daily")
            )
        return results

    def _rhel(self, updates: Updates) -> Result:
        if updates.dnf is not None:
            apply = updates.dnf.get("apply_updates")
            installs = any("install" in t for t in updates.dnf_timers)
            applies = installs or (apply is not None and apply.value.lower() in ("yes", "true"))
            if applies and updates.dnf_timers:
                return self.result(
                    Status.PASS,
                    DNF_AUTOMATIC,
                    f"dnf-automatic applies updates ({', '.join(updates.dnf_timers)})",
                )
            if not updates.dnf_timers:
                return self.result(
                    Status.FAIL,
                    DNF_AUTOMATIC,
                    "dnf-automatic is installed but its timer is not enabled",
                    expected="systemctl enable --now dnf-automatic-install.timer",
                    actual="no dnf-automatic timer enabled",
                )
            return self.result(
                Status.FAIL,
                DNF_AUTOMATIC,
                "dnf-automatic only downloads or notifies: updates are not applied",
                line=apply.line if apply else None,
                expected="apply_updates = yes",
                actual=f"apply_updates = {apply.value}" if apply else "apply_updates not set",
            )
        if updates.yum_cron is not None:
            apply = updates.yum_cron.get("apply_updates")
            if apply is None or apply.value.lower() not in ("yes", "true"):
                return self.result(
                    Status.FAIL,
                    YUM_CRON,
                    "yum-cron does not apply updates",
                    line=apply.line if apply else None,
                    expected="apply_updates = yes",
                    actual=f"apply_updates = {apply.value}" if apply else "apply_updates not set",
                )
            if not updates.yum_cron_enabled:
                return self.result(
                    Status.FAIL,
                    YUM_CRON,
                    "yum-cron is configured but its service is not enabled",
                    expected="systemctl enable --now yum-cron",
                    actual="yum-cron not enabled",
                )
            return self.result(Status.PASS, YUM_CRON, "yum-cron applies updates")
        return self.result(
            Status.FAIL,
            DNF_AUTOMATIC,
            "neither dnf-automatic nor yum-cron is installed",
            expected="dnf-automatic with dnf-automatic-install.timer enabled",
            actual="no automatic updates",
        )
