"""A replay keeps one GX context: its nights get the results a fresh context gives them."""

from __future__ import annotations

import dataclasses
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from flows.config.model import load_config
from flows.gate import session
from flows.gate.run import run_gate
from flows.load.records import load_records

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.yaml"
NIGHTS = [date(2016, 5, 3), date(2016, 5, 17), date(2016, 5, 31)]
_VOLATILE = {"validation_id", "evaluated_at", "docs_path"}


def _plain(result: Any) -> dict[str, Any]:
    return {k: v for k, v in result.to_json().items() if k not in _VOLATILE}


def test_a_reused_context_validates_each_night_as_a_fresh_one_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = load_config(DEMO)
    frame = load_records(config, config.sources[0])
    # A corrupted copy makes some nights fail, so failures are compared too.
    broken = frame.records.copy()
    broken.loc[broken.index[::7], "priority"] = None
    frames = [frame, dataclasses.replace(frame, records=broken)]
    reused, fresh = [], []
    for night, records in zip(NIGHTS, [frames[0], frames[1], frames[0]], strict=True):
        reused.append(run_gate([records], config, night, tmp_path / "reused")["uci_incidents"])
        monkeypatch.setattr(session, "_current", None)  # what every call had before
        fresh.append(run_gate([records], config, night, None)["uci_incidents"])
    assert [_plain(r) for r in reused] == [_plain(r) for r in fresh]
    assert any(r.failures for r in reused)
    for result in reused:  # each night's Data Docs page is its own and stays
        assert result.docs_path and Path(result.docs_path).is_file()
        assert result.validation_id in Path(result.docs_path).read_text()
