"""Speed of the default detector on 10,000 daily series x 365 days, against a PyOD loop.

Run: ``OMP_NUM_THREADS=1 .venv/bin/python benchmarks/detector_speed.py [--series N]``
(needs the ``bench`` extra for PyOD). Everything runs in this one process, pinned to one
core, on the same synthetic data. Times are CPU seconds of this process
(``time.process_time``): on a shared machine wall-clock time measures the neighbours too.

1. ``batch score``: the default detector's scores for every point (robust seasonal
   baseline + calibration on the periods x series matrix), which is what "points/s" means;
2. ``alarm scorer``: the NAB-benchmarked high-frequency scorer (``detectors.stream``) on
   the same matrix, with a weekly season (its NAB defaults use a 288-row daily one);
3. ``detect_findings``: the whole adapter from the long KPI frame (pivot, point, shift and
   trend scoring, events, Finding objects), its first call in the process (what a nightly
   scan pays) and warm (best of three further calls);
4. ``pyod loop``: the way Anomstack scores metrics, one PyOD model per series (PCA on
   differenced, smoothed, lagged features), fit and scored series by series.
"""

from __future__ import annotations

import argparse
import os
import time

for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(var, "1")

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from detectors import DetectorConfig, detect_findings  # noqa: E402
from detectors._baseline import robust_baseline  # noqa: E402
from detectors._calibration import z_to_score  # noqa: E402
from detectors.stream import AlarmParams, alarm_scores  # noqa: E402


def synthetic(n_series: int, n_days: int, seed: int = 0) -> np.ndarray:
    """Weekday-seasonal counts with noise, a few spikes and level shifts."""
    rng = np.random.default_rng(seed)
    level = rng.uniform(5, 500, n_series)
    weekday = np.where(np.arange(n_days) % 7 >= 5, 0.4, 1.0)[:, None]
    x = rng.poisson(level * weekday).astype(float)
    spikes = rng.random(x.shape) < 0.002
    x[spikes] *= 3
    return x


def anomstack_features(x: np.ndarray) -> np.ndarray:
    """Anomstack's default preprocessing: diff, rolling mean of 3, 5 lags."""
    s = pd.Series(x).diff().rolling(3).mean()
    lags = pd.concat([s.shift(k) for k in range(6)], axis=1).dropna()
    return lags.to_numpy()


def time_it(fn: object, *args: object) -> float:
    t0 = time.process_time()
    fn(*args)  # type: ignore[operator]
    return time.process_time() - t0


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--series", type=int, default=10_000)
    ap.add_argument("--days", type=int, default=365)
    args = ap.parse_args()
    x = synthetic(args.series, args.days)
    points = x.size

    seasonal = DetectorConfig().estimator_params("seasonal")
    del seasonal["threshold"]

    def batch() -> None:
        z_to_score(robust_baseline(x, period=7, **seasonal).z)

    batch()  # warm-up (imports, allocator)
    t_batch = min(time_it(batch) for _ in range(3))
    t_alarm = time_it(lambda: alarm_scores(x, AlarmParams(window=28, season=7, record_window=90)))
    periods = pd.date_range("2025-01-01", periods=args.days, freq="D")
    frame = pd.DataFrame(
        {
            "kpi": "opened",
            "team": np.repeat([f"t{i:05d}" for i in range(args.series)], args.days),
            "period": np.tile(periods, args.series),
            "value": x.T.ravel(),
            "n": x.T.ravel().astype(np.int64),  # counts: n is the value
        }
    )

    def adapter() -> None:
        detect_findings(frame, better={"opened": "lower"})

    t_first = time_it(adapter)
    t_adapter = min(time_it(adapter) for _ in range(3))

    from pyod.models.pca import PCA

    def pyod_loop() -> None:
        for j in range(x.shape[1]):
            feats = anomstack_features(x[:, j])
            PCA(contamination=0.01).fit(feats).decision_function(feats)

    t_pyod = time_it(pyod_loop)
    print(f"series x days          {args.series} x {args.days} = {points:,} points, 1 thread")
    print("                       CPU s")
    print(f"batch score            {t_batch:7.3f} s  {points / t_batch / 1e6:6.2f} M points/s")
    print(f"alarm scorer           {t_alarm:7.3f} s  {points / t_alarm / 1e6:6.2f} M points/s")
    print(f"detect_findings first  {t_first:7.3f} s  {points / t_first / 1e6:6.2f} M points/s")
    print(f"detect_findings warm   {t_adapter:7.3f} s  {points / t_adapter / 1e6:6.2f} M points/s")
    print(f"pyod PCA loop          {t_pyod:7.3f} s  {points / t_pyod / 1e6:6.3f} M points/s")
    print(f"speed-up batch / pyod  {t_pyod / t_batch:7.1f} x")
    print(f"speed-up adapter / pyod {t_pyod / t_first:6.1f} x first call")
    print(f"speed-up adapter / pyod {t_pyod / t_adapter:6.1f} x warm")


if __name__ == "__main__":
    main()
