"""The CUSUM catches persistent shifts too small for any one day, and stays quiet on noise."""

import numpy as np
import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detectors import detect_findings
from detectors.cusum import _sides, cusum

PERIODS = pd.date_range("2026-01-05", periods=210, freq="D")
START = 150  # the step's first day


def _medians(step: float, seed: int, n: int = 40) -> pd.DataFrame:
    """Daily medians of n lognormal resolution times; from START on, ``step`` times higher."""
    rng = np.random.default_rng(seed)
    log_median = np.log(10.0) + rng.normal(0, 1.2533 / np.sqrt(n), len(PERIODS))
    log_median[START:] += np.log1p(step)
    return pd.DataFrame(
        {"kpi": "ttr_median_h", "period": PERIODS, "value": np.exp(log_median), "n": n}
    )


def _shift_starts(frame: pd.DataFrame, **params: object) -> list[int]:
    """Days from START to each adverse level shift found after the cold start."""
    found = detect_findings(frame, better={"ttr_median_h": "lower"}, params=params)
    return [
        (f.start - PERIODS[START]).days
        for f in found
        if f.adverse and f.kind == "level_shift" and f.start >= PERIODS[120]
    ]


def test_a_step_of_two_bands_is_found_within_its_month() -> None:
    # +60 % on a median of 40 records is 2.4 sigma of its log (0.2): no single day fires,
    # and the weekly test's median is too noisy; the sum over days shows it.
    frames = [_medians(0.6, seed) for seed in range(6)]
    starts = [_shift_starts(frame) for frame in frames]
    # The window opens where the run began: within a week of the step, never weeks early.
    assert all(s and -7 <= min(s) < 28 for s in starts), starts
    without = [_shift_starts(frame, cusum_limit=0) for frame in frames]
    assert sum(any(-7 <= d < 28 for d in s) for s in without) <= 3, without


def test_clean_series_file_nothing() -> None:
    assert [_shift_starts(_medians(0.0, seed)) for seed in range(5)] == [[]] * 5


def test_the_statistic_is_held_at_its_cap_and_restarts_its_run() -> None:
    z = np.r_[np.full(30, 2.0), np.full(10, -1.0)][:, None]
    c = cusum(z, z, np.full_like(z, 5.0), drift=0.5, clip=3.0, cap=10.0)
    assert c.stat.max() == 10.0  # held at the cap: an old shift cannot linger for months
    assert c.stat[-1, 0] == -5.0  # the upper side drained, the lower one took over
    assert c.records[29, 0] == 150.0  # 30 rows of 5 records in the upper run


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 2**32 - 1),
    gaps=st.floats(0.0, 0.6),
    mean=st.floats(-1.5, 1.5),
    cap=st.sampled_from([np.inf, 3.0, 12.0]),
)
def test_the_in_place_loop_is_the_recursion_to_the_bit(
    seed: int, gaps: float, mean: float, cap: float
) -> None:
    rng = np.random.default_rng(seed)
    t_len, s_len = 60, 7
    step = rng.normal(mean, 1.5, (t_len, 2, s_len))
    # Exact zeros, ties with the drift and negative residual sums are where a run's
    # bookkeeping (restart, hold, -0.0) can slip.
    step[rng.random(step.shape) < 0.1] = 0.5
    grow_by = rng.normal(0.0, 2.0, (t_len, 3, s_len))
    grow_by[rng.random(grow_by.shape) < 0.1] = 0.0
    grow_by[rng.random(grow_by.shape) < 0.05] = -0.0
    ok = rng.random((t_len, s_len)) >= gaps
    stat, runs = _sides(step, grow_by, ok, drift=0.5, cap=cap)
    side, run = np.zeros((2, s_len)), np.zeros((2, 3, s_len))
    for t in range(t_len):
        for s in range(s_len):
            for k in range(2):
                if not ok[t, s]:
                    continue
                new = min(max(side[k, s] + step[t, k, s] - 0.5, 0.0), cap)
                if new == 0.0 or side[k, s] == 0.0:
                    run[k, :, s] = 0.0
                if new > 0.0:
                    run[k, :, s] = run[k, :, s] + grow_by[t, :, s]
                side[k, s] = new
        up = side[0] >= side[1]
        assert np.array_equal(stat[t], np.where(up, side[0], -side[1]))
        # Bit for bit, the sign of a zero included.
        reported = np.where(up, run[0], run[1])
        assert np.array_equal(runs[:, t].view(np.int64), reported.view(np.int64))
