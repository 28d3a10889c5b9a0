"""Replays sharded over a Dask cluster, through prefect-dask's ``DaskTaskRunner``.

A night's gate, KPIs, detection and candidates need no register and no other night, so a
replay computes them in a few large shards (consecutive nights, one Prefect task each) on
Dask workers; the parent flow then files the nights one by one, in order, exactly as the
single-process path does. Set ``RADAR_DASK_ADDRESS`` to a scheduler (``tcp://host:8786``)
or to ``local`` for a LocalCluster on this machine.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from prefect import flow, task
from prefect.cache_policies import NO_CACHE
from prefect.task_runners import TaskRunner
from prefect_dask.task_runners import DaskTaskRunner

from flows import pipeline
from flows.config import RadarSettings, ScanConfig, load_config
from flows.load import RecordFrame

__all__ = ["compute_sharded", "dask_runner", "shards", "with_usable"]


def shards(nights: list[date], count: int) -> list[list[date]]:
    """Split ``nights`` into at most ``count`` runs of consecutive nights, sizes within one.

    Examples
    --------
    >>> [len(s) for s in shards([date(2024, 1, d) for d in range(1, 8)], 3)]
    [3, 2, 2]
    """
    count = max(1, min(count, len(nights)))
    size, extra = divmod(len(nights), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(nights[start:end])
        start = end
    return out


def dask_runner(settings: RadarSettings) -> TaskRunner[Any]:
    """Return the task runner for ``settings.dask_address``: a scheduler or a LocalCluster."""
    if settings.dask_address and settings.dask_address != "local":
        return DaskTaskRunner(address=settings.dask_address)
    return DaskTaskRunner(
        cluster_class="distributed.LocalCluster",
        cluster_kwargs={
            "n_workers": settings.dask_workers,
            "threads_per_worker": 1,
            "processes": True,
            "dashboard_address": ":0",  # None would still bind 8787
            "local_directory": str(Path(settings.home, "dask").resolve()),
        },
    )


@task(name="compute-nights", task_run_name="compute-nights-{nights[0]}", cache_policy=NO_CACHE)
def compute_nights(
    config_path: str, nights: list[date], settings: RadarSettings, run_id: str | None
) -> list[pipeline.NightWork]:
    """Compute a shard of consecutive nights on one worker (the plain core, no register).

    The worker reads the sources itself, so the records never travel through the task
    graph; and it sends back no records either: ``usable`` is left empty for the parent
    to re-derive from its own load (:func:`with_usable`), one night at a time.
    """
    config = load_config(Path(config_path))
    frames = pipeline.load_sources(config)
    return [
        dataclasses.replace(
            pipeline.compute_night(config, frames, night, settings, run_id=run_id), usable={}
        )
        for night in nights
    ]


def with_usable(
    works: list[pipeline.NightWork], frames: dict[str, RecordFrame], config: ScanConfig
) -> Iterator[pipeline.NightWork]:
    """Give each computed night its usable records again, from the parent's own frames."""
    for work in works:
        yield dataclasses.replace(work, usable=pipeline.usable_frames(frames, work.gate, config))


@flow(name="radar-replay-sharded", flow_run_name="{run_name}")
def compute_sharded(
    config_path: str, start: date, end: date, run_name: str, run_id: str | None = None
) -> list[pipeline.NightWork]:
    """Compute every night on the task runner, a shard of consecutive nights per worker.

    The parameters stay small (a path and dates), and so do the tasks' arguments: each
    worker reads the sources from ``config_path``, so workers on other machines need the
    same paths (a shared file system).
    """
    settings = RadarSettings()
    nights = list(pd.date_range(start, end, freq="D").date)
    futures = [
        compute_nights.submit(config_path, shard, settings, run_id)
        for shard in shards(nights, settings.dask_workers)
    ]
    return [work for future in futures for work in future.result()]
