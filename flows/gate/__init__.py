"""Stage 2, gate: Great Expectations suites over each source, before any KPI is computed.

A critical failure blocks a source (or one partition of it); warnings travel with the
findings as caveats. Suites live in ``flows/gate/suites/``, in code, with golden JSON tests.
"""

from flows.gate.result import Failure, GateResult, highest_severity
from flows.gate.run import apply_gate, run_gate
from flows.gate.store import DqStreak, due_dq_streaks, load_results, save_result

__all__ = [
    "DqStreak",
    "Failure",
    "GateResult",
    "apply_gate",
    "due_dq_streaks",
    "highest_severity",
    "load_results",
    "run_gate",
    "save_result",
]
