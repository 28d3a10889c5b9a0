"""Stage 5, candidates: findings become register candidates with evidence.

Baseline snapshot, target, priority with its reason, owner, provenance and the evidence
plot; data-quality streaks from the gate become ``data_quality`` candidates.

Shared by every entry kind: :mod:`~flows.candidates.baseline` (the snapshot before the
onset, like weekdays, prediction band), :mod:`~flows.candidates.targets` (the suggested
target), :mod:`~flows.candidates.domain` (domain clipping, percentages for rates) and
:mod:`~flows.candidates.evidence` (plots by entry id).
"""

from flows.candidates.build import (
    Provenance,
    build_candidate,
    evidence_agrees,
    route_owner,
    series_of,
)
from flows.candidates.dq import build_dq_candidate, is_defect
from flows.candidates.evidence import (
    entry_plot_path,
    followup_plot_path,
    plot_candidate,
    save_evidence_plot,
    write_filed_plots,
)

__all__ = [
    "Provenance",
    "build_candidate",
    "build_dq_candidate",
    "entry_plot_path",
    "evidence_agrees",
    "followup_plot_path",
    "is_defect",
    "plot_candidate",
    "route_owner",
    "save_evidence_plot",
    "series_of",
    "write_filed_plots",
]
