"""The Prefect flows: one nightly scan, and a replay of many nights over one load.

Tasks are small and typed, one step or one side effect each. I/O tasks retry with
backoff, but never on bad input: a wrong file stays wrong however often it is read.
Idempotency lives in the register (fingerprints and upserts), not in Prefect's cache,
so every task runs with ``NO_CACHE``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.cache_policies import NO_CACHE
from prefect.client.schemas.objects import State, TaskRun
from prefect.runtime import flow_run
from prefect.tasks import Task, exponential_backoff

from detectors import Finding, detect_findings
from flows.calendars import exclude_periods, summarise
from flows.candidates import Provenance, build_candidate, evidence_agrees
from flows.config import ScanConfig, load_config
from flows.dq_candidates import build_dq_candidate
from flows.drilldown import Drilled
from flows.evidence import plot_candidate
from flows.followup import FollowUp, remeasure
from flows.gate import GateResult, apply_gate, run_gate
from flows.gate_store import due_dq_streaks
from flows.kpis import compute_kpis
from flows.selection import select_findings
from flows.settings import RadarSettings
from flows.sources import RecordFrame, load_records
from flows.web.notify import notify_filed
from register_client import Candidate, FileReport, RegisterError, connect

__all__ = ["NightOutcome", "NightReport", "replay_flow", "run_night", "scan_flow", "scan_night"]


def _transient(task: Task[Any, Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry I/O hiccups, never bad input or register rule violations."""
    try:
        state.result()
    except RegisterError as exc:
        return exc.retryable  # an unreachable database or a lost race, not a broken rule
    except ValueError:  # ConfigError, SourceError and other bad input
        return False
    except Exception:
        return True
    return False


_BACKOFF = exponential_backoff(backoff_factor=2)


@dataclass
class NightReport:
    """What one night's scan did, for the CLI and the artifacts."""

    as_of: date
    gate: dict[str, dict[str, Any]]
    findings: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    suppressed: list[str] = field(default_factory=list)
    measured: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Return the report as plain data."""
        return {
            "as_of": self.as_of.isoformat(),
            "gate": self.gate,
            "findings": self.findings,
            "created": self.created,
            "updated": self.updated,
            "suppressed": self.suppressed,
            "measured": self.measured,
        }


@task(cache_policy=NO_CACHE, retries=2, retry_delay_seconds=_BACKOFF, retry_condition_fn=_transient)
def load_source(config: ScanConfig, name: str) -> RecordFrame:
    """Read one source into its RecordFrame."""
    return load_records(config, config.source(name))


@task(cache_policy=NO_CACHE, task_run_name="validate-sources-{as_of}")
def validate_sources(
    frames: list[RecordFrame],
    config: ScanConfig,
    as_of: date,
    settings: RadarSettings,
    docs: bool = True,
) -> dict[str, GateResult]:
    """Run the GX gate over every source; persist results, and build Data Docs if ``docs``."""
    docs_dir = settings.docs_dir if docs else None
    return run_gate(frames, config, as_of, docs_dir, results_dir=settings.gate_results_dir)


@task(cache_policy=NO_CACHE, task_run_name="compute-kpis-{as_of}")
def compute_kpi_series(
    frames: dict[str, RecordFrame], config: ScanConfig, as_of: date
) -> pd.DataFrame:
    """Compute the KPI frame as known at the end of ``as_of``, holidays and edges blanked."""
    kpis = compute_kpis(frames, config, as_of)
    kpi_frame, exclusions = exclude_periods(kpis, frames, config, as_of)
    for line in summarise(exclusions):
        get_run_logger().info(line)
    return kpi_frame


@task(cache_policy=NO_CACHE, task_run_name="detect-{as_of}")
def detect(kpi_frame: pd.DataFrame, config: ScanConfig, as_of: date) -> list[Finding]:
    """Run the detectors over every series at once; keep recent, adverse, confident events."""
    better: dict[str, str] = {kpi.name: kpi.better for kpi in config.kpis}
    since = pd.Timestamp(as_of) - pd.Timedelta(days=config.detector.lookback_days)
    findings = detect_findings(kpi_frame, better=better, params=config.detector.params, since=since)
    return [f for f in findings if f.adverse and f.score >= config.detector.min_score]


@task(cache_policy=NO_CACHE, task_run_name="drill-down-{as_of}")
def drill_down_findings(
    findings: list[Finding], kpi_frame: pd.DataFrame, config: ScanConfig, as_of: date
) -> list[Drilled]:
    """Keep structural breaks and the drilled-down moves worth filing, with their drivers."""
    return select_findings(findings, kpi_frame, config, as_of)


def _provenance(
    source: str, frames: dict[str, RecordFrame], gate: dict[str, GateResult]
) -> Provenance:
    run_id = flow_run.id
    return Provenance(
        dataset=source,
        data_hash=frames[source].data_hash,
        flow_run_id=str(run_id) if run_id else None,
        gate=gate[source].to_json(),
    )


@task(cache_policy=NO_CACHE, task_run_name="build-candidates-{as_of}")
def build_candidates(
    findings: list[Drilled],
    kpi_frame: pd.DataFrame,
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    gate: dict[str, GateResult],
    as_of: date,
) -> list[Candidate]:
    """Turn findings into candidates with baseline, target, priority, owner and provenance."""
    specs = {kpi.name: kpi for kpi in config.kpis}
    candidates = []
    for drilled in findings:
        finding = drilled.finding
        spec = specs[finding.kpi]
        provenance = _provenance(spec.source, frames, gate)
        data = build_candidate(
            finding, kpi_frame, spec, config, provenance, as_of, drivers=drilled.drivers
        )
        if not evidence_agrees(data, spec):
            get_run_logger().info("not filed, baseline contradicts the finding: %s", data["title"])
            continue
        candidates.append(Candidate.model_validate(data))
    return candidates


@task(cache_policy=NO_CACHE, task_run_name="build-dq-candidates-{as_of}")
def build_dq_candidates(
    config: ScanConfig,
    gate: dict[str, GateResult],
    frames: dict[str, RecordFrame],
    as_of: date,
    settings: RadarSettings,
) -> list[Candidate]:
    """File a ``data_quality`` entry for each critical check failing N scans in a row."""
    return [
        Candidate.model_validate(
            build_dq_candidate(
                streak,
                gate[streak.source],
                config,
                _provenance(streak.source, frames, gate),
                as_of,
            )
        )
        for streak in due_dq_streaks(config, settings.gate_results_dir)
        if streak.source in gate
    ]


@task(
    cache_policy=NO_CACHE,
    task_run_name="file-entries-{as_of}",
    retries=2,
    retry_delay_seconds=_BACKOFF,
    retry_condition_fn=_transient,
)
def file_entries(register_url: str, candidates: list[Candidate], as_of: date) -> FileReport:
    """File candidates into the register in one transaction (idempotent by fingerprint)."""
    scan_at = datetime.combine(as_of, datetime.min.time(), tzinfo=UTC) + timedelta(days=1)
    return connect(register_url).file(candidates, scan_at=scan_at)


@task(cache_policy=NO_CACHE, task_run_name="plot-evidence-{as_of}")
def plot_evidence(
    candidates: list[Candidate], kpi_frame: pd.DataFrame, as_of: date, settings: RadarSettings
) -> list[Candidate]:
    """Save each candidate's evidence plot (by fingerprint) and record its path."""
    return [plot_candidate(c, kpi_frame, settings.evidence_dir) for c in candidates]


@task(
    cache_policy=NO_CACHE,
    task_run_name="remeasure-entries-{as_of}",
    retries=2,
    retry_delay_seconds=_BACKOFF,
    retry_condition_fn=_transient,
)
def remeasure_entries(
    register_url: str,
    kpi_frame: pd.DataFrame,
    config: ScanConfig,
    as_of: date,
    settings: RadarSettings,
) -> list[FollowUp]:
    """Re-measure accepted, in-progress and monitoring entries (idempotent per night)."""
    register = connect(register_url)
    return remeasure(
        register, kpi_frame, config, as_of, evidence_dir=settings.evidence_dir, spec=config.followup
    )


@task(cache_policy=NO_CACHE)
def publish_artifacts(reports: list[NightReport], register_url: str) -> None:
    """Publish the entries filed and the gate results under stable keys."""
    register = connect(register_url)
    filed = [eid for report in reports for eid in report.created + report.updated]
    rows = []
    for entry_id in dict.fromkeys(filed):
        entry = register.get(entry_id).to_json()
        rows.append(
            {
                "id": entry["id"],
                "status": entry["status"],
                "priority": entry["priority"],
                "title": entry["title"],
                "owner": entry["owner"] or "(unassigned)",
                "occurrences": entry["occurrences"],
            }
        )
    create_table_artifact(
        key="opportunities-filed",
        table=rows or [{"id": "-", "title": "no entries filed"}],
        description=(
            f"CIR entries created or updated, nights {reports[0].as_of}..{reports[-1].as_of}"
        ),
    )
    latest = {m["id"]: {"night": r.as_of.isoformat(), **m} for r in reports for m in r.measured}
    create_table_artifact(
        key="follow-up-verdicts",
        table=list(latest.values()) or [{"id": "-", "verdict": "no entries followed up"}],
        description="Latest re-measurement of accepted, in-progress and monitoring entries",
    )
    gate_lines = [
        f"- **{name}** ({report.as_of}): success={g['success']}, "
        f"highest failed severity={g.get('highest_failed_severity')}, "
        f"validation {g['validation_id']}, docs: {g.get('docs_path')}"
        for report in reports[-1:]
        for name, g in report.gate.items()
    ]
    create_markdown_artifact(
        key="dq-results", markdown="# Quality gate\n\n" + "\n".join(gate_lines)
    )


@task(cache_policy=NO_CACHE, task_run_name="notify-webhook-{as_of}")
def notify_webhook(
    config: ScanConfig, register_url: str, created: list[str], as_of: date
) -> bool | None:
    """Post the night's new and regressed entries to the webhook; never fails the scan."""
    register = connect(register_url)
    return notify_filed(config.notify, config.web.base_url, register, created, str(as_of))


@dataclass
class NightOutcome:
    """Everything one night produced, before it is summarised."""

    as_of: date
    gate: dict[str, GateResult]
    findings: list[Finding]
    candidates: list[Candidate]
    filed: FileReport
    followed: list[FollowUp]


def run_night(
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    register_url: str,
    as_of: date,
    settings: RadarSettings,
    *,
    tracked: bool = True,
    plots: bool = True,
) -> NightOutcome:
    """Run one night's stages in order: gate, KPIs, detection, candidates, filing, follow-up.

    ``tracked=False`` calls each task's plain function, for what-if runs (the backtest) that
    should leave no run history and need no Prefect API. ``plots=False`` skips evidence
    plots and Data Docs, the slowest side outputs.
    """

    def call(stage: Task[Any, Any], *args: Any) -> Any:
        return stage(*args) if tracked else stage.fn(*args)

    gate = call(validate_sources, list(frames.values()), config, as_of, settings, plots)
    usable = {
        name: passed
        for name, frame in frames.items()
        if (passed := apply_gate(frame, gate[name], config)) is not None
    }
    specs = [
        kpi
        for kpi in config.kpis
        if kpi.source in usable and (kpi.link is None or kpi.link.source in usable)
    ]
    kpi_frame = call(compute_kpi_series, usable, config.model_copy(update={"kpis": specs}), as_of)
    findings = call(detect, kpi_frame, config, as_of)
    chosen = call(drill_down_findings, findings, kpi_frame, config, as_of)
    candidates = call(build_candidates, chosen, kpi_frame, config, frames, gate, as_of)
    if plots:
        candidates = call(plot_evidence, candidates, kpi_frame, as_of, settings)
    candidates += call(build_dq_candidates, config, gate, frames, as_of, settings)
    filed = call(file_entries, register_url, candidates, as_of)
    followed = call(remeasure_entries, register_url, kpi_frame, config, as_of, settings)
    return NightOutcome(as_of, gate, findings, candidates, filed, followed)


def scan_night(
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    register_url: str,
    as_of: date,
    settings: RadarSettings,
) -> NightReport:
    """Run one tracked night and summarise it for the CLI and the artifacts."""
    night = run_night(config, frames, register_url, as_of, settings)
    created = [o.entry_id for o in night.filed.created if o.entry_id]
    if config.notify is not None and created:
        notify_webhook(config, register_url, created, as_of)
    return NightReport(
        as_of=as_of,
        gate={name: result.to_json() for name, result in night.gate.items()},
        findings=len(night.findings),
        created=[o.entry_id for o in night.filed.created if o.entry_id],
        updated=[o.entry_id for o in night.filed.updated if o.entry_id],
        suppressed=[f"{o.title}: {o.reason}" for o in night.filed.suppressed],
        measured=[f.to_json() for f in night.followed],
    )


def _load_all(config: ScanConfig) -> dict[str, RecordFrame]:
    return {source.name: load_source(config, source.name) for source in config.sources}


def _scan_run_name() -> str:
    return f"scan-{flow_run.parameters.get('as_of') or 'default'}"


@flow(name="radar-scan", flow_run_name=_scan_run_name)
def scan_flow(
    config_path: str = "examples/demo.yaml",
    register_url: str | None = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """Scan every source as of one date and file what it finds."""
    return replay_flow.fn(config_path, register_url, as_of, as_of)


@flow(name="radar-replay", flow_run_name="replay-{start}-{end}")
def replay_flow(
    config_path: str = "examples/demo.yaml",
    register_url: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    """Replay one scan per night from ``start`` to ``end``, loading the sources once."""
    settings = RadarSettings()
    config = load_config(Path(config_path))
    register_url = register_url or settings.register_url
    first = start or config.as_of or datetime.now(UTC).date() - timedelta(days=1)
    last = end or first
    frames = _load_all(config)
    reports = [
        scan_night(config, frames, register_url, night.date(), settings)
        for night in pd.date_range(first, last, freq="D")
    ]
    publish_artifacts(reports, register_url)
    return [report.to_json() for report in reports]
