"""Relapse: an accepted entry whose KPI had improved and is worse than its baseline again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from flows.config.model import ScanConfig, load_config
from flows.followup.relapse import relapse_of
from flows.followup.remeasure import remeasure
from flows.followup.verdict import FollowUpSpec, judge
from register_client import Candidate, connect
from tests.conftest import DEMO_CONFIG

DAYS = pd.date_range("2024-01-01", periods=90, freq="D")  # Monday 1 January
WOBBLE = [0.6, -0.4, 0.2, -0.2, 0.4, -0.6, 0.0]  # the same each week: weekday seasonality
SPEC = FollowUpSpec(min_periods=3, window_periods=7)


def _series(*levels: tuple[int, float]) -> pd.Series:
    values = np.concatenate([np.full(n, level) for n, level in levels])
    return pd.Series(values + 0.5 * np.resize(WOBBLE, values.size), index=DAYS[: values.size])


# -- the rule on a small frame ------------------------------------------------------------


def test_worse_than_baseline_after_improving_is_a_relapse_with_its_numbers() -> None:
    kpi = _series((28, 10.0), (14, 13.0))
    judged = judge(kpi[:28], kpi[28:], better="lower", target=8.0, spec=SPEC)
    relapse = relapse_of(judged, improved=True, spec=SPEC)
    assert relapse is not None
    assert relapse.baseline == pytest.approx(10.0, abs=0.3)
    assert relapse.shift == pytest.approx(3.0) and relapse.p_worse < SPEC.alpha
    assert (relapse.periods, relapse.baseline_periods) == (7, 28)
    assert "worse than the baseline median" in relapse.reason
    assert relapse.to_json()["p_worse"] == relapse.p_worse


def test_no_relapse_without_an_improvement_or_a_material_significant_move() -> None:
    worse = _series((28, 10.0), (14, 13.0))
    judged = judge(worse[:28], worse[28:], better="lower", target=8.0, spec=SPEC)
    assert relapse_of(judged, improved=False, spec=SPEC) is None  # never improved: not a relapse
    drift = _series((28, 10.0), (14, 10.2))  # 2 % worse: significant here, not material
    judged = judge(drift[:28], drift[28:], better="lower", target=8.0, spec=SPEC)
    assert relapse_of(judged, improved=True, spec=SPEC) is None
    better = _series((28, 10.0), (14, 7.0))
    judged = judge(better[:28], better[28:], better="lower", target=8.0, spec=SPEC)
    assert relapse_of(judged, improved=True, spec=SPEC) is None


def test_higher_is_better_relapses_downwards() -> None:
    kpi = _series((28, 10.0), (14, 7.0))
    judged = judge(kpi[:28], kpi[28:], better="higher", target=12.0, spec=SPEC)
    relapse = relapse_of(judged, improved=True, spec=SPEC)
    assert relapse is not None and relapse.shift == pytest.approx(-3.0)
    judged = judge(kpi[:28], kpi[28:], better="lower", target=8.0, spec=SPEC)
    assert relapse_of(judged, improved=True, spec=SPEC) is None


# -- nightly follow-up through the register ---------------------------------------------


@pytest.fixture
def demo_config() -> ScanConfig:
    return load_config(DEMO_CONFIG)


def _frame(kpi: pd.Series) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": "incidents_opened",
            "assignment_group": "Group 1",
            "priority": "*",
            "period": kpi.index,
            "value": kpi.to_numpy(),
            "n": 10,
        }
    )


def _accepted(url: str) -> str:
    candidate = Candidate.example(
        kpi={"name": "incidents_opened", "unit": "incidents/day", "better": "lower"},
        dimensions={"assignment_group": "Group 1"},
        window={"start": DAYS[28], "end": DAYS[29]},
        baseline={"start": DAYS[0], "end": DAYS[27], "n": 28, "median": 10.0},
        evidence={"at": DAYS[30], "value": 16.0, "score": 0.9},
    )
    source = candidate.source.model_copy(update={"dataset": "uci_incidents"})
    register = connect(url)
    entry_id = register.file([candidate.model_copy(update={"source": source})]).created[0].id
    assert entry_id
    register.accept(entry_id, owner="ops-lead", target=8.0)
    return entry_id


def test_a_relapse_reopens_the_entry_once_and_an_owners_closing_stands(
    demo_config: ScanConfig, sqlite_url: str, tmp_path: Path
) -> None:
    # baseline 10, degraded to 16, fixed to 9 (improving, short of the target 8), back to 14
    kpi = _series((28, 10.0), (3, 16.0), (14, 9.0), (20, 14.0))
    entry_id = _accepted(sqlite_url)
    register = connect(sqlite_url)

    def night(day: int) -> str:
        (done,) = remeasure(
            register,
            _frame(kpi[: day + 1]),
            demo_config,
            DAYS[day].date(),
            evidence_dir=tmp_path,
            spec=SPEC,
        )
        return done.verdict

    assert [night(d) for d in range(30, 45)][-1] == "improving"
    register.monitor(entry_id, note="routing rule fixed")
    verdicts = [night(d) for d in range(45, 60)]
    entry = register.get(entry_id)
    relapses = [h for h in entry.history if h.action == "relapse"]
    assert len(relapses) == 1 and verdicts[-1] == "regressed"
    # reopened: the fix did not hold, so the work is back in progress
    assert (relapses[0].from_status, relapses[0].to_status) == ("monitoring", "in_progress")
    assert entry.status == "in_progress" and entry.progress == "regressed"
    assert entry.progress_detail and str(entry.progress_detail["plot"]).endswith("followup.png")
    numbers = relapses[0].detail
    assert numbers["baseline_median"] == pytest.approx(10.0, abs=0.3)
    assert numbers["shift"] > 3 and numbers["p_worse"] < 0.05 and numbers["periods"] == 7
    first_bad = next(m for m in entry.measurements if m.verdict == "regressed")
    assert first_bad.detail["relapse"]["shift"] == numbers["shift"]
    assert first_bad.at.isoformat()[:10] == numbers["at"][:10]
    assert any(note.startswith(f"relapsed on {numbers['at'][:10]}") for note in entry.notes)
    # the owner withdraws it: later nights neither measure it nor reopen it
    register.close(entry_id, code="withdrawn", note="not worth it any more")
    assert (
        remeasure(
            register, _frame(kpi), demo_config, DAYS[64].date(), evidence_dir=tmp_path, spec=SPEC
        )
        == []
    )
    assert register.relapsed(entry_id, at=DAYS[64], value=14.0).action == "unchanged"
    assert register.get(entry_id).status == "closed"
