"""The NAB design variants tried before the shipped one, and an honest CV of that choice.

Run: ``.venv/bin/python benchmarks/nab_variants.py`` (data: ``$RADAR_DATA_DIR/nab``).

The shipped :func:`detectors.stream.nab_scores` was picked among the alarm-score and
suppression variants below by the level-grid cross-validation of ``benchmarks/nab_cv.py``
on the same subset, which is optimistic. This script prints that CV for each variant
(the grid over the likelihood ``level``), then the nested one: every held-out category
also has the *variant* chosen without it, from all variants times all levels.

Each variant rebuilds the three alarm streams of ``nab_scores`` from its parts (deviation,
context novelty, surprise) with the shipped defaults; only the score, or one shared
refractory period, changes.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from nab_data import NabCorpus, corpus_or_none

from detectors._rolling import FloatArray, past_max
from detectors.events import refractory
from detectors.likelihood import LikelihoodParams, as_z, surprise
from detectors.nab_cv import leave_one_group_out
from detectors.nab_scorer import NabFile
from detectors.novelty import NoveltyParams, context_novelty
from detectors.stream import AlarmParams, deviation

LEVELS = (4.0, 5.0, 6.0, 7.0, 8.0, 99.0)
PROFILES = ("standard", "reward_low_FP_rate")

# Evidence of an alarm row from its deviation z, surprise s (digits) and s as a z-score.
Evidence = Callable[[FloatArray, FloatArray, FloatArray], FloatArray]
VARIANTS: dict[str, tuple[Evidence, bool]] = {
    "z (old score)": (lambda z, s, zs: z, False),
    "z, one shared refractory": (lambda z, s, zs: z, True),
    "z + s/3": (lambda z, s, zs: z + s / 3.0, False),
    "max(z, s)": (lambda z, s, zs: np.maximum(z, s), False),
    "z + s": (lambda z, s, zs: z + s, False),
    "sqrt(z s)": (lambda z, s, zs: np.sqrt(z * np.maximum(s, 1.0)), False),
    "max(z, z_s)": (lambda z, s, zs: np.maximum(z, zs), False),
    "z + z_s": (lambda z, s, zs: z + zs, False),
    "(z + z_s) / 2 (shipped)": (lambda z, s, zs: 0.5 * (z + zs), False),
}


def _fixed(scores: FloatArray) -> Callable[[np.ndarray], np.ndarray]:
    """A scorer that returns precomputed scores (the corpus matrix is already in them)."""
    return lambda _matrix: scores


def _variant_files(corpus: NabCorpus) -> dict[str, list[NabFile]]:
    p, n = AlarmParams(), NoveltyParams()
    z = deviation(corpus.matrix, p)
    share = context_novelty(corpus.matrix, n)
    s = surprise(z, LikelihoodParams())
    zs = as_z(s)
    record = (z >= p.min_z) & (z >= past_max(z, p.record_window))
    novel = (share >= 1.0) & (z >= n.min_z)
    gain = 1.0 - n.weight + n.weight * share
    out = {}
    for name, (evidence, shared) in VARIANTS.items():
        e = evidence(z, s, zs)
        for level in LEVELS:
            if shared:
                alarm = refractory(record | novel | (s >= level), p.refractory)
            else:
                alarm = (
                    refractory(record, p.refractory)
                    | refractory(novel, p.refractory)
                    | refractory(s >= level, p.refractory)
                )
            scores = np.where(alarm, e / (e + 10.0) * gain, 0.0)
            out[f"{name}, level={level:g}"] = corpus.files(_fixed(scores))
    return out


def main() -> None:
    corpus = corpus_or_none()
    if corpus is None:
        return
    files = _variant_files(corpus)
    print(f"{'variant (level grid CV)':<30} {'standard':>9} {'low-FP':>7}")
    for name in VARIANTS:
        mine = {k: v for k, v in files.items() if k.startswith(name + ",")}
        cv = [leave_one_group_out(mine, corpus.groups, p).cv for p in PROFILES]
        print(f"{name:<30} {cv[0]:9.1f} {cv[1]:7.1f}")
    print("\nnested: variant and level chosen without the held-out category")
    for p in PROFILES:
        s = leave_one_group_out(files, corpus.groups, p)
        picks = "; ".join(f"{r.group}: {r.setting}" for r in s.rows)
        print(f"  {p}: CV {s.cv:.1f}, in-sample {s.in_sample:.1f} ({picks})")


if __name__ == "__main__":
    main()
