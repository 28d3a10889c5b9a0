"""Stage 5, candidates: findings become register candidates with evidence.

Baseline snapshot, target, priority with its reason, owner, provenance and the evidence
plot; data-quality streaks from the gate become ``data_quality`` candidates.
"""

from flows.candidates.build import (
    Provenance,
    build_candidate,
    evidence_agrees,
    route_owner,
    series_of,
)
from flows.candidates.dq import build_dq_candidate
from flows.candidates.evidence import entry_plot_path, plot_candidate, save_evidence_plot

__all__ = [
    "Provenance",
    "build_candidate",
    "build_dq_candidate",
    "entry_plot_path",
    "evidence_agrees",
    "plot_candidate",
    "route_owner",
    "save_evidence_plot",
    "series_of",
]
