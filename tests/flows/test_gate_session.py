"""A replay keeps one GX context: its nights get the results a fresh context gives them."""

from __future__ import annotations

import contextlib
import dataclasses
import re
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
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
    # Corrupted copies make some nights fail, so failures are compared too; a dropped
    # column changes the schema, whose result a session otherwise carries night to night.
    broken = frame.records.copy()
    broken.loc[broken.index[::7], "priority"] = None
    dropped = frame.records.drop(columns=["state"])
    frames = [frame, dataclasses.replace(frame, records=broken)]
    frames.append(dataclasses.replace(frame, records=dropped))
    reused, fresh = [], []
    sequence = [frames[0], frames[1], frames[0], frames[2], frames[0]]
    for night, records in zip([*NIGHTS, *NIGHTS[:2]], sequence, strict=True):
        reused.append(run_gate([records], config, night, tmp_path / "reused")["uci_incidents"])
        monkeypatch.setattr(session, "_current", None)  # what every call had before
        fresh.append(run_gate([records], config, night, None)["uci_incidents"])
    assert [_plain(r) for r in reused] == [_plain(r) for r in fresh]
    assert any(r.failures for r in reused)
    schema_failed = [any(f.stage == "schema" for f in r.failures) for r in reused]
    assert schema_failed == [False, False, False, True, False]  # the dropped column's night
    for result in reused:  # each night's Data Docs page is its own and stays
        assert result.docs_path and Path(result.docs_path).is_file()
        assert result.validation_id in Path(result.docs_path).read_text()


def test_gx_memos_change_no_result_and_no_page(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from great_expectations.expectations.expectation import Expectation

    from flows.gate import run

    config = load_config(DEMO)
    frame = load_records(config, config.sources[0])
    broken = frame.records.copy()
    broken.loc[broken.index[::5], "category"] = None
    broken.loc[broken.index[::11], "opened_at"] = broken["opened_at"].max() + pd.Timedelta(days=40)
    frames = [frame, dataclasses.replace(frame, records=broken)]
    original = Expectation.__dict__["configuration"]
    memoised = [run_gate([f], config, NIGHTS[-1], tmp_path / "a")["uci_incidents"] for f in frames]
    assert Expectation.__dict__["configuration"] is original  # restored after the gate
    monkeypatch.setattr(run, "gx_memos", contextlib.nullcontext)
    plain = [run_gate([f], config, NIGHTS[-1], tmp_path / "b")["uci_incidents"] for f in frames]
    for one, other in zip(memoised, plain, strict=True):  # the same page, ids and times aside
        assert _page(one.docs_path) == _page(other.docs_path)
    # caveats quote the validation id, which differs run to run
    assert [{**_plain(r), "caveats": None} for r in memoised] == [
        {**_plain(r), "caveats": None} for r in plain
    ]
    assert {f.check for f in memoised[1].failures} >= {"completeness", "future_dates"}


def _page(path: str | None) -> str:
    assert path is not None
    text = Path(path).read_text()
    volatile = [
        r"\d{8}T\d{6}[.\d]*Z?(-[0-9a-f]{8})?",  # run and validation ids
        r"\d{4}-\d{2}-\d{2}[T ][\d:.+]+",  # times
        r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",  # element uuids
    ]
    return re.sub("|".join(volatile), "", text)


def _site(page: str | None) -> Path:
    assert page is not None
    return next(p for p in Path(page).parents if p.parent.name == "runs")


def test_later_sites_copy_the_suite_pages_and_link_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(session, "_current", None)
    config = load_config(DEMO)
    frame = load_records(config, config.sources[0])
    first, later = (
        _site(run_gate([frame], config, night, tmp_path)["uci_incidents"].docs_path)
        for night in NIGHTS[:2]
    )
    suite_pages = sorted(p.relative_to(first) for p in (first / "expectations").rglob("*.html"))
    assert len(suite_pages) == 4  # schema, records, profile, daily
    for page in suite_pages:
        assert (later / page).read_bytes() == (first / page).read_bytes()
    index = (later / "index.html").read_text()
    links = set(re.findall(r"(?:validations|expectations)/[^\"'\s\\]+?\.html", index))
    assert any(link.startswith("validations/") for link in links)
    assert any(link.startswith("expectations/") for link in links)
    assert any("/schema/" in link for link in links)  # the carried schema result
    assert all((later / link).is_file() for link in links)
