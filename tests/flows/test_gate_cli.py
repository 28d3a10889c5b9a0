"""``radar quality check`` end to end, on a sample of the real demo log written to CSV."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from flows.cli.quality import quality_app

ROOT = Path(__file__).resolve().parents[2]
RAW = ROOT / "examples" / "data" / "incident_event_log.csv.gz"


@pytest.fixture(scope="module")
def raw() -> pd.DataFrame:
    """A quarter of the demo's incidents, every audit row of each, as read from the file."""
    frame = pd.read_csv(RAW, dtype="string", keep_default_na=False)
    numbers = frame["number"].str.slice(3).astype("int64")
    return frame[numbers % 4 == 0].reset_index(drop=True)


def _config(tmp_path: Path, data: pd.DataFrame, encoding: str = "utf-8") -> Path:
    data.to_csv(tmp_path / "sample.csv", index=False, encoding=encoding)
    text = (ROOT / "examples" / "demo.yaml").read_text()
    config = tmp_path / "sample.yaml"
    config.write_text(text.replace("data/incident_event_log.csv.gz", "sample.csv"))
    return config


def _check(config: Path, *args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(quality_app, ["check", "--config", str(config), *args])
    return result.exit_code, result.stdout, result.stderr


def test_clean_sample_passes_and_prints_json_alone(
    raw: pd.DataFrame, tmp_path: Path, radar_home: Path
) -> None:
    code, out, _ = _check(_config(tmp_path, raw), "--format", "json")
    assert code == 0
    result = json.loads(out)["uci_incidents"]
    assert result["success"] and result["highest_failed_severity"] in (None, "info")
    assert Path(result["docs_path"]).is_file()
    assert str(radar_home) in result["docs_path"]
    assert not (radar_home / "register.db").exists()  # a check alone files nothing


def test_garbage_dates_fail_critically_with_a_nonzero_exit(
    raw: pd.DataFrame, tmp_path: Path, radar_home: Path
) -> None:
    data = raw.copy()
    bad = data["number"].isin(data["number"].drop_duplicates().sample(frac=0.03, random_state=1))
    data.loc[bad, "opened_at"] = "31/02/2016 25:61"
    code, out, _ = _check(_config(tmp_path, data), "--as-of", "2016-05-31")
    assert code == 1
    assert "BLOCKED" in out
    line = next(x for x in out.splitlines() if "unparsable_dates" in x)
    assert "[critical]" in line and "(opened_at)" in line


def test_wrong_encoding_is_one_clear_line_on_stderr(
    raw: pd.DataFrame, tmp_path: Path, radar_home: Path
) -> None:
    data = raw.copy()
    data.loc[data.index[:10], "category"] = "Catégorie 7"
    code, out, err = _check(_config(tmp_path, data, encoding="latin-1"))
    assert code == 2 and out == ""
    assert len(err.strip().splitlines()) == 1
    assert "is not valid utf-8" in err and "encoding" in err and "Traceback" not in err


def test_dropped_column_in_the_file_is_one_clear_line(
    raw: pd.DataFrame, tmp_path: Path, radar_home: Path
) -> None:
    code, _, err = _check(_config(tmp_path, raw.drop(columns=["priority"])))
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert "lacks column(s) ['priority']" in err


def test_missing_config_is_one_clear_line(tmp_path: Path, radar_home: Path) -> None:
    code, _, err = _check(tmp_path / "nope.yaml")
    assert code == 2 and err.startswith("error: config file not found")
