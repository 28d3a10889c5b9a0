"""Scans as separate processes: side by side in one project folder, and killed mid-way.

Each process runs :mod:`tests.flows.scan_worker` (the scan's own code, plain stages) on a
sample of the bundled demo, in one project folder with one SQLite register.
"""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from flows.config import RadarSettings
from flows.runs import run_scan
from register_client import connect
from tests.conftest import ROOT
from tests.flows.demo_variants import write_variant

pytestmark = pytest.mark.slow


def _start(config: Path, url: str, project: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "RADAR_HOME": str(project / ".radar"), "PYTHONPATH": str(ROOT)}
    return subprocess.Popen(
        [sys.executable, "-m", "tests.flows.scan_worker", str(config), url],
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _consistent(url: str, project: Path) -> list[dict[str, object]]:
    """Check the register against the files: no duplicates, nothing referenced is missing."""
    # A kill while the first scan opened the register can leave its file without tables;
    # opening it the way the next scan does finishes the migration.
    entries = [e.to_json() for e in connect(url).list()]
    fingerprints = [e["fingerprint"] for e in entries]
    assert len(fingerprints) == len(set(fingerprints)), "duplicate entries"
    for entry in entries:
        plot = Path(str(entry["evidence_plot"]))
        plot = plot if plot.is_absolute() else project / plot
        assert plot.is_file() and plot.stat().st_size > 0, f"{entry['id']}: no plot {plot}"
        docs = entry["source"]["gate"].get("docs_path")  # type: ignore[index]
        assert docs is None or Path(docs).is_file(), f"{entry['id']}: no Data Docs {docs}"
    assert not list(project.rglob("*.part")), "half-written plots left behind"
    return entries


def test_scans_started_together_in_one_folder_all_finish(tmp_path: Path) -> None:
    project = tmp_path / "project"
    same = write_variant(project, "demo")
    other = write_variant(project, "other")
    url = f"sqlite:///{project / 'register.db'}"
    connect(url).dispose()
    procs = [_start(c, url, project) for c in (same, same, other)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0, 0], [err[-2000:] for _, err in outs]
    waits = [err for _, err in outs[:2] if "waiting for" in err]
    assert len(waits) == 1 and "demo.yaml" in waits[0]
    entries = _consistent(url, project)
    assert entries
    sites = list((project / ".radar" / "data_docs" / "runs").glob("*/.complete"))
    assert len(sites) == 3


def _exists(pattern: str) -> Callable[[Path], bool]:
    return lambda project: any(project.glob(pattern))


KILL_POINTS = {
    "during load": _exists("register.db"),  # opened first, then the sources load
    "during the gate": _exists(".radar/data_docs/runs/*"),
    "during plot writing": _exists(".radar/evidence/*"),
    "while filing entries": _exists(".radar/runs/*/outbox/*.json"),
}


def test_kills_at_any_point_leave_a_consistent_register(tmp_path: Path) -> None:
    reference = tmp_path / "reference"
    config = write_variant(reference)
    ref_url = f"sqlite:///{reference / 'register.db'}"
    settings = RadarSettings(home=reference / ".radar")
    run_scan(config, ref_url, None, None, settings=settings)
    expected = sorted(e.fingerprint for e in connect(ref_url).list())
    assert expected

    project = tmp_path / "project"
    config = write_variant(project)
    url = f"sqlite:///{project / 'register.db'}"
    jitter = random.Random(18)
    killed = {}
    for point, reached in KILL_POINTS.items():
        proc = _start(config, url, project)
        while proc.poll() is None and not reached(project):
            time.sleep(0.02)
        time.sleep(jitter.uniform(0, 0.3))
        killed[point] = proc.poll() is None
        if killed[point]:
            proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=60)
        if (project / "register.db").exists():
            _consistent(url, project)
    assert sum(killed.values()) >= 3, killed
    rerun = _start(config, url, project)
    _, err = rerun.communicate(timeout=900)
    assert rerun.returncode == 0, err[-2000:]
    entries = _consistent(url, project)
    assert sorted(str(e["fingerprint"]) for e in entries) == expected
    assert not list(project.glob(".radar/runs/*/outbox/*.json"))
    json.dumps(entries)  # the entry contract stays serialisable after the kills
