"""Baseline and compliance checks: hosts, web endpoints, containers and IaC (issue 6).

One folder per check: ``<area>/<check_id>/<check_id>.py`` with a class named ``check_id`` and
``<check_id>.metadata.json`` beside it (titles, severity, remediation, mappings to 等保2.0,
CIS, ISO 27001 and NIST CSF). Checks do no I/O: collectors gather *facts* once per target
and every check reads them, so checks are unit-tested on facts. See ``docs/checks.md``.
"""
