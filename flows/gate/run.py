"""The governed quality gate: validate every source with Great Expectations before detection.

One ephemeral GX context serves the process while the suites stay the same
(:mod:`flows.gate.session`: a replay builds it once, not nightly). Per source it validates
three batches (records as known at ``as_of``, a whole-extract profile, and daily counts;
see :mod:`flows.gate.frames`) against four suites kept in the repo
(:mod:`flows.gate.suites`; the schema suite checks the records' columns and types, so a
session validates it once per schema), builds Data Docs when asked (a site per run,
:mod:`flows.gate.docs`); :mod:`flows.gate.store` persists the results. While it
runs, GX builds configurations and compiles templates once (:mod:`flows.gate.memo`). GX
is imported only here, inside the call, since it costs seconds to import.
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from flows.config.model import ScanConfig
from flows.gate.docs import finish_site, new_site
from flows.gate.failures import failure_from, without_implied
from flows.gate.frames import DAY, GateBatches, build_batches
from flows.gate.memo import gx_memos
from flows.gate.result import Failure, GateResult, highest_severity
from flows.gate.session import LOCK, GxSession, session_for
from flows.gate.suites import STAGES, SuitePlan, plan_for
from flows.load.records import RecordFrame

__all__ = ["Failure", "GateResult", "apply_gate", "run_gate"]

_SITE = "radar"
_DOCS_KEEP = 60  # Data Docs sites kept; each gate run adds one


def run_gate(
    frames: Iterable[RecordFrame],
    config: ScanConfig,
    as_of: date,
    docs_dir: Path | None = None,
) -> dict[str, GateResult]:
    """Validate each source's records and return its GateResult, keyed by source name.

    Parameters
    ----------
    frames : iterable of RecordFrame
        The loaded sources; each must be named in ``config.sources``.
    config : ScanConfig
        The scan config: source specs, KPIs (their columns and date pairs are checked),
        and each source's ``gate`` settings.
    as_of : date
        The scan date: records opened later are not validated as records; freshness,
        future dates and volume are judged against it.
    docs_dir : Path, optional
        Build Data Docs here (e.g. ``.radar/data_docs``); none when omitted.

    Raises
    ------
    ValueError
        If a frame's source is not in ``config``.
    """
    frames = list(frames)
    names = {s.name for s in config.sources}
    plans = {}
    for frame in frames:
        if frame.source not in names:
            raise ValueError(f"source {frame.source!r} is not in the config: {sorted(names)}")
        plans[frame.source] = plan_for(config, config.source(frame.source))
    with LOCK, gx_memos():  # one GX context serves the process, one at a time
        session = session_for(plans)
        site = new_site(docs_dir) if docs_dir is not None else None
        if site is not None:
            session.docs_site(_SITE, site)
        runs = {}
        for frame in frames:
            source = config.source(frame.source)
            plan = plans[frame.source]
            extract = source.extract.start if source.extract is not None else None
            batches = build_batches(frame, plan, as_of, extract, source.calendar)
            runs[frame.source] = _validate(session, batches, plan, as_of)
        pages: dict[str, str] = {}
        if docs_dir is not None and site is not None:
            session.build_docs(_SITE, site)
            pages = _docs_pages(site, [run["validation_id_key"] for run in runs.values()])
            finish_site(docs_dir, site, keep=_DOCS_KEEP)
    results = {}
    for name, run in runs.items():
        results[name] = GateResult(docs_path=pages.get(run.pop("validation_id_key")), **run)
    return results


def apply_gate(frame: RecordFrame, result: GateResult, config: ScanConfig) -> RecordFrame | None:
    """Return the records detection may use: None if blocked, else without blocked partitions.

    A ``day`` partition removes the records whose event date falls on that day; any other
    partition removes the records with that value in that column.
    """
    if result.blocked:
        return None
    if not result.blocked_partitions:
        return frame
    plan = plan_for(config, config.source(frame.source))
    records = frame.records
    keep = pd.Series(True, index=records.index)
    for name, values in result.blocked_partitions.items():
        if name == DAY:
            days = records[plan.event_date].dt.strftime("%Y-%m-%d")
            keep &= ~days.isin(values)
        elif name in records.columns:
            keep &= ~records[name].astype("string").isin(values)
    return dataclasses.replace(frame, records=records[keep].reset_index(drop=True))


def _validate(
    session: GxSession, batches: GateBatches, plan: SuitePlan, as_of: date
) -> dict[str, Any]:
    from great_expectations.core.run_identifier import RunIdentifier

    evaluated_at = datetime.now(UTC)
    validation_id = f"{evaluated_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    run_id = RunIdentifier(run_name=f"{plan.source}-{validation_id}", run_time=evaluated_at)
    failures: list[Failure] = []
    for stage in STAGES:
        outcome = session.validate(
            plan.source,
            stage,
            getattr(batches, stage),
            batches.parameters,
            run_id,
            same_as=batches.schema_key() if stage == "schema" else None,
        )
        failures += [
            failure_from(stage, r, batches, plan) for r in outcome.results if not r.success
        ]
    failures = without_implied(failures)
    if batches.records.empty:  # nothing up to as_of: the history check says so, once
        failures = [f for f in failures if f.check not in ("all_null", "completeness")]
    critical = [f for f in failures if f.severity == "critical"]
    blocked_partitions: dict[str, list[str]] = {}
    for failure in critical:
        for name, values in failure.partitions.items():
            blocked_partitions[name] = sorted({*blocked_partitions.get(name, []), *values})
    return {
        "source": plan.source,
        "as_of": as_of,
        "success": not any(f.severity in ("critical", "warning") for f in failures),
        "highest_failed_severity": highest_severity(failures),
        "failures": failures,
        "validation_id": validation_id,
        "validation_id_key": run_id.run_name,
        "suite_name": plan.source,
        "suite_version": session.versions[plan.source],
        "evaluated_at": evaluated_at,
        "blocked": any(not f.partitions for f in critical),
        "blocked_partitions": blocked_partitions,
        "rows_checked": len(batches.records),
        "rows_after_as_of": batches.rows_after_as_of,
    }


def _docs_pages(docs_dir: Path, run_names: list[str]) -> dict[str, str]:
    pages = {}
    for run_name in run_names:
        found = sorted(docs_dir.glob(f"validations/**/{run_name}/**/*.html"))
        records = [p for p in found if "records" in p.parts] or found
        if records:
            pages[run_name] = str(records[0])
    return pages
