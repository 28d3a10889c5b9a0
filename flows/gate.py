"""The governed quality gate: validate every source with Great Expectations before detection.

One ephemeral GX context serves a whole call of :func:`run_gate`. Per source it validates
three batches (records as known at ``as_of``, a whole-extract profile, and daily counts;
see :mod:`flows.gate_frames`) against suites kept in the repo (:mod:`flows.suites`),
builds Data Docs when asked, and persists each result by validation id
(:mod:`flows.gate_store`). GX is imported only here, inside the call, since it costs
seconds to import.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from flows.config import ScanConfig
from flows.gate_frames import DAY, GateBatches, build_batches
from flows.gate_result import Failure, GateResult, highest_severity
from flows.gate_spec import GateSpec, Severity
from flows.gate_store import save_result
from flows.sources import RecordFrame
from flows.suites import STAGES, SuitePlan, build_suites, plan_for, suite_version

__all__ = ["Failure", "GateResult", "run_gate"]

_SITE = "radar"
_RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}
_AUTO = Path("<auto>")


def run_gate(
    frames: Iterable[RecordFrame],
    config: ScanConfig,
    as_of: date,
    docs_dir: Path | None = None,
    results_dir: Path | None = _AUTO,
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
    results_dir : Path, optional
        Persist results here by validation id; by default next to ``docs_dir``
        (``<docs_dir>/../gate_results``), and nowhere when both are None.
    """
    frames = list(frames)
    if results_dir == _AUTO:
        results_dir = docs_dir.parent / "gate_results" if docs_dir is not None else None
    context = _context(docs_dir)
    datasource = context.data_sources.add_pandas("radar")
    runs = {}
    for frame in frames:
        plan = plan_for(config, config.source(frame.source))
        runs[frame.source] = _validate(context, datasource, frame, plan, as_of)
    pages: dict[str, str] = {}
    if docs_dir is not None:
        context.build_data_docs(site_names=[_SITE])
        pages = _docs_pages(docs_dir, [run["validation_id_key"] for run in runs.values()])
    results = {}
    for name, run in runs.items():
        result = GateResult(docs_path=pages.get(run.pop("validation_id_key")), **run)
        if results_dir is not None:
            save_result(result, results_dir)
        results[name] = result
    return results


def _context(docs_dir: Path | None) -> Any:
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    if docs_dir is not None:
        docs_dir.mkdir(parents=True, exist_ok=True)
        context.add_data_docs_site(
            site_name=_SITE,
            site_config={
                "class_name": "SiteBuilder",
                "store_backend": {
                    "class_name": "TupleFilesystemStoreBackend",
                    "base_directory": str(docs_dir.resolve()),
                },
                "site_index_builder": {"class_name": "DefaultSiteIndexBuilder"},
            },
        )
    return context


def _validate(
    context: Any, datasource: Any, frame: RecordFrame, plan: SuitePlan, as_of: date
) -> dict[str, Any]:
    import great_expectations as gx
    from great_expectations.core.run_identifier import RunIdentifier

    suites = build_suites(plan)
    batches = build_batches(frame, list(plan.dates), plan.event_date, plan.gate, as_of)
    evaluated_at = datetime.now(UTC)
    validation_id = f"{evaluated_at:%Y%m%dT%H%M%S%f}-{uuid.uuid4().hex[:8]}"
    run_id = RunIdentifier(run_name=f"{plan.source}-{validation_id}", run_time=evaluated_at)
    failures: list[Failure] = []
    for stage in STAGES:
        asset = datasource.add_dataframe_asset(f"{plan.source}.{stage}")
        definition = asset.add_batch_definition_whole_dataframe("all")
        suite = context.suites.add(suites[stage])
        validation = context.validation_definitions.add(
            gx.ValidationDefinition(name=f"{plan.source}.{stage}", data=definition, suite=suite)
        )
        outcome = validation.run(
            batch_parameters={"dataframe": getattr(batches, stage)},
            expectation_parameters=batches.parameters,
            result_format=_RESULT_FORMAT,
            run_id=run_id,
        )
        failures += [_failure(stage, r, batches, plan) for r in outcome.results if not r.success]
    failures = _without_implied(failures)
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
        "suite_version": suite_version(suites),
        "evaluated_at": evaluated_at,
        "blocked": any(not f.partitions for f in critical),
        "blocked_partitions": blocked_partitions,
        "rows_checked": len(batches.records),
        "rows_after_as_of": batches.rows_after_as_of,
    }


def _failure(stage: str, r: Any, batches: GateBatches, plan: SuitePlan) -> Failure:
    config = r.expectation_config
    kwargs = config.kwargs
    column = kwargs.get("column") or f"{kwargs.get('column_B')}<={kwargs.get('column_A')}"
    result = r.result or {}
    severity: Severity = config.severity.value
    count: int | None = result.get("unexpected_count")
    observed = result.get("observed_value")
    partitions: dict[str, list[str]] = {}
    if stage == "profile":
        base, _, measure = column.rpartition(".")
        counter = f"{base}.unparsed" if measure == "unparsed_share" else column
        count = int(batches.profile[counter].iloc[0]) if counter in batches.profile else None
        shown = _short(batches.profile[column].iloc[0]) if measure == "unparsed_share" else count
        detail = f"{measure.replace('_', ' ')} = {shown}; expected {_bounds(kwargs, {})}"
        column = base
    elif count is None and observed is not None:
        if "proportion_of_non_null" in config.type:
            count = round((1 - float(observed)) * len(batches.records))
        detail = f"observed {_short(observed)}; expected {_bounds(kwargs, batches.parameters)}"
    else:
        sample = [_short(v) for v in (result.get("partial_unexpected_list") or [])[:3]]
        detail = f"{count} unexpected" + (f", e.g. {', '.join(sample)}" if sample else "")
    if config.type == "expect_column_to_exist":
        detail = f"column {column!r} is missing"
    if r.exception_info and r.exception_info.get("raised_exception"):
        detail = f"error: {str(r.exception_info.get('exception_message')).splitlines()[0]}"
    index = result.get("unexpected_index_list")
    if severity == "critical" and index:
        if stage == "records":
            partitions = _confine(batches.records, index, plan)
        elif stage == "daily" and len(index) <= plan.gate.max_blocked_partitions:
            days = batches.daily[DAY].iloc[list(index)]
            partitions = {DAY: sorted(days.dt.strftime("%Y-%m-%d"))}
    return Failure(
        stage=stage,
        expectation=config.type,
        column=column,
        check=str(config.meta.get("check", stage)),
        severity=severity,
        unexpected_count=None if count is None else int(count),
        detail=detail,
        partitions=partitions,
    )


def _bounds(kwargs: dict[str, Any], parameters: dict[str, Any]) -> str:
    def value(v: Any) -> Any:
        return parameters.get(v["$PARAMETER"]) if isinstance(v, dict) else v

    low, high = value(kwargs.get("min_value")), value(kwargs.get("max_value"))
    above = f"{'>' if kwargs.get('strict_min') else '>='} {_short(low)}"
    below = f"<= {_short(high)}"
    if low is not None and high is not None:
        return f"{above} and {below}"
    return above if low is not None else below


def _short(value: Any) -> str:
    """Render an observed or unexpected value briefly: rounded numbers, ISO timestamps."""
    if isinstance(value, tuple | list):
        return "(" + ", ".join(_short(v) for v in value) + ")"
    if isinstance(value, float | np.floating):
        return f"{float(value):.4g}"
    if isinstance(value, np.datetime64 | datetime | pd.Timestamp):
        return str(pd.Timestamp(value).isoformat())
    if isinstance(value, np.integer):
        return str(int(value))
    return str(value)


def _confine(records: pd.DataFrame, index: list[Any], plan: SuitePlan) -> dict[str, list[str]]:
    """Return the partition the unexpected rows fall in, if few small partitions hold them."""
    gate: GateSpec = plan.gate
    rows = list(index)
    candidates = [plan.event_date, *plan.dimensions]
    for column in candidates:
        if column not in records.columns:
            continue
        keys = records[column]
        if column == plan.event_date:
            keys = keys.dt.strftime("%Y-%m-%d")
        bad = keys.iloc[rows]
        if bad.isna().any():
            continue
        values = sorted({str(v) for v in bad})
        share = float(keys.isin(values).mean())
        if len(values) <= gate.max_blocked_partitions and share <= gate.max_blocked_share:
            return {DAY if column == plan.event_date else column: values}
    return {}


def _without_implied(failures: list[Failure]) -> list[Failure]:
    """Drop failures that only repeat a missing column's schema failure."""
    missing = {f.column for f in failures if f.expectation == "expect_column_to_exist"}
    return [
        f
        for f in failures
        if f.expectation == "expect_column_to_exist"
        or not any(part in missing for part in str(f.column).split("<="))
    ]


def _docs_pages(docs_dir: Path, run_names: list[str]) -> dict[str, str]:
    pages = {}
    for run_name in run_names:
        found = sorted(docs_dir.glob(f"validations/**/{run_name}/**/*.html"))
        records = [p for p in found if "records" in p.parts] or found
        if records:
            pages[run_name] = str(records[0])
    return pages
