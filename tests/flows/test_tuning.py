"""Tuned parameters round-trip: export -> load_config -> the scan's detection uses them."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from flows.config.model import load_config
from flows.pipeline import detect
from flows.workbench.tuning import export_params
from tests.conftest import DEMO_CONFIG


def _frame() -> pd.DataFrame:
    periods = pd.date_range("2016-01-01", periods=120, freq="D")
    values = 50 + np.random.default_rng(0).normal(0, 2, 120)
    values[115] = 90.0
    return pd.DataFrame({"kpi": "incidents_opened", "period": periods, "value": values, "n": 50})


def test_export_round_trips_into_the_scan(tmp_path: Path) -> None:
    tuned = {
        "seasonal__threshold": 0.8,
        "seasonal__n_seasons": np.int64(4),
        "seasonal__alpha": np.float64(0.1),
    }
    out = tmp_path / "configs" / "tuned.yaml"
    config = export_params(DEMO_CONFIG, tuned, out, min_score=0.6, note="tuned on a test")

    assert out.read_text().startswith("# Tuned from ")
    assert config == load_config(out)
    assert config.detector.params == {
        "seasonal__threshold": 0.8,
        "seasonal__n_seasons": 4,
        "seasonal__alpha": 0.1,
    }
    assert config.detector.min_score == 0.6
    original = load_config(DEMO_CONFIG)
    assert config.detector.lookback_days == original.detector.lookback_days
    # Sources still point at the same files from the new folder.
    assert [config.resolve_path(s).resolve() for s in config.sources] == [
        original.resolve_path(s).resolve() for s in original.sources
    ]
    # ... and so does the labels file.
    from flows.workbench.labels import config_labels

    ours, theirs = config_labels(config), config_labels(original)
    assert ours is not None and theirs is not None
    assert ours[0].resolve() == theirs[0].resolve() and ours[1] == theirs[1]
    findings = detect(_frame(), config, date(2016, 4, 29))
    assert findings and all(f.params["seasonal__threshold"] == 0.8 for f in findings)
    assert all(f.params["seasonal__n_seasons"] == 4 for f in findings)


def test_bad_params_write_nothing(tmp_path: Path) -> None:
    out = tmp_path / "tuned.yaml"
    with pytest.raises(ValueError, match="window"):
        export_params(DEMO_CONFIG, {"seasonal__window": 1}, out)
    with pytest.raises(ValueError, match="windw"):
        export_params(DEMO_CONFIG, {"windw": 10}, out)
    assert not out.exists()


def test_never_overwrites_the_input(tmp_path: Path) -> None:
    copy = tmp_path / "demo.yaml"
    copy.write_text(
        yaml.safe_dump({"sources": [{"name": "x", "path": "x.csv", "columns": {"id": "id"}}]})
    )
    with pytest.raises(ValueError, match="new file"):
        export_params(copy, {"seasonal__threshold": 0.7}, copy)
