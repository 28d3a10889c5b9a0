"""The Dask paths give what the single-process paths give: the same records, the same entries."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml

from flows.config import load_config
from flows.load import load_records
from register_client import connect
from tests.conftest import DEMO_CONFIG
from tests.flows.entry_checks import stable


def _demo_config(tmp_path: Path, engine: str) -> Path:
    """The demo config with its source read by ``engine``, from an uncompressed copy."""
    raw = yaml.safe_load(DEMO_CONFIG.read_text(encoding="utf-8"))
    source = raw["sources"][0]
    data = DEMO_CONFIG.parent / source["path"]
    plain = tmp_path / "incidents.csv"
    if not plain.exists():
        with gzip.open(data, "rb") as src, plain.open("wb") as dst:
            shutil.copyfileobj(src, dst)
    source.update(path=str(plain), engine=engine)
    path = tmp_path / f"demo-{engine}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return path


def test_dask_read_in_partitions_gives_the_pandas_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("flows.load.partitioned.BLOCKSIZE", "4MB")  # several partitions
    frames = {}
    for engine in ("pandas", "dask"):
        config = load_config(_demo_config(tmp_path, engine))
        frames[engine] = load_records(config, config.sources[0])
    import dask.dataframe as dd

    assert dd.read_csv(tmp_path / "incidents.csv", blocksize="4MB", dtype="string").npartitions > 3
    pd.testing.assert_frame_equal(frames["dask"].records, frames["pandas"].records)
    assert frames["dask"].raw_rows == frames["pandas"].raw_rows
    assert frames["dask"].data_hash == frames["pandas"].data_hash


def test_missing_column_is_named_with_dask_too(tmp_path: Path) -> None:
    path = _demo_config(tmp_path, "dask")
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    raw["sources"][0]["columns"]["category"] = "no_such_column"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    config = load_config(path)
    with pytest.raises(ValueError, match=r"lacks column\(s\) \['no_such_column'\]"):
        load_records(config, config.sources[0])


def _replay(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch, **env: str) -> list[Any]:
    from flows.orchestrate.flows import replay_flow

    home = tmp_path / name
    url = f"sqlite:///{home / 'register.db'}"
    home.mkdir()
    with monkeypatch.context() as patch:
        patch.setenv("RADAR_HOME", str(home / ".radar"))
        for key, value in env.items():
            patch.setenv(key, value)
        reports = replay_flow(
            str(DEMO_CONFIG),
            url,
            pd.Timestamp("2016-05-01").date(),
            pd.Timestamp("2016-05-05").date(),
        )
    entries = [stable(e.to_json()) for e in connect(url).list()]
    return [stable(reports), entries]


@pytest.mark.slow
def test_replay_sharded_on_a_local_cluster_files_the_same_entries(
    prefect_harness: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    single = _replay(tmp_path, "single", monkeypatch)
    sharded = _replay(
        tmp_path, "sharded", monkeypatch, RADAR_DASK_ADDRESS="local", RADAR_DASK_WORKERS="2"
    )
    assert single[1], "the demo files entries in the first nights of May"
    assert sharded == single


def test_a_shard_sends_back_no_records_and_the_parent_restores_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flows.config import RadarSettings
    from flows.orchestrate.sharded import compute_nights, with_usable
    from flows.pipeline import compute_night, load_sources

    monkeypatch.setenv("RADAR_HOME", str(tmp_path / ".radar"))
    settings = RadarSettings()
    config = load_config(DEMO_CONFIG)
    nights = [pd.Timestamp("2016-05-02").date(), pd.Timestamp("2016-05-03").date()]
    # The task's body, as a Dask worker runs it: its arguments are a path and dates.
    shard = compute_nights.fn(str(DEMO_CONFIG), nights, settings, None)
    assert [work.usable for work in shard] == [{}, {}]

    frames = load_sources(config)
    for restored, night in zip(with_usable(shard, frames, config), nights, strict=True):
        here = compute_night(config, frames, night, settings)
        assert restored.usable.keys() == here.usable.keys() == {"uci_incidents"}
        for name, frame in here.usable.items():
            pd.testing.assert_frame_equal(restored.usable[name].records, frame.records)
        assert [c.fingerprint for c in restored.candidates] == [
            c.fingerprint for c in here.candidates
        ]
