"""Pure-computation detectors for Improvement Radar.

The package contract:

- no I/O, no Prefect, no Great Expectations;
- scoring is causal: the score at period ``t`` uses data up to ``t`` only;
- scores are calibrated to [0, 1], so one threshold serves every series;
- :func:`detect_findings` turns a long KPI frame into :class:`Finding` objects, scoring all
  series at once on a (periods x series) matrix.
"""

from detectors.adapter import detect_findings
from detectors.finding import Finding, is_adverse
from detectors.params import DEFAULT_PARAMS, resolve_params
from detectors.version import __version__

__all__ = [
    "DEFAULT_PARAMS",
    "Finding",
    "__version__",
    "detect_findings",
    "is_adverse",
    "resolve_params",
]
