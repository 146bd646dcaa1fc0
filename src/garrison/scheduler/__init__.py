"""Periodic jobs: what a job is and when it fires (pure code; storage lives in ``storage.sql``).

See ``docs/scheduler.md`` for the design: one leader per database runs the jobs, slots missed
while no worker ran are handled by each job's policy, and every run leaves a history row.
"""

from garrison.scheduler.jobs import (
    CatchUp,
    JobSpec,
    Missed,
    catch_up,
    due_slots,
    next_fire,
    previous_fire,
    validate_cron,
)

__all__ = [
    "CatchUp",
    "JobSpec",
    "Missed",
    "catch_up",
    "due_slots",
    "next_fire",
    "previous_fire",
    "validate_cron",
]
