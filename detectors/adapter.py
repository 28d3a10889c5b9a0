"""The batch adapter: a long KPI frame in, calibrated :class:`Finding` objects out.

All series of the frame are scored at once on a (periods x series) matrix; nothing loops
over series in Python. Scores are causal, so re-running a later night never changes an
earlier night's findings.

Bad input, and what happens to it:

- missing columns, non-datetime ``period``, duplicate (kpi, dimensions, period) rows,
  periods off a regular grid: ``ValueError`` naming the problem;
- rows in any order: sorted by period (a non-monotonic frame is fine);
- series shorter than ``min_periods`` valid values, and NaN stretches: no score there
  (cold start again only if history runs out), so no finding;
- constant series: scores 0 until the value moves; then the scale floor
  ``rel_floor * |expected|`` decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from detectors._baseline import robust_baseline
from detectors._build import EventStats, build_findings
from detectors._calibration import reaches, score_to_z, z_to_score
from detectors._counts import count_dispersion, count_z
from detectors._frame import SeriesMatrix, season_length, to_matrix
from detectors._rolling import FloatArray, lagged_median, running_sum
from detectors._sampling import (
    COUNT,
    relative_floor,
    restore,
    sampling_scale,
    series_kind,
    stabilise,
)
from detectors.config import DetectorConfig, parse_config
from detectors.cusum import cusum, phase_scale
from detectors.entity import multivariate_findings
from detectors.events import Events, event_mean, event_sum, find_events, row_max
from detectors.finding import Finding
from detectors.shift import level_shift
from detectors.trend import trend_findings

__all__ = ["detect_findings"]

#: The CUSUM is held at most at this multiple of its limit (see detectors.cusum).
_CAP = 1.25
#: Series scored together: about 200 MB of intermediates for a year of daily values.
_BLOCK = 2048
#: Smoothing weight of a count's overdispersion (slower than the scale's: it needs months).
_PHI_ALPHA = 0.02
#: Band z-scores below this are left as they are by the count tail.
_TAIL_FROM = 2.0


def detect_findings(
    kpi_frame: pd.DataFrame,
    better: dict[str, str] | None = None,
    params: DetectorConfig | Mapping[str, Any] | None = None,
    since: pd.Timestamp | None = None,
) -> list[Finding]:
    """Detect spikes, dips, level shifts, degrading trends (and multivariate moves).

    Parameters
    ----------
    kpi_frame : pandas.DataFrame
        Long format: ``kpi``, dimension columns (``"*"`` = aggregated), ``period``,
        ``value`` and ``n``.
    better : dict of str to {"lower", "higher"}, optional
        Which way is better per KPI; decides ``Finding.adverse``. Unlisted KPIs count
        every move as adverse.
    params : DetectorConfig or dict, optional
        Hyperparameters (:class:`~detectors.config.DetectorConfig`; a dict is validated
        into one, so an unknown key or a value out of range raises
        ``pydantic.ValidationError``, a ``ValueError`` naming the field).
    since : pandas.Timestamp, optional
        Keep only findings whose window ends on or after this period.

    Returns
    -------
    list of Finding
        Sorted by score, highest first.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> periods = pd.date_range("2026-01-01", periods=120, freq="D")
    >>> values = 50 + rng.normal(0, 2, 120)
    >>> values[100] = 90  # one bad day
    >>> frame = pd.DataFrame({"kpi": "opened", "team": "network", "period": periods,
    ...                       "value": values, "n": 50})
    >>> [(f.kind, f.direction, f.adverse, str(f.start.date()))
    ...  for f in detect_findings(frame, better={"opened": "lower"})]
    [('spike', 'up', True, '2026-04-11')]
    """
    cfg = parse_config(params)
    better = better or {}
    if kpi_frame.empty:
        return []
    m = to_matrix(kpi_frame)
    # Each series is scored on its own; blocks of series bound the intermediate matrices
    # (about 30 of periods x series floats) and so the peak memory of a large scan.
    blocks = m.column_blocks(_BLOCK)
    found = [f for block in blocks for f in _point_findings(block, cfg, better)]
    found += [f for block in blocks for f in trend_findings(block, cfg, better)]
    if cfg.multivariate:
        found += multivariate_findings(m, cfg, better)
    if since is not None:
        found = [f for f in found if f.end >= since]
    return sorted(found, key=lambda f: -f.score)


def _point_findings(m: SeriesMatrix, cfg: DetectorConfig, better: dict[str, str]) -> list[Finding]:
    """Spikes, dips and level shifts: the point, weekly shift and CUSUM tests.

    The CUSUM (:mod:`detectors.cusum`) sums small persistent shifts over days. All three
    run on each series' variance-stabilising scale (:mod:`detectors._sampling`), with
    the values' sampling noise as a floor under the residual scale; moves, bands and
    magnitudes are reported in the KPI's own units.
    """
    period = season_length(m.step)
    kind = series_kind(m.values, m.counts)
    y = stabilise(m.values, kind)
    base = robust_baseline(
        y,
        period=period,
        n_seasons=cfg.seasonal__n_seasons,
        window=cfg.seasonal__window,
        min_periods=cfg.seasonal__min_periods,
        alpha=cfg.seasonal__alpha,
        clip=cfg.seasonal__clip,
        rel_floor=0.0,  # a floor relative to the KPI's units: set below, on its own scale
    )
    resid = y - base.expected
    expected = restore(base.expected, kind)
    noise = sampling_scale(
        m.counts, kind, expected, resid, alpha=cfg.seasonal__alpha, clip=cfg.seasonal__clip
    )
    floor = relative_floor(expected, kind, cfg.seasonal__rel_floor)
    # The floors never end a cold start: no residual scale yet, no score.
    scale = np.where(np.isnan(base.scale), np.nan, np.fmax(np.fmax(base.scale, noise), floor))
    is_count = kind == COUNT
    with np.errstate(divide="ignore", invalid="ignore"):
        z_point = resid / scale
    if is_count.any():
        # A count's tail is skewed and heavier than the Gaussian band's: its z is the
        # smaller of the band's and a negative binomial tail's (see detectors._counts).
        cols = np.flatnonzero(is_count)
        phi = count_dispersion(
            m.values[:, cols],
            expected[:, cols],
            alpha=_PHI_ALPHA,
            clip=cfg.seasonal__clip,
            min_periods=cfg.seasonal__min_periods,
        )
        # Only a band z past _TAIL_FROM can reach a score that matters (0.1 at z = 2).
        zc = z_point[:, cols]
        hit = np.abs(np.nan_to_num(zc)) > _TAIL_FROM
        tail = np.abs(count_z(m.values[:, cols][hit], expected[:, cols][hit], phi[hit]))
        zc[hit] = np.sign(zc[hit]) * np.minimum(np.abs(zc[hit]), tail)
        z_point[:, cols] = zc
    # Scores only where they are needed: flags from |z| (exactly the scores' flags), the
    # scores themselves at the flagged rows alone (see _scores_at).
    point_reached = reaches(z_point, cfg.seasonal__threshold)
    # Whole cycles in both windows, so a season's highs and lows cancel out of the medians.
    shift_window = -(-cfg.shift__window // period) * period
    shift_reference = -(-cfg.shift__reference // period) * period
    # The shift test reads deseasonalised values: the expected value's offset from its own
    # cycle median is the season, and Saturdays must not widen a weekday level's band.
    season = base.expected - lagged_median(base.expected, range(period))[0]
    y_level = y - np.nan_to_num(season)
    noise = np.fmax(noise, relative_floor(expected, kind, cfg.shift__rel_floor))
    shift_z, recent, ref = level_shift(
        y_level, shift_window, shift_reference, cfg.shift__alpha, 0.0, noise
    )
    shift_reached = reaches(shift_z, cfg.shift__threshold)
    # The CUSUM weighs each day by its own phase's spread (see detectors.cusum).
    own = phase_scale(resid, period, alpha=cfg.seasonal__alpha, clip=cfg.seasonal__clip)
    own = np.where(np.isnan(scale), np.nan, np.fmax(np.fmax(own, noise), floor))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = resid / own
    limit = cfg.cusum_limit if cfg.cusum_limit > 0 else np.inf
    cus = cusum(
        z, resid, m.counts, drift=cfg.cusum_drift, clip=cfg.seasonal__clip, cap=_CAP * limit
    )
    at_limit = np.abs(cus.stat) >= limit
    cus_move = np.abs(restore(base.expected + cus.move, kind) - expected)
    # A count's n is its value and its noise floor covers it; any other value needs
    # min_count records to fire alone, and a shift as many over its recent window.
    window_n = running_sum(m.counts)
    window_n[shift_window:] -= window_n[:-shift_window].copy()
    recent, ref = restore(recent, kind), restore(ref, kind)
    point_move = np.abs(m.values - expected)
    shift_move = np.abs(recent - ref)
    with np.errstate(invalid="ignore"):
        point_flags = (
            (is_count | (m.counts >= cfg.min_count))
            & point_reached
            & (point_move >= cfg.min_abs_change)
            & (point_move >= cfg.min_rel_change * np.abs(expected))
        )
        shift_flags = (
            (is_count | (window_n >= cfg.min_count))
            & shift_reached
            & (shift_move >= cfg.min_abs_change)
            & (shift_move >= cfg.min_rel_change * np.abs(ref))
        )
        cus_flags = (
            (is_count | (cus.records >= cfg.min_count))
            & at_limit
            & (cus_move >= cfg.min_abs_change)
            & (cus_move >= cfg.min_rel_change * np.abs(expected))
        )
    shift_flags = shift_flags | cus.onset_flags(cus_flags)
    ev = find_events(point_flags | shift_flags, suppress=cfg.suppress)
    if len(ev) == 0:
        return []
    point, shift = _scores_at(ev, z_point, shift_z, cus.stat, at_limit, cfg)
    half_band = float(score_to_z(cfg.seasonal__threshold)) * scale
    series_kind_of = kind[ev.series]
    low = restore(event_mean(base.expected - half_band, ev)[None, :], series_kind_of)[0]
    high = restore(event_mean(base.expected + half_band, ev)[None, :], series_kind_of)[0]
    expected_ev = event_mean(expected, ev)
    observed = event_mean(m.values, ev)
    n_flagged = np.diff(np.append(ev.offsets, len(ev.rows)))
    is_shift = (n_flagged >= cfg.shift_periods) | (row_max(shift, ev) > row_max(point, ev))
    kinds = np.where(is_shift, "level_shift", np.where(observed >= expected_ev, "spike", "dip"))
    stats = EventStats(
        series=ev.series,
        start=ev.start,
        end=ev.end,
        kind=kinds.tolist(),
        observed=observed,
        expected=expected_ev,
        reference=expected_ev,
        band_low=np.fmin(low, expected_ev),
        band_high=np.fmax(high, expected_ev),
        score=row_max(np.fmax(point, shift), ev),
        n=event_sum(m.counts, ev),
    )
    names = np.where(is_shift, "LevelShiftDetector", "SeasonalZScoreDetector").tolist()
    return build_findings(m, stats, better, names, cfg.model_dump(exclude={"targets"}))


def _scores_at(
    ev: Events,
    z_point: FloatArray,
    shift_z: FloatArray,
    cus_stat: FloatArray,
    at_limit: NDArray[np.bool_],
    cfg: DetectorConfig,
) -> tuple[FloatArray, FloatArray]:
    """Score the points and shifts at the events' rows only (``ev.rows`` order), NaN as 0.

    The shift score is the larger of the weekly test's and the CUSUM's. For a shift of
    2 * drift bands, 2 * drift * S is the log likelihood ratio of "moved" against "not";
    on the scores' -log10(p) / 10 scale that is 2 * drift * S / (10 ln 10) (0.52 at the
    default limit), and never below the threshold once at the limit.
    """
    at = (ev.rows, ev.row_series)
    with np.errstate(divide="ignore", invalid="ignore"):
        point = np.nan_to_num(z_to_score(z_point[at]))
        shift = np.nan_to_num(z_to_score(shift_z[at]))
    cus = 2 * cfg.cusum_drift * np.abs(cus_stat[at]) / (10 * np.log(10))
    cus = np.where(at_limit[at], np.fmax(cus, cfg.shift__threshold), cus)
    return point, np.fmax(shift, np.nan_to_num(cus))
