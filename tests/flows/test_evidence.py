"""Evidence plots: a PNG per candidate (by fingerprint) and per followed-up entry."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from flows.candidates.evidence import (
    candidate_plot_path,
    entry_plot_path,
    plot_candidate,
    save_evidence_plot,
)
from register_client import Candidate

PNG = b"\x89PNG\r\n\x1a\n"
DAYS = pd.date_range("2024-01-01", periods=70, freq="D")


def _frame() -> pd.DataFrame:
    values = np.r_[np.full(60, 8.0), np.full(10, 14.0)] + np.resize([0.5, -0.5, 0.2], 70)
    return pd.DataFrame(
        {"kpi": "mttr_hours", "priority": "P1", "period": DAYS, "value": values, "n": 20}
    )


def test_candidate_plot_is_saved_by_fingerprint_and_recorded(tmp_path: Path) -> None:
    candidate = Candidate.example()
    plotted = plot_candidate(candidate, _frame(), tmp_path)
    path = candidate_plot_path(tmp_path, candidate.fingerprint)
    assert plotted.evidence_plot == str(path)
    assert path.read_bytes()[:8] == PNG
    # everything but the plot path is the candidate as it was
    assert plotted.model_copy(update={"evidence_plot": None}) == candidate


def test_entry_plot_shows_measurements_of_every_verdict(tmp_path: Path) -> None:
    series = _frame().set_index("period")["value"]
    baseline = {"start": DAYS[0], "end": DAYS[27], "median": 8.0, "p10": 7.5, "p90": 8.5}
    measurements = [
        (DAYS[40], None, "insufficient_data"),
        (DAYS[50], 9.0, "no_change"),
        (DAYS[55], 7.9, "improving"),
        (DAYS[60], 7.0, "target_met"),
        (DAYS[69], 14.0, "regressed"),
    ]
    path = save_evidence_plot(
        entry_plot_path(tmp_path / "nested", "CIR-0001"),
        series,
        title="CIR-0001",
        unit="h",
        baseline=baseline,
        window=("2024-02-01T00:00:00+00:00", "2024-02-03T00:00:00+00:00"),
        target=7.5,
        accepted=DAYS[35].date(),
        measurements=measurements,
    )
    assert path == tmp_path / "nested" / "CIR-0001.png"
    assert path.read_bytes()[:8] == PNG


def test_a_plot_without_baseline_or_values_still_saves(tmp_path: Path) -> None:
    empty = pd.Series(dtype="float64", index=pd.DatetimeIndex([]))
    path = save_evidence_plot(
        tmp_path / "x.png", empty, title="nothing yet", unit="h", baseline={"median": None}
    )
    assert path.read_bytes()[:8] == PNG
