"""The demo's labelled events hold in the raw log: each is an adverse move of a fifth or more.

The check reads the bundled CSV with plain pandas (not the radar loader or KPI code), reduces
the audit log to each incident's final state, and compares the labelled window (a trend: its
last week) with the 28 days before it (daily counts: the same weekdays).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from flows.config.model import load_config
from flows.workbench.labels import config_labels, read_labels

ROOT = Path(__file__).resolve().parents[2]
LABELS = ROOT / "examples" / "labels" / "uci_incidents.yaml"
RAW = ROOT / "examples" / "data" / "incident_event_log.csv.gz"
FMT = "%d/%m/%Y %H:%M"


@pytest.fixture(scope="module")
def incidents() -> pd.DataFrame:
    cols = ["number", "sys_mod_count", "sys_updated_at", "assignment_group", "opened_at",
            "resolved_at", "closed_at", "reassignment_count"]  # fmt: skip
    raw = pd.read_csv(RAW, usecols=cols, na_values=["?"])
    raw["updated"] = pd.to_datetime(raw["sys_updated_at"], format=FMT)
    last = raw.sort_values(["number", "sys_mod_count", "updated"]).groupby("number").last()
    out = pd.DataFrame({
        "group": last["assignment_group"],
        "opened": pd.to_datetime(last["opened_at"], format=FMT),
        "resolved": pd.to_datetime(last["resolved_at"], format=FMT),
        "closed": pd.to_datetime(last["closed_at"], format=FMT),
        "reassigned": raw.groupby("number")["reassignment_count"].max() > 0,
    })  # fmt: skip
    out["done"] = out["resolved"].fillna(out["closed"])
    return out[out["opened"] >= "2016-02-29"]


def _daily(inc: pd.DataFrame, kpi: str, days: pd.DatetimeIndex) -> pd.Series:
    """One value per day of ``days``: the KPI as the raw log shows it."""
    opened_on = inc["opened"].dt.floor("D")
    if kpi == "backlog_open":
        ends = days + pd.Timedelta(days=1)
        return pd.Series([((inc["opened"] < e) & ~(inc["done"] < e)).sum() for e in ends], days)
    if kpi == "incidents_opened":
        return opened_on.value_counts().reindex(days, fill_value=0)
    mine = inc[opened_on.isin(days)]
    if kpi == "ttr_median_hours":
        hours = (mine["resolved"] - mine["opened"]).dt.total_seconds() / 3600
        return pd.Series(hours.median(), days)
    if kpi == "reassignment_rate":
        return pd.Series(mine["reassigned"].mean(), days)
    raise AssertionError(f"no raw check for {kpi}")


def test_every_label_is_an_adverse_move_in_the_raw_log(incidents: pd.DataFrame) -> None:
    events = read_labels(LABELS)
    assert len(events) == 6
    for event in events:
        inc = incidents
        if "assignment_group" in event.slice:
            inc = incidents[incidents["group"] == event.slice["assignment_group"]]
        window = pd.date_range(event.start, event.end)
        before = pd.date_range(event.start - pd.Timedelta(days=28), periods=28)
        if event.kpi == "incidents_opened":  # daily counts: the same weekdays before
            before = before[before.dayofweek.isin(window.dayofweek)]
        if event.kind == "trend":  # a rise: where the window ends, not its average
            window = window[-7:]
        now = _daily(inc, event.kpi, window).mean()
        then = _daily(inc, event.kpi, before).median()
        assert now >= 1.2 * then, f"{event.kpi} {event.slice}: {now:.2f} against {then:.2f}"


def test_both_uci_configs_name_the_labels() -> None:
    for name in ("demo.yaml", "uci_servicenow.yaml"):
        labelled = config_labels(load_config(ROOT / "examples" / name))
        assert labelled is not None and labelled[0].resolve() == LABELS
