import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError

from detectors import DetectorConfig, Finding, detect_findings


def _frame(values: np.ndarray, kpi: str = "ttr_median_h", **dims: str) -> pd.DataFrame:
    periods = pd.date_range("2026-01-01", periods=len(values), freq="D")
    return pd.DataFrame({"kpi": kpi, **dims, "period": periods, "value": values, "n": 50})


def _noise(n: int, seed: int = 0) -> np.ndarray:
    return 100 + np.random.default_rng(seed).normal(0, 3, n)


def test_spike_is_adverse_only_when_bad_direction() -> None:
    v = _noise(150)
    v[120] = 160
    frame = _frame(v, team="net", region="*")
    (f,) = detect_findings(frame, better={"ttr_median_h": "lower"})
    assert isinstance(f, Finding)
    assert (f.kind, f.direction, f.adverse) == ("spike", "up", True)
    assert f.dimensions == {"team": "net"}
    assert f.start == f.end == pd.Timestamp("2026-05-01")
    assert 0.5 <= f.score <= 1 and f.band_low < f.expected < f.band_high < f.observed
    assert f.magnitude == pytest.approx((f.observed - f.expected) / f.expected)
    assert f.n == 50
    (g,) = detect_findings(frame, better={"ttr_median_h": "higher"})
    assert not g.adverse


def test_level_shift_fires_once() -> None:
    v = _noise(150)
    v[100:] += 40
    found = [f for f in detect_findings(_frame(v)) if f.kind != "degradation"]
    assert len(found) == 1
    assert found[0].kind == "level_shift" and found[0].start == pd.Timestamp("2026-04-11")


def test_degrading_trend_direction_and_target() -> None:
    v = _noise(120) + np.r_[np.zeros(60), np.linspace(0, 60, 60)]
    kinds = {f.kind for f in detect_findings(_frame(v), better={"ttr_median_h": "lower"})}
    assert "degradation" in kinds
    improving = detect_findings(_frame(-v + 300), better={"ttr_median_h": "lower"})
    assert not [f for f in improving if f.kind == "degradation" and f.adverse]
    met = detect_findings(
        _frame(v), better={"ttr_median_h": "lower"}, params={"targets": {"ttr_median_h": 1000}}
    )
    assert not [f for f in met if f.kind == "degradation"]


def test_weekday_seasonality_is_not_an_anomaly() -> None:
    days = np.arange(200)
    # Positive non-count values are scored on the log scale: multiplicative noise.
    v = np.where(days % 7 >= 5, 20.0, 100.0) * np.exp(np.random.default_rng(1).normal(0, 0.03, 200))
    assert detect_findings(_frame(v), params={"trend__threshold": 1.0}) == []


def test_since_filters_old_events() -> None:
    v = _noise(150)
    v[60] = 160
    v[140] = 160
    frame = _frame(v)
    assert len(detect_findings(frame)) == 2
    (f,) = detect_findings(frame, since=pd.Timestamp("2026-05-01"))
    assert f.start == pd.Timestamp("2026-05-21")


def test_many_series_are_scored_together() -> None:
    frames = []
    for i in range(20):
        v = _noise(100, seed=i)
        if i % 2:
            v[90] = 200
        frames.append(_frame(v, team=f"t{i:02d}"))
    found = detect_findings(pd.concat(frames).sample(frac=1, random_state=0))
    assert sorted(f.dimensions["team"] for f in found) == [f"t{i:02d}" for i in range(1, 20, 2)]


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (np.full(5, 3.0), []),  # too short: cold start
        (np.full(120, 7.0), []),  # constant
        (np.r_[_noise(50), np.full(30, np.nan), _noise(50, 1)], []),  # NaN stretch
    ],
)
def test_bad_input_defined_results(values: np.ndarray, expected: list[Finding]) -> None:
    assert detect_findings(_frame(values)) == expected


def test_duplicate_periods_raise() -> None:
    frame = _frame(_noise(30))
    with pytest.raises(ValueError, match="duplicate"):
        detect_findings(pd.concat([frame, frame.iloc[:1]]))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"windw": 3}, "windw"),
        ({"shift__windw": 3}, "shift__windw"),
        ({"shift__window": 0}, "shift__window"),
        ({"seasonal__threshold": 1.5}, "seasonal__threshold"),
        ({"seasonal__window": "two"}, "seasonal__window"),
    ],
)
def test_bad_params_raise_naming_the_field(params: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=rf"(?m)^{field}$"):
        detect_findings(_frame(_noise(30)), params=params)


def test_empty_frame() -> None:
    assert detect_findings(_frame(np.empty(0))) == []


def test_multivariate_finds_a_joint_move_of_one_entity() -> None:
    rng = np.random.default_rng(5)
    periods = pd.date_range("2026-01-01", periods=200, freq="D")
    parts = []
    for kpi, level in (("opened", 100.0), ("ttr_median_h", 8.0), ("reopen_rate", 0.1)):
        v = level * (1 + rng.normal(0, 0.05, 200))
        v[190] = level * 1.2  # each KPI a bit high, together unusual
        parts.append(
            pd.DataFrame({"kpi": kpi, "team": "net", "period": periods, "value": v, "n": 5})
        )
    frame = pd.concat(parts)
    assert not [f for f in detect_findings(frame) if f.kind == "multivariate"]
    found = [
        f for f in detect_findings(frame, params={"multivariate": True}) if f.kind == "multivariate"
    ]
    assert [f.start for f in found] == [periods[190]]
    assert found[0].dimensions == {"team": "net"} and found[0].detector == "IsolationForestDetector"


def test_hour_of_day_seasonality_is_not_an_anomaly() -> None:
    hours = np.arange(24 * 60)
    v = np.where((hours % 24 >= 9) & (hours % 24 < 17), 100.0, 10.0)
    # Positive values that are not counts (durations) are scored on the log scale, where
    # their noise is multiplicative: 3 % at night as by day.
    v = v * np.exp(np.random.default_rng(2).normal(0, 0.03, len(v)))
    periods = pd.date_range("2026-01-01", periods=len(v), freq="h")
    frame = pd.DataFrame({"kpi": "opened", "period": periods, "value": v, "n": 50})
    assert [f for f in detect_findings(frame) if f.kind != "degradation"] == []
    v[24 * 50 + 12] = 10.0  # a business hour as quiet as the night
    (f,) = [f for f in detect_findings(frame.assign(value=v)) if f.kind != "degradation"]
    assert (f.kind, f.start) == ("dip", periods[24 * 50 + 12])


def test_calibrated_scores_mean_the_same_on_every_scale() -> None:
    from detectors._baseline import robust_baseline
    from detectors._calibration import z_to_score

    rng = np.random.default_rng(3)
    noise = rng.normal(0, 1, (365, 600))
    x = 1e3 + noise * np.repeat([1.0, 100.0, 1e4], 200)
    kw = DetectorConfig().estimator_params("seasonal")
    del kw["threshold"]
    score = z_to_score(robust_baseline(x, period=7, **{**kw, "rel_floor": 0.0}).z)[60:]
    rates = [float(np.mean(score[:, i : i + 200] >= 0.3)) for i in (0, 200, 400)]
    # 0.3 stands for a two-sided p of 1e-3; the estimated scale adds some tail.
    assert max(rates) < 5 * min(rates) + 1e-4
    assert all(r < 1e-2 for r in rates)


def test_scoring_in_blocks_of_series_finds_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """Blocks bound memory only: any block width gives the same findings in the same order."""
    import detectors.adapter

    frames = []
    for team in range(7):
        v = _noise(150, seed=team)
        v[120 + team] = 170  # a spike per series
        if team % 2:
            v[90:] += 30  # and a shift in some
        frames.append(_frame(v, team=f"t{team}"))
    frame = pd.concat(frames, ignore_index=True)
    whole = detect_findings(frame, better={"ttr_median_h": "lower"})
    assert {f.kind for f in whole} >= {"spike", "level_shift"}
    monkeypatch.setattr(detectors.adapter, "_BLOCK", 2)
    assert detect_findings(frame, better={"ttr_median_h": "lower"}) == whole
