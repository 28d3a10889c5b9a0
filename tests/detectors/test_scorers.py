"""Scorers on labelled events: hand-made labels, a perfect and a silent detector, GridSearchCV."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit, cross_validate

from detectors import SeasonalZScoreDetector, make_nab_scorer, make_window_scorer, window_scoring
from detectors.labels import LabelledEvent
from detectors.nab_scorer import scaled_sigmoid
from detectors.scorers import Detection, nab_score_alarms, score_events

N = 400
SPIKES = (150, 300)


def _labelled() -> tuple[np.ndarray, np.ndarray]:
    """A flat series with two one-day spikes, each labelled as a ten-row window."""
    X = np.full((N, 1), 50.0)
    y = np.zeros(N, dtype=bool)
    for at in SPIKES:
        X[at] = 120.0
        y[at : at + 10] = True
    return X, y


def test_a_real_detector_that_fires_on_each_window_start_scores_perfectly() -> None:
    X, y = _labelled()
    detector = SeasonalZScoreDetector(period=1, min_periods=12).fit(X)
    assert np.flatnonzero(detector.predict(X) == -1).tolist() == list(SPIKES)
    assert make_nab_scorer()(detector, X, y) == pytest.approx(100.0)
    assert make_window_scorer("f1", max_delay=0)(detector, X, y) == 1.0


def test_a_detector_that_never_fires_scores_zero() -> None:
    X, y = _labelled()
    silent = SeasonalZScoreDetector(period=1, min_periods=12).fit(X)
    flat = np.full((N, 1), 50.0)
    assert not (silent.predict(flat) == -1).any()
    for profile in ("standard", "reward_low_FP_rate", "reward_low_FN_rate"):
        assert make_nab_scorer(profile)(silent, flat, y) == 0.0
    assert all(s(silent, flat, y) == 0.0 for s in window_scoring().values())


def test_nab_weights_by_hand() -> None:
    y = np.zeros(100, dtype=bool)
    y[40:50] = True  # one window of 10 rows, after the 15 probationary rows
    late = np.zeros(100, dtype=bool)
    late[45] = True  # sixth row of ten: position -(49 - 45 + 1) / 10 = -0.5
    expected = scaled_sigmoid(np.array(-0.5)) / scaled_sigmoid(np.array(-1.0))
    # normalised: 100 * (S - null) / (perfect - null) with null = -1, perfect = 1
    assert nab_score_alarms(late, y) == pytest.approx(100 * (expected + 1) / 2)
    false = np.zeros(100, dtype=bool)
    false[20] = True  # before the first window: costs A_fp = 0.11 in full
    assert nab_score_alarms(false, y) == pytest.approx(100 * -0.11 / 2)
    assert nab_score_alarms(false, y, "reward_low_FP_rate") == pytest.approx(100 * -0.22 / 2)
    probation = np.zeros(100, dtype=bool)
    probation[5] = True  # the first 15 rows are not scored
    assert nab_score_alarms(probation, y) == 0.0


def test_window_precision_recall_and_delay_by_hand() -> None:
    y = np.zeros(60, dtype=bool)
    y[10:20] = True
    y[30:40] = True

    class Fixed:
        def __init__(self, rows: list[int]) -> None:
            self.rows = rows

        def predict(self, X: np.ndarray) -> np.ndarray:
            out = np.ones(len(X), dtype=int)
            out[self.rows] = -1
            return out

    X = np.zeros((60, 1))
    est = Fixed([12, 35, 50])  # 2 of 3 alarms in windows; found 2 and 5 rows late
    assert make_window_scorer("precision")(est, X, y) == pytest.approx(2 / 3)
    assert make_window_scorer("recall")(est, X, y) == 1.0
    assert make_window_scorer("recall", max_delay=2)(est, X, y) == 0.5
    assert make_window_scorer("recall", max_delay=5)(est, X, y) == 1.0
    f1 = 2 * (2 / 3 * 0.5) / (2 / 3 + 0.5)
    assert make_window_scorer("f1", max_delay=2)(est, X, y) == pytest.approx(f1)
    with pytest.raises(ValueError, match="metric must be one of"):
        make_window_scorer("accuracy")
    with pytest.raises(ValueError, match="profile must be one of"):
        make_nab_scorer("strict")


def test_grid_search_and_cross_validate_take_the_scorers() -> None:
    rng = np.random.default_rng(0)
    X = 50 + rng.normal(0, 2, (900, 1))
    y = np.zeros(900, dtype=bool)
    for at in (200, 380, 560, 760):  # one event in each test fold
        X[at : at + 3] += 30
        y[at : at + 6] = True
    search = GridSearchCV(
        SeasonalZScoreDetector(period=1, min_periods=12),
        {"window": [12, 48], "alpha": [0.02, 0.2]},
        scoring=make_nab_scorer(),
        cv=TimeSeriesSplit(n_splits=3, test_size=200, gap=12),
    ).fit(X, y)
    assert np.isfinite(search.cv_results_["mean_test_score"]).all()
    assert search.best_score_ > 0
    scores = cross_validate(
        search.best_estimator_, X, y, scoring=window_scoring(max_delay=2),
        cv=TimeSeriesSplit(n_splits=3, test_size=200, gap=12),
    )  # fmt: skip
    assert {"test_precision", "test_recall", "test_f1"} <= set(scores)
    assert (scores["test_recall"] > 0).all()


def _day(s: str) -> pd.Timestamp:
    return pd.Timestamp(s)


def test_detections_against_hand_made_events() -> None:
    events = [
        LabelledEvent("backlog", _day("2016-04-24"), _day("2016-05-07"), "level_shift",
                      {"group": "G39"}),
        LabelledEvent("opened", _day("2016-04-28"), _day("2016-04-28"), "spike", {"group": "G23"}),
        LabelledEvent("ttr", _day("2016-05-13"), _day("2016-05-13"), "spike"),
    ]  # fmt: skip
    detections = [
        # the level shift, raised 3 days in, and again later (still a true detection)
        Detection("backlog", {"group": "G39"}, _day("2016-04-25"), _day("2016-04-27"),
                  _day("2016-04-27"), "level_shift"),
        Detection("backlog", {"group": "G39", "category": "*"}, _day("2016-05-01"),
                  _day("2016-05-03"), _day("2016-05-03"), "degradation"),
        # the spike on the wrong slice: false
        Detection("opened", {"group": "G70"}, _day("2016-04-28"), _day("2016-04-28"),
                  _day("2016-04-28"), "spike"),
        # the total's spike, raised 6 days late
        Detection("ttr", {}, _day("2016-05-13"), _day("2016-05-13"), _day("2016-05-19"), "spike"),
    ]  # fmt: skip
    score = score_events(detections, events)
    assert (score.true_detections, score.detections, score.found, score.events) == (3, 4, 2, 3)
    assert score.precision == 0.75 and score.recall == pytest.approx(2 / 3)
    assert score.delays == {0: 3, 2: 6} and score.mean_delay == 4.5
    strict = score_events(detections, events, max_delay=5)
    assert strict.delays == {0: 3} and strict.precision == 0.75
    kinds = score_events(detections, events, match_kind=True)
    assert kinds.true_detections == 2
    assert score_events([], events).to_json()["precision"] == 0.0
