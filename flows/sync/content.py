"""What an entry says in an external tool: summary, evidence sections, priority, verdict.

Both targets render the same :class:`Content`: Jira as Atlassian Document Format,
ServiceNow as plain text. ``digest`` changes only when what is shown changes, so a
re-detection that moves nothing visible does not cost an update call.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from register_client import related_text

__all__ = ["Content", "entry_content"]


def _num(value: Any) -> str:
    return f"{value:.4g}" if isinstance(value, int | float) else "-"


@dataclass(frozen=True)
class Content:
    """One entry as the external tools show it.

    ``sections`` are (heading, lines) pairs; ``link`` is the entry page, if the web
    app's ``base_url`` is configured.
    """

    entry_id: str
    fingerprint: str
    summary: str
    sections: tuple[tuple[str, tuple[str, ...]], ...]
    link: str | None
    priority: int
    status: str
    owner: str | None
    base_value: float | None
    target_value: float | None
    benefits: str
    verdict: str | None
    verdict_line: str | None

    @property
    def digest(self) -> str:
        """A hash of everything pushed on create/update (not the verdict comment)."""
        shown = [
            self.summary,
            self.sections,
            self.link,
            self.priority,
            self.owner,
            self.base_value,
            self.target_value,
            self.benefits,
        ]
        return hashlib.sha256(json.dumps(shown, default=str).encode()).hexdigest()[:32]

    def text(self) -> str:
        """Return the description as plain text (ServiceNow)."""
        blocks = [
            f"{head}\n" + "\n".join(f"- {line}" for line in lines) for head, lines in self.sections
        ]
        if self.link:
            blocks.append(f"Entry page: {self.link}")
        return "\n\n".join(blocks)


def entry_content(entry: dict[str, Any], base_url: str | None = None) -> Content:
    """Build an entry's :class:`Content` from its JSON (``Entry.to_json()``)."""
    kpi = entry["kpi"]
    base = entry.get("baseline") or {}
    current = entry.get("current") or {}
    target = entry.get("target") or {}
    source = entry.get("source") or {}
    gate = source.get("gate") or {}
    detector = source.get("detector") or {}
    dims = ", ".join(f"{k}={v}" for k, v in (entry.get("dimensions") or {}).items())
    related = related_text(entry.get("related") or [])
    found: tuple[str, ...] = (entry.get("description") or entry["title"],)
    if related:
        found += (f"Related entries (same slice value, windows within a week): {related}",)
    sections = (
        ("What was found", found),
        (
            "Where are we now? (baseline)",
            (
                f"KPI {kpi['name']} ({kpi.get('unit')}, {kpi.get('better')} is better), "
                f"slice: {dims or 'all records'}",
                f"Baseline {base.get('start')} .. {base.get('end')} (n={base.get('n')}): "
                f"median {_num(base.get('median'))}, mean {_num(base.get('mean'))}, "
                f"p10 {_num(base.get('p10'))}, p90 {_num(base.get('p90'))}",
                f"Detected window {entry['window']['start']} .. {entry['window']['end']}: "
                f"{_num(current.get('value'))}",
            ),
        ),
        (
            "Where do we want to be? (target)",
            (f"{_num(target.get('value'))} by {target.get('by')}" if target else "no target",),
        ),
        (
            "Provenance",
            (
                f"Dataset {source.get('dataset')}, data sha256 {source.get('data_hash')}",
                f"Flow run {source.get('flow_run_id')}; gate validation "
                f"{gate.get('validation_id')} (success {gate.get('success')})",
                f"Detector {detector.get('name')} {detector.get('version')}",
                f"Register entry {entry['id']}, fingerprint {entry['fingerprint']}, "
                f"seen {entry.get('occurrences')}x (last {entry.get('last_seen')})",
                f"Priority {entry['priority']}: {entry.get('priority_reason') or ''}".rstrip(": "),
            ),
        ),
    )
    measurements = entry.get("measurements") or []
    last = measurements[-1] if measurements else None
    verdict_line = None
    if last is not None:
        verdict_line = (
            f"Follow-up {last['at']}: {last.get('verdict')} "
            f"(value {_num(last.get('value'))}, baseline median {_num(base.get('median'))}, "
            f"target {_num(target.get('value'))})"
        )
    benefit = entry.get("benefits") or entry.get("benefit")
    return Content(
        entry_id=entry["id"],
        fingerprint=entry["fingerprint"],
        summary=f"[{entry['id']}] {entry['title']}"[:250],
        sections=sections,
        link=f"{base_url.rstrip('/')}/entries/{entry['id']}" if base_url else None,
        priority=int(entry["priority"]),
        status=entry["status"],
        owner=entry.get("owner"),
        base_value=entry.get("base_value", base.get("median")),
        target_value=entry.get("target_value", target.get("value")),
        benefits=benefit if isinstance(benefit, str) else json.dumps(benefit) if benefit else "",
        verdict=last.get("verdict") if last else None,
        verdict_line=verdict_line,
    )
