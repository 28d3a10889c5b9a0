"""Render one entry's JSON as text for ``radar entries show``: the case an owner reads."""

from __future__ import annotations

from typing import Any

__all__ = ["render_entry"]


def _num(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else str(value)


def render_entry(entry: dict[str, Any]) -> str:
    """Return a readable, sectioned text view of an entry (the JSON contract's fields)."""
    kpi = entry["kpi"]
    dims = ", ".join(f"{k}={v}" for k, v in entry["dimensions"].items()) or "all records"
    base = entry["baseline"]
    target = entry.get("target")
    lines = [
        f"{entry['id']}  [{entry['status']}]  priority {entry['priority']}  "
        f"owner {entry.get('owner') or '(unassigned)'}",
        entry["title"],
        "",
        entry["description"],
        "",
        f"KPI        {kpi['name']} ({kpi['unit']}, {kpi['better']} is better)  slice: {dims}",
        f"Window     {entry['window']['start']} .. {entry['window']['end']}",
        f"Baseline   median {_num(base.get('median'))}  mean {_num(base.get('mean'))}  "
        f"p10 {_num(base.get('p10'))}  p90 {_num(base.get('p90'))}  "
        f"(n={base.get('n')}, {base.get('start')} .. {base.get('end')})",
        f"Current    {_num(entry['current'].get('value'))}",
        f"Target     {_num(target['value']) + ' by ' + str(target.get('by')) if target else '-'}",
    ]
    for key in ("csf", "objective", "priority_reason", "benefit", "closure_code", "progress"):
        if entry.get(key):
            lines.append(f"{key.replace('_', ' ').capitalize():<10} {entry[key]}")
    source = entry["source"]
    gate = source.get("gate") or {}
    detector = source.get("detector") or {}
    lines += [
        f"Source     {source.get('dataset')}  data {str(source.get('data_hash'))[:12]}  "
        f"flow run {source.get('flow_run_id')}",
        f"Gate       validation {gate.get('validation_id')}  success {gate.get('success')}  "
        f"suite {gate.get('suite_name')}@{str(gate.get('suite_version'))[:8]}",
        f"Detector   {detector.get('name')} {detector.get('version')} {detector.get('params')}",
        f"Seen       {entry['occurrences']}x  first {entry['first_seen']}  "
        f"last {entry['last_seen']}  fingerprint {entry['fingerprint'][:16]}",
    ]
    for note in entry.get("notes") or []:
        lines.append(f"Note       {note}")
    if entry.get("measurements"):
        lines += ["", "Measurements:"]
        for m in entry["measurements"]:
            detail = {**m, **(m.get("detail") or {})}
            gap = (detail.get("vs_target") or {}).get("gap")
            lines.append(
                f"  {m['at']}  {_num(m['value']):>8}  {m.get('verdict') or '-':<17} "
                f"{'gap to target ' + _num(gap) + '  ' if gap is not None else ''}"
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
