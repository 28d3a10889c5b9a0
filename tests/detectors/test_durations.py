"""The NAB detector's windows as durations (detectors.durations)."""

import numpy as np
import pytest

from detectors.durations import REFERENCE_STEP, at_step, sampling_step, time_slots
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


def test_time_slots_keep_gaps_and_give_every_row_its_own_slot() -> None:
    five = np.timedelta64(5, "m")
    start = np.datetime64("2020-01-01T00:00")
    regular = start + np.arange(100) * five
    assert time_slots(regular, five).tolist() == list(range(100))
    jittered = regular + np.resize(np.array([0, 40, -70], dtype="timedelta64[s]"), 100)
    gappy = np.concatenate([jittered[:50], jittered[80:]])  # 30 readings missing
    slots = time_slots(gappy, five)
    assert slots[:50].tolist() == list(range(50)) and slots[50:].tolist() == list(range(80, 100))
    repeated = np.repeat(regular[:4], 2)  # two rows an instant, as some NAB files have
    assert time_slots(repeated, five).tolist() == list(range(8))
    silent_for_a_year = np.append(regular[:10], regular[9] + np.timedelta64(365, "D"))
    assert time_slots(silent_for_a_year, five).tolist() == list(range(11))


def test_a_gap_keeps_the_daily_cycle_in_phase() -> None:
    """Six silent hours: scored in file order, every "same time yesterday" is six hours off."""
    rng = np.random.default_rng(3)
    t = np.arange(288 * 20)
    x = 50 + 20 * np.sin(2 * np.pi * t / 288) + rng.normal(0, 1.5, t.size)
    anomaly = 288 * 15 + 216  # the peak's level at the day's trough
    x[anomaly] = 70.0
    keep = np.ones(t.size, dtype=bool)
    keep[288 * 10 : 288 * 10 + 72] = False
    stamps = np.datetime64("2020-01-01T00:00") + t[keep] * np.timedelta64(5, "m")
    slots = time_slots(stamps, REFERENCE_STEP)
    grid = np.full(slots[-1] + 1, np.nan)
    grid[slots] = x[keep]
    on_grid, in_order = nab_scores(grid)[slots], nab_scores(x[keep])
    row = int(np.flatnonzero(t[keep] == anomaly)[0])
    assert np.flatnonzero(on_grid).tolist() == [row]
    assert len(np.flatnonzero(in_order)) > 1 and on_grid[row] > in_order[row]


@pytest.mark.parametrize("gap_ms", [200, 2_500, 10_400])
def test_a_step_of_a_fraction_of_a_second_leaves_no_false_gaps(gap_ms: int) -> None:
    ts = np.datetime64("2020-01-01T00:00:00") + np.arange(500) * np.timedelta64(gap_ms, "ms")
    step = sampling_step(ts)
    assert step == np.timedelta64(gap_ms, "ms")
    assert at_step(step) == at_step(REFERENCE_STEP)  # finer than five minutes: rows kept
    assert time_slots(ts, step).tolist() == list(range(500))
