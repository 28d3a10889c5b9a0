from __future__ import annotations

import math
from datetime import UTC, date, datetime

import pytest
from pydantic import ValidationError

from register_client import Candidate, fingerprint, slice_key


def test_fingerprint_ignores_values_dates_and_dimension_order() -> None:
    a = Candidate.example(dimensions={"x": "1", "y": "2"})
    b = Candidate.example(
        dimensions={"y": 2, "x": 1},
        evidence={"at": "2025-01-01", "value": 99.0, "score": 0.5},
        current={"value": 99.0},
        window={"start": "2025-01-01", "end": "2025-01-02"},
        magnitude=50.0,
        title="another title",
    )
    assert a.fingerprint == b.fingerprint


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "level_shift"},
        {"direction": "down"},
        {"dimensions": {"priority": "P2"}},
        {"kpi": {"name": "backlog", "unit": "", "better": "lower"}},
    ],
)
def test_fingerprint_changes_with_identity_fields(change: dict[str, object]) -> None:
    assert Candidate.example(**change).fingerprint != Candidate.example().fingerprint


def test_fingerprint_function_matches_candidate() -> None:
    c = Candidate.example()
    assert c.fingerprint == fingerprint("demo", "mttr_hours", {"priority": "P1"}, "spike", "up")
    assert c.slice_key == slice_key("demo", "mttr_hours", {"priority": "P1"})


@pytest.mark.parametrize(
    ("kind", "current", "expected"),
    [
        ("spike", 1.0, "up"),
        ("dip", 99.0, "down"),
        ("level_shift", 20.0, "up"),
        ("level_shift", 2.0, "down"),
    ],
)
def test_direction_defaults(kind: str, current: float, expected: str) -> None:
    c = Candidate.example(kind=kind, current={"value": current})
    assert c.direction == expected


def test_scan_shaped_input_is_accepted() -> None:
    """What a scan with no history produces: NaN statistics and target, dates, numpy-ish ints."""
    c = Candidate.example(
        baseline={
            "start": None,
            "end": None,
            "n": 0,
            "median": math.nan,
            "mean": math.nan,
            "p10": math.nan,
            "p90": math.nan,
            "records": 0,
            "unit": "h",
        },
        target={"value": math.nan, "by": date(2024, 6, 30)},
        evidence={
            "at": date(2024, 3, 7),
            "value": 14.0,
            "score": 0.9,
            "window_start": date(2024, 3, 1),
        },
        magnitude=math.nan,
        source={
            "dataset": "demo",
            "gate": {"success": True, "suite_name": "s"},
            "detector": {"name": "d", "version": 3},
        },
    )
    assert c.target is None
    assert c.baseline.median is None
    assert c.magnitude == 0.0
    assert c.evidence.at == datetime(2024, 3, 7, tzinfo=UTC)
    assert c.source.detector.version == "3"


def test_unknown_field_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="colour"):
        Candidate.example(colour="red")


def test_priority_and_score_ranges() -> None:
    with pytest.raises(ValidationError, match="priority"):
        Candidate.example(priority=9)
    with pytest.raises(ValidationError, match="score"):
        Candidate.example(score=1.5)
