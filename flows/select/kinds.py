"""Run every configured detector beyond anomalies over one night's data.

Each kind is off until the config's ``kinds:`` mapping asks for it; see
:mod:`flows.config.kinds_spec`. The result is ranked and capped together with the anomaly
candidates in :mod:`flows.candidates.ranking`.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from flows.config.model import ScanConfig
from flows.load import RecordFrame
from flows.select.change_impact import find_change_impact
from flows.select.handovers import find_handovers
from flows.select.hotspots import find_hotspots
from flows.select.improvements import find_improvements
from flows.select.opportunities import Opportunity
from flows.select.target_gaps import find_target_gaps

__all__ = ["find_opportunities"]


def find_opportunities(
    frames: dict[str, RecordFrame], kpi_frame: pd.DataFrame, config: ScanConfig, as_of: date
) -> list[Opportunity]:
    """Return the night's hotspots, target gaps, handovers, change waves and improvements.

    Examples
    --------
    >>> config = ScanConfig.model_validate({"sources": [{"name": "s", "path": "x",
    ...                                                   "columns": {"id": "id"}}]})
    >>> find_opportunities({}, pd.DataFrame(), config, date(2024, 1, 1))
    []
    """
    kinds = config.kinds
    found: list[Opportunity] = []
    for hotspot in kinds.hotspots:
        found += find_hotspots(frames, hotspot, config, as_of)
    for target in kinds.targets:
        found += find_target_gaps(kpi_frame, target, config, as_of)
    for handover in kinds.handovers:
        found += find_handovers(frames, handover, config, as_of)
    for change in kinds.change_impact:
        found += find_change_impact(frames, change, config, as_of)
    if kinds.improvement is not None:
        found += find_improvements(kpi_frame, kinds.improvement, config, as_of)
    return found
