"""One cap over all kinds, by benefit in hours; open entries' re-detections pass it."""

from __future__ import annotations

from datetime import date

import pandas as pd

from flows.candidates import Provenance
from flows.candidates.ranking import rank_and_cap
from flows.candidates.standing import opportunity_candidate
from flows.config.model import ScanConfig
from flows.select.opportunities import Culprit, Opportunity
from register_client import Candidate

CONFIG = ScanConfig.model_validate(
    {
        "sources": [{"name": "inc", "path": "x", "columns": {"id": "id"}}],
        "kinds": {"max_entries": 2, "hours_per_record": {"inc": 3.0}},
    }
)
PROVENANCE = Provenance("inc", "hash", None, {"validation_id": "v", "success": True})


def _opportunity(
    kind: str, hours: float, dimension: str, benefit_kind: str = "saved"
) -> Opportunity:
    weeks = pd.date_range("2024-02-05", periods=8, freq="7D")
    return Opportunity(
        kind=kind,  # type: ignore[arg-type]
        dataset="inc",
        kpi="k",
        unit="share of incidents",
        better="lower",
        dimensions={"ci": dimension},
        start=weeks[-1],
        end=weeks[-1] + pd.Timedelta(days=6),
        current=0.3,
        records=100,
        reference=pd.Series(0.3, index=weeks[:-1]),
        target=0.1,
        excess_per_week=hours / 3.0,
        hours_per_week=hours,
        score=0.9,
        headline=f"{dimension} is hot",
        detail="d",
        series=pd.Series(0.3, index=weeks),
        detector="x",
        params={},
        culprits=(Culprit("incidents", 0.3, "share", "30 of 100"),),
        benefit_basis="how",
        benefit_kind=benefit_kind,  # type: ignore[arg-type]
    )


def _candidate(kind: str, hours: float, dimension: str, benefit_kind: str = "saved") -> Candidate:
    return opportunity_candidate(
        _opportunity(kind, hours, dimension, benefit_kind),
        CONFIG,
        PROVENANCE,
        date(2024, 3, 31),
    )


def test_new_entries_of_all_kinds_compete_by_hours_and_lessons_come_last() -> None:
    anomaly = Candidate.example(
        source={**Candidate.example().source.model_dump(), "dataset": "inc"},
        benefit={"records_per_week": 10.0},  # 10 records x 3 h = 30 h
    )
    lesson = _candidate("improvement", 500.0, "a", "banked")
    hot = _candidate("hotspot", 40.0, "b")
    small = _candidate("handover", 5.0, "c")
    kept = rank_and_cap([small, lesson, anomaly, hot], set(), CONFIG)
    assert [c.kind for c in kept] == ["hotspot", "spike"]
    assert kept[1].benefit == {
        "records_per_week": 10.0,
        "hours_per_record": 3.0,
        "hours_per_week": 30.0,
    }
    assert (
        kept[0].benefit is not None and "hours_per_record" not in kept[0].benefit
    )  # given in hours


def test_re_detections_of_open_entries_pass_the_cap() -> None:
    hot = _candidate("hotspot", 1.0, "b")
    others = [_candidate("hotspot", 100.0 + i, f"x{i}") for i in range(3)]
    kept = rank_and_cap([*others, hot], {hot.fingerprint}, CONFIG)
    assert hot in kept and len(kept) == 3


def test_a_candidate_shows_its_benefit_in_the_kpi_unit_and_in_hours() -> None:
    hot = _candidate("hotspot", 60.0, "b")
    assert hot.benefit == {
        "per_week": 20.0,
        "unit": "incidents/week",
        "hours_per_week": 60.0,
        "basis": "how",
    }
    assert hot.owner is None and hot.priority == 1
    assert hot.baseline.median == 0.3 and hot.target is not None and hot.target.value == 0.1
    assert hot.evidence.model_dump()["culprits"][0]["note"] == "30 of 100"


def test_load_to_move_and_banked_savings_claim_no_hours_and_rank_behind_savings() -> None:
    team = _candidate("hotspot", 900.0, "service-desk", "load")
    lesson = _candidate("improvement", 500.0, "a", "banked")
    saving = _candidate("handover", 5.0, "c")
    assert team.benefit == {
        "per_week": 0.0,
        "unit": "incidents/week",
        "hours_per_week": 0.0,
        "load_per_week": 300.0,
        "load_hours_per_week": 900.0,
        "basis": "how",
    }
    assert lesson.benefit is not None and lesson.benefit["banked_hours_per_week"] == 500.0
    assert lesson.benefit["hours_per_week"] == 0.0 and lesson.priority == 5
    assert "banked already" in lesson.priority_reason
    # the team's load still says how urgent it is, but it saves no hours and ranks so
    assert team.priority == 1 and team.priority_reason.startswith("load to move 300")
    kept = rank_and_cap([team, lesson, saving], set(), CONFIG)
    assert [c.kind for c in kept] == ["handover", "hotspot"]
