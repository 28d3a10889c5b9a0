"""Progress of a scan on stderr: a bar over the nights and one summary line per night.

The bar shows nights done, the ETA and the entries filed so far; each finished night
prints one line above it, the same line the flow logs to the Prefect UI. ``--quiet``
(for cron) shows neither. Stdout stays free for ``--format json``.
"""

from __future__ import annotations

from types import TracebackType
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from flows.observe import summary_line

__all__ = ["NightProgress"]


class NightProgress:
    """A per-night callback that drives a rich progress bar on stderr.

    Parameters
    ----------
    total : int
        The nights the scan will run.
    quiet : bool
        Show nothing (cron): the callback then only counts.
    console : rich.console.Console, optional
        Where to draw; default stderr.
    """

    def __init__(self, total: int, *, quiet: bool = False, console: Console | None = None):
        self.total = total
        self.quiet = quiet
        self.created = 0
        self.updated = 0
        self.console = console or Console(stderr=True)
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("nights"),
            TimeElapsedColumn(),
            TextColumn("ETA"),
            TimeRemainingColumn(),
            TextColumn("{task.fields[entries]}"),
            console=self.console,
            transient=True,
            # A bar only on a terminal: redirected stderr (cron, tests) gets the lines alone.
            disable=quiet or not self.console.is_terminal,
        )
        self._task = self._progress.add_task("scan", total=total, entries=self._entries())

    def _entries(self) -> str:
        return f"entries: {self.created} new, {self.updated} updated"

    def __enter__(self) -> NightProgress:
        self._progress.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self._progress.stop()

    def __call__(self, outcome: Any) -> None:
        """Advance by one finished night (a :class:`flows.pipeline.NightOutcome`)."""
        report = outcome.to_json()
        self.created += len(report["created"])
        self.updated += len(report["updated"])
        self._progress.update(self._task, advance=1, entries=self._entries())
        if not self.quiet:
            self._progress.console.print(
                summary_line(report), highlight=False, markup=False, soft_wrap=True
            )
