"""SQL sources: the bundled UCI log from a PostgreSQL table gives the same records, KPIs and
entries as from the CSV; date filters are pushed down; every failure is one line."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pandas as pd
import pytest
import yaml

from flows.config.model import ScanConfig, load_config
from flows.config.settings import RadarSettings
from flows.kpis.compute import compute_kpis
from flows.load.records import SourceError, load_records

ROOT = Path(__file__).resolve().parents[2]
UCI = ROOT / "examples" / "data" / "incident_event_log.csv.gz"
DATES = ["opened_at", "resolved_at", "closed_at", "sys_updated_at"]
COUNTS = ["reassignment_count", "reopen_count", "sys_mod_count"]


def demo(**source: object) -> dict[str, object]:
    raw = yaml.safe_load((ROOT / "examples" / "demo.yaml").read_text(encoding="utf-8"))
    raw["sources"][0].update(source)
    return raw


def config_of(tmp_path: Path, raw: dict[str, object]) -> ScanConfig:
    path = tmp_path / f"radar-{uuid.uuid4().hex[:6]}.yaml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    return load_config(path)


def sql_config(tmp_path: Path, url: str, **source: object) -> ScanConfig:
    raw = demo(format="sql", url=url, **source)
    del raw["sources"][0]["path"]  # type: ignore[index]
    return config_of(tmp_path, raw)


@pytest.fixture(scope="module")
def uci_table(pg_database: str) -> Iterator[str]:
    """The UCI log in a PostgreSQL table with real types (timestamps, integers, booleans)."""
    keep = sorted(
        {
            *yaml.safe_load((ROOT / "examples" / "demo.yaml").read_text())["sources"][0][
                "columns"
            ].values(),
            "sys_mod_count",
            "sys_updated_at",
        }
    )
    frame = pd.read_csv(UCI, dtype="string", na_values=["?"], keep_default_na=False)[keep]
    for column in DATES:
        frame[column] = pd.to_datetime(frame[column], format="%d/%m/%Y %H:%M")
    for column in COUNTS:
        frame[column] = frame[column].astype("Int64")
    frame["made_sla"] = frame["made_sla"].map({"true": True, "false": False}).astype("boolean")
    import psycopg

    types = {c: "timestamp" for c in DATES} | {c: "bigint" for c in COUNTS}
    types["made_sla"] = "boolean"
    ddl = ", ".join(f'"{c}" {types.get(c, "text")}' for c in keep)
    with psycopg.connect(pg_database, autocommit=True) as conn:
        conn.execute("DROP TABLE IF EXISTS public.uci_incidents")
        conn.execute(f"CREATE TABLE public.uci_incidents ({ddl})")
        with conn.cursor().copy(
            "COPY public.uci_incidents FROM STDIN WITH (FORMAT csv, NULL '')"
        ) as copy:
            copy.write(frame.to_csv(index=False, header=False))
    url = pg_database.replace("postgresql://", "postgresql+psycopg://")
    yield url


@pytest.mark.postgres
@pytest.mark.slow
def test_the_uci_log_from_postgresql_gives_the_same_records_kpis_and_entries(
    uci_table: str, tmp_path: Path, radar_home: Path
) -> None:
    from flows.pipeline import run_night
    from register_client import connect

    csv = config_of(tmp_path, demo(path=str(UCI)))
    sql = sql_config(tmp_path, uci_table, table="public.uci_incidents", chunksize=25_000)
    frames = {}
    for name, config in (("csv", csv), ("sql", sql)):
        frames[name] = load_records(config, config.sources[0])
    a = frames["csv"].records.sort_values("id").reset_index(drop=True)
    b = frames["sql"].records.sort_values("id").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False)
    assert frames["sql"].data_hash and frames["sql"].data_hash != frames["csv"].data_hash

    as_of = date(2016, 5, 6)
    kpis = {
        name: compute_kpis({"uci_incidents": frames[name]}, cfg, as_of)
        for name, cfg in (("csv", csv), ("sql", sql))
    }
    pd.testing.assert_frame_equal(kpis["csv"], kpis["sql"])

    filed = {}
    for name, cfg in (("csv", csv), ("sql", sql)):
        register = connect(f"sqlite:///{tmp_path / f'{name}.db'}")
        night = run_night(
            cfg, {"uci_incidents": frames[name]}, register, as_of, RadarSettings(), plots=False
        )
        filed[name] = sorted(
            (c.fingerprint, c.title, c.baseline.median, c.priority) for c in night.candidates
        )
    assert filed["csv"], "the demo files entries on 6 May 2016"
    assert filed["csv"] == filed["sql"]


@pytest.mark.postgres
def test_a_date_filter_is_pushed_down_and_a_query_source_works(
    uci_table: str, tmp_path: Path
) -> None:
    flt = {"column": "opened_at", "start": "2016-04-01", "end": "2016-04-30"}
    config = sql_config(tmp_path, uci_table, table="public.uci_incidents", date_filter=flt)
    records = load_records(config, config.sources[0]).records
    assert records["opened_at"].min() >= pd.Timestamp("2016-04-01")
    assert records["opened_at"].max() < pd.Timestamp("2016-05-01")
    query = "SELECT * FROM public.uci_incidents WHERE priority = '1 - Critical'"
    config = sql_config(tmp_path, uci_table, query=query)
    records = load_records(config, config.sources[0]).records
    assert set(records["priority"]) == {"1 - Critical"} and len(records) > 0


def test_sqlite_table_with_iso_dates_and_a_filter(tmp_path: Path) -> None:
    import sqlite3

    db = tmp_path / "itsm.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE inc (number TEXT, opened TEXT, grp TEXT)")
        conn.executemany(
            "INSERT INTO inc VALUES (?, ?, ?)",
            [
                ("I1", "2024-01-05 10:00:00", "A"),
                ("I2", "2024-02-05 10:00:00", "B"),
                ("I3", "2024-03-05 10:00:00", "A"),
            ],
        )
    raw = {
        "sources": [
            {
                "name": "itsm",
                "format": "sql",
                "url": f"sqlite:///{db}",
                "table": "inc",
                "columns": {"id": "number", "opened_at": "opened", "group": "grp"},
                "dates": ["opened_at"],
                "dimensions": ["group"],
                "date_filter": {"column": "opened_at", "start": "2024-02-01", "end": "2024-03-31"},
            }
        ]
    }
    config = config_of(tmp_path, raw)
    records = load_records(config, config.sources[0]).records
    assert list(records["id"]) == ["I2", "I3"]


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ({"url": "nosuchdb://x/y", "table": "t"}, "invalid SQLAlchemy URL"),
        (
            {"url": "postgresql+psycopg://radar:hunter2@127.0.0.1:1/x", "table": "t"},
            "cannot connect",
        ),
        ({"table": "missing_table"}, "table 'missing_table' not found"),
        ({"table": "inc"}, "lacks column(s) ['number']"),
        ({"query": "SELECT number FROM nowhere"}, "query failed"),
        ({"query": "DELETE FROM inc"}, "must be one read-only SELECT"),
    ],
)
def test_sql_source_errors_are_one_line_naming_the_source(
    tmp_path: Path, source: dict[str, str], message: str
) -> None:
    import sqlite3

    db = tmp_path / "itsm.db"
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE inc (id TEXT)")
    spec = {
        "name": "itsm",
        "format": "sql",
        "url": f"sqlite:///{db}",
        "columns": {"id": "number"},
        **source,
    }
    config = config_of(tmp_path, {"sources": [spec]})
    with pytest.raises(SourceError) as err:
        load_records(config, config.sources[0])
    text = str(err.value)
    assert text.startswith("source 'itsm'") and message in text and "\n" not in text
    assert "hunter2" not in text


def test_sql_sources_need_a_url_and_a_table_or_query(tmp_path: Path) -> None:
    from flows.config.model import ConfigError

    base = {"name": "x", "format": "sql", "columns": {"id": "id"}}
    with pytest.raises(ConfigError, match="needs a SQLAlchemy url"):
        config_of(tmp_path, {"sources": [base]})
    with pytest.raises(ConfigError, match="either a table or a query"):
        config_of(tmp_path, {"sources": [{**base, "url": "sqlite://", "table": "a", "query": "b"}]})
