"""Follow-up: each verdict on constructed series, the register round trip, and the demo."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import get_args, get_type_hints

import numpy as np
import pandas as pd
import pytest

from flows.config.model import ScanConfig, load_config
from flows.followup.remeasure import accepted_on, remeasure
from flows.followup.verdict import FollowUpSpec, Judgement, judge
from register_client import VERDICTS, Candidate, connect
from tests.conftest import DEMO_CONFIG

DAYS = pd.date_range("2024-01-01", periods=70, freq="D")  # Monday 1 January


def _series(*levels: tuple[int, float], noise: float = 0.5) -> pd.Series:
    """Consecutive daily stretches of (periods, level) plus a weekday wobble of ``noise``.

    The wobble repeats each week, so like-weekday comparisons see only the level changes:
    the rules are tested here, the tests' error rates further down.
    """
    values = np.concatenate([np.full(n, level) for n, level in levels])
    values = values + noise * np.resize([0.6, -0.4, 0.2, -0.2, 0.4, -0.6, 0.0], values.size)
    return pd.Series(values, index=DAYS[: values.size])


def _verdict(kpi: pd.Series, split: int, **kw: object) -> str:
    kw.setdefault("better", "lower")
    kw.setdefault("target", 8.0)
    return judge(kpi[:28], kpi[split:], **kw).verdict  # type: ignore[arg-type]


def test_verdicts_are_the_register_vocabulary() -> None:
    assert set(get_args(get_type_hints(Judgement)["verdict"])) == set(VERDICTS)


def test_too_few_periods_after_acceptance_is_insufficient_data() -> None:
    kpi = _series((28, 10.0), (4, 6.0))
    judged = judge(kpi[:28], kpi[28:], better="lower", target=8.0)
    assert judged.verdict == "insufficient_data"
    assert judged.level is None
    assert "4 periods after acceptance" in judged.detail["reason"]


def test_level_at_target_is_target_met() -> None:
    assert _verdict(_series((28, 10.0), (14, 6.0)), 28, target=7.0) == "target_met"


def test_better_than_baseline_but_short_of_target_is_improving() -> None:
    kpi = _series((28, 10.0), (14, 7.0))
    judged = judge(kpi[:28], kpi[28:], better="lower", target=5.0)
    assert judged.verdict == "improving"
    assert judged.detail["vs_baseline"]["p_better"] < 0.05
    assert judged.detail["vs_baseline"]["cliffs_delta"] > 0.8
    assert judged.detail["vs_target"] == {
        "value": 5.0,
        "gap": pytest.approx(2, abs=0.5),
        "met": False,
    }


def test_same_level_as_baseline_is_no_change() -> None:
    assert _verdict(_series((28, 10.0), (14, 10.0)), 28) == "no_change"


def test_worse_than_baseline_is_regressed() -> None:
    assert _verdict(_series((28, 10.0), (14, 13.0)), 28) == "regressed"


def test_a_significant_but_immaterial_drift_is_no_change() -> None:
    kpi = _series((28, 100.0), (14, 101.0))
    assert _verdict(kpi, 28, target=90.0) == "no_change"  # +1% < min_change 5%
    assert _verdict(kpi, 28, target=90.0, spec=FollowUpSpec(min_change=0)) == "regressed"


def test_higher_is_better_flips_the_direction() -> None:
    kpi = _series((28, 0.90), (14, 0.80), noise=0.01)
    assert _verdict(kpi, 28, better="higher", target=0.95) == "regressed"
    kpi = _series((28, 0.90), (14, 0.97), noise=0.01)
    assert _verdict(kpi, 28, better="higher", target=0.95) == "target_met"


def test_a_persisting_shift_is_not_a_regression_and_easing_it_is_progress() -> None:
    # baseline 10, a level shift to 16 detected over 7 days, then accepted
    persisting = _series((28, 10.0), (7, 16.0), (14, 16.0))
    detected = persisting[28:35]
    assert _verdict(persisting, 35, detected=detected) == "no_change"
    easing = _series((28, 10.0), (7, 16.0), (14, 13.0))
    assert _verdict(easing, 35, detected=easing[28:35]) == "improving"
    worse = _series((28, 10.0), (7, 16.0), (14, 20.0))
    assert _verdict(worse, 35, detected=worse[28:35]) == "regressed"


def test_the_reason_of_a_persisting_shift_says_it_persists() -> None:
    persisting = _series((28, 10.0), (7, 16.0), (14, 16.0))
    kept = judge(
        persisting[:28], persisting[35:], better="lower", target=8.0, detected=persisting[28:35]
    )
    assert kept.verdict == "no_change"
    assert kept.detail["reason"].startswith("still at the detected level: worse than the baseline")
    flat = _series((28, 10.0), (14, 10.0))
    same = judge(flat[:28], flat[28:], better="lower", target=8.0)
    assert same.detail["reason"].startswith("no clear change from the baseline (shift +0")
    assert "a change needs p < 0.05 and a shift of at least 0.5" in same.detail["reason"]


def test_weekday_seasonality_is_compared_like_for_like() -> None:
    # weekends are quiet; an after window that only has weekend values looks "better"
    weekly = np.array([10.0, 10, 10, 10, 10, 2, 2])
    kpi = pd.Series(np.tile(weekly, 10) + np.random.default_rng(1).normal(0, 0.3, 70), DAYS)
    after = kpi[28:][kpi.index[28:].day_of_week >= 5]
    assert judge(kpi[:28], after, better="lower", target=None, daily=False).verdict == "improving"
    judged = judge(kpi[:28], after, better="lower", target=None)
    assert judged.verdict == "no_change"
    assert judged.detail["vs_baseline"]["test"] == "van-elteren"
    assert judged.level == pytest.approx(10, abs=0.5)


def test_weekday_comparison_keeps_its_false_alarm_rate() -> None:
    weekly = np.array([10.0, 10, 10, 10, 10, 2, 2])
    rng = np.random.default_rng(11)
    alarms = 0
    for _ in range(200):
        kpi = pd.Series(np.tile(weekly, 10) + rng.normal(0, 1.0, 70), index=DAYS)
        after = kpi[28:][kpi.index[28:].day_of_week >= 4]
        alarms += judge(kpi[:28], after, better="lower", target=None).verdict != "no_change"
    assert alarms / 200 < 0.15  # two one-sided tests at 0.05: about 0.10 expected


def test_only_the_latest_window_periods_are_compared() -> None:
    # improved long ago, regressed lately: the recent window decides
    kpi = _series((28, 10.0), (30, 6.0), (10, 14.0))
    spec = FollowUpSpec(window_periods=10)
    assert _verdict(kpi, 28, spec=spec) == "regressed"


# -- the register round trip ------------------------------------------------------------------


@pytest.fixture
def demo_config() -> ScanConfig:
    return load_config(DEMO_CONFIG)


def _frame(kpi: pd.Series, group: str = "Group 1") -> pd.DataFrame:
    return pd.DataFrame(
        {
            "kpi": "incidents_opened",
            "assignment_group": group,
            "priority": "*",
            "period": kpi.index,
            "value": kpi.to_numpy(),
            "n": 10,
        }
    )


def _accepted_entry(url: str, target: float) -> str:
    candidate = Candidate.example(
        kpi={"name": "incidents_opened", "unit": "incidents/day", "better": "lower"},
        dimensions={"assignment_group": "Group 1"},
        window={"start": DAYS[28], "end": DAYS[29]},
        baseline={
            "start": DAYS[0],
            "end": DAYS[27],
            "n": 28,
            "median": 10.0,
            "mean": 10.0,
            "p10": 9.0,
            "p90": 11.0,
        },
        evidence={"at": DAYS[30], "value": 16.0, "score": 0.9},
    )
    source = candidate.source.model_copy(update={"dataset": "uci_incidents"})
    register = connect(url)
    report = register.file([candidate.model_copy(update={"source": source})])
    entry_id = report.created[0].entry_id
    assert entry_id
    register.accept(entry_id, owner="ops-lead", target=target)
    return entry_id


def test_remeasure_records_measurements_progress_and_a_closing_suggestion(
    demo_config: ScanConfig, sqlite_url: str, tmp_path: Path
) -> None:
    entry_id = _accepted_entry(sqlite_url, target=8.0)
    kpi = _series((30, 10.0), (40, 6.0))
    register = connect(sqlite_url)
    spec = FollowUpSpec(min_periods=3, target_met_periods=3)
    first = DAYS[30].date()
    for night in range(30, 38):
        as_of = DAYS[night].date()
        frame = _frame(kpi[: night + 1])
        done = remeasure(register, frame, demo_config, as_of, evidence_dir=tmp_path, spec=spec)
        assert [f.entry_id for f in done] == [entry_id]
        # suggested once the target held on three nights: 33, 34 and 35
        assert (done[0].suggestion is not None) == (night >= 35)
    entry = register.get(entry_id)
    verdicts = [m.verdict for m in entry.measurements]
    # accepted (in data time) on day 30: days 31.. are after; 3 are needed
    assert verdicts == ["insufficient_data"] * 3 + ["target_met"] * 5
    assert accepted_on(entry, DAYS[37].date()) == first
    assert entry.progress == "target_met"
    assert entry.progress_detail
    assert "close as successful" in entry.progress_detail["suggestion"]
    assert any("suggestion: close as successful" in note for note in entry.notes)
    shown = entry.to_json()
    assert shown["measurements"][-1]["vs_target"]["met"] is True
    assert shown["measurements"][-1]["vs_baseline"]["test"] == "van-elteren"
    assert (tmp_path / f"{entry_id}-followup.png").stat().st_size > 0
    # insufficient data says why, and resolves once the periods are there
    whys = [m.detail.get("why") for m in entry.measurements[:3]]
    assert whys == ["no_periods", "too_few", "too_few"]
    assert "no periods since acceptance" in entry.measurements[0].detail["reason"]
    assert "1 of 1 periods since acceptance have a value; 3 needed" in str(
        entry.measurements[1].detail["reason"]
    )
    # re-running an older night keeps the newest progress
    remeasure(register, _frame(kpi[:33]), demo_config, DAYS[32].date(), evidence_dir=tmp_path)
    assert register.get(entry_id).progress == "target_met"
    # a night before acceptance (in data time) measures nothing
    early = remeasure(
        register, _frame(kpi[:20]), demo_config, DAYS[19].date(), evidence_dir=tmp_path
    )
    assert early == []


def test_an_entry_without_a_clean_baseline_is_measured_from_its_detected_window(
    demo_config: ScanConfig, sqlite_url: str, tmp_path: Path
) -> None:
    # A backlog still filling up before the event: the entry froze no baseline.
    candidate = Candidate.example(
        kpi={"name": "incidents_opened", "unit": "incidents/day", "better": "lower"},
        dimensions={"assignment_group": "Group 1"},
        window={"start": DAYS[14], "end": DAYS[27]},
        baseline={"clean": False, "reason": "fewer than 3 clean values per weekday"},
        evidence={"at": DAYS[28], "value": 16.0, "score": 0.9},
        target=None,
    )
    source = candidate.source.model_copy(update={"dataset": "uci_incidents"})
    register = connect(sqlite_url)
    entry_id = register.file([candidate.model_copy(update={"source": source})]).created[0].entry_id
    assert entry_id
    register.accept(entry_id, owner="ops-lead", target=12.0)
    kpi = _series((14, 5.0), (14, 16.0), (21, 11.0))  # then down to 11, under the target
    # The first night measured after the decision dates it (data time): day 28.
    remeasure(register, _frame(kpi[:29]), demo_config, DAYS[28].date(), evidence_dir=tmp_path)
    done = remeasure(register, _frame(kpi), demo_config, DAYS[48].date(), evidence_dir=tmp_path)
    assert [f.entry_id for f in done] == [entry_id]
    measured = register.get(entry_id).measurements[-1]
    assert measured.verdict == "target_met"
    assert str(measured.detail["reason"]).startswith(
        "against the detected window (no clean baseline): level 11"
    )
    assert measured.detail["vs_baseline"]["median"] == pytest.approx(16.0, abs=0.5)


def test_remeasure_is_idempotent_per_night_and_skips_other_kpis_and_closed_entries(
    demo_config: ScanConfig, sqlite_url: str, tmp_path: Path
) -> None:
    entry_id = _accepted_entry(sqlite_url, target=8.0)
    register = connect(sqlite_url)
    kpi = _series((30, 10.0), (10, 10.0))
    for _ in range(2):
        remeasure(register, _frame(kpi), demo_config, DAYS[39].date(), evidence_dir=tmp_path)
    assert len(register.get(entry_id).measurements) == 1
    other = demo_config.model_copy(update={"kpis": demo_config.kpis[1:]})
    assert remeasure(register, _frame(kpi), other, DAYS[39].date(), evidence_dir=tmp_path) == []
    # a closed entry is the register's business (a regression files a linked entry)
    register.close(entry_id, code="successful")
    assert (
        remeasure(register, _frame(kpi), demo_config, DAYS[40].date(), evidence_dir=tmp_path) == []
    )


def test_a_kpi_missing_tonight_is_measured_as_insufficient_data(
    demo_config: ScanConfig, sqlite_url: str, tmp_path: Path
) -> None:
    entry_id = _accepted_entry(sqlite_url, target=8.0)
    register = connect(sqlite_url)
    empty = _frame(pd.Series(dtype="float64", index=pd.DatetimeIndex([])))
    (done,) = remeasure(register, empty, demo_config, DAYS[40].date(), evidence_dir=tmp_path)
    assert done.verdict == "insufficient_data"
    assert done.reason == "KPI not computed tonight (its source was blocked)"
    assert register.get(entry_id).progress == "insufficient_data"


# -- the demo, end to end ----------------------------------------------------------------------


def test_demo_entry_accepted_with_a_target_is_measured_by_later_scans(
    prefect_harness: None, sqlite_url: str, radar_home: Path, demo_config: ScanConfig
) -> None:
    from prefect.artifacts import Artifact

    from flows.config.settings import RadarSettings
    from flows.orchestrate.artifacts import publish_artifacts
    from flows.orchestrate.tasks import TRACKED
    from flows.pipeline import load_sources, run_night

    frames = load_sources(demo_config)
    settings = RadarSettings()
    shared = connect(sqlite_url)

    def night(as_of: date) -> dict[str, object]:
        outcome = run_night(demo_config, frames, shared, as_of, settings, stages=TRACKED)
        publish_artifacts([outcome], shared, "demo")
        return outcome.to_json()

    detected_on = date(2016, 4, 13)
    night(detected_on)
    # the owner accepts the next morning: live operation, wall clock = data clock
    morning = datetime(2016, 4, 14, 9, tzinfo=UTC)
    register = connect(sqlite_url, clock=lambda: morning)
    entry = next(e for e in register.list() if e.kpi.name == "incidents_opened")
    assert entry.evidence_plot and Path(entry.evidence_plot).exists()
    register.accept(entry.id, owner="service-desk-lead", target=entry.baseline["median"])
    later = detected_on + timedelta(days=12)
    (measured,) = night(later)["measured"]  # type: ignore[misc]
    assert measured["id"] == entry.id
    entry = register.get(entry.id)
    assert accepted_on(entry, later) == morning.date()
    (measurement,) = entry.measurements
    assert measurement.at.date() == later
    assert measurement.verdict in set(VERDICTS) - {"insufficient_data"}
    assert 7 <= measurement.detail["window"]["n"] <= 11  # 15..25 April, less holidays
    assert entry.progress == measurement.verdict
    assert (radar_home / "evidence" / f"{entry.id}.png").exists()
    artifact = Artifact.get("follow-up-verdicts-demo")
    assert artifact is not None and entry.id in str(artifact.data)


def test_follow_up_spec_names_the_field_and_the_bound() -> None:
    with pytest.raises(ValueError, match=r"window_periods must be >= min_periods \(10\), got 5"):
        FollowUpSpec(min_periods=10, window_periods=5)
