import math

import numpy as np
import pandas as pd
import pytest

from detectors.nab_scorer import PROFILES, NabFile, nab_score, probationary_rows, scaled_sigmoid


def _corpus(scores_at: dict[str, list[int]] | None = None) -> list[NabFile]:
    """Three files; timestamps are real datetimes, as in NAB."""
    files = []
    specs = {"a": (1000, [(300, 399)]), "b": (2000, [(500, 549), (1200, 1399)]), "c": (800, [])}
    for name, (n, wins) in specs.items():
        ts = pd.date_range("2020-01-01", periods=n, freq="5min")
        s = np.zeros(n)
        for i in (scores_at or {}).get(name, []):
            s[i] = 1.0
        files.append(NabFile(name, ts, s, [(ts[a], ts[b]) for a, b in wins]))
    return files


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_left_edges_score_100_and_silence_scores_0(profile: str) -> None:
    edges = {"a": [300], "b": [500, 1200]}
    assert nab_score(_corpus(edges), profile).normalized == pytest.approx(100.0)
    assert nab_score(_corpus(), profile).normalized == 0.0
    res = nab_score(_corpus(), profile)
    assert (res.windows, res.detected_windows, res.threshold) == (3, 0, math.inf)


def test_detection_late_in_window_earns_less_and_fp_costs() -> None:
    mid = nab_score(_corpus({"a": [350], "b": [525, 1300]})).normalized
    assert 80 < mid < 100
    with_fp = nab_score(_corpus({"a": [300], "b": [500, 1200], "c": [700]})).normalized
    # One FP (weight -0.11) on 3 windows: 100 * (3 - 0.11 + 3) / 6
    assert with_fp == pytest.approx(100 * (6 - 0.11) / 6)


def test_probationary_rows_are_ignored() -> None:
    assert probationary_rows(1000) == 150 and probationary_rows(20000) == 750
    noisy = nab_score(_corpus({"a": [300, 10], "b": [500, 1200]})).normalized
    assert noisy == pytest.approx(100.0)


def test_sweep_picks_the_best_corpus_threshold() -> None:
    files = _corpus({"a": [300], "b": [500, 1200]})
    # Add weaker scores everywhere else: a lower threshold would fire them all.
    for f in files:
        s = np.asarray(f.scores)
        s[s == 0] = 0.3
    res = nab_score(files)
    assert res.threshold == 1.0 and res.normalized == pytest.approx(100.0)


def _reference(files: list[NabFile], profile: str, threshold: float) -> float:
    """Row-by-row transcription of NAB's sweeper for one threshold."""
    c = PROFILES[profile]
    total = 0.0
    for f in files:
        ts = list(pd.DatetimeIndex(f.timestamps))
        scores = np.asarray(f.scores)
        prob = probationary_rows(len(ts))
        wins = [(ts.index(a), ts.index(b)) for a, b in f.windows]
        best = {k: -c["fn"] for k in range(len(wins))}
        prev = None
        for i in range(len(ts)):
            cur = next((k for k, (lo, hi) in enumerate(wins) if lo <= i <= hi), None)
            if cur is not None:
                lo, hi = wins[cur]
                width = hi - lo + 1
                w = scaled_sigmoid(np.array(-(hi - i + 1) / width)) / scaled_sigmoid(np.array(-1.0))
            elif prev is None:
                w = -1.0 * c["fp"]
            else:
                lo, hi = wins[prev]
                w = scaled_sigmoid(np.array(abs(hi - i) / (hi - lo))) * c["fp"]
            if cur is not None and i == wins[cur][1]:
                prev = cur
            if i < prob or scores[i] < threshold:
                continue
            if cur is None:
                total += float(w)
            else:
                best[cur] = max(best[cur], float(w) * c["tp"])
        total += sum(best.values())
    return total


@pytest.mark.parametrize("profile", sorted(PROFILES))
def test_matches_row_by_row_reference(profile: str) -> None:
    rng = np.random.default_rng(3)
    files = _corpus()
    for f in files:
        s = np.asarray(f.scores)
        s[:] = np.round(rng.random(len(s)) ** 40, 3)
    res = nab_score(files, profile)
    assert res.raw == pytest.approx(_reference(files, profile, res.threshold))
    for thr in (0.2, 0.5, 0.9):
        assert res.raw >= _reference(files, profile, thr) - 1e-9


def test_bad_inputs() -> None:
    f = _corpus()[0]
    with pytest.raises(ValueError, match="profile must be one of"):
        nab_score([f], "nope")
    ts = np.asarray(f.timestamps)
    with pytest.raises(ValueError, match="not a timestamp"):
        nab_score([NabFile("x", ts, np.zeros(len(ts)), [("1999-01-01", "1999-01-02")])])
    with pytest.raises(ValueError, match="NaN"):
        nab_score([NabFile("x", ts, np.full(len(ts), np.nan), [])])


def test_window_precision_recall() -> None:
    from detectors.window_metrics import window_precision_recall

    s = window_precision_recall([1, 15, 16, 33, 90], [(10, 20), (30, 35), (50, 60)])
    assert (s.precision, s.recall) == (3 / 5, 2 / 3)
    assert s.f1 == pytest.approx(2 * 0.6 * (2 / 3) / (0.6 + 2 / 3))
    days = pd.to_datetime(["2026-01-03", "2026-02-01"])
    assert (
        window_precision_recall(
            days, [(pd.Timestamp("2026-01-01"), pd.Timestamp("2026-01-05"))]
        ).recall
        == 1.0
    )
    with pytest.raises(ValueError, match="start <= end"):
        window_precision_recall([1], [(5, 2)])
