"""Level shifts and change points: :class:`LevelShiftDetector`."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from detectors._base import CausalDetectorMixin, max_abs_z
from detectors._rolling import ewm_abs_scale, lagged, lagged_median
from detectors.config import check_estimator_params

__all__ = ["LevelShiftDetector", "level_shift"]


def level_shift(
    x: NDArray[np.float64],
    window: int,
    reference: int,
    alpha: float,
    rel_floor: float,
    noise: NDArray[np.float64] | None = None,
) -> tuple[NDArray[np.float64], NDArray[np.float64], NDArray[np.float64]]:
    """Shift test: median of the last ``window`` rows against the ``reference`` rows before.

    Returns the z-score, the recent median and the reference median. The reference is
    the median of the ``reference // window`` (at least 2) block medians before the
    recent block: nearly as robust as one long median, and far cheaper, since each block
    median is already known.

    The standard error of a median of ``k`` Gaussian values is ``1.2533 * sigma / sqrt(k)``;
    ``sigma`` is a clipped, exponentially weighted scale of point residuals against the
    reference median, taken as it stood before the recent window, and never below the
    median of ``noise`` (the values' own sampling noise, if known) over the recent window.
    Rows without a full reference are NaN.
    """
    blocks = max(2, reference // window)
    recent, n_recent = lagged_median(x, range(window))
    ref, n_ref = lagged_median(recent, [window * k for k in range(1, blocks + 1)])
    # The scale as it stood before the recent window: the shift must not widen its own band.
    sigma = lagged(ewm_abs_scale(x - ref, alpha=alpha, clip=3.0, min_periods=3), [window])[..., 0]
    sigma = np.fmax(sigma, rel_floor * np.abs(ref) + 1e-12)
    if noise is not None:
        sigma = np.fmax(sigma, lagged_median(noise, range(window))[0])
    # A median of block medians carries an extra pi/2 in its variance.
    se = 1.2533 * sigma * np.sqrt(1.0 / np.maximum(n_recent, 1) + np.pi / 2 / (window * blocks))
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (recent - ref) / se
    # A part-filled span at the start would weigh a season's phases unevenly: wait for it.
    full = (np.arange(len(x)) >= window * (blocks + 1) - 1)[:, None]
    ok = full & (n_recent >= (window + 1) // 2) & (n_ref >= (blocks + 1) // 2)
    return np.where(ok, z, np.nan), recent, ref


class LevelShiftDetector(CausalDetectorMixin):
    """Causal two-window test for a shift in level.

    At each row, the median of the last ``window`` rows is compared with the median of the
    ``reference`` rows before them. The deviation peaks about ``window`` rows after a
    change point, and stays high while the new level is still "new", which is what one
    finding per shift needs.

    Parameters
    ----------
    window : int, default=7
        Rows that make up the "current" level.
    reference : int, default=28
        Rows before them that make up the "previous" level (rounded down to whole
        windows, at least two).
    alpha : float, default=0.05
        Smoothing weight of the residual scale.
    rel_floor : float, default=0.02
        Scale floor relative to the reference level.
    threshold : float, default=0.5
        Calibrated score that "auto" contamination puts ``offset_`` at (0.5: |z| ~ 4.42).
    contamination : "auto" or float, default="auto"
        Sets ``offset_``: at ``threshold``, or at this share of the training rows.

    Attributes
    ----------
    offset_ : float
        Decision threshold on ``score_samples``.
    n_features_in_ : int
        Columns seen in ``fit``.

    See Also
    --------
    SeasonalZScoreDetector : single-period spikes and dips.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> X = rng.normal(10, 1, (120, 1))
    >>> X[80:] += 5  # the level moves up by 5 sigma
    >>> det = LevelShiftDetector().fit(X[:60])
    >>> first = int(np.flatnonzero(det.predict(X) == -1)[0])
    >>> 80 <= first <= 87
    True
    """

    def __init__(
        self,
        window: int = 7,
        reference: int = 28,
        alpha: float = 0.05,
        rel_floor: float = 0.02,
        threshold: float = 0.5,
        contamination: str | float = "auto",
    ) -> None:
        self.window = window
        self.reference = reference
        self.alpha = alpha
        self.rel_floor = rel_floor
        self.threshold = threshold
        self.contamination = contamination

    def _validate_params(self) -> None:
        check_estimator_params("shift", self.get_params(deep=False))

    def _deviation(self, X: NDArray[np.float64]) -> NDArray[np.float64]:
        z, _, _ = level_shift(X, self.window, self.reference, self.alpha, self.rel_floor)
        return max_abs_z(z)
