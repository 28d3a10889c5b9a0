"""The package's public face and its purity rules."""

import ast
import pkgutil
from pathlib import Path

import numpy as np
import pytest

import detectors
from detectors.events import find_events, refractory
from detectors.stream import AlarmParams, alarm_scores

PACKAGE = Path(detectors.__file__).parent


def test_all_is_honest() -> None:
    public = {n for n in dir(detectors) if not n.startswith("_")} - {
        m.name for m in pkgutil.iter_modules([str(PACKAGE)])
    }
    assert set(detectors.__all__) - {"__version__"} == public


@pytest.mark.parametrize("path", sorted(PACKAGE.glob("*.py")), ids=lambda p: p.name)
def test_modules_are_small_pure_and_declare_all(path: Path) -> None:
    tree = ast.parse(path.read_text())
    imported = {
        (n.module or "") if isinstance(n, ast.ImportFrom) else a.name
        for n in ast.walk(tree)
        if isinstance(n, ast.Import | ast.ImportFrom)
        for a in n.names
    }
    assert not {m for m in imported if m.split(".")[0] in {"prefect", "great_expectations"}}
    assert "open" not in {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)}
    assert len(path.read_text().splitlines()) <= 300
    if path.name not in {"version.py"}:
        assert any(
            isinstance(n, ast.Assign) and any(getattr(t, "id", "") == "__all__" for t in n.targets)
            for n in tree.body
        )


def test_fire_once_versus_refractory() -> None:
    flags = np.array([1, 1, 0, 1, 0, 0, 0, 0, 1, 1, 1, 1, 1], dtype=bool)[:, None]
    assert np.flatnonzero(refractory(flags, period=2)).tolist() == [0, 3, 8, 11]
    ev = find_events(flags, suppress=2)
    assert (ev.start.tolist(), ev.end.tolist()) == ([0, 8], [3, 12])
    with pytest.raises(ValueError, match="suppress must be >= 0"):
        find_events(flags, suppress=-1)


def test_alarm_scores_columns_are_independent_and_nan_padding_is_inert() -> None:
    rng = np.random.default_rng(1)
    a = 10 + rng.normal(0, 1, 3000)
    a[2500] = 40
    b = np.full(3000, np.nan)
    b[:1000] = 5 + rng.normal(0, 1, 1000)
    both = alarm_scores(np.column_stack([a, b]))
    assert np.array_equal(both[:, 0], alarm_scores(a))
    assert np.array_equal(both[:1000, 1], alarm_scores(b[:1000]))
    assert (both[1000:, 1] == 0).all()
    assert np.flatnonzero(both[:, 0]).tolist() == [2500] and 0 < both[2500, 0] < 1


def test_alarm_scores_flat_and_cold_start() -> None:
    assert not alarm_scores(np.full(2000, 3.0)).any()
    assert not alarm_scores(np.arange(50.0)).any()
    assert AlarmParams().as_dict()["refractory"] == 200
