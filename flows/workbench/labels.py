"""Read labelled-event files (YAML or CSV) named by a config's ``labels:`` key.

The format is :mod:`detectors.labels`'; this module only reads files and names the file in
every error. An event on a KPI the config does not compute stays an event: a config that
drops the KPI misses it, and its recall says so.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import yaml

from detectors.labels import LabelError, LabelledEvent, parse_events
from flows.config.model import ScanConfig

__all__ = ["config_labels", "read_labels"]


def read_labels(path: str | Path) -> list[LabelledEvent]:
    """Read a labels file: YAML (``events:`` list) or CSV (``kpi,slice,start,end,kind``).

    Raises
    ------
    LabelError
        One line naming the file, and the event and field when one is bad.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".csv":
            rows: Any = pd.read_csv(path, dtype=str, keep_default_na=False).to_dict("records")
        else:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            rows = raw.get("events") if isinstance(raw, dict) else raw
    except FileNotFoundError:
        raise LabelError(f"labels file not found: {path}") from None
    except (OSError, yaml.YAMLError, pd.errors.ParserError) as exc:
        first = str(exc).strip().splitlines()[0]
        raise LabelError(f"{path}: cannot read labels: {first}") from None
    if not isinstance(rows, list):
        raise LabelError(f"{path}: expected an 'events:' list of labelled events")
    try:
        return parse_events(rows)
    except LabelError as exc:
        raise LabelError(f"{path}: {exc}") from None


def config_labels(config: ScanConfig) -> tuple[Path, list[LabelledEvent]] | None:
    """Return the labels file a config names (relative to the config) and its events.

    Raises
    ------
    LabelError
        If the file is missing or bad.
    """
    if config.labels is None:
        return None
    path = Path(config.labels)
    if not path.is_absolute() and config.config_path is not None:
        path = config.config_path.parent / path
    return path, read_labels(path)
