"""High-frequency alarm scorers: :func:`alarm_scores`, and :func:`nab_scores` (NAB default).

NAB-style data (one metric every few minutes, weeks long) needs more than the daily KPI
baseline: a daily cycle of hundreds of rows, flat stretches, bursts, and a price on every
false alarm. The scorer, causal throughout and vectorised over columns:

1. ``local``: robust z of each value against the median of the last ``window`` rows;
2. ``seasonal``: robust z against the same time of day over the last ``n_seasons`` days;
3. each scale is a clipped running mean absolute residual, floored at ``range_floor``
   times the range seen so far, so flat stretches do not make tiny wiggles infinite;
4. the deviation ``z`` of a row is the ``|z|`` of whichever baseline has the smaller
   running scale so far, i.e. has predicted the series better (a causal model choice:
   the seasonal one wins on daily-cycle data, the local one elsewhere);
5. an alarm needs ``z >= min_z`` *and* ``z`` at least the largest deviation of the last
   ``record_window`` rows: in bursty data only a new record is news;
6. after an alarm the series stays silent for ``refractory`` rows (fire once, re-arm);
7. alarm rows carry ``z / (z + 10)`` in (0, 1); every other row is 0.

:func:`nab_scores` adds a second opinion, context novelty (:mod:`detectors.novelty`, the
CAD OSE idea): a row on a value level never seen may alarm at a lower deviation
(``NoveltyParams.min_z``), and every alarm's score is scaled by how novel its context is,
so the corpus-wide threshold can drop alarms that repeat a known pattern. It also adds
HTM's anomaly likelihood (:mod:`detectors.likelihood`) on the deviation ``z``: a run of
deviations that is improbable against the series' own history of deviations alarms too.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
from numpy.typing import ArrayLike, NDArray

from detectors._rolling import FloatArray, ewm_abs_scale, lagged, lagged_median, past_max
from detectors.events import refractory
from detectors.likelihood import LikelihoodParams, as_z, surprise
from detectors.novelty import NoveltyParams, context_novelty

__all__ = ["AlarmParams", "alarm_scores", "deviation", "nab_scores"]


@dataclass(frozen=True)
class AlarmParams:
    """Global hyperparameters of :func:`alarm_scores` (one set for a whole corpus).

    The defaults come from a small grid over these values on the 38-file NAB subset (one
    setting for every file, no labels at scoring time); neighbouring settings score a few
    points lower, so expect roughly that on unseen data.
    """

    window: int = 120
    season: int = 288
    n_seasons: int = 3
    alpha: float = 0.003
    clip: float = 3.0
    range_floor: float = 0.02
    min_z: float = 6.0
    record_window: int = 1000
    refractory: int = 200

    def as_dict(self) -> dict[str, Any]:
        """Plain dict, for provenance."""
        return asdict(self)


def _robust_z(
    x: FloatArray, lags: range | list[int], p: AlarmParams
) -> tuple[FloatArray, FloatArray]:
    """|z| against the median of ``lags``, and the running scale (inf while cold)."""
    ref, _ = lagged_median(x, lags)
    resid = x - ref
    scale = ewm_abs_scale(resid, alpha=p.alpha, clip=p.clip, min_periods=p.window)
    span = np.fmax.accumulate(x, axis=0) - np.fmin.accumulate(x, axis=0)
    floor = np.maximum(p.range_floor * lagged(span, [1])[..., 0], 1e-9)
    with np.errstate(divide="ignore", invalid="ignore"):
        # NaN scale = cold start: no score rather than a floor-sized one.
        z: FloatArray = resid / np.where(np.isnan(scale), np.nan, np.fmax(scale, floor))
    return np.nan_to_num(np.abs(z), nan=0.0), np.nan_to_num(scale, nan=np.inf)


def deviation(values: ArrayLike, params: AlarmParams | None = None) -> FloatArray:
    """Per-row deviation ``z`` (steps 1-4), shape (T, S), for values (T,) or (T, S)."""
    p = params or AlarmParams()
    x = np.asarray(values, dtype=np.float64)
    x = x[:, None] if x.ndim == 1 else x
    z, scale = _robust_z(x, range(1, p.window + 1), p)
    if p.season > 1 and p.n_seasons > 0:
        z_season, scale_season = _robust_z(x, [p.season * k for k in range(1, p.n_seasons + 1)], p)
        # Trust the baseline that has been predicting better so far (smaller running scale).
        z = np.where(scale_season < scale, z_season, z)
    return z


def alarm_scores(values: ArrayLike, params: AlarmParams | None = None) -> NDArray[np.float64]:
    """Anomaly score in [0, 1) per row: non-zero only where an alarm fires.

    Parameters
    ----------
    values : array-like of shape (T,) or (T, S)
        Rows in time order; columns are independent series, NaN pads shorter ones.
    params : AlarmParams, optional
        Global hyperparameters; defaults are the ones benchmarked on NAB.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = 10 + rng.normal(0, 1, 2000)
    >>> x[1500] = 30.0
    >>> np.flatnonzero(alarm_scores(x)).tolist()
    [1500]
    """
    p = params or AlarmParams()
    z = deviation(values, p)
    fired = refractory((z >= p.min_z) & (z >= past_max(z, p.record_window)), p.refractory)
    out = np.where(fired, z / (z + 10.0), 0.0)
    return out[:, 0] if np.asarray(values).ndim == 1 else out


def nab_scores(
    values: ArrayLike,
    params: AlarmParams | None = None,
    novelty: NoveltyParams | None = None,
    likelihood: LikelihoodParams | None = None,
) -> NDArray[np.float64]:
    """Alarm scores with context novelty and anomaly likelihood: the ``radar nab run`` default.

    Three alarm streams, each silent for ``params.refractory`` rows after it fires:

    - record alarms, as in :func:`alarm_scores`;
    - novelty alarms: a value on a never-seen level (:func:`context_novelty` = 1) with
      deviation at least ``novelty.min_z``;
    - likelihood alarms: the last ``likelihood.short`` deviations are, on average, improbable
      against the series' history (:func:`surprise` of ``z`` at least ``likelihood.level``).
      This catches sustained changes that set no single record (a busier stretch of tweets,
      a CPU that stays a little high), which the record rule only sees once.

    An alarm row scores ``e / (e + 10) * (1 - w + w * share)``, with ``e`` the mean of ``z``
    and of the z-score equivalent to the row's surprise (:func:`as_z`), ``share`` its
    context novelty and ``w = novelty.weight``; every other row is 0.

    The streams keep separate refractory periods, so one event can raise several alarms.
    ``likelihood.level`` is chosen by leave-one-category-out cross-validation on the NAB
    subset (``benchmarks/nab_cv.py``); the other defaults are fixed, and that script's
    ``--sensitivity`` prints the score as each moves by -50 % and +50 %.

    Parameters
    ----------
    values : array-like of shape (T,) or (T, S)
        Rows in time order; columns are independent series, NaN pads shorter ones.
    params : AlarmParams, optional
        Deviation and record-alarm hyperparameters.
    novelty : NoveltyParams, optional
        Context-novelty hyperparameters.
    likelihood : LikelihoodParams, optional
        Anomaly-likelihood hyperparameters.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> x = 10 + rng.normal(0, 1, 2000)
    >>> x[1500] = 30.0
    >>> s = nab_scores(x)
    >>> int(np.argmax(s)), round(float(s[1500]), 2)
    (1500, 0.57)

    A new extreme of plain noise may raise a novelty alarm too, with a far lower score
    that the corpus-wide threshold can drop.
    """
    p = params or AlarmParams()
    n = (novelty or NoveltyParams()).validate()
    z = deviation(values, p)
    share = context_novelty(values, n)
    record = refractory((z >= p.min_z) & (z >= past_max(z, p.record_window)), p.refractory)
    novel = refractory((share >= 1.0) & (z >= n.min_z), p.refractory)
    lik = likelihood or LikelihoodParams()
    digits = surprise(z, lik)
    improbable = refractory(digits >= lik.level, p.refractory)
    # One evidence scale for all three streams: the point deviation and the run's
    # likelihood, both as z-scores, averaged.
    evidence = 0.5 * (z + as_z(digits))
    novelty_gain = 1.0 - n.weight + n.weight * share
    out = np.where(record | novel | improbable, evidence / (evidence + 10.0) * novelty_gain, 0.0)
    return out[:, 0] if np.asarray(values).ndim == 1 else out
