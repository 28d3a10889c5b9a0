"""Backtest a config: what it would have filed, night by night, without touching the register.

A backtest replays the scan stages (gate, KPIs, detection, candidates, filing) for every
night from ``start`` to ``end`` into a throwaway SQLite register, empty by default: it shows
what the config alone would have filed. When a real register is given to seed from, the
throwaway one starts as a copy of it, so the real triage decisions (rejections, duplicates,
noise mutes, snoozes) shape what the config would file. The real register is only ever
read, through a read-only connection.

It calls the pipeline core (:mod:`flows.pipeline`) directly: a what-if leaves no flow run
history, and it does not pay the temporary Prefect server's start-up (10-20 s).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd

from flows.config.model import ScanConfig, load_config
from flows.config.settings import RadarSettings
from flows.errors import BacktestError
from flows.load.records import RecordFrame
from flows.pipeline import PLAIN, Stages, load_sources, run_night
from flows.workbench.seed import seed_register, shown_url
from register_client import Register, connect

__all__ = [
    "ACTIONS",
    "BacktestError",
    "BacktestNight",
    "BacktestReport",
    "Decision",
    "backtest",
    "seed_register",
]

#: What filing can do with a detection; ``linked`` entries are counted as created.
ACTIONS = ("created", "updated", "suppressed", "unchanged")
_COUNTS = ("findings", "candidates", *ACTIONS, "measured")
_GATE_KEYS = ("success", "blocked", "highest_failed_severity")


@dataclass(frozen=True)
class Decision:
    """What the register decided for one detection on one night."""

    action: str
    entry_id: str | None
    title: str
    reason: str
    linked_to: str | None = None
    fingerprint: str = ""
    kpi: str = ""
    dimensions: dict[str, str] = field(default_factory=dict)
    kind: str = ""
    window: tuple[str, str] | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the decision as plain data."""
        window = {"start": self.window[0], "end": self.window[1]} if self.window else None
        return {"action": self.action, "id": self.entry_id, "title": self.title,
                "reason": self.reason, "linked_to": self.linked_to,
                "fingerprint": self.fingerprint, "kpi": self.kpi,
                "dimensions": self.dimensions, "kind": self.kind, "window": window}  # fmt: skip


@dataclass
class BacktestNight:
    """One replayed night: the gate verdicts, the findings, and the register's decisions."""

    night: date
    gate: dict[str, dict[str, Any]]
    findings: int
    candidates: int
    decisions: list[Decision] = field(default_factory=list)
    measured: list[dict[str, Any]] = field(default_factory=list)

    def count(self, action: str) -> int:
        """Return how many detections got ``action`` (one of :data:`ACTIONS`)."""
        return sum(d.action == action for d in self.decisions)

    def to_json(self) -> dict[str, Any]:
        """Return the night as one JSON row: counts per action, then the entries."""
        return {
            "night": self.night.isoformat(),
            "gate": self.gate,
            "findings": self.findings,
            "candidates": self.candidates,
            **{action: self.count(action) for action in ACTIONS},
            "measured": len(self.measured),
            "entries": [d.to_json() for d in self.decisions],
            "follow_up": self.measured,
        }


@dataclass
class BacktestReport:
    """A whole backtest: one :class:`BacktestNight` per night, plus totals."""

    config: str
    start: date
    end: date
    seeded_from: str | None
    seeded_entries: int
    found: bool = False
    nights: list[BacktestNight] = field(default_factory=list)

    @property
    def totals(self) -> dict[str, int]:
        """Return the counts summed over all nights, and the distinct entries filed."""
        sums = self.to_frame()[list(_COUNTS)].sum()
        out = {"nights": len(self.nights), **{str(k): int(v) for k, v in sums.items()}}
        out["entries"] = len(
            {d.entry_id for n in self.nights for d in n.decisions
             if d.entry_id and d.action in ("created", "updated")}
        )  # fmt: skip
        return out

    def to_frame(self) -> pd.DataFrame:
        """Return one row per night: findings, candidates, one count per action, measured."""
        frame = pd.DataFrame([n.to_json() for n in self.nights], columns=["night", *_COUNTS])
        frame["night"] = pd.to_datetime(frame["night"])
        return frame

    def to_json(self) -> dict[str, Any]:
        """Return the report as plain data: the nights (one row each) and the totals."""
        return {
            "config": self.config,
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "register": {
                "seeded_from": self.seeded_from,
                "found": self.found,
                "seeded_entries": self.seeded_entries,
            },
            "nights": [n.to_json() for n in self.nights],
            "totals": self.totals,
        }


def backtest(
    config: ScanConfig | str | Path,
    start: date,
    end: date,
    register_url: str | None = None,
    *,
    keep_register: Path | None = None,
    frames: dict[str, RecordFrame] | None = None,
    stages: Stages = PLAIN,
) -> BacktestReport:
    """Replay a config night by night into a throwaway register and report its decisions.

    Parameters
    ----------
    config : ScanConfig or path
        The configuration to try.
    start, end : date
        The first and last night, inclusive.
    register_url : str, optional
        A real register whose entries seed the throwaway one (``--seed-from``); by default
        the throwaway register starts empty. It is opened read-only; a SQLite file that does
        not exist counts as an empty register.
    keep_register : Path, optional
        Write the throwaway register to this new SQLite file and keep it, e.g. to read its
        entries afterwards, with evidence plots in ``<stem>.radar/evidence`` next to it; by
        default it lives in a temporary directory that is removed, and no plots are drawn.
    frames : dict, optional
        The config's sources, already loaded (a comparison loads them once for both).
    stages : Stages, default PLAIN
        The stage functions (a comparison shares one gate run per night).

    Returns
    -------
    BacktestReport
        One :class:`BacktestNight` per night, in order.

    Raises
    ------
    ValueError
        If ``start`` is after ``end`` or ``keep_register`` already exists.
    """
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    if keep_register is not None and keep_register.exists():
        raise ValueError(f"keep_register {keep_register} exists; give a new file")
    if not isinstance(config, ScanConfig):
        config = load_config(config)
    with tempfile.TemporaryDirectory(prefix="radar-backtest-") as tmp:
        path = keep_register or Path(tmp) / "register.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{path}"
        seeded = seed_register(register_url, url) if register_url else None
        if frames is None:
            frames = load_sources(config)
        report = BacktestReport(
            config=str(config.config_path or ""),
            start=start,
            end=end,
            seeded_from=shown_url(register_url) if register_url else None,
            seeded_entries=seeded or 0,
            found=seeded is not None,
        )
        # Evidence and follow-up plots go next to the throwaway register, never to .radar/.
        settings = RadarSettings(register_url=url, home=path.parent / f"{path.stem}.radar")
        kept = keep_register is not None
        register = connect(url)
        for night in pd.date_range(start, end, freq="D").date:
            try:
                report.nights.append(
                    _replay_night(config, frames, register, night, settings, kept, stages)
                )
            except Exception as exc:
                raise BacktestError(f"night {night}: {_one_line(exc)}") from exc
    return report


def _replay_night(
    config: ScanConfig,
    frames: dict[str, RecordFrame],
    register: Register,
    as_of: date,
    settings: RadarSettings,
    plots: bool,
    stages: Stages,
) -> BacktestNight:
    night = run_night(config, frames, register, as_of, settings, stages=stages, plots=plots)
    candidates = {c.fingerprint: c for c in night.candidates}
    decisions = []
    for o in night.filed.outcomes:
        c = candidates.get(o.fingerprint)
        decisions.append(
            Decision(
                action="created" if o.action == "linked" else o.action,
                entry_id=o.entry_id,
                title=o.title,
                reason=o.reason,
                linked_to=o.linked_to,
                fingerprint=o.fingerprint,
                kpi=c.kpi.name if c else "",
                dimensions={k: str(v) for k, v in c.dimensions.items()} if c else {},
                kind=c.kind if c else "",
                window=(c.window.start.date().isoformat(), c.window.end.date().isoformat())
                if c
                else None,
            )
        )
    verdicts = {}
    for name, result in night.gate.items():
        gate = result.to_json()
        verdicts[name] = {key: gate[key] for key in _GATE_KEYS}
    return BacktestNight(
        night=as_of,
        gate=verdicts,
        findings=len(night.findings),
        candidates=len(night.candidates),
        decisions=decisions,
        measured=[f.to_json() for f in night.followed],
    )


def _one_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return f"{type(exc).__name__}: {text.splitlines()[0] if text else ''}"
