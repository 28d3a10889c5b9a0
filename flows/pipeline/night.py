"""One night of the pipeline: compute what needs no register, then file it in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import pandas as pd

from detectors import Finding
from flows.candidates import Provenance
from flows.config import RadarSettings, ScanConfig
from flows.followup import FollowUp
from flows.gate import GateResult, apply_gate
from flows.load import RecordFrame
from flows.pipeline.stages import PLAIN, Stages
from register_client import Candidate, FileReport, Register

__all__ = [
    "NightOutcome",
    "NightWork",
    "compute_night",
    "finish_night",
    "run_night",
    "usable_frames",
]


@dataclass(frozen=True)
class NightOutcome:
    """Everything one night produced, before it is summarised."""

    as_of: date
    gate: dict[str, GateResult]
    findings: list[Finding]
    candidates: list[Candidate]
    filed: FileReport
    followed: list[FollowUp]

    def to_json(self) -> dict[str, Any]:
        """Return the night's summary as plain data, for the CLI and the artifacts."""
        return {
            "as_of": self.as_of.isoformat(),
            "gate": {name: result.to_json() for name, result in self.gate.items()},
            "findings": len(self.findings),
            "created": [o.entry_id for o in self.filed.created if o.entry_id],
            "updated": [o.entry_id for o in self.filed.updated if o.entry_id],
            "suppressed": [f"{o.title}: {o.reason}" for o in self.filed.suppressed],
            "measured": [f.to_json() for f in self.followed],
        }


@dataclass(frozen=True)
class NightWork:
    """One night's computed part: everything before the register, independent of other nights.

    Nights of a replay can be computed in any order, or in parallel (see
    :mod:`flows.orchestrate.sharded`); :func:`finish_night` then files them in night order.
    """

    as_of: date
    gate: dict[str, GateResult]
    findings: list[Finding]
    candidates: list[Candidate]
    kpi_frame: pd.DataFrame
    provenance: dict[str, Provenance]
    usable: dict[str, RecordFrame]


def usable_frames(
    frames: dict[str, RecordFrame], gate: dict[str, GateResult], config: ScanConfig
) -> dict[str, RecordFrame]:
    """Return the records the night's gate lets detection use, blocked sources left out."""
    return {
        name: passed
        for name, frame in frames.items()
        if (passed := apply_gate(frame, gate[name], config)) is not None
    }


def compute_night(
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    as_of: date,
    settings: RadarSettings,
    *,
    stages: Stages = PLAIN,
    plots: bool = True,
    run_id: str | None = None,
) -> NightWork:
    """Run one night's stages that need no register: gate, KPIs, detection, candidates."""
    docs_dir = settings.docs_dir if plots else None
    gate = stages.validate(list(frames.values()), config, as_of, docs_dir)
    usable = usable_frames(frames, gate, config)
    specs = [
        kpi
        for kpi in config.kpis
        if kpi.source in usable and (kpi.link is None or kpi.link.source in usable)
    ]
    usable_config = config.model_copy(update={"kpis": specs})
    kpi_frame = stages.compute_kpis(usable, usable_config, as_of)
    findings = stages.detect(kpi_frame, config, as_of)
    chosen = stages.select(findings, kpi_frame, config, as_of)
    provenance = {
        name: Provenance(
            dataset=name,
            data_hash=frame.data_hash,
            flow_run_id=run_id,
            gate=gate[name].to_json(),
        )
        for name, frame in frames.items()
    }
    candidates = stages.build_candidates(chosen, kpi_frame, config, provenance, as_of)
    return NightWork(as_of, gate, findings, candidates, kpi_frame, provenance, usable)


def finish_night(
    config: ScanConfig,
    work: NightWork,
    register: Register,
    settings: RadarSettings,
    *,
    stages: Stages = PLAIN,
    plots: bool = True,
) -> NightOutcome:
    """File one computed night: keep its gate results, rank, plot, add data-quality, follow up.

    Nights must be finished in order: data-quality streaks and the register's lifecycle
    read what earlier nights left behind.
    """
    stages.persist_gate(work.gate, register)
    open_now = stages.open_fingerprints(register)
    # Plots come after the cap: only candidates that may become new entries are drawn.
    candidates = stages.add_opportunities(
        work.candidates,
        work.usable,
        work.kpi_frame,
        config,
        work.provenance,
        work.as_of,
        open_now,
        settings.evidence_dir if plots else None,
    )
    if plots:
        candidates = stages.plot_evidence(
            candidates, work.kpi_frame, open_now, settings.evidence_dir
        )
    candidates += stages.build_dq_candidates(
        config, work.gate, work.provenance, work.as_of, register
    )
    filed = stages.file_entries(register, candidates, work.as_of)
    followed = stages.remeasure(register, work.kpi_frame, config, work.as_of, settings.evidence_dir)
    return NightOutcome(work.as_of, work.gate, work.findings, candidates, filed, followed)


def run_night(
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    register: Register,
    as_of: date,
    settings: RadarSettings,
    *,
    stages: Stages = PLAIN,
    plots: bool = True,
    run_id: str | None = None,
) -> NightOutcome:
    """Run one night's stages in order: gate, KPIs, detection, candidates, filing, follow-up.

    Parameters
    ----------
    config, frames
        The scan config and its loaded sources (all nights of a replay share one load).
    register : Register
        The CIR to file into and follow up from; one connection serves every night.
    as_of : date
        The night: only what was known by its end is used.
    settings : RadarSettings
        Where Data Docs and evidence plots go.
    stages : Stages, default PLAIN
        The stage functions; the Prefect flows pass tasks wrapping the same functions.
    plots : bool, default True
        Draw evidence plots and Data Docs, the slowest side outputs.
    run_id : str, optional
        The flow run that files the entries, recorded in their provenance.
    """
    work = compute_night(config, frames, as_of, settings, stages=stages, plots=plots, run_id=run_id)
    return finish_night(config, work, register, settings, stages=stages, plots=plots)
