import gzip
from pathlib import Path

import pandas as pd
import pytest

from flows.config.model import ScanConfig, load_config
from flows.load.records import SourceError, load_records
from tests.conftest import DEMO_CONFIG

HEADER = "number,incident_state,sys_mod_count,opened_at,made_sla,priority,reassignment_count\n"
ROWS = [
    "INC1,New,0,29/2/2016 01:16,true,3 - Moderate,0\n",
    "INC1,Active,1,29/2/2016 01:16,false,2 - High,2\n",
    "INC1,Closed,2,29/2/2016 01:16,false,2 - High,1\n",
    "INC2,New,0,1/3/2016 10:00,?,?,0\n",
]


def _config(tmp_path: Path, body: str, **overrides: str) -> ScanConfig:
    options = {
        "encoding": "utf-8",
        "date_format": "'%d/%m/%Y %H:%M'",
        "columns": "{id: number, state: incident_state, opened_at: opened_at, "
        "made_sla: made_sla, priority: priority, reassignments: reassignment_count}",
    }
    options.update(overrides)
    (tmp_path / "log.csv").write_bytes(body.encode("utf-8"))
    text = f"""
sources:
  - name: log
    path: log.csv
    encoding: {options["encoding"]}
    date_format: {options["date_format"]}
    audit_log: {{key: number, order_by: [sys_mod_count], max_columns: [reassignment_count]}}
    columns: {options["columns"]}
    dates: [opened_at]
    booleans: [made_sla]
    dimensions: [priority]
"""
    (tmp_path / "c.yaml").write_text(text)
    return load_config(tmp_path / "c.yaml")


def test_audit_log_reduces_to_final_state(tmp_path: Path) -> None:
    config = _config(tmp_path, HEADER + "".join(ROWS))
    frame = load_records(config, config.sources[0])
    records = frame.records.set_index("id")
    assert frame.raw_rows == 2
    assert records.loc["INC1", "state"] == "Closed"
    assert not records.loc["INC1", "made_sla"]  # final value of a field that changes
    assert records.loc["INC1", "reassignments"] == 2  # counters by maximum
    assert records.loc["INC1", "opened_at"] == pd.Timestamp("2016-02-29 01:16")  # day first
    assert pd.isna(records.loc["INC2", "made_sla"])  # "?" is null
    assert records.loc["INC2", "priority"] == "(none)"
    assert len(frame.data_hash) == 64


def test_audit_rows_out_of_order_still_take_the_last_update(tmp_path: Path) -> None:
    config = _config(tmp_path, HEADER + "".join(reversed(ROWS)))
    records = load_records(config, config.sources[0]).records.set_index("id")
    assert records.loc["INC1", "state"] == "Closed"


def test_bundled_demo_log_loads() -> None:
    config = load_config(DEMO_CONFIG)
    frame = load_records(config, config.sources[0])
    assert frame.raw_rows == 24918  # incidents, as the source's README states
    assert frame.records["id"].is_unique
    assert frame.date_failures == {}
    assert frame.records["opened_at"].min() == pd.Timestamp("2016-02-29 01:16")


def test_missing_file_names_the_path(tmp_path: Path) -> None:
    config = _config(tmp_path, HEADER + "".join(ROWS))
    (tmp_path / "log.csv").unlink()
    with pytest.raises(SourceError, match=r"file not found: .*log\.csv"):
        load_records(config, config.sources[0])


def test_renamed_column_is_named(tmp_path: Path) -> None:
    body = HEADER.replace("made_sla", "sla_met") + "".join(ROWS)
    config = _config(tmp_path, body)
    with pytest.raises(SourceError, match=r"lacks column\(s\) \['made_sla'\]"):
        load_records(config, config.sources[0])


def test_unparsable_dates_name_the_column(tmp_path: Path) -> None:
    body = HEADER + "".join(
        r.replace("29/2/2016 01:16", "soon").replace("1/3/2016 10:00", "x") for r in ROWS
    )
    config = _config(tmp_path, body)
    with pytest.raises(SourceError, match=r"column 'opened_at': no value parses as a date"):
        load_records(config, config.sources[0])


def test_some_unparsable_dates_are_counted_for_the_gate(tmp_path: Path) -> None:
    body = HEADER + "".join(ROWS).replace("1/3/2016 10:00", "31/31/2016 99:00")
    config = _config(tmp_path, body)
    assert load_records(config, config.sources[0]).date_failures == {"opened_at": 1}


def test_wrong_encoding_is_named(tmp_path: Path) -> None:
    config = _config(tmp_path, HEADER + "".join(ROWS))
    (tmp_path / "log.csv").write_bytes(
        (HEADER + "INC3,Nouveau é,0,1/3/2016 10:00,true,x,0\n").encode("latin-1")
    )
    with pytest.raises(SourceError, match="is not valid utf-8"):
        load_records(config, config.sources[0])


def test_empty_file(tmp_path: Path) -> None:
    config = _config(tmp_path, "")
    with pytest.raises(SourceError, match="is empty"):
        load_records(config, config.sources[0])


def test_header_only_file(tmp_path: Path) -> None:
    config = _config(tmp_path, HEADER)
    with pytest.raises(SourceError, match="has no data rows"):
        load_records(config, config.sources[0])


def test_gzip_semicolon_and_decimal_comma(tmp_path: Path) -> None:
    body = "id;opened;hours\nA;2024-01-02;1,5\nB;2024-01-03;1.002,25\n"
    with gzip.open(tmp_path / "x.csv.gz", "wt", encoding="cp1252") as handle:
        handle.write(body)
    (tmp_path / "c.yaml").write_text(
        "sources: [{name: x, path: x.csv.gz, separator: ';', decimal: ',', encoding: cp1252,"
        " columns: {id: id, opened: opened, hours: hours}, dates: [opened], numbers: [hours]}]"
    )
    config = load_config(tmp_path / "c.yaml")
    records = load_records(config, config.sources[0]).records
    assert records["hours"].tolist() == [1.5, 1002.25]
    assert records["opened"].tolist() == [pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-03")]
