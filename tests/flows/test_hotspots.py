"""Hotspots: a Pareto head that persists is filed; a close runner-up or a one-off is not."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from flows.select.hotspots import find_hotspots
from tests.flows.kinds_frames import config_with, frame

AS_OF = date(2024, 3, 31)


def _incidents(weights: dict[str, float], weeks: int = 8, per_week: int = 200) -> pd.DataFrame:
    """``per_week`` incidents a week for ``weeks`` weeks, spread over CIs by ``weights``."""
    rng = np.random.default_rng(0)
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    times = end - pd.to_timedelta(rng.uniform(0, 7 * weeks, weeks * per_week), unit="D")
    names = list(weights)
    p = np.array(list(weights.values()))
    cis = rng.choice(names, size=len(times), p=p / p.sum())
    return pd.DataFrame(
        {"id": [f"IM{i}" for i in range(len(times))], "ci": cis, "opened_at": times}
    )


def _config(**hotspot: object) -> object:
    spec = {
        "name": "ci_incident_share",
        "dimension": "ci",
        "counts": [
            {"source": "inc", "key_columns": ["ci"], "date": "opened_at", "label": "incidents"}
        ],
        "min_share": 0.1,
        "min_ratio": 3,
        **hotspot,
    }
    return config_with({"inc": ["ci", "opened_at"]}, kinds={"hotspots": [spec]})


def test_a_persistent_pareto_head_is_a_hotspot_named_with_its_share() -> None:
    records = _incidents({"big": 40, **{f"ci{i}": 6 for i in range(10)}})
    config = _config()
    (hot,) = find_hotspots({"inc": frame("inc", records)}, config.kinds.hotspots[0], config, AS_OF)
    share = (records["ci"] == "big").mean()
    assert hot.kind == "hotspot" and hot.dimensions == {"ci": "big"}
    assert hot.culprits[0].value == share and hot.owner == "problem-manager"
    assert hot.current == hot.series.iloc[-1]  # the entry's value is its window's, the last week
    assert f"{share:.0%} of incidents" in hot.detail
    runner_up = records["ci"].value_counts(normalize=True).iloc[1]
    assert hot.target == runner_up
    assert hot.excess_per_week == (share - runner_up) * len(records) / 8
    # an upper bound in hours, and the entry says how it is computed
    assert hot.benefit_kind == "saved" and hot.hours_per_week == hot.excess_per_week * 1.0
    assert hot.benefit_basis.startswith("upper bound, if the cause were removed: ")
    assert f"({share:.1%} - {runner_up:.1%}) x 200 a week" in hot.benefit_basis


def test_a_team_hotspot_is_load_to_move_not_hours_saved() -> None:
    records = _incidents({"desk": 40, **{f"ci{i}": 6 for i in range(10)}})
    config = _config(benefit="load", dimension="team")
    (hot,) = find_hotspots({"inc": frame("inc", records)}, config.kinds.hotspots[0], config, AS_OF)
    assert hot.benefit_kind == "load" and hot.benefit_basis.startswith("load to move")
    assert "move about" in hot.detail and "to other teams" in hot.detail


def test_one_of_equals_is_no_hotspot() -> None:
    records = _incidents({"a": 30, "b": 25, **{f"ci{i}": 5 for i in range(9)}})
    config = _config()
    assert (
        find_hotspots({"inc": frame("inc", records)}, config.kinds.hotspots[0], config, AS_OF) == []
    )


def test_a_burst_in_one_week_is_not_chronic() -> None:
    calm = _incidents({f"ci{i}": 1 for i in range(12)})
    end = pd.Timestamp(AS_OF) + pd.Timedelta(days=1)
    burst = pd.DataFrame(
        {"id": [f"B{i}" for i in range(600)], "ci": "big", "opened_at": end - pd.Timedelta(days=3)}
    )
    records = pd.concat([calm, burst], ignore_index=True)
    config = _config(min_share=0.2)
    assert (
        find_hotspots({"inc": frame("inc", records)}, config.kinds.hotspots[0], config, AS_OF) == []
    )
