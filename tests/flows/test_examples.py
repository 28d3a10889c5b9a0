"""The example configs against the real logs in the shared data folder."""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from flows.config.model import load_config
from flows.kpis.compute import ALL, compute_kpis
from flows.load.calendars import exclude_periods, summarise
from flows.load.records import load_records
from flows.select.breaks import find_breaks
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


@pytest.mark.slow  # ~11 s: four files, 46k-466k rows
def test_bpic_kpis_read_the_rabobank_traps(shared_data: Path) -> None:
    config = load_config(ROOT / "examples" / "bpic2014_rabobank.yaml")
    frames = {s.name: load_records(config, s) for s in config.sources}
    as_of = date(2014, 3, 31)
    kpis, exclusions = exclude_periods(compute_kpis(frames, config, as_of), frames, config, as_of)
    assert _total(kpis, "incidents_opened").index.min() == pd.Timestamp("2013-10-01")
    fcr = _total(kpis, "first_contact_resolution").loc["2013-11-04":"2013-11-08"]
    assert 0.55 < fcr.mean() < 0.75  # Y/N flags of the interaction file
    ttr_edge = {e.period for e in exclusions if e.kpi == "ttr_median_hours"}
    assert pd.Timestamp("2014-03-24") in ttr_edge  # weekly; closed-date extract: its last weeks
    assert pd.Timestamp("2013-12-23") in ttr_edge  # the Christmas week (NL)
    linked = _total(kpis, "change_caused_rate").dropna()
    assert 0 < linked.median() < 0.5


def test_bpic_team_recoding_at_new_year_is_one_break(shared_data: Path) -> None:
    config = load_config(ROOT / "examples" / "bpic2014_rabobank.yaml")
    source = config.source("bpic_activity")
    teams = config.model_copy(update={"kpis": [k for k in config.kpis if k.source == source.name]})
    frames = {source.name: load_records(config, source)}
    (brk,) = find_breaks(compute_kpis(frames, teams, date(2014, 1, 19)), teams)
    assert brk.finding.kind == "data_quality" and brk.finding.params["rule"] == "recode"
    assert brk.finding.start == pd.Timestamp("2013-12-23")
    assert (
        len(brk.finding.params["vanished"]) >= 20 and "TEAM0031" in brk.finding.params["vanished"]
    )
    assert "TEAM0191" in brk.finding.params["appeared"]
