"""Scores from z-scores: reaches() gives exactly the flags of the scores it skips."""

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from detectors._calibration import reaches, score_to_z, z_to_score
from detectors.events import find_events, row_max


@given(threshold=st.floats(0.0, 1.2), offsets=st.lists(st.integers(-4, 4), min_size=1))
def test_reaches_flags_exactly_the_scores_at_or_above_the_threshold(
    threshold: float, offsets: list[int]
) -> None:
    # z values a few ulps either side of the threshold's own |z|, where rounding could bite.
    edge = float(score_to_z(threshold))
    z = np.array([edge + k * np.spacing(edge) for k in offsets] + [-edge, 0.0, np.nan, np.inf])
    assert np.array_equal(reaches(z, threshold), z_to_score(z) >= threshold)


def test_reaches_on_a_scan_sized_matrix() -> None:
    z = np.random.default_rng(0).standard_t(3, size=(365, 500))
    z[::7] = np.nan
    for threshold in (0.1, 0.5, 0.9):
        assert np.array_equal(reaches(z, threshold), z_to_score(z) >= threshold)


def test_row_max_is_each_events_maximum() -> None:
    rng = np.random.default_rng(1)
    values = rng.normal(size=(60, 8))
    ev = find_events(np.abs(values) > 1.5, suppress=2)
    per_event = [
        values[ev.rows[ev.offsets[i] : end], ev.row_series[ev.offsets[i] : end]].max()
        for i, end in enumerate([*ev.offsets[1:], len(ev.rows)])
    ]
    assert np.array_equal(row_max(values[ev.rows, ev.row_series], ev), per_event)
