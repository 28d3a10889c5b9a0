"""One detector vocabulary: the config, the estimators and the scan agree."""

import inspect
import warnings

import numpy as np
import pandas as pd
import pytest
from pydantic import ValidationError
from sklearn.base import clone

from detectors import DetectorConfig, detect_findings, make_detector, parse_config
from detectors.factory import ESTIMATORS

PREFIXED = [k for k in DetectorConfig.model_fields if "__" in k]


@pytest.mark.parametrize("key", PREFIXED)
def test_each_prefixed_key_is_an_estimator_parameter_with_the_same_default(key: str) -> None:
    prefix, name = key.split("__", 1)
    signature = inspect.signature(ESTIMATORS[prefix])
    assert signature.parameters[name].default == DetectorConfig.model_fields[key].default


def test_make_detector_carries_every_key_of_the_config() -> None:
    cfg = DetectorConfig(shift__window=14, seasonal__threshold=0.6, trend__window=40)
    params = make_detector(cfg).get_params()
    for key in PREFIXED:
        if not key.startswith("forest__"):
            assert params[key] == getattr(cfg, key), key
    forest = make_detector({"forest__n_estimators": 20}, "forest")
    assert forest.get_params()["n_estimators"] == 20
    assert clone(make_detector(cfg)).get_params()["shift__window"] == 14


def test_the_ensemble_takes_grid_search_style_keys() -> None:
    det = make_detector().set_params(seasonal__n_seasons=3)
    rng = np.random.default_rng(0)
    X = rng.normal(100, 5, (200, 1))
    X[150] = 200
    assert det.fit(X[:100]).get_params()["seasonal__n_seasons"] == 3
    assert det.predict(X)[150] == -1


@pytest.mark.parametrize(
    ("name", "kwargs", "message"),
    [
        ("shift", {"window": 0}, "window must be greater than or equal to 1, got 0"),
        ("seasonal", {"threshold": 2.0}, "threshold must be less than or equal to 1, got 2.0"),
        ("trend", {"window": 4.5}, "window must be an int, got 4.5"),
    ],
)
def test_estimators_validate_with_the_config_bounds(
    name: str, kwargs: dict[str, object], message: str
) -> None:
    X = np.random.default_rng(0).normal(size=(50, 1))
    with pytest.raises(ValueError, match=message):
        ESTIMATORS[name](**kwargs).fit(X)


def test_legacy_keys_are_translated_with_a_warning() -> None:
    with pytest.warns(FutureWarning, match="'shift_window' is renamed shift__window"):
        cfg = parse_config({"shift_window": 14, "threshold": 0.6})
    assert (cfg.shift__window, cfg.seasonal__threshold, cfg.shift__threshold) == (14, 0.6, 0.6)
    with pytest.raises(ValidationError, match="old name"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parse_config({"window": 14, "seasonal__window": 21})


def test_detect_findings_takes_the_model_or_a_dict() -> None:
    rng = np.random.default_rng(0)
    periods = pd.date_range("2026-01-01", periods=120, freq="D")
    values = 50 + rng.normal(0, 2, 120)
    values[100] = 90
    frame = pd.DataFrame({"kpi": "opened", "period": periods, "value": values, "n": 50})
    by_dict = detect_findings(frame, params={"min_rel_change": 0.2})
    by_model = detect_findings(frame, params=DetectorConfig(min_rel_change=0.2))
    assert by_dict == by_model and by_dict[0].detector == "SeasonalZScoreDetector"
    assert by_dict[0].params["min_rel_change"] == 0.2


def test_the_config_is_frozen_and_forbids_extras() -> None:
    with pytest.raises(ValidationError):
        DetectorConfig(seasonal__windows=3)  # type: ignore[call-arg]
    with pytest.raises(ValidationError):
        DetectorConfig().seasonal__window = 3  # type: ignore[misc]
