"""Honest selection on NAB: leave-one-category-out cross-validation of global settings.

A global setting (detector hyperparameters plus the corpus-wide score threshold) chosen by
its score on the whole corpus is scored on the data that chose it: optimistic. Here each
category (``realAWSCloudwatch``, ``realTweets``, ...) is held out in turn; the setting and
the threshold are chosen on the other categories alone, then the held-out one is scored
at that fixed threshold. The cross-validated corpus score adds up the held-out raw scores,
as NAB adds up files; a category without windows still pays for its false alarms.

The in-sample score (one setting and threshold chosen on everything) is reported beside
it, per category, so the optimism is visible.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from detectors.nab_scorer import PROFILES, NabFile, NabResult, nab_score

__all__ = ["CvRow", "CvSummary", "leave_one_group_out"]


@dataclass(frozen=True)
class CvRow:
    """One held-out group: the setting chosen without it, and both scores on it."""

    group: str
    setting: str
    threshold: float
    cv: NabResult
    in_sample: NabResult


@dataclass(frozen=True)
class CvSummary:
    """Per-group rows and the corpus scores (normalised) for one profile."""

    profile: str
    rows: list[CvRow]
    cv: float
    in_sample: float
    in_sample_setting: str


def _normalised(results: Sequence[NabResult], profile: str) -> float:
    """Corpus score of several parts: their raw scores add up, as NAB's files do."""
    cost = PROFILES[profile]
    windows = sum(r.windows for r in results)
    null = -cost["fn"] * windows
    return 100.0 * (sum(r.raw for r in results) - null) / ((cost["tp"] + cost["fn"]) * windows)


def _best(
    candidates: Mapping[str, Sequence[NabFile]], keep: Sequence[bool], profile: str
) -> tuple[str, NabResult]:
    """Pick the setting with the best swept score on the kept files (first one on ties)."""
    scored = {
        name: nab_score([f for f, k in zip(files, keep, strict=True) if k], profile)
        for name, files in candidates.items()
    }
    name = max(scored, key=lambda n: scored[n].raw)
    return name, scored[name]


def leave_one_group_out(
    candidates: Mapping[str, Sequence[NabFile]], groups: Sequence[str], profile: str = "standard"
) -> CvSummary:
    """Cross-validate the choice among ``candidates`` by leaving one group out at a time.

    Parameters
    ----------
    candidates : mapping of str to list of NabFile
        Each setting's scored files, every list in the same file order.
    groups : list of str
        The group (NAB category) of each file.
    profile : str
        NAB profile that both chooses and scores.

    Examples
    --------
    >>> import numpy as np
    >>> ts = np.arange(200)
    >>> def files(hit):
    ...     s = np.zeros(200)
    ...     s[hit] = 1.0
    ...     return [NabFile(g, ts, s, [(150, 169)]) for g in ("a", "b")]
    >>> out = leave_one_group_out({"early": files(155), "never": files(10)}, ["a", "b"])
    >>> [(r.group, r.setting, round(r.cv.normalized, 1)) for r in out.rows]
    [('a', 'early', 98.3), ('b', 'early', 98.3)]
    """
    names = sorted(set(groups))
    whole, _ = _best(candidates, [True] * len(groups), profile)
    whole_thr = nab_score(candidates[whole], profile).threshold
    rows = []
    for g in names:
        held = [x == g for x in groups]
        name, fit = _best(candidates, [not h for h in held], profile)
        test = [f for f, h in zip(candidates[name], held, strict=True) if h]
        mine = [f for f, h in zip(candidates[whole], held, strict=True) if h]
        rows.append(
            CvRow(
                group=g,
                setting=name,
                threshold=fit.threshold,
                cv=nab_score(test, profile, threshold=fit.threshold),
                in_sample=nab_score(mine, profile, threshold=whole_thr),
            )
        )
    return CvSummary(
        profile=profile,
        rows=rows,
        cv=_normalised([r.cv for r in rows], profile),
        in_sample=_normalised([r.in_sample for r in rows], profile),
        in_sample_setting=whole,
    )
