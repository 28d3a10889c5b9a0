"""An entry's Data Docs link outlives the gate's pruning and GX's site rebuilds."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows.candidates.docs_links import keep_docs_page
from flows.config.model import load_config
from flows.gate.run import run_gate
from flows.load.records import load_records
from register_client import Candidate
from tests.conftest import DEMO_CONFIG


def test_the_linked_page_is_kept_after_its_run_is_pruned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import flows.gate.run

    monkeypatch.setattr(flows.gate.run, "_DOCS_KEEP", 1)
    config = load_config(DEMO_CONFIG)
    frame = load_records(config, config.sources[0])
    docs = tmp_path / "docs"
    first = run_gate([frame], config, date(2016, 5, 31), docs)["uci_incidents"]
    assert first.docs_path
    example = Candidate.example()
    gate = example.source.gate.model_copy(update={"docs_path": first.docs_path})
    candidate = example.model_copy(
        update={"source": example.source.model_copy(update={"gate": gate})}
    )
    kept = keep_docs_page(candidate).source.gate.docs_path  # type: ignore[attr-defined]
    assert kept != first.docs_path and "/kept/" in kept
    for _ in range(2):  # later nights rebuild the site and prune old runs
        run_gate([frame], config, date(2016, 5, 31), docs)
    assert not Path(first.docs_path).exists()  # the gate's own copy is gone ...
    page = Path(kept)
    assert page.read_text().count("<html") >= 1  # ... the entry's link still works
    # at the same depth, so the page's relative link back to the site's index resolves
    links = [p for p in page.read_text().split('"') if p.startswith("../") and "index" in p]
    assert links and all((page.parent / p).resolve().is_file() for p in links)
