"""Evidence plots: a frozen PNG per entry (by entry id) and a follow-up plot per entry."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd

from flows.candidates.evidence import (
    candidate_plot_path,
    followup_plot_path,
    plot_candidate,
    plot_numbers,
    save_evidence_plot,
    write_filed_plots,
)
from flows.pipeline import open_fingerprints, plot_evidence
from register_client import Candidate, connect

PNG = b"\x89PNG\r\n\x1a\n"
DAYS = pd.date_range("2024-01-01", periods=70, freq="D")


def _frame() -> pd.DataFrame:
    values = np.r_[np.full(60, 8.0), np.full(10, 14.0)] + np.resize([0.5, -0.5, 0.2], 70)
    return pd.DataFrame(
        {"kpi": "mttr_hours", "priority": "P1", "period": DAYS, "value": values, "n": 20}
    )


def _png_text(png: bytes) -> dict[str, str]:
    from PIL import Image

    with Image.open(io.BytesIO(png)) as image:
        return dict(image.text)


def test_candidate_plot_is_named_by_entry_id_kept_in_the_register_never_overwritten(
    tmp_path: Path,
) -> None:
    candidate = Candidate.example()
    plotted = plot_candidate(candidate, _frame(), tmp_path)
    assert plotted.evidence_plot == candidate_plot_path(tmp_path) == str(tmp_path / "{id}.png")
    assert plotted.evidence_png is not None and plotted.evidence_png[:8] == PNG
    # the plot carries the candidate's own title and numbers
    text = _png_text(plotted.evidence_png)
    assert text["Title"] == candidate.title
    assert json.loads(text["radar:numbers"]) == json.loads(
        json.dumps(plot_numbers(candidate), default=str)
    )
    # everything but the plot is the candidate as it was
    assert plotted.model_copy(update={"evidence_plot": None, "evidence_png": None}) == candidate

    reg = connect("sqlite://")
    report = reg.file([plotted])
    assert write_filed_plots(report, [plotted]) == [tmp_path / "CIR-0001.png"]
    entry = reg.get("CIR-0001")
    assert entry.evidence_plot == str(tmp_path / "CIR-0001.png") and entry.evidence_plot_stored
    assert reg.evidence_png("CIR-0001") == plotted.evidence_png
    # a later night re-detecting it neither redraws nor rewrites the frozen plot
    later = Candidate.example(evidence={"at": "2024-03-08", "value": 20.0, "score": 0.99})
    redrawn = plot_candidate(later, _frame(), tmp_path)
    again = reg.file([redrawn])
    assert write_filed_plots(again, [redrawn]) == []
    assert (tmp_path / "CIR-0001.png").read_bytes() == plotted.evidence_png
    assert reg.evidence_png("CIR-0001") == plotted.evidence_png
    # a worker without the file exports it from the register
    (tmp_path / "CIR-0001.png").unlink()
    assert reg.export_evidence("CIR-0001", tmp_path / "CIR-0001.png") is not None
    assert (tmp_path / "CIR-0001.png").read_bytes() == plotted.evidence_png


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
        followup_plot_path(tmp_path / "nested", "CIR-0001"),
        series,
        title="CIR-0001",
        unit="h",
        baseline=baseline,
        window=("2024-02-01T00:00:00+00:00", "2024-02-03T00:00:00+00:00"),
        target=7.5,
        accepted=DAYS[35].date(),
        measurements=measurements,
    )
    assert path == tmp_path / "nested" / "CIR-0001-followup.png"
    assert path.read_bytes()[:8] == PNG


def test_a_plot_without_baseline_or_values_still_saves(tmp_path: Path) -> None:
    empty = pd.Series(dtype="float64", index=pd.DatetimeIndex([]))
    path = save_evidence_plot(
        tmp_path / "x.png", empty, title="nothing yet", unit="h", baseline={"median": None}
    )
    assert path.read_bytes()[:8] == PNG


def test_only_candidates_that_may_become_new_entries_are_drawn(tmp_path: Path) -> None:
    reg = connect("sqlite://")
    first = plot_candidate(Candidate.example(), _frame(), tmp_path)
    reg.file([first])
    open_now = open_fingerprints(reg)
    assert open_now == {first.fingerprint}
    again = Candidate.example(evidence={**first.evidence.model_dump(), "at": DAYS[-1]})
    other = Candidate.example(dimensions={"priority": "P2"})
    drawn = plot_evidence([again, other], _frame(), open_now, tmp_path)
    assert drawn[0] == again  # a re-detection only adds evidence to its open entry
    assert drawn[1].evidence_png is not None and drawn[1].evidence_png[:8] == PNG
    report = reg.file(drawn)
    assert [o.entry_id for o in report.created] == ["CIR-0002"]
    assert reg.evidence_png("CIR-0001") == first.evidence_png
    assert reg.evidence_png("CIR-0002") == drawn[1].evidence_png


def test_two_registers_sharing_the_evidence_folder_never_show_each_others_plot(
    tmp_path: Path,
) -> None:
    from typer.testing import CliRunner

    from flows.cli import app

    urls = [f"sqlite:///{tmp_path / name}.db" for name in ("demo", "walk")]
    plots = tmp_path / "evidence"
    for url, value in zip(urls, (14.0, 20.0), strict=True):
        candidate = Candidate.example(current={"value": value})
        plotted = plot_candidate(candidate, _frame(), plots)
        write_filed_plots(connect(url).file([plotted]), [plotted])
    # The second register's CIR-0001 found the first one's file there and left it alone.
    assert (plots / "CIR-0001.png").read_bytes() == connect(urls[0]).evidence_png("CIR-0001")
    assert connect(urls[1]).evidence_png("CIR-0001") != connect(urls[0]).evidence_png("CIR-0001")

    runner = CliRunner()
    own = runner.invoke(app, ["entries", "show", "CIR-0001", "--register", urls[0]])
    other = runner.invoke(app, ["entries", "show", "CIR-0001", "--register", urls[1]])
    assert f"Evidence   {plots / 'CIR-0001.png'}  (stored" in own.output
    assert f"Evidence   not at {plots / 'CIR-0001.png'}" in other.output
    refused = runner.invoke(app, ["entries", "plot", "CIR-0001", "--register", urls[1]])
    assert refused.exit_code == 1
    assert "holds another file, not CIR-0001's plot" in refused.output
    out = tmp_path / "walk-CIR-0001.png"
    written = runner.invoke(
        app, ["entries", "plot", "CIR-0001", "--register", urls[1], "--out", str(out)]
    )
    assert written.exit_code == 0 and out.read_bytes() == connect(urls[1]).evidence_png("CIR-0001")
