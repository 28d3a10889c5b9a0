"""Degradation benchmark: the nightly KPI detector on synthetic ITSM series, replayed causally.

Run: ``.venv/bin/python benchmarks/degradation.py [--teams N] [--days D]``; the default
seeds (clean 1, degraded 2) are the held-out ones, ``--clean-seed 11 --seed 13`` (and 12, 14)
the tuning ones.

1. **False alarms on clean series.** ``detect_findings`` over series without any
   degradation; every adverse finding scored at or above the scan's ``min_score`` (0.5) after
   the warm-up is a false alarm. Reported per 1,000 series-months (target <= 1).
2. **Degradations, replayed night by night.** Half of the series carry a +20-80 % ramp or
   step (``itsm_synth``). Night ``t`` sees rows up to ``t`` only and keeps, as the scan does,
   adverse findings with score >= 0.5 whose event ended in the last 14 days. An alarm is the
   night a new register entry would be filed: the first finding of a (kpi, team, direction)
   episode, which later findings whose windows meet it join whatever their kind, as the
   register's episodes do. The alarms are scored with the NAB
   scorer (one file per series, the labelled window as its window; the alarm nights score 1,
   every other night 0), plus precision, recall and the detection delay.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from itsm_synth import BETTER, make_corpus

from detectors import detect_findings
from detectors.nab_scorer import PROFILES, NabFile, nab_score

MIN_SCORE = 0.5  # the scan's default detector.min_score
LOOKBACK = 14  # the scan's default detector.lookback_days
WARMUP = 120  # nights before the first replayed one: the detectors' cold start and more
BUSY = 10  # tickets a day (all days): the secondary NAB score keeps busier teams


def false_alarm_rate(
    teams: int, days: int, params: Mapping[str, Any] | None, seed: int = 1
) -> None:
    clean = make_corpus(n_teams=teams, days=days, degraded_share=0.0, seed=seed).frame
    t0 = time.perf_counter()
    found = detect_findings(clean, better=BETTER, params=params)
    elapsed = time.perf_counter() - t0
    start = clean["period"].min() + pd.Timedelta(days=WARMUP)
    bad = [f for f in found if f.adverse and f.score >= MIN_SCORE and f.start >= start]
    series = clean.groupby(["kpi", "team"]).ngroups
    months = series * (days - WARMUP) / 30.44
    print(
        f"clean series: {series} series, {months:,.0f} series-months, {len(bad)} adverse "
        f"findings = {1000 * len(bad) / months:.2f} per 1,000 series-months "
        f"(detect_findings {elapsed:.1f} s)"
    )
    by_kind = pd.Series([f"{f.kpi}/{f.kind}" for f in bad]).value_counts()
    if len(by_kind):
        print("  by kpi/kind: " + ", ".join(f"{k} {v}" for k, v in by_kind.items()))


def replay(frame: pd.DataFrame, params: Mapping[str, Any] | None) -> pd.DataFrame:
    """Alarm nights per (kpi, team): the night each new register entry would be filed.

    The register files one entry per episode (``register_client._episodes``): findings of
    one slice and direction whose windows overlap or touch join the entry already open,
    whatever their kind, so a spike that a later night re-detects as a level shift or a
    trend is one entry, and one alarm.
    """
    periods = np.sort(frame["period"].unique())
    episodes: dict[tuple[str, str, str], pd.Timestamp] = {}  # key -> the episode's end
    alarms = []
    by_night = frame.sort_values("period")
    for night in periods[WARMUP:]:
        night = pd.Timestamp(night)
        seen = by_night[by_night["period"] <= night]
        since = night - pd.Timedelta(days=LOOKBACK)
        found = detect_findings(seen, better=BETTER, params=params, since=since)
        for f in sorted(found, key=lambda f: f.start):
            if not (f.adverse and f.score >= MIN_SCORE):
                continue
            key = (f.kpi, f.dimensions.get("team", "*"), f.direction)
            end = episodes.get(key)
            if end is None or f.start > end + pd.Timedelta(days=1):
                alarms.append({"kpi": key[0], "team": key[1], "night": night, "kind": f.kind})
                end = f.end
            episodes[key] = max(end, f.end)
    return pd.DataFrame(alarms, columns=["kpi", "team", "night", "kind"])


def score(frame: pd.DataFrame, labels: pd.DataFrame, alarms: pd.DataFrame) -> None:
    periods = pd.DatetimeIndex(np.sort(frame["period"].unique()))
    keys = frame[["kpi", "team"]].drop_duplicates().itertuples(index=False)
    win = {(r.kpi, r.team): (r.start, r.end) for r in labels.itertuples(index=False)}
    by_series = {k: g["night"].to_numpy() for k, g in alarms.groupby(["kpi", "team"])}
    files, hits, delays, inside = [], 0, [], 0
    for kpi, team in keys:
        nights = pd.DatetimeIndex(by_series.get((kpi, team), []))
        scores = periods.isin(nights).astype(float)
        w = win.get((kpi, team))
        files.append(NabFile(f"{kpi}/{team}", periods.to_numpy(), scores, [w] if w else []))
        if w:
            ok = nights[(nights >= w[0]) & (nights <= w[1])]
            inside += len(ok)
            if len(ok):
                hits += 1
                delays.append((ok.min() - w[0]).days)
    total = len(alarms)
    where = []
    for a in alarms.itertuples(index=False):
        w = win.get((a.kpi, a.team))
        side = "clean series" if w is None else "before" if a.night < w[0] else "after"
        where.append("in window" if w and w[0] <= a.night <= w[1] else side)
    outside = pd.Series(where, dtype=object).value_counts()
    print(
        f"degradations: {len(win)} labelled of {len(files)} series; {total} alarms, "
        f"precision {inside / max(total, 1):.2f}, recall {hits / max(len(win), 1):.2f} "
        f"({hits}/{len(win)}), delay median {np.median(delays) if delays else float('nan'):.0f} "
        f"days (p90 {np.percentile(delays, 90) if delays else float('nan'):.0f})"
    )
    print("  alarms: " + ", ".join(f"{k} {v}" for k, v in outside.items()))
    print(
        "NAB (alarm nights = 1, fixed threshold 1): "
        + ", ".join(f"{p} {nab_score(files, p, threshold=1.0).normalized:.1f}" for p in PROFILES)
    )
    by_kpi = labels.assign(
        found=[
            any(
                (by_series.get((r.kpi, r.team), np.array([], "M8[ns]")) >= r.start)
                & (by_series.get((r.kpi, r.team), np.array([], "M8[ns]")) <= r.end)
            )
            for r in labels.itertuples(index=False)
        ]
    )
    print(
        "  recall by kpi: "
        + ", ".join(f"{k} {g['found'].mean():.2f}" for k, g in by_kpi.groupby("kpi"))
    )
    volume = frame[frame["kpi"] == "opened"].groupby("team")["n"].mean()
    by_volume = by_kpi["team"].map(volume)
    # Below ~10 tickets a day a +20-80 % change is inside the sampling noise of a month.
    busy = [f for f in files if volume[f.name.split("/")[1]] > BUSY]
    print(
        f"  NAB on teams of more than {BUSY} tickets a day ({len(busy)} series): "
        + ", ".join(f"{p} {nab_score(busy, p, threshold=1.0).normalized:.1f}" for p in PROFILES)
    )
    print(
        "  recall by tickets a day: "
        + ", ".join(
            f"{k} {g['found'].mean():.2f} ({len(g)})"
            for k, g in by_kpi.groupby(pd.cut(by_volume, [0, 10, 30, 200]), observed=True)
        )
    )
    cells = by_kpi.groupby(["kpi", pd.cut(by_volume, [0, 10, 30, 200])], observed=True)["found"]
    print(
        "  recall by kpi and tickets a day: "
        + ", ".join(f"{k} {v} {g.sum()}/{len(g)}" for (k, v), g in cells)
    )
    print(
        "  recall by ramp (days, 1 = a step): "
        + ", ".join(f"{k} {g['found'].mean():.2f} ({len(g)})" for k, g in by_kpi.groupby("ramp"))
    )
    print(
        "  recall by size: "
        + ", ".join(
            f"{k} {g['found'].mean():.2f}"
            for k, g in by_kpi.groupby(pd.cut(by_kpi["size"], [0.2, 0.4, 0.6, 0.8]), observed=True)
        )
    )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--teams", type=int, default=200)
    ap.add_argument("--days", type=int, default=540)
    ap.add_argument("--replay-teams", type=int, default=60)
    ap.add_argument("--clean-seed", type=int, default=1, help="seed of the clean corpus")
    ap.add_argument("--seed", type=int, default=2, help="seed of the degraded corpus")
    args = ap.parse_args()
    false_alarm_rate(args.teams, args.days, None, args.clean_seed)
    corpus = make_corpus(n_teams=args.replay_teams, days=args.days, seed=args.seed)
    t0 = time.perf_counter()
    alarms = replay(corpus.frame, None)
    print(f"replay: {args.days - WARMUP} nights in {time.perf_counter() - t0:.0f} s")
    score(corpus.frame, corpus.labels, alarms)


if __name__ == "__main__":
    main()
