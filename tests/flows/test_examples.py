"""The example configs against the real logs in the shared data folder."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from flows.calendars import exclude_periods, summarise
from flows.config import load_config
from flows.kpis import ALL, compute_kpis
from flows.sources import load_records
from tests.conftest import ROOT

pytestmark = pytest.mark.shared_data  # ~4 s each on an idle machine


def _total(kpis: pd.DataFrame, name: str) -> pd.Series:
    rows = kpis[kpis["kpi"] == name]
    for column in kpis.columns.difference(["kpi", "period", "value", "n"]):
        rows = rows[rows[column] == ALL]
    return rows.set_index("period")["value"]


def test_uci_holidays_and_extract_end_leave_the_view(shared_data: Path) -> None:
    config = load_config(ROOT / "examples" / "uci_servicenow.yaml")
    frames = {s.name: load_records(config, s) for s in config.sources}
    as_of = date(2016, 6, 3)
    kpis, exclusions = exclude_periods(compute_kpis(frames, config, as_of), frames, config, as_of)
    text = "\n".join(summarise(exclusions))
    assert "2016-04-21 (holiday BR: Tiradentes' Day)" in text
    assert "2016-05-27 (holiday BR: bridge day after Corpus Christi)" in text
    assert "after the extract's end 2016-05-31" in text
    opened = _total(kpis, "incidents_opened")
    assert opened.loc["2016-05-02"] == 478  # a Monday, counted from the raw log
    assert opened.loc[["2016-05-26", "2016-06-01"]].isna().all()


def test_bpic_kpis_read_the_rabobank_traps(shared_data: Path) -> None:
    config = load_config(ROOT / "examples" / "bpic2014_rabobank.yaml")
    frames = {s.name: load_records(config, s) for s in config.sources}
    as_of = date(2014, 3, 31)
    kpis, exclusions = exclude_periods(compute_kpis(frames, config, as_of), frames, config, as_of)
    assert _total(kpis, "incidents_opened").index.min() == pd.Timestamp("2013-10-01")
    fcr = _total(kpis, "first_contact_resolution").loc["2013-11-04":"2013-11-08"]
    assert 0.55 < fcr.mean() < 0.75  # Y/N flags of the interaction file
    ttr_edge = {e.period for e in exclusions if e.kpi == "ttr_median_hours"}
    assert pd.Timestamp("2014-03-28") in ttr_edge  # closed-date extract: its last days
    assert pd.Timestamp("2013-12-25") in ttr_edge  # Christmas (NL)
    linked = _total(kpis, "change_caused_rate").dropna()
    assert 0 < linked.median() < 0.5
