"""Small variants of the bundled demo for fault tests: a sample of its incidents, edited.

The sample (3,000 of the demo's 24,918 incidents, all their audit rows) keeps the demo's
shape and dates; its config lowers slice sizes so that a scan still files a handful of
entries. ``edit`` changes the raw audit rows (strings, as in the file), ``edit_config``
the YAML mapping, so each fault is built from the real log.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from tests.conftest import DEMO_CONFIG

__all__ = ["DATE_FORMAT", "demo_sample", "write_variant"]

DATE_FORMAT = "%d/%m/%Y %H:%M"


@functools.cache
def _sample(incidents: int) -> pd.DataFrame:
    raw = pd.read_csv(
        DEMO_CONFIG.parent / "data" / "incident_event_log.csv.gz",
        dtype="string",
        keep_default_na=False,
    )
    ids = raw["number"].unique()
    chosen = set(np.random.default_rng(0).choice(ids, incidents, replace=False))
    return raw[raw["number"].isin(chosen)].reset_index(drop=True)


def demo_sample(incidents: int = 3000) -> pd.DataFrame:
    """Return a copy of the demo's audit rows for a fixed random sample of incidents."""
    return _sample(incidents).copy()


def _config(csv_name: str) -> dict[str, Any]:
    config: dict[str, Any] = yaml.safe_load(DEMO_CONFIG.read_text())
    config["sources"][0]["path"] = csv_name
    for kpi in config["kpis"]:
        if "min_slice_records" in kpi:
            kpi["min_slice_records"] = 60
    config["drilldown"] = {"max_findings": 6, "min_impact_share": 0.01}
    config["detector"]["lookback_days"] = 30
    return config


def write_variant(
    folder: Path,
    name: str = "demo",
    edit: Callable[[pd.DataFrame], pd.DataFrame] | None = None,
    edit_config: Callable[[dict[str, Any]], None] | None = None,
    raw_bytes: bytes | None = None,
) -> Path:
    """Write ``<name>.csv`` and ``<name>.yaml`` under ``folder``; return the config path.

    ``raw_bytes`` replaces the CSV file's content outright (empty files, encodings).
    """
    folder.mkdir(parents=True, exist_ok=True)
    csv = folder / f"{name}.csv"
    if raw_bytes is not None:
        csv.write_bytes(raw_bytes)
    else:
        frame = demo_sample()
        (edit(frame) if edit else frame).to_csv(csv, index=False)
    config = _config(csv.name)
    if edit_config is not None:
        edit_config(config)
    path = folder / f"{name}.yaml"
    path.write_text(yaml.safe_dump(config, sort_keys=False))
    return path
