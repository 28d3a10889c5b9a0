"""The pipeline's stages as plain typed functions, and the :class:`Stages` that names them.

Nothing here imports Prefect: :mod:`flows.orchestrate` wraps each of these functions as a
task and hands :func:`flows.pipeline.run_night` those instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pandas as pd

from detectors import Finding, detect_findings
from flows.candidates import (
    Provenance,
    build_candidate,
    build_dq_candidate,
    plot_candidate,
    write_filed_plots,
)
from flows.candidates.build import evidence_agrees
from flows.candidates.ranking import rank_and_cap
from flows.candidates.standing import opportunity_candidate, plot_opportunity
from flows.config import ScanConfig
from flows.followup import FollowUp, remeasure
from flows.gate import GateResult, due_dq_streaks, run_gate, save_result
from flows.kpis import compute_kpis
from flows.load import RecordFrame, exclude_periods, load_records, summarise
from flows.select import Drilled, select_findings
from flows.select.kinds import find_opportunities
from flows.select.opportunities import KINDS, Opportunity
from register_client import (
    FOLLOW_UP_STATUSES,
    Candidate,
    FileReport,
    Register,
    RegisterUnavailable,
)

__all__ = [
    "PLAIN",
    "Stages",
    "add_opportunities",
    "build_candidates",
    "build_dq_candidates",
    "compute_kpi_series",
    "detect",
    "file_entries",
    "load_sources",
    "open_fingerprints",
    "persist_gate",
    "plot_evidence",
    "remeasure_entries",
    "validate_sources",
]

_log = logging.getLogger("radar.pipeline")


def load_sources(config: ScanConfig) -> dict[str, RecordFrame]:
    """Read every configured source into its RecordFrame, keyed by source name."""
    return {source.name: load_records(config, source) for source in config.sources}


def validate_sources(
    frames: list[RecordFrame], config: ScanConfig, as_of: date, docs_dir: Path | None
) -> dict[str, GateResult]:
    """Run the GX gate over every source, building Data Docs under ``docs_dir`` if given.

    Validation and Data Docs stay one step: the docs render the validation results that
    GX's ephemeral context holds only for the duration of this call.
    """
    return run_gate(frames, config, as_of, docs_dir)


def persist_gate(gate: dict[str, GateResult], register: Register) -> None:
    """Keep each gate result in the register, for data-quality streaks and audits."""
    for result in gate.values():
        save_result(result, register)


def compute_kpi_series(
    frames: dict[str, RecordFrame], config: ScanConfig, as_of: date
) -> pd.DataFrame:
    """Compute the KPI frame as known at the end of ``as_of``, holidays and edges blanked."""
    kpis = compute_kpis(frames, config, as_of)
    kpi_frame, exclusions = exclude_periods(kpis, frames, config, as_of)
    for line in summarise(exclusions):
        _log.info(line)
    return kpi_frame


def detect(kpi_frame: pd.DataFrame, config: ScanConfig, as_of: date) -> list[Finding]:
    """Run the detectors over every series at once; keep recent, adverse, confident events."""
    better: dict[str, str] = {kpi.name: kpi.better for kpi in config.kpis}
    since = pd.Timestamp(as_of) - pd.Timedelta(days=config.detector.lookback_days)
    findings = detect_findings(kpi_frame, better=better, params=config.detector.params, since=since)
    return [f for f in findings if f.adverse and f.score >= config.detector.min_score]


def build_candidates(
    findings: list[Drilled],
    kpi_frame: pd.DataFrame,
    config: ScanConfig,
    provenance: dict[str, Provenance],
    as_of: date,
) -> list[Candidate]:
    """Turn findings into candidates with baseline, target, priority, owner and provenance."""
    specs = {kpi.name: kpi for kpi in config.kpis}
    candidates = []
    for drilled in findings:
        spec = specs[drilled.finding.kpi]
        data = build_candidate(
            drilled.finding,
            kpi_frame,
            spec,
            config,
            provenance[spec.source],
            as_of,
            drivers=drilled.drivers,
        )
        if not evidence_agrees(data, spec):
            _log.info("not filed, baseline contradicts the finding: %s", data["title"])
            continue
        candidates.append(Candidate.model_validate(data))
    return candidates


def open_fingerprints(register: Register) -> frozenset[str]:
    """Return the fingerprints of the register's open entries (none while it is down).

    A candidate with one of them is a re-detection: it passes the cap, only adds evidence
    to its entry, and needs no plot.
    """
    try:
        return frozenset(e.fingerprint for e in register.list(status=("new", *FOLLOW_UP_STATUSES)))
    except RegisterUnavailable as exc:
        # Ranking goes on without it: filing, which waits the outage out or keeps the night
        # in the run's outbox, still files a still-open entry's re-detection only once.
        _log.warning("ranking without the open entries: %s", exc)
        return frozenset()


def add_opportunities(
    candidates: list[Candidate],
    frames: dict[str, RecordFrame],
    kpi_frame: pd.DataFrame,
    config: ScanConfig,
    provenance: dict[str, Provenance],
    as_of: date,
    open_now: frozenset[str],
    evidence_dir: Path | None,
) -> list[Candidate]:
    """Add hotspots, target gaps, handovers, change waves and improvements; cap all kinds.

    New entries of every kind compete for ``kinds.max_entries`` by expected benefit in
    hours; re-detections of open entries (a hotspot still open) only add evidence. Only
    the new opportunities that made the cap get their plot drawn (under ``evidence_dir``).
    """
    found = [
        (opportunity_candidate(o, config, provenance[o.dataset], as_of), o)
        for o in find_opportunities(frames, kpi_frame, config, as_of)
    ]
    ranked = rank_and_cap(candidates + [c for c, _ in found], open_now, config)
    if evidence_dir is None:
        return ranked
    # Ranking copies candidates: find each one's opportunity by what filing tells apart.
    drawn_from: dict[tuple[str, datetime], Opportunity] = {}
    for c, o in found:
        drawn_from.setdefault((c.fingerprint, c.evidence.at), o)
    return [
        plot_opportunity(c, drawn_from[key], evidence_dir)
        if c.fingerprint not in open_now and (key := (c.fingerprint, c.evidence.at)) in drawn_from
        else c
        for c in ranked
    ]


def build_dq_candidates(
    config: ScanConfig,
    gate: dict[str, GateResult],
    provenance: dict[str, Provenance],
    as_of: date,
    register: Register,
) -> list[Candidate]:
    """File a ``data_quality`` entry for each critical check failing N scans in a row."""
    try:
        streaks = due_dq_streaks(config, register)
    except RegisterUnavailable as exc:  # the streak is counted again once the register is back
        _log.warning("no data-quality streaks tonight: %s", exc)
        return []
    return [
        Candidate.model_validate(
            build_dq_candidate(
                streak, gate[streak.source], config, provenance[streak.source], as_of
            )
        )
        for streak in streaks
        if streak.source in gate
    ]


def plot_evidence(
    candidates: list[Candidate],
    kpi_frame: pd.DataFrame,
    open_now: frozenset[str],
    evidence_dir: Path,
) -> list[Candidate]:
    """Save the evidence plot of each anomaly candidate that may become a new entry.

    Filing keeps a plot only with the entry it creates: re-detections of open entries
    are not drawn, and neither are the other kinds (drawn from their own series).
    """
    return [
        plot_candidate(c, kpi_frame, evidence_dir)
        if c.kind not in KINDS and c.fingerprint not in open_now
        else c
        for c in candidates
    ]


def file_entries(register: Register, candidates: list[Candidate], as_of: date) -> FileReport:
    """File candidates into the register in one transaction (idempotent by fingerprint).

    New entries' evidence plots are stored in the register and written by entry id.
    """
    scan_at = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    report = register.file(candidates, scan_at=scan_at)
    write_filed_plots(report, candidates)
    return report


def remeasure_entries(
    register: Register,
    kpi_frame: pd.DataFrame,
    config: ScanConfig,
    as_of: date,
    evidence_dir: Path,
) -> list[FollowUp]:
    """Re-measure accepted, in-progress and monitoring entries (idempotent per night)."""
    return remeasure(
        register, kpi_frame, config, as_of, evidence_dir=evidence_dir, spec=config.followup
    )


@dataclass(frozen=True)
class Stages:
    """The stage functions :func:`run_night` calls; the orchestration swaps in Prefect tasks."""

    validate: Callable[[list[RecordFrame], ScanConfig, date, Path | None], dict[str, GateResult]]
    persist_gate: Callable[[dict[str, GateResult], Register], None]
    compute_kpis: Callable[[dict[str, RecordFrame], ScanConfig, date], pd.DataFrame]
    detect: Callable[[pd.DataFrame, ScanConfig, date], list[Finding]]
    select: Callable[[list[Finding], pd.DataFrame, ScanConfig, date], list[Drilled]]
    build_candidates: Callable[
        [list[Drilled], pd.DataFrame, ScanConfig, dict[str, Provenance], date], list[Candidate]
    ]
    open_fingerprints: Callable[[Register], frozenset[str]]
    plot_evidence: Callable[[list[Candidate], pd.DataFrame, frozenset[str], Path], list[Candidate]]
    add_opportunities: Callable[
        [
            list[Candidate],
            dict[str, RecordFrame],
            pd.DataFrame,
            ScanConfig,
            dict[str, Provenance],
            date,
            frozenset[str],
            Path | None,
        ],
        list[Candidate],
    ]
    build_dq_candidates: Callable[
        [ScanConfig, dict[str, GateResult], dict[str, Provenance], date, Register], list[Candidate]
    ]
    file_entries: Callable[[Register, list[Candidate], date], FileReport]
    remeasure: Callable[[Register, pd.DataFrame, ScanConfig, date, Path], list[FollowUp]]


#: The plain stages: what tests, backtests, notebooks and benchmarks run.
PLAIN = Stages(
    validate=validate_sources,
    persist_gate=persist_gate,
    compute_kpis=compute_kpi_series,
    detect=detect,
    select=select_findings,
    build_candidates=build_candidates,
    open_fingerprints=open_fingerprints,
    plot_evidence=plot_evidence,
    add_opportunities=add_opportunities,
    build_dq_candidates=build_dq_candidates,
    file_entries=file_entries,
    remeasure=remeasure_entries,
)
