"""Compare two configs over the same nights: what each files that the other does not.

Both configs are backtested (:func:`flows.workbench.backtest.backtest`) from the same
starting register over the same nights. Entries are matched by fingerprint (source, KPI,
slice, kind, direction), so "the same entry" means the same problem on the same slice,
whatever its value or title on a given night. When the sources are the same, they are
loaded once, and each night's quality gate runs once for both configs.

When a config names labelled events (``labels:``), each config's entries are scored
against them (:func:`detectors.scorers.score_events`): precision, recall and the days from
an event's start to the night its entry was first filed.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from detectors.labels import LabelError, LabelledEvent
from detectors.scorers import Detection, EventScore, score_events
from flows.config.model import ScanConfig, load_config
from flows.gate import GateResult
from flows.gate.suites import plan_for
from flows.load.records import RecordFrame
from flows.pipeline import PLAIN, load_sources, validate_sources
from flows.workbench.backtest import BacktestReport, backtest
from flows.workbench.labels import config_labels

__all__ = ["Comparison", "FiledEntry", "compare", "filed_entries", "label_score", "per_night"]

Pair = tuple["FiledEntry", "FiledEntry"]
_FILED = ("created", "updated", "unchanged")  # the register holds an entry for the detection


@dataclass(frozen=True)
class FiledEntry:
    """One entry a backtest filed: its slice, kind, and the nights it was detected."""

    fingerprint: str
    entry_id: str | None
    title: str
    kpi: str
    dimensions: dict[str, str]
    kind: str
    first_night: date
    last_night: date
    nights: int
    window: tuple[str, str] | None

    @property
    def name(self) -> str:
        """A short name that does not change from night to night: KPI, kind, slice."""
        dims = ", ".join(f"{k}={v}" for k, v in sorted(self.dimensions.items()) if v != "*")
        return f"{self.kpi} {self.kind}" + (f" for {dims}" if dims else " (total)")

    def to_json(self) -> dict[str, Any]:
        """Return the entry as plain data."""
        return {
            "name": self.name,
            "fingerprint": self.fingerprint,
            "id": self.entry_id,
            "title": self.title,
            "kpi": self.kpi,
            "dimensions": self.dimensions,
            "kind": self.kind,
            "first_night": self.first_night.isoformat(),
            "last_night": self.last_night.isoformat(),
            "nights": self.nights,
            "window": {"start": self.window[0], "end": self.window[1]} if self.window else None,
        }


def filed_entries(report: BacktestReport) -> list[FiledEntry]:
    """Return the entries a backtest filed (created, or re-detected), first seen first.

    A re-detection under another kind (a spike seen again as a level shift) has its own
    fingerprint but joins the same register entry: it counts as that entry, which keeps
    its first fingerprint, kind and title, as the register does.
    """
    seen: dict[str, FiledEntry] = {}
    for night in report.nights:
        for d in night.decisions:
            if d.action not in _FILED or not d.fingerprint:
                continue
            key = d.entry_id or d.fingerprint
            old = seen.get(key)
            seen[key] = FiledEntry(
                fingerprint=old.fingerprint if old else d.fingerprint,
                entry_id=d.entry_id,
                title=old.title if old else d.title,
                kpi=d.kpi,
                dimensions=d.dimensions,
                kind=old.kind if old else d.kind,
                first_night=old.first_night if old else night.night,
                last_night=night.night,
                nights=(old.nights if old else 0) + 1,
                window=old.window if old else d.window,
            )
    return sorted(seen.values(), key=lambda e: (e.first_night, e.name))


def label_score(
    report: BacktestReport, events: list[LabelledEvent], max_delay: int | None = None
) -> EventScore:
    """Score a backtest's entries against the events that overlap its nights."""
    start, end = pd.Timestamp(report.start), pd.Timestamp(report.end)
    in_range = [e for e in events if e.start <= end and e.end >= start]
    detections = [
        Detection(
            kpi=e.kpi,
            dimensions=e.dimensions,
            start=pd.Timestamp(e.window[0] if e.window else e.first_night),
            end=pd.Timestamp(e.window[1] if e.window else e.first_night),
            at=pd.Timestamp(e.first_night),
            kind=e.kind,
        )
        for e in filed_entries(report)
    ]
    return score_events(detections, in_range, max_delay=max_delay)


def per_night(reports: dict[str, BacktestReport]) -> pd.DataFrame:
    """Return, per night, each report's entries created and distinct entries filed so far.

    Columns are ``created_<key>`` and ``entries_<key>`` for each key of ``reports``.
    """
    out = {}
    for key, report in reports.items():
        frame = report.to_frame().set_index("night")
        firsts = pd.to_datetime(pd.Series([e.first_night for e in filed_entries(report)]))
        new = firsts.value_counts().reindex(frame.index, fill_value=0)
        out[f"created_{key}"] = frame["created"]
        out[f"entries_{key}"] = new.cumsum()
    return pd.DataFrame(out).astype("int64")


@dataclass
class Comparison:
    """Two backtests over the same nights, and the labels they are scored against."""

    a: BacktestReport
    b: BacktestReport
    labels: Path | None = None
    events: list[LabelledEvent] = field(default_factory=list)
    max_delay: int | None = None
    note: str | None = None

    def split(
        self,
    ) -> tuple[list[FiledEntry], list[FiledEntry], list[tuple[FiledEntry, FiledEntry]]]:
        """Return the entries only A files, only B files, and (A's, B's) for those both file."""
        ours = {e.fingerprint: e for e in filed_entries(self.a)}
        theirs = {e.fingerprint: e for e in filed_entries(self.b)}
        only_a = [e for f, e in ours.items() if f not in theirs]
        only_b = [e for f, e in theirs.items() if f not in ours]
        both = [(e, theirs[f]) for f, e in ours.items() if f in theirs]
        return only_a, only_b, both

    def per_night(self) -> pd.DataFrame:
        """Return, per night, the entries each config created and its distinct entries so far."""
        return per_night({"a": self.a, "b": self.b})

    def scores(self) -> dict[str, EventScore] | None:
        """Return each config's precision and recall on the labels, if there are labels."""
        if self.labels is None:
            return None
        return {
            side: label_score(report, self.events, self.max_delay)
            for side, report in (("a", self.a), ("b", self.b))
        }

    def to_json(self) -> dict[str, Any]:
        """Return the comparison as plain data: both configs, the three entry lists, scores."""
        only_a, only_b, both = self.split()
        scores = self.scores()
        return {
            "from": self.a.start.isoformat(),
            "to": self.a.end.isoformat(),
            "nights": len(self.a.nights),
            "register": self.a.to_json()["register"],
            "a": {"config": self.a.config, "entries": len(only_a) + len(both),
                  "totals": self.a.totals},
            "b": {"config": self.b.config, "entries": len(only_b) + len(both),
                  "totals": self.b.totals},
            "only_a": [e.to_json() for e in only_a],
            "only_b": [e.to_json() for e in only_b],
            "both": [{**x.to_json(), "first_night_a": x.first_night.isoformat(),
                      "first_night_b": y.first_night.isoformat(),
                      "nights_b": y.nights, "id_b": y.entry_id} for x, y in both],
            "labels": None if scores is None else {
                "file": str(self.labels),
                "note": self.note,
                "events": sum(e.start.date() <= self.a.end and e.end.date() >= self.a.start
                              for e in self.events),
                "max_delay_days": self.max_delay,
                "a": scores["a"].to_json(),
                "b": scores["b"].to_json(),
            },
            "per_night": [
                {"night": str(night)[:10], **{str(k): int(v) for k, v in row.items()}}
                for night, row in self.per_night().iterrows()
            ],
        }  # fmt: skip


def compare(
    config_a: ScanConfig | str | Path,
    config_b: ScanConfig | str | Path,
    start: date,
    end: date,
    seed_from: str | None = None,
    *,
    max_delay: int | None = None,
) -> Comparison:
    """Backtest two configs over the same nights from the same start; compare their entries.

    The labels are config A's (the one being tried), else config B's: a copy of a config
    made in another folder often names a labels file that is not there, and then both
    are scored on B's labels, with a note that says so.
    """
    a = config_a if isinstance(config_a, ScanConfig) else load_config(config_a)
    b = config_b if isinstance(config_b, ScanConfig) else load_config(config_b)
    labelled, note = _labels(a, b)
    frames_a = load_sources(a)
    same = _sources(a) == _sources(b)
    frames_b = frames_a if same else load_sources(b)
    stages = dataclasses.replace(PLAIN, validate=_shared_gate()) if same else PLAIN
    report_a = backtest(a, start, end, seed_from, frames=frames_a, stages=stages)
    report_b = backtest(b, start, end, seed_from, frames=frames_b, stages=stages)
    return Comparison(
        report_a,
        report_b,
        labels=labelled[0] if labelled else None,
        events=labelled[1] if labelled else [],
        max_delay=max_delay,
        note=note,
    )


def _labels(
    a: ScanConfig, b: ScanConfig
) -> tuple[tuple[Path, list[LabelledEvent]] | None, str | None]:
    """Return the labels to score on (A's, else B's) and a note when A's were skipped."""
    try:
        return config_labels(a) or config_labels(b), None
    except LabelError as exc:
        if a.labels is None or b.labels is None or "not found" not in str(exc):
            raise
        return config_labels(b), f"{exc}; A is scored on B's labels"


def _sources(config: ScanConfig) -> list[Any]:
    """Return the sources as loaded: paths resolved, since a copy may live elsewhere."""
    return [
        s.model_copy(update={"path": str(config.resolve_path(s).resolve())}) for s in config.sources
    ]


def _shared_gate() -> Callable[
    [list[RecordFrame], ScanConfig, date, Path | None], dict[str, GateResult]
]:
    """Return a gate stage that validates each night once for configs sharing their sources.

    The gate's checks depend on the source spec and on the columns its KPIs read; a night
    is reused only when both are the same.
    """
    done: dict[tuple[Any, ...], dict[str, GateResult]] = {}

    def validate(
        frames: list[RecordFrame], config: ScanConfig, as_of: date, docs_dir: Path | None
    ) -> dict[str, GateResult]:
        key = (as_of, docs_dir, *(
            (id(f.records), repr(plan_for(config, config.source(f.source)))) for f in frames
        ))  # fmt: skip
        if key not in done:
            done[key] = validate_sources(frames, config, as_of, docs_dir)
        return done[key]

    return validate
