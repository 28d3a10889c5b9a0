"""Gate results in the register: idempotent by validation id, latest first cut, per source."""

from __future__ import annotations

import pytest

from register_client import RegisterError, connect


def _doc(validation_id: str, source: str, day: int) -> dict[str, object]:
    return {
        "validation_id": validation_id,
        "source": source,
        "as_of": f"2016-05-{day:02d}",
        "evaluated_at": f"2016-05-{day + 1:02d}T01:00:00+00:00",
        "failures": [{"key": "ids:unique:id", "severity": "critical"}],
    }


def test_results_are_kept_once_per_validation_id_and_read_oldest_first(backend_url: str) -> None:
    reg = connect(backend_url)
    for day in (3, 1, 2, 2):
        reg.record_gate_result(_doc(f"v{day}", "incidents", day))
    reg.record_gate_result(_doc("w1", "changes", 1))
    assert [r["validation_id"] for r in reg.gate_results("incidents")] == ["v1", "v2", "v3"]
    assert [r["validation_id"] for r in reg.gate_results("incidents", limit=2)] == ["v2", "v3"]
    assert reg.gate_results("incidents")[0]["failures"][0]["severity"] == "critical"
    assert reg.gate_results("nothing") == []
    reg.dispose()


def test_a_result_without_its_validation_id_is_refused(backend_url: str) -> None:
    reg = connect(backend_url)
    doc = _doc("", "incidents", 1)
    with pytest.raises(RegisterError, match="gate result without 'validation_id'"):
        reg.record_gate_result(doc)
    assert reg.gate_results("incidents") == []
    reg.dispose()
