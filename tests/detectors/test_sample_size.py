"""detect_findings weighs each value by the records behind it."""

import numpy as np
import pandas as pd
import pytest

from detectors import detect_findings
from detectors._sampling import COUNT, LEVEL, PLAIN, RATE, series_kind

PERIODS = pd.date_range("2026-01-05", periods=140, freq="D")  # starts on a Monday
SATURDAY = np.asarray(PERIODS.dayofweek == 5)


def _durations(n_weekday: int, n_saturday: int, seed: int = 0) -> pd.DataFrame:
    """Daily medians of lognormal resolution times; Saturdays have few records."""
    rng = np.random.default_rng(seed)
    n = np.where(SATURDAY, n_saturday, n_weekday)
    log_median = np.log(10.0) + rng.normal(0, 1.2533 / np.sqrt(n))
    return pd.DataFrame(
        {"kpi": "ttr_median_h", "period": PERIODS, "value": np.exp(log_median), "n": n}
    )


def _spikes(frame: pd.DataFrame, **params: object) -> list[str]:
    found = detect_findings(frame, better={"ttr_median_h": "lower"}, params=params)
    return [str(f.start.date()) for f in found if f.adverse and f.kind == "spike"]


def test_a_median_of_few_records_needs_a_larger_move() -> None:
    day = int(np.flatnonzero(SATURDAY)[-2])
    few = _durations(n_weekday=80, n_saturday=8)
    few.loc[day, "value"] *= 2.5  # within the noise of a median of 8 records
    assert _spikes(few, min_count=1) == []
    many = _durations(n_weekday=80, n_saturday=400)
    many.loc[day, "value"] *= 2.5  # far outside the noise of a median of 400
    assert _spikes(many, min_count=1) == [str(PERIODS[day].date())]


def test_a_value_with_too_few_records_cannot_fire_alone() -> None:
    frame = _durations(n_weekday=80, n_saturday=12)
    day = int(np.flatnonzero(SATURDAY)[-2])
    frame.loc[day, "value"] *= 50
    assert _spikes(frame) == []  # 12 records < min_count (20)
    assert _spikes(frame, min_count=10) == [str(PERIODS[day].date())]


def test_a_rate_moves_against_binomial_noise() -> None:
    rng = np.random.default_rng(1)
    n = np.full(140, 400)
    rate = rng.binomial(n, 0.1) / n
    rate[120] = 0.2  # 6.7 binomial standard errors at n = 400
    frame = pd.DataFrame({"kpi": "breach_rate", "period": PERIODS, "value": rate, "n": n})
    found = detect_findings(frame, better={"breach_rate": "lower"})
    assert [(f.kind, f.start) for f in found if f.adverse] == [("spike", PERIODS[120])]
    frame["n"] = 25  # the same 0.2 from 25 records: 1.7 standard errors
    assert not [f for f in detect_findings(frame, better={"breach_rate": "lower"}) if f.adverse]


@pytest.mark.parametrize(
    ("values", "counts", "kind"),
    [
        ([3.0, 0.0, 7.0], [3, 0, 7], COUNT),
        ([0.1, 0.0, 1.0], [9, 4, 2], RATE),
        ([3.5, 12.0, 0.5], [9, 4, 2], LEVEL),
        ([-1.0, 2.0, 0.0], [9, 4, 2], PLAIN),
    ],
)
def test_the_statistic_is_read_off_the_series(
    values: list[float], counts: list[int], kind: int
) -> None:
    v = np.array(values)[:, None]
    assert series_kind(v, np.array(counts, dtype=float)[:, None]).tolist() == [kind]


def test_a_small_count_is_scored_by_its_skewed_tail() -> None:
    """15 tickets on a day that usually brings 5 is z 4.5 on a Gaussian band (sqrt 5), but
    a Poisson count of mean 5 reaches 15 once in 4,000 days: no spike. 25 is one in 10**9."""
    counts = np.full(140, 5.0)

    def spikes(value: float) -> list[str]:
        frame = pd.DataFrame({"kpi": "opened", "period": PERIODS, "value": counts, "n": counts})
        frame.loc[120, ["value", "n"]] = value
        found = detect_findings(frame, better={"opened": "lower"})
        return [str(f.start.date()) for f in found if f.adverse and f.kind == "spike"]

    assert spikes(15.0) == []
    assert spikes(25.0) == [str(PERIODS[120].date())]
