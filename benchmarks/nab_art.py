"""A trial of ARTime's adaptive-resonance idea on NAB (not shipped: it scored lower).

Run: ``.venv/bin/python benchmarks/nab_art.py`` (data: ``$RADAR_DATA_DIR/nab``).

The idea is ARTime's (M. Gavin, 2021, the NAB leader): learn categories of normalised
windows online, and call a window anomalous when it resonates with none of them. Written
anew and simplified here, one series at a time:

1. values are scaled by the range of the first 300 rows (as context novelty's grid);
2. a window is the last 64 rows pooled into 8 means (ARTime also downsamples);
3. its match with a category is ``1 - mean |window - prototype|``; the best match at or
   above the vigilance resonates and moves that prototype 10 % towards the window;
   otherwise the window founds a new category, and after the first 300 rows (probation)
   that is an alarm scoring ``1 - best match``;
4. the vigilance is the 1st or 5th percentile of the best matches seen in probation
   (ARTime adapts its vigilance too, by a different rule).

Printed: the ART alarms alone (threshold-only leave-one-category-out CV), and as a fourth
stream of the shipped :func:`detectors.stream.nab_scores` (each stream's own refractory).
"""

from __future__ import annotations

import numpy as np
from nab_data import corpus_or_none

from detectors._rolling import FloatArray, past_max
from detectors.events import refractory
from detectors.likelihood import as_z, surprise
from detectors.nab_cv import leave_one_group_out
from detectors.novelty import context_novelty
from detectors.stream import deviation

PROBATION, POOL, PARTS, RATE = 300, 8, 8, 0.1


def art_alarms(x: FloatArray, quantile: float) -> FloatArray:
    """``1 - best match`` where a window founds a category after probation, else 0.

    ``x`` is one file's values in file order (its pooled windows count readings).
    """
    out = np.zeros(len(x))
    n = len(x)
    lo, hi = np.min(x[:PROBATION]), np.max(x[:PROBATION])
    cum = np.r_[0.0, np.cumsum(np.clip((x[:n] - lo) / max(hi - lo, 1e-9), -1.0, 2.0))]
    protos = np.empty((0, PARTS))
    vigilance, seen = 0.95, []
    for t in range(POOL * PARTS - 1, n):
        ends = t + 1 - POOL * np.arange(PARTS)[::-1]
        window = (cum[ends] - cum[ends - POOL]) / POOL
        match = 1.0 - np.abs(protos - window).mean(axis=1) if len(protos) else np.array([-1.0])
        j = int(np.argmax(match))
        if t < PROBATION and len(protos):
            seen.append(match[j])
        elif t == PROBATION and seen:
            vigilance = min(vigilance, float(np.percentile(seen, quantile)))
        if match[j] >= vigilance:
            protos[j] += RATE * (window - protos[j])
        else:
            protos = np.vstack([protos, window])
            out[t] = (1.0 - max(match[j], 0.0)) if t >= PROBATION else 0.0
    return out


def main() -> None:
    corpus = corpus_or_none()
    if corpus is None:
        return
    x = corpus.matrix
    z, share = deviation(x), context_novelty(x)
    digits = surprise(z)
    evidence = 0.5 * (z + as_z(digits))
    score = evidence / (evidence + 10.0) * (0.3 + 0.7 * share)
    shipped = (
        refractory((z >= 6.0) & (z >= past_max(z, 1000)), 200)
        | refractory((share >= 1.0) & (z >= 3.0), 200)
        | refractory(digits >= 6.0, 200)
    )

    def report(label: str, scores: FloatArray) -> None:
        files = corpus.files(lambda _m: scores)
        cv = [
            leave_one_group_out({label: files}, corpus.groups, p)
            for p in ("standard", "reward_low_FP_rate")
        ]
        print(f"  {label:<40} " + "   ".join(f"{s.in_sample:5.1f} / {s.cv:5.1f}" for s in cv))

    print("in-sample / threshold-only CV: standard   low-FP")
    report("shipped nab_scores", np.where(shipped, score, 0.0))
    for q in (1.0, 5.0):
        art = np.zeros_like(x)
        for j, rows in enumerate(corpus.slots):
            art[rows, j] = art_alarms(x[rows, j], q)
        fired = refractory(art > 0, 200)
        report(f"ART alone, vigilance p{q:g}", np.where(fired, art, 0.0))
        report(f"shipped + ART stream, vigilance p{q:g}", np.where(shipped | fired, score, 0.0))


if __name__ == "__main__":
    main()
