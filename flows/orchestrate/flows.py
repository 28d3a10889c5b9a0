"""The nightly flows: ``radar-scan`` for one night, ``radar-replay`` for a range of nights.

Run names carry the config and the date (``uci_servicenow/2016-05-31``), so a platform team
can tell the nights apart in the UI; artifact keys carry the config name too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, get_run_logger
from prefect.runtime import flow_run

from flows.config import RadarSettings, ScanConfig, load_config
from flows.observe import night_done, summary_line
from flows.orchestrate.artifacts import publish_artifacts
from flows.orchestrate.tasks import TRACKED, load_sources
from flows.pipeline import NightOutcome, NightWork, compute_night, finish_night
from register_client import connect

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
    settings = RadarSettings()
    config = load_config(Path(config_path))
    # Open (and migrate) the register before any data is read: an unreachable register
    # fails the run in seconds, not after the whole night's work.
    register = connect(register_url or settings.register_url)
    first = start or config.as_of or datetime.now(UTC).date() - timedelta(days=1)
    last = end or first
    run_id = str(flow_run.id) if flow_run.id else None
    logger = get_run_logger()
    nights: list[NightOutcome] = []
    for work in _computed(config_path, config, settings, first, last, run_id):
        outcome = finish_night(config, work, register, settings, stages=TRACKED)
        logger.info(summary_line(outcome.to_json()))
        night_done(outcome)
        nights.append(outcome)
    # ``web:`` is the web app's config section; configs without it get no links.
    base_url = getattr(getattr(config, "web", None), "base_url", None)
    publish_artifacts(nights, register, _slug(Path(config_path).stem), base_url)
    return [night.to_json() for night in nights]


def _computed(
    config_path: str,
    config: ScanConfig,
    settings: RadarSettings,
    first: date,
    last: date,
    run_id: str | None,
) -> Iterator[NightWork]:
    """Each night's computed part, in order: in-process, or sharded over Dask when set."""
    if settings.dask_address and last > first:
        from flows.orchestrate.sharded import compute_sharded, dask_runner

        name = f"{_slug(Path(config_path).stem)}/{first}..{last}"
        sharded = compute_sharded.with_options(task_runner=dask_runner(settings))
        yield from sharded(config_path, first, last, name, run_id)
        return
    frames = load_sources(config)
    for night in pd.date_range(first, last, freq="D").date:
        yield compute_night(config, frames, night, settings, stages=TRACKED, run_id=run_id)


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
