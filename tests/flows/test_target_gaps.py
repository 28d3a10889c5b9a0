"""Gaps to target: a rate missing its SLA beyond chance is filed; noise near the target is not."""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from flows.config.model import ScanConfig
from flows.kpis.compute import ALL
from flows.select.target_gaps import find_target_gaps

AS_OF = date(2024, 3, 31)


def _config(target: float) -> ScanConfig:
    return ScanConfig.model_validate(
        {
            "sources": [
                {
                    "name": "inc",
                    "path": "x",
                    "columns": {"id": "id", "opened_at": "o", "made_sla": "m", "group": "g"},
                }
            ],
            "kpis": [
                {
                    "name": "sla_breach_rate",
                    "source": "inc",
                    "measure": "rate",
                    "flag": "made_sla",
                    "negate": True,
                    "date": "opened_at",
                    "unit": "share of incidents",
                    "better": "lower",
                    "dimensions": ["group"],
                    "csf": "Quick resolution",
                    "objective": "Meet the SLA",
                }
            ],
            "kinds": {"targets": [{"kpi": "sla_breach_rate", "value": target, "window_days": 28}]},
        }
    )


def _kpi_frame(rates: dict[str, float], n: int = 40) -> pd.DataFrame:
    days = pd.date_range(end=pd.Timestamp(AS_OF), periods=56, freq="D")
    rows = [
        {"kpi": "sla_breach_rate", "group": group, "period": day, "value": rate, "n": n}
        for group, rate in rates.items()
        for day in days
    ]
    return pd.DataFrame(rows)


def test_a_rate_far_above_its_sla_is_a_gap_with_the_configured_target() -> None:
    config = _config(0.1)
    kpis = _kpi_frame({ALL: 0.35, "(none)": 0.9})
    (gap,) = find_target_gaps(kpis, config.kinds.targets[0], config, AS_OF)
    assert gap.kind == "target_gap" and gap.dimensions == {}  # the (none) slice is no slice
    assert gap.current == pytest.approx(0.35) and gap.target == 0.1
    assert gap.records == 28 * 40
    assert gap.excess_per_week == pytest.approx((0.35 - 0.1) * 40 * 7)
    assert gap.benefit_basis == (
        "(35 % - 10 %) x 1120 records / 28 periods x 7 periods a week = 70 records x 1 h per record"
    )
    assert "against a target of 10 %" in gap.detail


def test_a_rate_within_noise_of_its_target_is_no_gap() -> None:
    config = _config(0.3)
    kpis = _kpi_frame({ALL: 0.31})
    assert find_target_gaps(kpis, config.kinds.targets[0], config, AS_OF) == []


def test_a_kpi_meeting_its_target_is_no_gap() -> None:
    config = _config(0.5)
    assert find_target_gaps(_kpi_frame({ALL: 0.2}), config.kinds.targets[0], config, AS_OF) == []


def test_a_slice_is_judged_only_under_a_total_that_meets_the_target() -> None:
    config = _config(0.1)
    met = find_target_gaps(
        _kpi_frame({ALL: 0.05, "G1": 0.4}), config.kinds.targets[0], config, AS_OF
    )
    assert [g.dimensions for g in met] == [{"group": "G1"}]
    (total,) = find_target_gaps(
        _kpi_frame({ALL: 0.3, "G1": 0.4}), config.kinds.targets[0], config, AS_OF
    )
    assert total.dimensions == {}
    # The window is the judged 28 days; the baseline the 28 days just before them.
    assert total.start == pd.Timestamp("2024-03-04")
    assert total.reference.size == 28 and total.reference.index[-1] < total.start
