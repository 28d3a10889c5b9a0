"""`radar nab run/score` on a tiny hand-made NAB folder, and on the real subset if present."""

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from detectors.durations import at_step
from detectors.stream import nab_scores
from flows.cli.nab import nab_app
from flows.workbench.nab import read_windows, run_folder, score_folder


def _write(
    folder: Path,
    name: str,
    values: np.ndarray,
    freq: str = "5min",
    fmt: str = "%Y-%m-%d %H:%M:%S",
) -> pd.DatetimeIndex:
    ts = pd.date_range("2020-01-01", periods=len(values), freq=freq)
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    pd.DataFrame({"timestamp": ts.strftime(fmt), "value": values}).to_csv(path, index=False)
    return ts


@pytest.fixture
def nab_folder(tmp_path: Path) -> tuple[Path, Path]:
    rng = np.random.default_rng(0)
    data = tmp_path / "data"
    spiky = 10 + rng.normal(0, 1, 3000)
    spiky[2000] = 60.0
    ts = _write(data, "cat/spiky.csv", spiky)
    _write(data, "cat/quiet.csv", 10 + rng.normal(0, 1, 2000))
    fmt = "%Y-%m-%d %H:%M:%S.%f"
    windows = {
        "cat/spiky.csv": [[ts[1900].strftime(fmt), ts[2100].strftime(fmt)]],
        "cat/quiet.csv": [],
    }
    wfile = tmp_path / "windows.json"
    wfile.write_text(json.dumps(windows))
    return data, wfile


def test_run_then_score(nab_folder: tuple[Path, Path], tmp_path: Path) -> None:
    data, wfile = nab_folder
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(nab_app, ["run", str(data), str(out)]).exit_code == 0
    scored = pd.read_csv(out / "cat" / "spiky.csv")
    assert list(scored.columns) == ["timestamp", "value", "anomaly_score"]
    assert scored["anomaly_score"].between(0, 1).all()
    assert int(scored["anomaly_score"].idxmax()) == 2000
    result = runner.invoke(
        nab_app, ["score", str(out), "--windows", str(wfile), "--format", "json"]
    )
    assert result.exit_code == 0
    scores = json.loads(result.stdout)
    assert set(scores) == {"standard", "reward_low_FP_rate", "reward_low_FN_rate"}
    assert scores["standard"]["normalized"] > 80


def test_missing_result_file_is_one_clear_error(
    nab_folder: tuple[Path, Path], tmp_path: Path
) -> None:
    _, wfile = nab_folder
    result = CliRunner().invoke(nab_app, ["score", str(tmp_path), "--windows", str(wfile)])
    assert result.exit_code == 1
    assert "no result file" in result.output and "Traceback" not in result.output


def test_subset_scores_only_the_files_that_were_run(
    nab_folder: tuple[Path, Path], tmp_path: Path
) -> None:
    data, wfile = nab_folder
    out = tmp_path / "out"
    runner = CliRunner()
    assert runner.invoke(nab_app, ["run", str(data), str(out)]).exit_code == 0
    windows = json.loads(wfile.read_text())
    wider = tmp_path / "wider.json"
    wider.write_text(json.dumps({**windows, "other/never_run.csv": []}))
    refused = runner.invoke(nab_app, ["score", str(out), "--windows", str(wider)])
    assert refused.exit_code == 1 and "--subset" in refused.output
    args = ["score", str(out), "--windows", str(wider), "--format", "json"]
    whole = runner.invoke(nab_app, ["score", str(out), "--windows", str(wfile), "--format", "json"])
    subset = runner.invoke(nab_app, [*args, "--subset"])
    assert subset.exit_code == 0
    assert json.loads(subset.stdout) == json.loads(whole.stdout)
    empty = runner.invoke(nab_app, ["score", str(tmp_path), "--windows", str(wider), "--subset"])
    assert empty.exit_code == 1 and "matches a labelled data file" in empty.output


def test_each_file_is_scored_with_the_windows_of_its_own_step(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    five = 10 + rng.normal(0, 1, 3000)
    hourly = 10 + rng.normal(0, 1, 1200)
    data = tmp_path / "data"
    _write(data, "a/five.csv", five)
    _write(data, "b/hourly.csv", hourly, freq="h", fmt="%Y-%m-%dT%H:%M:%SZ")  # UTC, ISO
    results = run_folder(data, tmp_path / "out")
    hour_settings = at_step(np.timedelta64(1, "h"))
    assert hour_settings[0].season == 24  # a day, not 12 days of hourly rows
    expected = {
        "a/five.csv": nab_scores(five),
        "b/hourly.csv": nab_scores(hourly, *hour_settings),
    }
    for name, scores in expected.items():
        assert np.array_equal(results[name]["anomaly_score"], np.round(scores, 6))
    assert not np.array_equal(
        np.round(nab_scores(hourly), 6), results["b/hourly.csv"]["anomaly_score"]
    )


def test_a_gap_in_a_feed_is_scored_as_time_not_skipped(tmp_path: Path) -> None:
    values = 10 + np.random.default_rng(2).normal(0, 1, 3000)
    data = tmp_path / "data"
    ts = _write(data, "cat/gappy.csv", values)
    frame = pd.read_csv(data / "cat/gappy.csv").drop(index=range(1000, 1100))
    frame.to_csv(data / "cat/gappy.csv", index=False)
    scored = run_folder(data, tmp_path / "out")["cat/gappy.csv"]["anomaly_score"]
    grid = values.copy()
    grid[1000:1100] = np.nan  # the silent slots, as the scorer sees them
    kept = np.ones(len(ts), dtype=bool)
    kept[1000:1100] = False
    assert np.array_equal(scored, np.round(nab_scores(grid)[kept], 6))


def test_a_timestamp_that_is_not_a_date_names_its_file_and_row(tmp_path: Path) -> None:
    data = tmp_path / "data"
    _write(data, "cat/bad.csv", np.ones(5))
    frame = pd.read_csv(data / "cat/bad.csv")
    frame.loc[3, "timestamp"] = "yesterday"
    frame.to_csv(data / "cat/bad.csv", index=False)
    result = CliRunner().invoke(nab_app, ["run", str(data), str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "cat/bad.csv: timestamp 'yesterday' (row 5) is not a date" in result.output
    assert not (tmp_path / "out").exists()


def test_bad_folder_is_one_clear_error(tmp_path: Path) -> None:
    result = CliRunner().invoke(nab_app, ["run", str(tmp_path / "nope"), str(tmp_path / "o")])
    assert result.exit_code == 1 and "does not exist" in result.output


@pytest.mark.shared_data
def test_real_nab_subset(tmp_path: Path) -> None:
    root = os.environ.get("RADAR_DATA_DIR")
    if not root or not (Path(root) / "nab").is_dir():
        pytest.skip("RADAR_DATA_DIR with nab/ not set")
    data = Path(root) / "nab"
    run_folder(data, tmp_path)
    results = {
        r.profile: r for r in score_folder(tmp_path, read_windows(data / "combined_windows.json"))
    }
    assert results["standard"].windows == 69
    assert 0 < results["standard"].normalized <= 100


def test_silent_detector_scores_zero_in_valid_json(
    nab_folder: tuple[Path, Path], tmp_path: Path
) -> None:
    data, wfile = nab_folder
    out = tmp_path / "silent"
    for name in ("cat/spiky.csv", "cat/quiet.csv"):
        frame = pd.read_csv(data / name).assign(anomaly_score=0.0)
        (out / "cat").mkdir(parents=True, exist_ok=True)
        frame.to_csv(out / name, index=False)
    result = CliRunner().invoke(
        nab_app, ["score", str(out), "--windows", str(wfile), "--format", "json"]
    )
    scores = json.loads(result.stdout)
    assert scores["standard"]["normalized"] == 0.0 and scores["standard"]["threshold"] is None
