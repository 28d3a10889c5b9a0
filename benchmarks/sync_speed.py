"""Sync time for N register entries against the Jira stand-in on 127.0.0.1.

Run: ``.venv/bin/python benchmarks/sync_speed.py [N]`` (default 200). Prints the time of
the first sync (N creates), of a rerun that changes nothing (one status read per issue),
of a rerun after every entry was re-detected (N updates), and the HTTP calls of each.
The stand-in answers at once, so this measures the client and the outbox, not Jira.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "sync"))

from flows.config.sync_spec import JiraSpec
from flows.sync import sync_register
from flows.sync.http import credentials
from flows.sync.jira import JiraMirror
from register_client import Candidate, connect
from tests.sync.fake_jira import TOKEN, USER, FakeJira


def candidates(n: int, at: str) -> list[Candidate]:
    evidence = {"at": at, "value": 14.0, "score": 0.97}
    return [
        Candidate.example(dimensions={"assignment_group": f"G{i}"}, evidence=evidence)
        for i in range(n)
    ]


def main(n: int) -> None:
    os.environ["RADAR_JIRA_USER"], os.environ["RADAR_JIRA_TOKEN"] = USER, TOKEN
    with tempfile.TemporaryDirectory() as tmp, FakeJira(lag=0.0, page_size=100).running() as jira:
        reg = connect(f"sqlite:///{tmp}/register.db")
        reg.file(candidates(n, "2024-03-07"))
        spec = JiraSpec(url=jira.url, project="CI", settle_seconds=0)
        steps = [
            ("first sync", None),
            ("rerun, nothing new", None),
            ("rerun after re-detection", "2024-03-08"),
        ]
        for label, redetect in steps:
            if redetect:
                reg.file(candidates(n, redetect))
            before = len(jira.requests)
            mirror = JiraMirror(spec, credentials("jira"))
            start = time.perf_counter()
            report = sync_register(reg, mirror)
            seconds = time.perf_counter() - start
            mirror.close()
            calls = Counter(m for m, _ in jira.requests[before:])
            print(
                f"{label:<26} {seconds:7.2f} s  {n / seconds:7.1f} entries/s  "
                f"created {len(report.created)} updated {len(report.updated)}  "
                f"HTTP {dict(calls)}"
            )
        reg.dispose()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 200)
