"""The pivot numbers series as a sorted groupby would, in any row order and with NaN keys."""

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from detectors._frame import _series_codes, to_matrix

_KEYS = st.sampled_from(["a", "b", "a b", None])


@settings(max_examples=80, deadline=None)
@given(
    rows=st.lists(st.tuples(_KEYS, _KEYS, st.integers(0, 3)), min_size=1, max_size=40),
    dim_type=st.sampled_from(["object", "str", "category", "float"]),
)
def test_series_codes_are_groupbys(
    rows: list[tuple[str | None, str | None, int]], dim_type: str
) -> None:
    kpi, team, site = zip(*rows, strict=True)
    frame = pd.DataFrame({"kpi": pd.array(kpi, dtype="str"), "team": list(team), "site": site})
    if dim_type == "float":
        frame["team"] = frame["team"].map({"a": 1.0, "b": 2.0, "a b": 3.0})
    elif dim_type == "category":
        frame["team"] = pd.Categorical(frame["team"], categories=["b", "a b", "a"])
    else:
        frame["team"] = frame["team"].astype(dim_type)
    cols = ["kpi", "team", "site"]
    groups = frame.groupby(cols, sort=True, dropna=False)
    codes, keys = _series_codes(frame, cols)
    assert codes.tolist() == groups.ngroup().tolist()
    pd.testing.assert_frame_equal(keys, groups.size().index.to_frame(index=False).astype(str))


def test_a_shuffled_frame_gives_the_same_matrix() -> None:
    rng = np.random.default_rng(0)
    periods = pd.date_range("2026-01-01", periods=30, freq="D")
    frame = pd.DataFrame(
        {
            "kpi": "opened",
            "team": np.repeat(["x", "y", "z"], 30),
            "period": np.tile(periods, 3),
            "value": rng.normal(size=90),
            "n": rng.integers(0, 9, 90),
        }
    ).iloc[5:]  # a hole at the start of the first series
    sorted_m, shuffled_m = (to_matrix(f) for f in (frame, frame.sample(frac=1.0, random_state=1)))
    assert np.array_equal(sorted_m.values, shuffled_m.values, equal_nan=True)
    assert np.array_equal(sorted_m.counts, shuffled_m.counts)
    assert sorted_m.keys["team"].tolist() == ["x", "y", "z"]
    assert np.isnan(sorted_m.values[:5, 0]).all() and sorted_m.values.flags.c_contiguous
