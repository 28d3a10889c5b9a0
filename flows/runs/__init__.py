"""A scan run's own space: its lock, its outbox, and patience with the register.

- :func:`scan_lock` serialises scans of one config into one register (others wait, and
  say what for) and gives the pair its folder, ``<home>/runs/<key>/``.
- :class:`Outbox` keeps a night's candidates on disk until the register has them, so a
  rerun after an outage files them without recomputing and without duplicates.
- :func:`with_register_retry` retries what the register calls retryable, with exponential
  backoff, for a configured time (``RADAR_REGISTER_RETRY_SECONDS``).

:func:`run_scan` is a whole scan as plain code; the Prefect flows run it with tasks.
Nothing here imports Prefect or Great Expectations.
"""

from flows.runs.lock import run_key, scan_lock
from flows.runs.outbox import Outbox, file_via_outbox, flush_outbox
from flows.runs.retry import with_register_retry
from flows.runs.scan import plain_patient_stages, remeasure_patiently, run_scan

__all__ = [
    "Outbox",
    "file_via_outbox",
    "flush_outbox",
    "plain_patient_stages",
    "remeasure_patiently",
    "run_key",
    "run_scan",
    "scan_lock",
    "with_register_retry",
]
