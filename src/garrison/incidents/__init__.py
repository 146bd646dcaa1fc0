"""Incidents: grading (GB/T 20986-2023), SLA clocks, response phases and tasks.

The modules here are pure: they take times and values and return decisions, so deadlines and
grades are tested with a frozen clock. Storage lives in :mod:`garrison.storage.sql.incidents`.
"""
