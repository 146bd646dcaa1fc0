"""Correlation of detections over time (Sigma correlation rules).

:mod:`garrison.correlate.windows` holds the pure, event-time sliding-window state;
:mod:`garrison.correlate.conditions` the ``gt/gte/lt/lte/eq`` count conditions.
"""
