"""The nightly flows: ``radar-scan`` for one night, ``radar-replay`` for a range of nights.

Run names carry the config and the date (``uci_servicenow/2016-05-31``), so a platform team
can tell the nights apart in the UI; artifact keys carry the config name too.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from prefect import flow
from prefect.runtime import flow_run

from flows.config import RadarSettings, ScanConfig, load_config
from flows.orchestrate.artifacts import publish_artifacts
from flows.orchestrate.notify import notify_webhook
from flows.orchestrate.sync import sync_after_scan
from flows.orchestrate.tasks import load_sources, patient_stages
from flows.pipeline import NightOutcome, NightWork, compute_night
from flows.runs import run_scan
from register_client import Register

__all__ = ["replay_flow", "scan_flow"]


def _config_name(parameters: dict[str, Any]) -> str:
    return Path(str(parameters.get("config_path") or "examples/demo.yaml")).stem


def _scan_run_name() -> str:
    parameters = flow_run.parameters
    return f"{_config_name(parameters)}/{parameters.get('as_of') or 'latest'}"


def _replay_run_name() -> str:
    parameters = flow_run.parameters
    return f"{_config_name(parameters)}/{parameters.get('start')}..{parameters.get('end')}"


def _slug(text: str) -> str:
    """Artifact keys allow lowercase letters, digits and dashes only."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "config"


def _replay(
    config_path: str, register_url: str | None, start: date | None, end: date | None
) -> list[dict[str, Any]]:
    key = _slug(Path(config_path).stem)
    config = load_config(Path(config_path))
    run_id = str(flow_run.id) if flow_run.id else None

    def publish(done: list[NightOutcome], register: Register) -> None:
        publish_artifacts(done, register, key, config.web.base_url)
        created = [o.entry_id for night in done for o in night.filed.created if o.entry_id]
        if config.notify is not None and created:
            notify_webhook(config, register, created, f"{done[0].as_of}..{done[-1].as_of}")

    nights = run_scan(
        Path(config_path),
        register_url,
        start,
        end,
        stages_for=patient_stages,
        load=load_sources,
        run_id=run_id,
        publish=publish,
        compute=_sharded(config_path, run_id) if RadarSettings().dask_address else None,
    )
    # The register is the ledger: a sync that fails warns and leaves the scan filed.
    sync_after_scan(config, register_url or RadarSettings().register_url)
    return [night.to_json() for night in nights]


def _sharded(
    config_path: str, run_id: str | None
) -> Callable[[ScanConfig, date, date], Iterable[NightWork]]:
    """Compute a replay's nights on Dask (``RADAR_DASK_ADDRESS``); one night stays here."""

    def compute(config: ScanConfig, first: date, last: date) -> Iterable[NightWork]:
        from flows.orchestrate.sharded import compute_sharded, dask_runner, with_usable

        if last <= first:
            return [compute_night(config, load_sources(config), first, RadarSettings())]
        name = f"{_slug(Path(config_path).stem)}/{first}..{last}"
        sharded = compute_sharded.with_options(task_runner=dask_runner(RadarSettings()))
        works = sharded(config_path, first, last, name, run_id)
        return with_usable(works, load_sources(config), config)

    return compute


@flow(name="radar-scan", flow_run_name=_scan_run_name)
def scan_flow(
    config_path: str = "examples/demo.yaml",
    register_url: str | None = None,
    as_of: date | None = None,
) -> list[dict[str, Any]]:
    """Scan every source as of one date (default: the config's, else yesterday) and file."""
    return _replay(config_path, register_url, as_of, as_of)


@flow(name="radar-replay", flow_run_name=_replay_run_name)
def replay_flow(
    config_path: str = "examples/demo.yaml",
    register_url: str | None = None,
    start: date | None = None,
    end: date | None = None,
) -> list[dict[str, Any]]:
    """Replay one scan per night from ``start`` to ``end``, loading the sources once."""
    return _replay(config_path, register_url, start, end)
