"""Stage 3, KPIs: the long KpiFrame (``kpi``, dimensions, ``period``, ``value``, ``n``)."""

from flows.kpis.catalogue import KpiError
from flows.kpis.compute import ALL, KPI_COLUMNS, compute_kpis, dimension_columns

__all__ = ["ALL", "KPI_COLUMNS", "KpiError", "compute_kpis", "dimension_columns"]
