"""Leave-one-category-out cross-validation of the NAB detector's global settings.

Run: ``.venv/bin/python benchmarks/nab_cv.py [--sensitivity]`` (data: ``$RADAR_DATA_DIR/nab``).

1. The grid: one knob of :func:`detectors.stream.nab_scores`, the anomaly-likelihood alarm
   ``level`` (``99`` = no likelihood alarms, the detector before it); every other setting
   stays at its default (HTM's published constants for the likelihood windows). Grids
   that also cover ``refractory``, ``record_window`` or novelty ``weight`` let each fold
   pick a different setting: 63.6 standard / 54.9 low-FP before the likelihood stream;
   with it (and the old alarm score), level x refractory x weight gave 66.3 / 55.1
   against 72.9 / 59.8 for level alone.
2. For each NAB category, the setting *and* the corpus threshold are chosen on the other
   categories alone, then the held-out category is scored at that fixed threshold
   (:func:`detectors.nab_cv.leave_one_group_out`). The in-sample column is the one setting
   and threshold that score best on the whole subset, applied to each category.
3. ``--sensitivity`` moves each knob of the shipped default by -50 % and +50 %, one at a
   time, and prints the in-sample and cross-validated (threshold only) scores.
"""

from __future__ import annotations

import itertools
import sys
import time
from dataclasses import fields, replace
from typing import Any

from nab_data import NabCorpus, corpus_or_none

from detectors.likelihood import LikelihoodParams
from detectors.nab_cv import CvSummary, leave_one_group_out
from detectors.nab_scorer import NabFile
from detectors.novelty import NoveltyParams
from detectors.stream import AlarmParams, nab_scores

PROFILES = ("standard", "reward_low_FP_rate")
GRID: dict[str, list[float]] = {"level": [4.0, 5.0, 6.0, 7.0, 8.0, 99.0]}
Setting = tuple[AlarmParams, NoveltyParams, LikelihoodParams]


def _setting(values: dict[str, Any]) -> Setting:
    def pick(cls: type) -> dict[str, Any]:
        return {k: v for k, v in values.items() if k in {f.name for f in fields(cls)}}

    return (
        replace(AlarmParams(), **pick(AlarmParams)),
        replace(NoveltyParams(), **pick(NoveltyParams)),
        replace(LikelihoodParams(), **pick(LikelihoodParams)),
    )


def _files(corpus: NabCorpus, setting: Setting) -> list[NabFile]:
    alarm, novel, lik = setting
    return corpus.files(lambda x: nab_scores(x, params=alarm, novelty=novel, likelihood=lik))


def print_summary(s: CvSummary) -> None:
    print(f"\n{s.profile}: cross-validated {s.cv:.1f}, in-sample {s.in_sample:.1f}")
    print(f"  in-sample choice: {s.in_sample_setting}")
    print(f"  {'held out':<22} {'CV':>6} {'in-sample':>9} {'FP (CV)':>8}  chosen without it")
    for r in s.rows:
        score = f"{r.cv.normalized:6.1f}" if r.cv.windows else "   n/a"
        mine = f"{r.in_sample.normalized:9.1f}" if r.in_sample.windows else "      n/a"
        print(
            f"  {r.group:<22} {score} {mine} {r.cv.false_positives:8d}  "
            f"{r.setting} @ {r.threshold:.4f}"
        )


def grid_cv(corpus: NabCorpus) -> None:
    t0 = time.perf_counter()
    candidates = {}
    for combo in itertools.product(*GRID.values()):
        values = dict(zip(GRID, combo, strict=True))
        name = ",".join(f"{k}={v}" for k, v in values.items())
        candidates[name] = _files(corpus, _setting(values))
    print(f"{len(candidates)} settings scored in {time.perf_counter() - t0:.0f} s")
    for profile in PROFILES:
        print_summary(leave_one_group_out(candidates, corpus.groups, profile))


def sensitivity(corpus: NabCorpus) -> None:
    print("\nsensitivity: one knob at a time, -50 % / +50 % (in-sample / threshold-only CV)")

    def line(label: str, files: list[NabFile]) -> None:
        parts = []
        for p in PROFILES:
            s = leave_one_group_out({label: files}, corpus.groups, p)
            parts.append(f"{s.in_sample:5.1f} / {s.cv:5.1f}")
        print(f"  {label:<28} " + "   ".join(parts), flush=True)

    default = _setting({})
    line("default", _files(corpus, default))
    prefixes = ("", "novelty.", "lik.")  # field names repeat across the three classes
    params: Any
    for k, (params, prefix) in enumerate(zip(default, prefixes, strict=True)):
        for f in fields(params):
            v = getattr(params, f.name)
            for m in (0.5, 1.5):
                moved = type(v)(round(v * m)) if isinstance(v, int) else v * m
                moved = min(moved, 1.0) if f.name == "weight" else moved
                parts: list[Any] = list(default)
                parts[k] = replace(params, **{f.name: moved})
                line(f"{prefix}{f.name}={moved:g}", _files(corpus, (parts[0], parts[1], parts[2])))


def main() -> None:
    corpus = corpus_or_none()
    if corpus is None:
        return
    grid_cv(corpus)
    if "--sensitivity" in sys.argv[1:]:
        sensitivity(corpus)


if __name__ == "__main__":
    main()
