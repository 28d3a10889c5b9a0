"""Anomaly likelihood: causal, per-column, and loud only on an improbable run."""

import numpy as np

from detectors.likelihood import LikelihoodParams, surprise
from detectors.novelty import NoveltyParams
from detectors.stream import AlarmParams, nab_scores


def _noise(n: int = 3000, seed: int = 0) -> np.ndarray:
    return np.abs(np.random.default_rng(seed).normal(0, 1, n))


def test_a_run_of_errors_is_surprising_and_noise_is_not() -> None:
    err = _noise()
    err[2500:2520] += 4.0
    s = surprise(err)[:, 0]
    assert s[:2500].max() < 4.0
    assert s[2500:2520].max() > 10.0
    assert np.all(s >= 0.0)


def test_cold_start_and_nan_rows_score_zero() -> None:
    err = _noise()
    err[1000:1010] = np.nan
    s = surprise(err, LikelihoodParams(min_periods=388))[:, 0]
    assert np.all(s[:388] == 0.0) and np.all(s[1000:1010] == 0.0)
    assert np.isfinite(s).all()


def test_causal_prefix_and_independent_columns() -> None:
    a, b = _noise(seed=1), _noise(seed=2)
    b[2000:] += 10.0
    both = surprise(np.column_stack([a, b]))
    assert np.allclose(both[:, 0], surprise(a)[:, 0])
    assert np.allclose(surprise(b[:1500])[:, 0], both[:1500, 1])


def test_a_flat_history_does_not_divide_by_zero() -> None:
    err = np.zeros(2000)
    err[1500] = 1.0
    s = surprise(err)[:, 0]
    assert np.isfinite(s).all() and s[1500] > 5.0


def test_nab_scores_likelihood_stream_fires_on_a_sustained_rise() -> None:
    rng = np.random.default_rng(3)
    x = 10 + rng.normal(0, 1, 4000)
    x[3000:3300] += 3.0
    # Only the likelihood stream may fire: record and novelty alarms need infinite z.
    alarm, novelty = AlarmParams(min_z=np.inf), NoveltyParams(min_z=np.inf)
    on = nab_scores(x, alarm, novelty)
    off = nab_scores(x, alarm, novelty, LikelihoodParams(level=np.inf))
    assert not off.any()
    fired = np.flatnonzero(on)
    # Within a few rows of the rise; its end (back to normal) is another improbable run.
    assert 3000 <= fired[0] < 3020 and fired[1:].min() >= 3300, fired
