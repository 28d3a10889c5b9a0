"""The NAB detector's windows as durations (detectors.durations)."""

import numpy as np
import pytest

from detectors.durations import REFERENCE_STEP, at_step, sampling_step
from detectors.likelihood import LikelihoodParams
from detectors.novelty import NoveltyParams
from detectors.stream import AlarmParams, nab_scores


def test_the_reference_step_keeps_every_setting_to_the_bit() -> None:
    assert at_step(REFERENCE_STEP) == (AlarmParams(), NoveltyParams(), LikelihoodParams())


@pytest.mark.parametrize("minutes", [10, 30, 60, 240])
def test_each_window_keeps_its_duration(minutes: int) -> None:
    alarm, novelty, likelihood = at_step(np.timedelta64(minutes, "m"))
    k = minutes / 5
    base = AlarmParams()
    for rows, ref in [
        (alarm.season, base.season),
        (alarm.refractory, base.refractory),
        (likelihood.long, LikelihoodParams().long),
        (novelty.min_periods, NoveltyParams().min_periods),
    ]:
        assert rows == max(1, round(ref / k))
    # The scale's memory keeps its duration too: what is left of a weight after five
    # minutes is the same at every step.
    assert (1 - alarm.alpha) ** (1 / k) == pytest.approx(1 - base.alpha)
    assert alarm.n_seasons == base.n_seasons and alarm.min_z == base.min_z


@pytest.mark.parametrize("step", [np.timedelta64(301, "s"), np.timedelta64(1, "m")])
def test_a_jittered_or_finer_step_keeps_the_row_counts(step: np.timedelta64) -> None:
    assert at_step(step) == (AlarmParams(), NoveltyParams(), LikelihoodParams())


def test_sampling_step_is_the_median_gap_ignoring_repeated_instants() -> None:
    ts = np.array(
        [
            "2014-01-01T00:00",
            "2014-01-01T00:00",
            "2014-01-01T01:00",
            "2014-01-01T02:00",
            "2014-01-01T05:00",
        ],
        dtype="datetime64[s]",
    )
    assert sampling_step(ts) == np.timedelta64(1, "h")
    assert sampling_step(ts[:1]) == REFERENCE_STEP
    assert sampling_step(ts[::-1]) == np.timedelta64(1, "h")  # rows in reverse order


def test_hourly_data_learns_its_daily_cycle_in_days() -> None:
    """A peak-level value at the day's trough: off for its hour, in range for the day."""
    rng = np.random.default_rng(3)
    hours = np.arange(24 * 40)
    x = 50 + 20 * np.sin(2 * np.pi * hours / 24) + rng.normal(0, 1.5, hours.size)
    t = 24 * 20 + 18
    x[t] = 70.0
    as_durations = nab_scores(x, *at_step(np.timedelta64(1, "h")))
    as_rows = nab_scores(x)  # a "day" of 288 hourly rows: no seasonal baseline by day 20
    assert np.flatnonzero(as_durations).tolist() == [t]
    assert as_durations[t] > as_rows[t]
