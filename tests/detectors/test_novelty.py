"""Context novelty (detectors.novelty) and the NAB default scorer built on it."""

import numpy as np
import pytest

from detectors.novelty import NoveltyParams, context_novelty
from detectors.stream import alarm_scores, nab_scores


def test_never_seen_level_is_fully_novel_and_known_pattern_is_not() -> None:
    x = np.tile([0.0, 1.0, 2.0, 3.0], 200)
    x[600] = 20.0
    s = context_novelty(x, NoveltyParams(min_periods=100))[:, 0]
    assert s[600] == 1.0
    assert (s[:100] == 0).all()  # cold start
    assert (s[700:] == 0).all()  # the cycle is back: every context is known


def test_causal_prefix_gives_the_same_scores() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 1, 1500).cumsum()
    full = context_novelty(x)
    assert np.array_equal(context_novelty(x[:900]), full[:900])
    assert np.array_equal(nab_scores(x[:900]), nab_scores(x)[:900])


def test_columns_are_independent_and_nan_is_inert() -> None:
    rng = np.random.default_rng(1)
    a = 10 + rng.normal(0, 1, 2000)
    a[1500] = 40.0
    b = np.full(2000, np.nan)
    b[:800] = 5 + rng.normal(0, 1, 800)
    both = context_novelty(np.column_stack([a, b]))
    assert np.array_equal(both[:, 0], context_novelty(a)[:, 0])
    assert np.array_equal(both[:800, 1], context_novelty(b[:800])[:, 0])
    assert (both[800:, 1] == 0).all()


def test_constant_start_then_a_step_is_novel_once() -> None:
    x = np.r_[np.full(500, 3.0), np.full(500, 4.0)]
    s = context_novelty(x)[:, 0]
    assert s[500] == 1.0 and s[503:].sum() == 0


def test_nab_scores_adds_a_novelty_alarm_the_record_rule_misses() -> None:
    # A level never seen, but a modest deviation: below the record alarm's min_z.
    rng = np.random.default_rng(2)
    x = 10 + rng.normal(0, 1, 2000)
    x[1600:] += 4.5
    assert not alarm_scores(x)[1600:].any()
    scores = nab_scores(x)
    assert scores[1600:1700].any()
    assert ((scores >= 0) & (scores < 1)).all()


@pytest.mark.parametrize(
    ("params", "message"),
    [
        (NoveltyParams(bins=0), "bins must be an int >= 1, got 0"),
        (NoveltyParams(order=2.5), "order must be an int >= 1, got 2.5"),  # type: ignore[arg-type]
        (NoveltyParams(bins=100, order=9), r"\(3 \* bins \+ 2\) \*\* order must be < 2\*\*40"),
        (NoveltyParams(weight=1.5), r"weight must be in \[0.0, 1.0\], got 1.5"),
    ],
)
def test_bad_params_name_field_range_and_value(params: NoveltyParams, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        context_novelty(np.ones(10), params)
