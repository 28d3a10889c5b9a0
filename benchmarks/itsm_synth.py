"""Synthetic daily ITSM KPI series with labelled degradations, for the detector benchmarks.

Each team yields three daily KPIs, as ``flows`` computes them from a ticket log:

- ``opened``: tickets opened per day (a count; ``n`` = the count itself);
- ``ttr_median_h``: median hours to resolve of the day's tickets (``n`` = that day's tickets);
- ``breach_rate``: share of the day's tickets that breached their SLA (``n`` likewise).

Realism: a weekday profile (weekends at 15-40 % of a weekday's volume, and noisier), team
sizes from 3 to 150 tickets a weekday, public holidays at weekend volume, about 2 % of days
missing (a count reads 0, the other KPIs NaN with ``n`` = 0, as the KPI stage writes them;
it also leaves a duration or rate empty on days of fewer than 5 records, its ``min_records``),
lognormal resolution times, overdispersed (gamma-Poisson) volumes and a slow drift.

A degraded series gets a ramp (over 7-28 days) or a step of +20-80 % on its KPI: the
volume, the resolution times or the breach rate. Its labelled window runs from the
change's first day for 28 days (NAB's windows are about a tenth of a file; this is a
month, the time an ITSM team would still call a detection "in time").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

__all__ = ["Corpus", "make_corpus"]

KPIS = ("opened", "ttr_median_h", "breach_rate")
BETTER = dict.fromkeys(KPIS, "lower")
WINDOW_DAYS = 28
MIN_RECORDS = 5  # flows' KpiSpec.min_records default


@dataclass(frozen=True)
class Corpus:
    frame: pd.DataFrame  # the KPI frame: kpi, team, period, value, n
    labels: pd.DataFrame  # kpi, team, start, end (inclusive) of each degradation window


def _holidays(periods: pd.DatetimeIndex, rng: np.random.Generator) -> np.ndarray:
    """Ten fixed-date holidays a year (same days every year, like most public holidays)."""
    days = rng.choice(np.arange(1, 365), size=10, replace=False)
    return np.isin(periods.dayofyear, days)


def make_corpus(
    n_teams: int = 200, days: int = 540, degraded_share: float = 0.5, seed: int = 0
) -> Corpus:
    """Build ``3 * n_teams`` series over ``days`` days; ``degraded_share`` of them degrade.

    Degradations start in the last two thirds of the span (after a year-like warm-up the
    detectors need anyway), at least ``WINDOW_DAYS`` before the end.
    """
    rng = np.random.default_rng(seed)
    periods = pd.date_range("2024-01-01", periods=days, freq="D")
    weekday = periods.dayofweek.to_numpy()
    holiday = _holidays(periods, rng)
    parts, labels = [], []
    for team in range(n_teams):
        size = float(np.exp(rng.uniform(np.log(3), np.log(150))))
        weekend = rng.uniform(0.15, 0.4)
        profile = np.where(weekday >= 5, weekend, rng.uniform(0.85, 1.15, 7)[weekday])
        profile = np.where(holiday, weekend, profile)
        drift = np.exp(np.cumsum(rng.normal(0, 0.003, days)))
        rate = size * profile * drift
        # One degradation per degraded series; which KPI of the team is drawn independently.
        effect = {k: np.ones(days) for k in KPIS}
        for kpi in KPIS:
            if rng.random() >= degraded_share:
                continue
            start = int(rng.integers(days // 3, days - WINDOW_DAYS))
            size_up = rng.uniform(0.2, 0.8)
            ramp = int(rng.choice([1, 7, 14, 28]))  # 1 = a step
            rise = np.clip((np.arange(days) - start + 1) / ramp, 0.0, 1.0)
            effect[kpi] = 1.0 + size_up * rise
            labels.append(
                {
                    "kpi": kpi,
                    "team": f"t{team:03d}",
                    "start": periods[start],
                    "end": periods[start + WINDOW_DAYS - 1],
                    "size": size_up,
                    "ramp": ramp,
                }
            )
        lam = rate * effect["opened"] * rng.gamma(45.0, 1 / 45.0, days)
        n = rng.poisson(lam)
        # Median of n lognormal resolution times: simulate by the order statistic's law.
        mu, sigma = np.log(rng.uniform(2, 40)), rng.uniform(0.8, 1.4)
        z = rng.normal(0, 1, days) * 1.2533 / np.sqrt(np.maximum(n, 1))
        ttr = np.exp(mu + sigma * z) * drift ** rng.uniform(-1, 1) * effect["ttr_median_h"]
        p = rng.uniform(0.03, 0.2) * effect["breach_rate"] * rng.gamma(50.0, 1 / 50.0, days)
        p = np.clip(p, 0.0, 1.0)
        breaches = rng.binomial(n, p)
        missing = rng.random(days) < 0.02
        n = np.where(missing, 0, n)
        # The KPI stage leaves a duration or rate empty below its min_records (5) records.
        has = n >= MIN_RECORDS
        values = {
            "opened": n.astype(float),
            "ttr_median_h": np.where(has, ttr, np.nan),
            "breach_rate": np.where(has, breaches / np.maximum(n, 1), np.nan),
        }
        for kpi in KPIS:
            parts.append(
                pd.DataFrame(
                    {"kpi": kpi, "team": f"t{team:03d}", "period": periods, "value": values[kpi]}
                ).assign(n=n)
            )
    label_frame = pd.DataFrame(labels, columns=["kpi", "team", "start", "end", "size", "ramp"])
    return Corpus(frame=pd.concat(parts, ignore_index=True), labels=label_frame)
