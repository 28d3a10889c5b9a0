"""Leave-one-group-out selection never sees the group it scores."""

import numpy as np

from detectors.nab_cv import leave_one_group_out
from detectors.nab_scorer import NabFile, nab_score

TS = np.arange(400)


def _file(name: str, hit: int | None, false_alarm: int | None = None) -> NabFile:
    s = np.zeros(400)
    if hit is not None:
        s[hit] = 0.9
    if false_alarm is not None:
        s[false_alarm] = 0.9
    return NabFile(name, TS, s, [(300, 339)])


def test_a_fixed_threshold_scores_as_the_sweep_does_at_its_own_threshold() -> None:
    files = [_file("a", 305), _file("b", None, 200)]
    swept = nab_score(files)
    fixed = nab_score(files, threshold=swept.threshold)
    assert (fixed.raw, fixed.detected_windows) == (swept.raw, swept.detected_windows)
    assert nab_score(files, threshold=np.inf).normalized == 0.0


def test_the_held_out_group_does_not_choose_its_setting() -> None:
    # "loud" finds every window but raises a false alarm in group b only; b alone would
    # prefer "quiet", which never fires. The other groups prefer "loud", so b gets it.
    groups = ["a", "a", "b"]
    loud = [_file("a1", 305), _file("a2", 310), _file("b1", 305, 100)]
    quiet = [_file("a1", None), _file("a2", None), _file("b1", None)]
    out = leave_one_group_out({"loud": loud, "quiet": quiet}, groups)
    by_group = {r.group: r for r in out.rows}
    assert by_group["b"].setting == "loud"
    assert by_group["b"].cv.false_positives == 1
    assert out.in_sample_setting == "loud"
    assert out.cv <= out.in_sample + 1e-9
