"""Small hand-made frames for the tests of the kinds beyond anomalies."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from flows.config.model import ScanConfig
from flows.load import RecordFrame

__all__ = ["config_with", "frame"]


def frame(name: str, records: pd.DataFrame) -> RecordFrame:
    """Wrap records as a loaded source."""
    return RecordFrame(name, Path(f"{name}.csv"), "hash", records, len(records), {})


def config_with(sources: dict[str, list[str]], **extra: Any) -> ScanConfig:
    """A config whose sources map the given canonical columns (``id`` always)."""
    return ScanConfig.model_validate(
        {
            "sources": [
                {
                    "name": name,
                    "path": f"{name}.csv",
                    "columns": {c: c for c in ["id", *columns]},
                }
                for name, columns in sources.items()
            ],
            **extra,
        }
    )
