"""Pure-computation detectors for Improvement Radar.

The package contract:

- no I/O, no Prefect, no Great Expectations;
- scoring is causal: the score at period ``t`` uses data up to ``t`` only;
- scores are calibrated to [0, 1] (0.5 = two-sided p of 1e-5), so one threshold serves
  every series;
- one typed configuration, :class:`DetectorConfig` (keys ``seasonal__window``,
  ``shift__threshold``, ...), drives both :func:`detect_findings` and the estimators that
  :func:`make_detector` builds;
- :func:`detect_findings` turns a long KPI frame into :class:`Finding` objects, scoring all
  series at once on a (periods x series) matrix;
- the estimators are scikit-learn outlier detectors and transformers (``clone``,
  ``get_params``, pipelines and ``GridSearchCV`` work); ``X`` rows are periods in order;
- :mod:`detectors.nab_scorer` and :mod:`detectors.stream` hold the NAB scorer and the
  high-frequency alarm scorer benchmarked on it; :mod:`detectors.durations` keeps that
  scorer's windows as durations at any sampling step.

Bad input, and what happens to it:

============================  ===========================================================
input                         result
============================  ===========================================================
too short                     cold start: no score (deviation 0) before ``min_periods``
NaN stretch                   no score on NaN rows; medians use the valid lags around them
constant series               deviation 0; a later move is judged against the scale floor
duplicate timestamps          ``detect_findings``: ``ValueError``; NAB: rows kept in order
non-monotonic index           ``detect_findings``: sorted by period; arrays: row order is
                              time order by contract
============================  ===========================================================
"""

from detectors.adapter import detect_findings
from detectors.calibrator import ScoreCalibrator
from detectors.config import DetectorConfig, parse_config
from detectors.ensemble import EnsembleDetector
from detectors.factory import make_detector
from detectors.features import RollingFeatures
from detectors.finding import Finding, is_adverse
from detectors.labels import LabelledEvent, event_rows, parse_events
from detectors.multivariate import IsolationForestDetector
from detectors.scorers import make_nab_scorer, make_window_scorer, score_events, window_scoring
from detectors.seasonal import SeasonalZScoreDetector
from detectors.shift import LevelShiftDetector
from detectors.trend import TrendDetector
from detectors.version import __version__

__all__ = [
    "DetectorConfig",
    "EnsembleDetector",
    "Finding",
    "IsolationForestDetector",
    "LabelledEvent",
    "LevelShiftDetector",
    "RollingFeatures",
    "ScoreCalibrator",
    "SeasonalZScoreDetector",
    "TrendDetector",
    "__version__",
    "detect_findings",
    "event_rows",
    "is_adverse",
    "make_detector",
    "make_nab_scorer",
    "make_window_scorer",
    "parse_config",
    "parse_events",
    "score_events",
    "window_scoring",
]
