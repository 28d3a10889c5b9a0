"""Change impact: a wave after a change on its CIs is filed once, with its excess and recovery."""

from __future__ import annotations

from datetime import date

import pandas as pd

from flows.config.model import ScanConfig
from flows.select.change_impact import find_change_impact
from tests.flows.kinds_frames import frame

END = pd.Timestamp("2024-03-11 08:00")  # a Monday


def _config(**change: object) -> ScanConfig:
    return ScanConfig.model_validate(
        {
            "sources": [
                {
                    "name": "changes",
                    "path": "c",
                    "columns": {
                        "id": "id",
                        "ci": "ci",
                        "start": "start",
                        "end": "end",
                        "type": "type",
                    },
                },
                {
                    "name": "inc",
                    "path": "i",
                    "columns": {
                        "id": "id",
                        "ci": "ci",
                        "ci_cby": "ci_cby",
                        "opened_at": "opened_at",
                    },
                },
            ],
            "kinds": {
                "change_impact": [
                    {
                        "source": "changes",
                        "start": "start",
                        "end": "end",
                        "change_type": "type",
                        "counts": [
                            {
                                "source": "inc",
                                "key_columns": ["ci", "ci_cby"],
                                "date": "opened_at",
                                "label": "incidents",
                            }
                        ],
                        "window_days": 4,
                        "lookback_days": 3,
                        "min_excess": 20,
                        **change,
                    }
                ]
            },
        }
    )


def _incidents(wave: int) -> pd.DataFrame:
    """Two incidents a day on CI x for a month, ``wave`` more in the two days after END."""
    days = pd.date_range(END - pd.Timedelta(days=20), END + pd.Timedelta(days=10), freq="12h")
    calm = pd.DataFrame({"ci": "x", "ci_cby": "(none)", "opened_at": days})
    burst = pd.DataFrame(
        {
            "ci": "other",
            "ci_cby": "x",  # caused by the changed CI, affecting another
            "opened_at": END + pd.to_timedelta(range(1, wave + 1), unit="h"),
        }
    )
    records = pd.concat([calm, burst], ignore_index=True)
    return records.assign(id=[f"IM{i}" for i in range(len(records))])


def _changes() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "id": ["C1", "C2"],
            "ci": ["x", "y"],
            "type": ["Release Type 06", "Standard 1"],
            "start": [END - pd.Timedelta(hours=2), END],
            "end": [END, END],
        }
    )


def test_a_wave_after_a_change_is_filed_with_excess_and_recovery() -> None:
    config = _config()
    frames = {"changes": frame("changes", _changes()), "inc": frame("inc", _incidents(40))}
    (wave,) = find_change_impact(frames, config.kinds.change_impact[0], config, date(2024, 3, 16))
    assert wave.kind == "change_impact"
    assert wave.dimensions == {"change_type": "Release Type 06", "ci": "x"}
    # 4 days: 8 calm incidents before and 8 + 40 after (the caused-by CI counts).
    assert wave.records == 48 and wave.target == 8 / 4 and wave.current == 48 / 4
    assert "+40 incidents after change C1" in wave.headline
    assert "back to a steady state after" in wave.detail
    assert wave.excess_per_week == 40 * 7 / 4  # a weekly rate, and it says so
    assert wave.benefit_basis.startswith("+40 incidents in the 4 days after the change")
    assert "(x 7/4)" in wave.benefit_basis and "one-off wave" in wave.benefit_basis


def test_a_change_is_judged_only_once_its_window_is_complete() -> None:
    config = _config()
    frames = {"changes": frame("changes", _changes()), "inc": frame("inc", _incidents(40))}
    assert (
        find_change_impact(frames, config.kinds.change_impact[0], config, date(2024, 3, 13)) == []
    )


def test_no_wave_no_entry() -> None:
    config = _config()
    frames = {"changes": frame("changes", _changes()), "inc": frame("inc", _incidents(3))}
    assert (
        find_change_impact(frames, config.kinds.change_impact[0], config, date(2024, 3, 16)) == []
    )
