"""Render one entry's JSON as text for ``radar entries show``: the case an owner reads.

Rates read as percentages here (the JSON keeps shares); the frozen snapshot (baseline,
window, current) and the living status (``latest``) are shown apart, and so is where the
evidence plot lives.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from register_client import Kpi, benefit_text, related_text

__all__ = ["render_entry"]


def _day(value: Any) -> str:
    return "-" if value is None else str(value)[:10]


def _baseline_line(base: dict[str, Any], show: Callable[[Any], str]) -> list[str]:
    if base.get("clean") is False:
        return [f"Baseline   none: {base.get('reason') or 'no clean baseline'}"]
    level = base.get("level", base.get("median"))
    lines = [
        f"Baseline   {base.get('level_stat', 'median')} {show(level)}  "
        f"p10 {show(base.get('p10'))}  p90 {show(base.get('p90'))}  "
        f"(n={base.get('n')}, {_day(base.get('start'))} .. {_day(base.get('end'))})"
    ]
    if base.get("comparison"):
        excluded = base.get("excluded") or 0
        lines.append(
            f"           compared on {base['comparison']}"
            + (f"; {excluded} holiday, edge or thin periods left out" if excluded else "")
        )
    return lines


def _current_line(current: dict[str, Any], show: Callable[[Any], str]) -> str:
    text = f"Current    {show(current.get('value'))}"
    if current.get("start"):
        text += f"  ({_day(current['start'])} .. {_day(current['end'])})"
    band = current.get("band")
    if band:
        level = current.get("band_level") or 0.95
        text += f"  {level:.0%} interval if unchanged {show(band[0])} .. {show(band[1])}"
    return text


def _evidence_line(entry: dict[str, Any], file_matches: bool | None) -> str:
    where = entry.get("evidence_plot")
    stored = entry.get("evidence_plot_stored")
    if not where and not stored:
        return "Evidence   (no plot)"
    if file_matches is False:  # checked only for a stored plot with a path
        # Registers of one project share the evidence folder; never point at a stranger.
        return (
            f"Evidence   not at {where} (missing there, or another entry's plot); stored in "
            f"the register: radar entries plot {entry['id']} --out FILE"
        )
    text = f"Evidence   {where or '(no file)'}"
    if stored:
        text += f"  (stored in the register: radar entries plot {entry['id']})"
    return text


def render_entry(entry: dict[str, Any], *, plot_file_matches: bool | None = None) -> str:
    """Return a readable, sectioned text view of an entry (the JSON contract's fields).

    ``plot_file_matches`` says whether the file at ``evidence_plot`` is the plot the
    register keeps (None: not checked).
    """
    kpi = entry["kpi"]
    model = Kpi.model_validate(kpi)
    share, show = model.is_share, model.show
    dims = ", ".join(f"{k}={v}" for k, v in entry["dimensions"].items()) or "all records"
    target = entry.get("target")
    unit = "share, shown in %" if share else kpi["unit"]
    lines = [
        f"{entry['id']}  [{entry['status']}]  priority {entry['priority']}  "
        f"owner {entry.get('owner') or '(unassigned)'}",
        entry["title"],
        "",
        entry["description"],
        "",
        f"KPI        {kpi['name']} ({unit}, {kpi['better']} is better)  slice: {dims}",
        f"Window     {_day(entry['window']['start'])} .. {_day(entry['window']['end'])}  "
        f"(first detection, frozen)",
        *_baseline_line(entry["baseline"], show),
        _current_line(entry["current"], show),
        "Target     "
        + (
            f"{show(target['value'])} by {_day(target.get('by'))}"
            + (f"  ({target['basis']})" if target.get("basis") else "")
            if target
            else "- (none suggested)"
        ),
    ]
    latest = entry.get("latest")
    if latest:
        window = latest.get("window") or {}
        lines.append(
            f"Latest     {show(latest.get('value'))} in "
            f"{_day(window.get('start'))} .. {_day(window.get('end'))} as "
            f"{str(latest.get('kind')).replace('_', ' ')}, seen {_day(latest.get('seen'))}"
        )
    for key in ("csf", "objective", "priority_reason", "benefit", "closure_code", "progress"):
        if entry.get(key):
            shown = benefit_text(entry[key]) if key == "benefit" else entry[key]
            lines.append(f"{key.replace('_', ' ').capitalize():<10} {shown}")
    source = entry["source"]
    gate = source.get("gate") or {}
    detector = source.get("detector") or {}
    lines += [
        _evidence_line(entry, plot_file_matches),
        f"Source     {source.get('dataset')}  data {str(source.get('data_hash'))[:12]}  "
        f"flow run {source.get('flow_run_id')}",
        f"Gate       validation {gate.get('validation_id')}  success {gate.get('success')}  "
        f"suite {gate.get('suite_name')}@{str(gate.get('suite_version'))[:8]}",
        f"Detector   {detector.get('name')} {detector.get('version')} {detector.get('params')}",
        f"Seen       {entry['occurrences']}x  first {entry['first_seen']}  "
        f"last {entry['last_seen']}  fingerprint {entry['fingerprint'][:16]}",
    ]
    related = entry.get("related") or []
    if related:
        lines.append(f"Related    {related_text(related)}: same slice value, windows within a week")
    for note in entry.get("notes") or []:
        lines.append(f"Note       {note}")
    if entry.get("measurements"):
        lines += ["", "Measurements:"]
        for m in entry["measurements"]:
            detail = {**m, **(m.get("detail") or {})}
            gap = (detail.get("vs_target") or {}).get("gap")
            lines.append(
                f"  {m['at']}  {show(m['value']):>8}  {m.get('verdict') or '-':<17} "
                f"{'gap to target ' + show(gap) + '  ' if gap is not None else ''}"
                f"{detail.get('reason') or ''}".rstrip()
            )
    if entry.get("history"):
        lines += ["", "Audit trail:"]
        for h in entry["history"]:
            change = f"{h.get('from_status') or ''} -> {h.get('to_status') or ''}".strip()
            lines.append(
                f"  {h.get('at')}  {h.get('by') or '-':<12} {h.get('action'):<12} {change}  "
                f"{h.get('detail') or ''}".rstrip()
            )
    return "\n".join(lines)
