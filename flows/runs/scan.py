"""A whole scan as plain code: lock, open the register, flush the outbox, run the nights.

:mod:`flows.orchestrate` runs this same function with Prefect tasks as its stages; the
fault tests run it with the plain ones, in a subprocess they can kill.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from functools import partial
from pathlib import Path

import pandas as pd

from flows import pipeline
from flows.config import RadarSettings, ScanConfig, load_config
from flows.followup import FollowUp
from flows.load import RecordFrame
from flows.observe import night_done, summary_line
from flows.runs.lock import masked_url, scan_lock
from flows.runs.outbox import Outbox, file_via_outbox, flush_outbox
from flows.runs.retry import with_register_retry
from register_client import Register, connect

__all__ = ["plain_patient_stages", "remeasure_patiently", "run_scan"]

_log = logging.getLogger("radar.scan")


def remeasure_patiently(
    register: Register,
    kpi_frame: pd.DataFrame,
    config: ScanConfig,
    as_of: date,
    evidence_dir: Path,
    retry_seconds: float,
) -> list[FollowUp]:
    """Re-measure the night's entries, waiting out a register outage for ``retry_seconds``."""
    return with_register_retry(
        lambda: pipeline.remeasure_entries(register, kpi_frame, config, as_of, evidence_dir),
        seconds=retry_seconds,
        what=f"re-measuring entries of {as_of}",
    )


def plain_patient_stages(outbox: Outbox, retry_seconds: float) -> pipeline.Stages:
    """Return the plain stages with filing through ``outbox`` and patient register writes."""
    return dataclasses.replace(
        pipeline.PLAIN,
        file_entries=partial(file_via_outbox, outbox=outbox, retry_seconds=retry_seconds),
        remeasure=partial(remeasure_patiently, retry_seconds=retry_seconds),
    )


def run_scan(
    config_path: Path,
    register_url: str | None,
    start: date | None,
    end: date | None,
    *,
    settings: RadarSettings | None = None,
    stages_for: Callable[[Outbox, float], pipeline.Stages] = plain_patient_stages,
    load: Callable[[ScanConfig], dict[str, RecordFrame]] = pipeline.load_sources,
    run_id: str | None = None,
    publish: Callable[[list[pipeline.NightOutcome], Register], None] | None = None,
    compute: Callable[[ScanConfig, date, date], Iterable[pipeline.NightWork]] | None = None,
) -> list[pipeline.NightOutcome]:
    """Scan ``start`` to ``end`` (default: the config's as_of, else yesterday) and file.

    Parameters
    ----------
    config_path : Path
        The scan config.
    register_url : str, optional
        The register; default ``settings.register_url``.
    start, end : date, optional
        The nights to replay, in order; the sources are loaded once.
    settings : RadarSettings, optional
        Home folder and register retry window; default from the environment.
    stages_for : callable
        Builds the night's stages from the outbox and the retry window.
    load : callable
        Loads the sources (the flows pass a Prefect task).
    run_id : str, optional
        The flow run, recorded in each entry's provenance.
    publish : callable, optional
        Called with the nights and the register at the end (the flows' artifacts).
    compute : callable, optional
        Computes the nights' register-free part elsewhere (a Dask cluster), in night
        order; by default they are computed here from one load of the sources.
    """
    settings = settings or RadarSettings()
    config = load_config(config_path)
    url = register_url or settings.register_url
    patience = settings.register_retry_seconds
    # One scan of a config into a register at a time; others of the same pair wait.
    with scan_lock(settings.home, config_path, url) as run_dir:
        # Open (and migrate) the register before any data is read: an outage is found
        # before the night's work, and waited out for the configured time.
        register = with_register_retry(
            lambda: connect(url), seconds=patience, what=f"opening {masked_url(url)}"
        )
        try:
            outbox = Outbox(run_dir / "outbox")
            flush_outbox(register, outbox, patience)  # what a run before could not file
            first = start or config.as_of or datetime.now(UTC).date() - timedelta(days=1)
            stages = stages_for(outbox, patience)
            if compute is None:
                frames = load(config)
                works: Iterable[pipeline.NightWork] = (
                    pipeline.compute_night(
                        config, frames, night, settings, stages=stages, run_id=run_id
                    )
                    for night in pd.date_range(first, end or first, freq="D").date
                )
            else:
                works = compute(config, first, end or first)
            nights = []
            for work in works:  # filed in night order: streaks and lifecycles build on it
                night = pipeline.finish_night(config, work, register, settings, stages=stages)
                _log.info(summary_line(night.to_json()))
                night_done(night)
                nights.append(night)
            if publish is not None:
                publish(nights, register)
        finally:
            register.dispose()
    return nights
