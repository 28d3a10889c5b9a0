"""The fast window primitives give the same bits as the plain numpy and pandas ones."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest

from detectors._counts import count_dispersion
from detectors._rolling import (
    _network,
    ewm_mean,
    lagged,
    lagged_median,
    nanmedian_last,
    running_sum,
)


def _gappy(seed: int, shape: tuple[int, int] = (200, 40), nan: float = 0.3) -> np.ndarray:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=shape)
    x[rng.random(shape) < nan] = np.nan
    x[rng.random(shape) < 0.05] = 1.0  # ties
    x[:30, :3] = np.nan  # whole gaps
    return x


@pytest.mark.parametrize("k", range(1, 17))
def test_network_sorts_every_zero_one_input(k: int) -> None:
    # The 0-1 principle: a comparator network that sorts every 0/1 input sorts everything.
    for bits in itertools.product([0, 1], repeat=k):
        v = list(bits)
        for a, b in _network(k):
            if v[a] > v[b]:
                v[a], v[b] = v[b], v[a]
        assert v == sorted(v)


@pytest.mark.parametrize(
    "lags", [range(7), range(1, 15), [7 * k for k in range(1, 7)], [3], [7, 14, 21, 28], range(16)]
)
@pytest.mark.parametrize("seed", [0, 1])
def test_lagged_median_matches_a_sort(lags: range | list[int], seed: int) -> None:
    x = _gappy(seed)
    med, n = lagged_median(x, lags)
    ref_med, ref_n = nanmedian_last(lagged(x, lags))
    assert np.array_equal(n, ref_n)
    assert np.array_equal(med, ref_med, equal_nan=True)


def test_running_sum_is_cumsum() -> None:
    x = _gappy(2)
    assert np.array_equal(running_sum(x), np.cumsum(x, axis=0), equal_nan=True)
    ok = ~np.isnan(x)
    assert np.array_equal(running_sum(ok, np.intp), np.cumsum(ok, axis=0))


@pytest.mark.parametrize(("alpha", "min_periods"), [(0.02, 28), (0.3, 1), (0.5, 0)])
def test_ewm_mean_is_pandas(alpha: float, min_periods: int) -> None:
    x = _gappy(3, nan=0.2)
    ref = pd.DataFrame(x).ewm(alpha=alpha, min_periods=min_periods, ignore_na=True).mean()
    assert np.array_equal(ewm_mean(x, alpha, min_periods), ref.to_numpy(), equal_nan=True)


def test_count_dispersion_is_causal() -> None:
    rng = np.random.default_rng(4)
    mu = rng.uniform(1, 80, (300, 50))
    x = rng.poisson(mu * rng.gamma(5, 0.2, mu.shape)).astype(float)
    x[rng.random(x.shape) < 0.1] = np.nan
    phi = count_dispersion(x, mu, alpha=0.02, clip=3.0, min_periods=14)
    x2 = x.copy()
    x2[200:] = 1e6  # a wild future must not move the past
    phi2 = count_dispersion(x2, mu, alpha=0.02, clip=3.0, min_periods=14)
    assert np.array_equal(phi[:201], phi2[:201])
