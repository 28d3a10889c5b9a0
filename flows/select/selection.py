"""Choose what a night files: structural breaks first, then drilled-down KPI moves.

This is the one step between the detectors and the candidates. It turns the night's raw
findings into the few a service manager should see, each with its drivers:

1. :func:`flows.breaks.find_breaks` names renames and flag steps whose break is recent;
2. findings those breaks explain are dropped (a renamed team did not "improve" to zero);
3. of the findings on one slice and direction whose windows meet (one episode, as the
   register counts them), the strongest stays;
4. :func:`flows.drilldown.drill_down` groups slice findings under their total, drops
   immaterial ones, ranks the rest and caps them per night.
"""

from __future__ import annotations

import logging
from datetime import date

import pandas as pd

from detectors import Finding
from flows.config.model import ScanConfig
from flows.select.breaks import explained, find_breaks
from flows.select.drilldown import Drilled, drill_down

__all__ = ["one_per_episode", "select_findings"]

_log = logging.getLogger(__name__)


def select_findings(
    findings: list[Finding], kpi_frame: pd.DataFrame, config: ScanConfig, as_of: date
) -> list[Drilled]:
    """Return the night's findings to file, breaks first, each with its drivers.

    Examples
    --------
    >>> from flows.config.model import ScanConfig
    >>> config = ScanConfig.model_validate({"sources": [{"name": "s", "path": "x",
    ...                                                   "columns": {"id": "id"}}]})
    >>> select_findings([], pd.DataFrame(columns=["kpi", "period", "value", "n"]), config,
    ...                 date(2024, 1, 1))
    []
    """
    breaks: list[Drilled] = []
    if config.drilldown.breaks and not kpi_frame.empty:
        # A break is confirmed only once the old value stayed away for weeks.
        since = pd.Timestamp(as_of) - pd.Timedelta(days=config.detector.lookback_days + 28)
        breaks = [b for b in find_breaks(kpi_frame, config) if b.finding.start >= since]
    ordinary = []
    for finding in findings:
        if explained(finding, breaks):
            _log.info("%s %s: explained by a structural break", finding.kpi, finding.dimensions)
        else:
            ordinary.append(finding)
    return breaks + drill_down(one_per_episode(ordinary), kpi_frame, config)


def one_per_episode(findings: list[Finding]) -> list[Finding]:
    """Keep the strongest finding of each episode: one slice and direction, windows that meet.

    A degradation and the level shift inside it are one problem; filed together they would
    make one entry seen twice on its first night.

    Examples
    --------
    >>> from detectors import Finding
    >>> def f(kind, start, end, score):
    ...     return Finding("k", {}, kind, "up", True, pd.Timestamp(start), pd.Timestamp(end),
    ...                    2.0, 1.0, 0.0, 1.5, 1.0, score, "d", {}, "1", 50)
    >>> [x.kind for x in one_per_episode([f("level_shift", "2024-05-02", "2024-05-31", 0.7),
    ...                                   f("degradation", "2024-04-06", "2024-05-23", 1.0),
    ...                                   f("spike", "2024-06-20", "2024-06-20", 0.9)])]
    ['degradation', 'spike']
    """
    kept: list[Finding] = []
    windows: dict[tuple[str, tuple[tuple[str, str], ...], str], list[Finding]] = {}
    gap = pd.Timedelta(days=1)
    for finding in sorted(findings, key=lambda f: -f.score):
        key = (finding.kpi, tuple(sorted(finding.dimensions.items())), finding.direction)
        same_slice = windows.setdefault(key, [])
        if not any(
            finding.start <= k.end + gap and finding.end >= k.start - gap for k in same_slice
        ):
            same_slice.append(finding)
            kept.append(finding)
    return kept
