"""Per-night progress callbacks, without Prefect: who wants to hear that a night is done.

A replay runs many nights inside one flow run; a face (the CLI's progress bar, a notebook)
registers a callback around the call with :func:`observing`, and the flow calls
:func:`night_done` after each night. The callback lives in a context variable, so it
follows the call into the flow and never becomes a flow parameter.

Examples
--------
>>> seen = []
>>> with observing(lambda night: seen.append(night)):
...     night_done("2016-05-01")
>>> night_done("2016-05-02")  # nobody listens any more
>>> seen
['2016-05-01']
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

__all__ = ["NightCallback", "night_done", "observing", "summary_line"]

#: Called with each finished night's outcome (a :class:`flows.pipeline.NightOutcome`).
NightCallback = Callable[[Any], None]

_callbacks: ContextVar[tuple[NightCallback, ...]] = ContextVar("radar_night_callbacks", default=())


@contextmanager
def observing(callback: NightCallback) -> Iterator[None]:
    """Call ``callback`` after every night that finishes inside the block."""
    token = _callbacks.set((*_callbacks.get(), callback))
    try:
        yield
    finally:
        _callbacks.reset(token)


def night_done(outcome: Any) -> None:
    """Tell every registered callback that one night is done."""
    for callback in _callbacks.get():
        callback(outcome)


def summary_line(report: dict[str, Any]) -> str:
    """One line for one night's summary (``NightOutcome.to_json()``): gate, findings, filing.

    Examples
    --------
    >>> summary_line({"as_of": "2016-05-02", "gate": {"s": {"success": True}},
    ...               "findings": 3, "created": ["CIR-0001"], "updated": [], "suppressed": []})
    '2016-05-02  gate[s: ok]  findings 3  created 1  updated 0  suppressed 0'
    """
    gate = ", ".join(
        f"{name}: {'ok' if g['success'] else g.get('highest_failed_severity')}"
        for name, g in report["gate"].items()
    )
    return (
        f"{report['as_of']}  gate[{gate}]  findings {report['findings']}  "
        f"created {len(report['created'])}  updated {len(report['updated'])}  "
        f"suppressed {len(report['suppressed'])}"
    )
