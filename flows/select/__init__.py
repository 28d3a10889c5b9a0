"""Stage 4, select: run the detectors and keep the findings worth filing, with their drivers."""

from flows.select.breaks import find_breaks
from flows.select.drilldown import BASELINE_PERIODS, Drilled, drill_down
from flows.select.selection import select_findings

__all__ = ["BASELINE_PERIODS", "Drilled", "drill_down", "find_breaks", "select_findings"]
