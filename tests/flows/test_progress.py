"""The scan's progress: a callback per night, a bar and summary lines on stderr, or silence."""

from __future__ import annotations

import io
from typing import Any

from rich.console import Console

from flows.cli.progress import NightProgress
from flows.observe import night_done, observing


class _Night:
    def __init__(self, day: int, created: list[str], updated: list[str]) -> None:
        self.report = {
            "as_of": f"2016-05-0{day}",
            "gate": {"uci": {"success": day != 2, "highest_failed_severity": "warning"}},
            "findings": 3,
            "created": created,
            "updated": updated,
            "suppressed": [],
        }

    def to_json(self) -> dict[str, Any]:
        return self.report


def _run(quiet: bool) -> tuple[NightProgress, str]:
    out = io.StringIO()
    console = Console(file=out, width=120, force_terminal=False)
    with NightProgress(3, quiet=quiet, console=console) as progress, observing(progress):
        night_done(_Night(1, ["CIR-0001", "CIR-0002"], []))
        night_done(_Night(2, [], ["CIR-0001"]))
        night_done(_Night(3, ["CIR-0003"], ["CIR-0002"]))
    night_done(_Night(4, ["CIR-0004"], []))  # after the block: nobody counts it
    return progress, out.getvalue()


def test_progress_counts_entries_and_prints_one_line_per_night() -> None:
    progress, text = _run(quiet=False)
    assert (progress.created, progress.updated) == (3, 2)
    lines = [line for line in text.splitlines() if line.startswith("2016-")]
    assert lines == [
        "2016-05-01  gate[uci: ok]  findings 3  created 2  updated 0  suppressed 0",
        "2016-05-02  gate[uci: warning]  findings 3  created 0  updated 1  suppressed 0",
        "2016-05-03  gate[uci: ok]  findings 3  created 1  updated 1  suppressed 0",
    ]


def test_quiet_prints_nothing_but_still_counts() -> None:
    progress, text = _run(quiet=True)
    assert text == ""
    assert (progress.created, progress.updated) == (3, 2)
