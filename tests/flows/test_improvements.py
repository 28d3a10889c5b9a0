"""Improvements: a favourable move that held is a lesson; a short or small one is not."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from flows.config.model import ScanConfig
from flows.select.improvements import find_improvements

AS_OF = date(2024, 3, 31)


def _config() -> ScanConfig:
    return ScanConfig.model_validate(
        {
            "sources": [{"name": "inc", "path": "x", "columns": {"id": "id", "o": "o", "r": "r"}}],
            "kpis": [
                {
                    "name": "ttr_hours",
                    "source": "inc",
                    "measure": "duration",
                    "start": "o",
                    "end": "r",
                    "date": "o",
                    "unit": "hours",
                    "better": "lower",
                    "csf": "Quick resolution",
                    "objective": "Restore service",
                }
            ],
            "kinds": {
                "improvement": {
                    "weeks": 4,
                    "baseline_weeks": 6,
                    "min_rel_change": 0.2,
                    "min_records": 50,
                }
            },
        }
    )


def _series(before: float, after: float, after_days: int) -> pd.DataFrame:
    days = pd.date_range(end=pd.Timestamp(AS_OF), periods=70, freq="D")
    rng = np.random.default_rng(1)
    values = np.where(np.arange(70) >= 70 - after_days, after, before) + rng.normal(0, 0.3, 70)
    return pd.DataFrame({"kpi": "ttr_hours", "period": days, "value": values, "n": 20})


def test_a_lasting_favourable_move_is_a_lesson() -> None:
    config = _config()
    (lesson,) = find_improvements(_series(10.0, 6.0, 28), config.kinds.improvement, config, AS_OF)
    assert lesson.kind == "improvement" and lesson.dimensions == {}
    assert lesson.current == pytest.approx(6.0, abs=0.2) and lesson.target == lesson.current
    assert lesson.start == pd.Timestamp("2024-03-04")  # the four weeks judged
    assert lesson.detail.startswith("Lesson: ttr_hours")
    # 4 hours of lead time saved on each of 140 records a week: banked, not to win again
    assert lesson.hours_per_week == pytest.approx(4 * 140, rel=0.05)
    assert lesson.benefit_kind == "banked" and "is banked already" in lesson.detail
    assert lesson.benefit_basis.startswith("banked already, not to win: (9.99 - 5.95) h")
    assert "h x 140 records a week" in lesson.benefit_basis
    assert "hours of lead time" in lesson.benefit_basis


def test_a_move_that_has_not_lasted_is_not_yet_a_lesson() -> None:
    config = _config()
    assert find_improvements(_series(10.0, 6.0, 14), config.kinds.improvement, config, AS_OF) == []


def test_an_adverse_move_is_no_improvement() -> None:
    config = _config()
    assert find_improvements(_series(6.0, 10.0, 28), config.kinds.improvement, config, AS_OF) == []
