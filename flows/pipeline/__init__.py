"""The pipeline core: one night's stages in data-flow order, as plain typed functions.

Nothing here imports Prefect. The nightly flows (:mod:`flows.orchestrate`) hand
:func:`run_night` a :class:`Stages` whose members are Prefect tasks wrapping these same
functions; the backtest, notebooks, benchmarks and examples call the core as it is.

    load ─► gate ─► KPIs ─► detect ─► select ─► candidates ─► rank ─► (plots) ─► file ─► follow-up
"""

from flows.pipeline.night import (
    NightOutcome,
    NightWork,
    compute_night,
    finish_night,
    run_night,
    usable_frames,
)
from flows.pipeline.stages import (
    PLAIN,
    Stages,
    add_opportunities,
    build_candidates,
    build_dq_candidates,
    compute_kpi_series,
    detect,
    file_entries,
    load_sources,
    open_fingerprints,
    persist_gate,
    plot_evidence,
    remeasure_entries,
    validate_sources,
)

__all__ = [
    "PLAIN",
    "NightOutcome",
    "NightWork",
    "Stages",
    "add_opportunities",
    "build_candidates",
    "build_dq_candidates",
    "compute_kpi_series",
    "compute_night",
    "detect",
    "file_entries",
    "finish_night",
    "load_sources",
    "open_fingerprints",
    "persist_gate",
    "plot_evidence",
    "remeasure_entries",
    "run_night",
    "usable_frames",
    "validate_sources",
]
