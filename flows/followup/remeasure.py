"""Follow-up: re-measure accepted entries every night (ITIL's "did we get there?").

For each accepted, in-progress or monitoring entry of this config, the night's KpiFrame
gives its KPI slice. The periods after acceptance are judged against the frozen baseline
window (see :mod:`flows.followup.verdict`), the result is recorded as a measurement and as the
entry's progress, and its evidence plot is redrawn. Closing stays a person's call: after
``target_met_periods`` periods at target the progress carries a suggestion to close as
``successful``. A closed entry that regresses is the register's business: the next
detection on its fingerprint files a new entry linked to it.

Acceptance is dated in *data* time, so that replays (``--from/--to``) of past extracts
work: the wall-clock day of the ``accept`` audit event, or the first night that measured
the entry if that is earlier (an entry accepted today and replayed over 2016 was, for the
data, accepted on the first replayed night). Nights before that day do not measure it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pandas as pd

from flows.candidates.build import series_of
from flows.candidates.evidence import followup_plot_path, save_evidence_plot
from flows.config.model import ScanConfig
from flows.followup.relapse import Relapse, recovered, relapse_of
from flows.followup.verdict import FollowUpSpec, Judgement, judge
from flows.followup.why import explain_insufficient
from register_client import Entry, Register

__all__ = ["FollowUp", "accepted_on", "remeasure"]


@dataclass(frozen=True)
class FollowUp:
    """One entry's re-measurement on one night."""

    entry_id: str
    verdict: str
    level: float | None
    reason: str
    suggestion: str | None = None
    plot: str | None = None

    def to_json(self) -> dict[str, Any]:
        """Return the follow-up as plain data."""
        return {
            "id": self.entry_id,
            "verdict": self.verdict,
            "value": self.level,
            "reason": self.reason,
            "suggestion": self.suggestion,
            "plot": self.plot,
        }


def accepted_on(entry: Entry, as_of: date) -> date | None:
    """Return the data day the entry was accepted, or None if it was not yet, as of ``as_of``.

    Examples
    --------
    >>> from register_client import Candidate, connect
    >>> reg = connect("sqlite://")
    >>> _ = reg.file([Candidate.example()])
    >>> entry = reg.accept("CIR-0001", owner="ops")
    >>> accepted_on(entry, date(2024, 3, 10))
    datetime.date(2024, 3, 10)
    """
    days = [e.at.date() for e in entry.history if e.action == "accept"][:1]
    days += [m.at.date() for m in entry.measurements][:1]
    if entry.measurements:
        day = min(days)
        return day if as_of >= day else None
    return min([*days, as_of])


def _between(series: pd.Series, start: Any, end: Any) -> pd.Series:
    lo, hi = _naive(start), _naive(end)
    return series[(series.index >= lo) & (series.index <= hi)]


def _naive(value: Any) -> pd.Timestamp:
    stamp = pd.Timestamp(value)
    return stamp.tz_convert(None) if stamp.tzinfo is not None else stamp


def _detected(entry: Entry, series: pd.Series, accepted: date) -> pd.Series | None:
    """Return the series over the latest detected window up to acceptance, if any."""
    before = [e for e in entry.evidence if e.at.date() <= accepted and not e.suppressed]
    window = before[-1].detail.get("window") if before else None
    if not window:
        return None
    return _between(series, window["start"], min(_naive(window["end"]), _naive(accepted)))


def _met_since(entry: Entry, as_of: date) -> date:
    """Return the first night of the unbroken run of ``target_met`` ending tonight."""
    since = as_of
    for m in reversed([m for m in entry.measurements if m.at.date() < as_of]):
        if m.verdict != "target_met":
            break
        since = m.at.date()
    return since


def _suggestion(entry: Entry, as_of: date, grain: str, spec: FollowUpSpec) -> str | None:
    since = _met_since(entry, as_of)
    days = (as_of - since).days + 1
    periods = days if grain == "D" else days // 7
    if periods < spec.target_met_periods:
        return None
    return (
        f"close as successful: target met for {periods} periods since {since.isoformat()} "
        f"(radar entries close {entry.id} --code successful)"
    )


def _judge_entry(
    entry: Entry, series: pd.Series, accepted: date, as_of: date, grain: str, spec: FollowUpSpec
) -> Judgement:
    after = series[(series.index > _naive(accepted)) & (series.index <= _naive(as_of))]
    detected = _detected(entry, series, accepted)
    target = entry.target.value if entry.target else None
    daily = grain == "D"
    if entry.baseline.get("clean") is False and detected is not None:
        # No clean baseline was frozen (a slice that only began, a backlog still filling):
        # the detected window is the one reference there is, so progress is measured from it.
        judged = judge(
            detected, after, better=entry.kpi.better, target=target, daily=daily, spec=spec
        )
        reason = f"against the detected window (no clean baseline): {judged.detail['reason']}"
        detail = {**judged.detail, "reference": "detected window", "reason": reason}
        return Judgement(judged.verdict, judged.level, detail)
    baseline = _between(series, entry.baseline.get("start"), entry.baseline.get("end"))
    return judge(
        baseline,
        after,
        better=entry.kpi.better,
        target=target,
        detected=detected,
        daily=daily,
        spec=spec,
    )


def remeasure(
    register: Register,
    kpi_frame: pd.DataFrame,
    config: ScanConfig,
    as_of: date,
    *,
    evidence_dir: Path,
    spec: FollowUpSpec | None = None,
) -> list[FollowUp]:
    """Re-measure every followed-up entry of this config's KPIs as of ``as_of``.

    Entries of other datasets or KPIs are left alone. An entry whose KPI is missing from
    the frame (its source was blocked by the quality gate) is measured as
    ``insufficient_data``, so the gap shows in its history.
    """
    spec = spec or config.followup
    kpis = {kpi.name: kpi for kpi in config.kpis}
    grains = {kpi.name: kpi.grain for kpi in config.kpis}
    sources = {kpi.name: kpi.source for kpi in config.kpis}
    computed = set(kpi_frame["kpi"].unique()) if not kpi_frame.empty else set()
    out = []
    for entry in register.follow_up():
        name = entry.kpi.name
        if sources.get(name) != entry.source.get("dataset"):
            continue
        accepted = accepted_on(entry, as_of)
        if accepted is None:
            continue
        if name in computed:
            rows = series_of(kpi_frame, name, entry.dimensions)
            series = rows.set_index("period")["value"]
            judged = _judge_entry(entry, series, accepted, as_of, grains[name], spec)
            if judged.verdict == "insufficient_data":
                why = explain_insufficient(
                    rows, accepted, as_of, kpis[name], spec, int(judged.detail["baseline_n"])
                )
                judged = Judgement(judged.verdict, judged.level, {**judged.detail, **why})
            earlier = [m for m in entry.measurements if m.at.date() < as_of]
            relapse = relapse_of(judged, recovered(earlier, spec), spec)
        else:
            relapse = None
            series = pd.Series(dtype="float64")
            judged = Judgement(
                "insufficient_data",
                None,
                {"why": "blocked", "reason": "KPI not computed tonight (its source was blocked)"},
            )
        if relapse is not None:
            detail = {**judged.detail, "reason": relapse.reason, "relapse": relapse.to_json()}
            judged = Judgement("regressed", judged.level, detail)
        out.append(
            _record(
                register,
                entry,
                judged,
                series,
                (accepted, as_of),
                grains[name],
                spec,
                evidence_dir,
                relapse,
            )
        )
    return out


def _record(
    register: Register,
    entry: Entry,
    judged: Judgement,
    series: pd.Series,
    nights: tuple[date, date],
    grain: str,
    spec: FollowUpSpec,
    evidence_dir: Path,
    relapse: Relapse | None,
) -> FollowUp:
    """Write the measurement; if it is the newest, the progress, the plot and a relapse too.

    ``nights`` are the acceptance day and tonight. The register reopens a relapsed entry
    once per improvement and never one an owner rejected or closed.
    """
    accepted, as_of = nights
    suggestion = _suggestion(entry, as_of, grain, spec) if judged.verdict == "target_met" else None
    reason = str(judged.detail.get("reason", ""))
    detail = {**judged.detail, "accepted_on": accepted, "suggestion": suggestion}
    night = datetime.combine(as_of, time(), tzinfo=UTC)
    updated = register.add_measurement(entry.id, night, judged.level, judged.verdict, detail)
    # Re-running an older night adds its measurement, but progress tells the newest one.
    if any(m.at > night for m in updated.measurements):
        return FollowUp(entry.id, judged.verdict, judged.level, reason, suggestion)
    plot = None
    if not series.empty:
        start = _naive(entry.baseline.get("start") or series.index.min()) - timedelta(days=7)
        plot = str(
            save_evidence_plot(
                followup_plot_path(evidence_dir, entry.id),
                series[series.index >= start],
                title=f"{entry.id} [{judged.verdict}] {entry.title}",
                unit=entry.kpi.unit,
                baseline=entry.baseline,
                window=(entry.window.start, entry.window.end),
                target=entry.target.value if entry.target else None,
                accepted=accepted,
                measurements=[(m.at, m.value, m.verdict) for m in updated.measurements],
            )
        )
    progress = {"at": as_of, "value": judged.level, "reason": reason, "suggestion": suggestion}
    register.set_progress(entry.id, judged.verdict, at=night, detail={**progress, "plot": plot})
    if relapse is not None:
        register.relapsed(entry.id, at=night, value=relapse.level, detail=relapse.to_json())
    return FollowUp(entry.id, judged.verdict, judged.level, reason, suggestion, plot)
