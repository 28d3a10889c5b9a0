from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

from flows.config.model import CalendarSpec, ScanConfig
from flows.load.calendars import exclude_periods, holiday_days, summarise
from flows.load.edges import missing_share
from flows.load.records import RecordFrame

CONFIG = """
sources:
  - {name: s, path: x.csv, columns: {id: id, opened: o, closed: c}, dates: [opened, closed],
     calendar: {country: BR, categories: [public, optional]},
     extract: {column: closed, end: 2016-05-31}}
kpis:
  - {name: opened, source: s, measure: count, date: opened, unit: n/day, better: lower,
     csf: c, objective: o}
  - {name: weekly, source: s, measure: count, date: opened, grain: W, unit: n/week,
     better: lower, csf: c, objective: o}
"""


def test_bridge_days_follow_thursday_holidays() -> None:
    days = holiday_days(
        CalendarSpec(country="BR", categories=["public", "optional"]),
        date(2016, 5, 20),
        date(2016, 5, 31),
    )
    assert days == {
        date(2016, 5, 26): "Corpus Christi",
        date(2016, 5, 27): "bridge day after Corpus Christi",
    }


def test_weekend_holidays_cost_no_working_day() -> None:
    assert holiday_days(CalendarSpec(country="BR"), date(2016, 5, 1), date(2016, 5, 1)) == {}


def _records(end: str) -> RecordFrame:
    opened = pd.date_range("2016-04-01", end, freq="3h")
    records = pd.DataFrame(
        {
            "id": np.arange(len(opened)).astype(str),
            "opened": opened,
            "closed": opened + pd.Timedelta(hours=5),
        }
    )
    return RecordFrame("s", Path("x.csv"), "0" * 64, records, len(records), {})


def test_holidays_and_edges_are_blanked_and_named() -> None:
    config = ScanConfig.model_validate(yaml.safe_load(CONFIG))
    frame = _records("2016-06-03")
    kpis = pd.DataFrame(
        [
            {"kpi": "opened", "period": p, "value": 8.0, "n": 8}
            for p in pd.date_range("2016-05-20", "2016-06-02")
        ]
        + [
            {"kpi": "weekly", "period": p, "value": 56.0, "n": 56}
            for p in pd.date_range("2016-05-16", "2016-05-30", freq="W-MON")
        ]
    )
    masked, exclusions = exclude_periods(kpis, {"s": frame}, config, date(2016, 6, 2))
    blank = masked[masked["value"].isna()]
    daily = set(blank.loc[blank["kpi"] == "opened", "period"].dt.strftime("%m-%d"))
    # eve, holiday, bridge, first day back, the last day (its 21:00 records close after the
    # edge), after the extract
    assert daily == {"05-25", "05-26", "05-27", "05-30", "05-31", "06-01", "06-02"}
    weekly = set(blank.loc[blank["kpi"] == "weekly", "period"].dt.strftime("%m-%d"))
    assert weekly == {"05-23", "05-30"}  # the Corpus Christi week, the week cut short
    assert (masked["n"] == kpis["n"]).all()
    lines = summarise(exclusions)
    assert any("Corpus Christi" in line and "opened, weekly" in line for line in lines)


def test_missing_share_grows_towards_a_close_date_edge() -> None:
    opened = pd.Series(pd.to_datetime(["2024-01-01", "2024-01-09", "2024-01-10"]))
    records = pd.DataFrame({"opened": opened, "closed": opened + pd.Timedelta(days=2)})
    share = missing_share(records, "opened", "closed", pd.Timestamp("2024-01-11"))
    assert share.tolist() == [0.0, 0.0, 1.0]  # every record takes two days to close
