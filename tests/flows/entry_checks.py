"""What every filed entry must satisfy, checked on its JSON and its stored plot.

- the baseline window ends before the detected window starts;
- title, description, JSON and plot show the same numbers;
- the band and the target lie within the KPI's domain.
"""

from __future__ import annotations

import io
import json
import math
from datetime import datetime
from typing import Any

from PIL import Image

# What changes from run to run: flow runs, validations, times and the folders written to.
VOLATILE = {"flow_run_id", "validation_id", "evaluated_at", "docs_path", "evidence_plot", "at"}


def stable(value: Any) -> Any:
    """Return an entry's (or report's) JSON without what changes from run to run."""
    if isinstance(value, dict):
        return {k: stable(v) for k, v in value.items() if k not in VOLATILE}
    if isinstance(value, list):
        return [stable(v) for v in value]
    return value


def _fmt(value: float | None, share: bool) -> str:
    if value is None or not math.isfinite(value):
        return "n/a"
    return f"{100 * value:.3g} %" if share else f"{value:.3g}"


def _in_domain(value: float, domain: list[float | None]) -> bool:
    low, high = domain
    return (low is None or value >= low - 1e-12) and (high is None or value <= high + 1e-12)


def check_entry(entry: dict[str, Any], png: bytes | None) -> list[str]:
    """Return what is wrong with one entry (empty when it can be trusted)."""
    problems = []
    eid, kpi, base, cur = entry["id"], entry["kpi"], entry["baseline"], entry["current"]
    share = kpi.get("measure") in ("rate", "linked")
    domain = kpi.get("domain") or [0.0, None]
    start = datetime.fromisoformat(entry["window"]["start"])
    if base.get("end") and not datetime.fromisoformat(base["end"]) < start:
        problems.append(f"{eid}: baseline ends {base['end']}, window starts {start}")
    if base.get("clean") is False and base.get("median") is not None:
        problems.append(f"{eid}: an unclean baseline carries statistics")
    for bound in cur.get("band") or []:
        if not _in_domain(bound, domain):
            problems.append(f"{eid}: band {cur['band']} outside the domain {domain}")
    target = entry.get("target")
    if target and not _in_domain(target["value"], domain):
        problems.append(f"{eid}: target {target['value']} outside the domain {domain}")
    if entry["kind"] != "data_quality" and cur.get("value") is not None:
        shown = [_fmt(cur["value"], share)]
        if base.get("clean"):
            shown.append(_fmt(base["level"], share))
        for text in shown:
            if text not in entry["title"] or text not in entry["description"]:
                problems.append(f"{eid}: {text!r} missing from its title or description")
    if png is not None:
        with Image.open(io.BytesIO(png)) as image:
            meta = dict(image.text)  # type: ignore[attr-defined]
        numbers = json.loads(meta.get("radar:numbers", "{}"))
        if meta.get("Title") != entry["title"] or numbers.get("title") != entry["title"]:
            problems.append(f"{eid}: plot title differs from the entry's")
        expected = {
            "baseline": {k: base.get(k) for k in ("start", "end", "level", "p10", "p90")},
            "current": {k: cur.get(k) for k in ("value", "start", "end", "band")},
            "window": entry["window"],
            "target": None if not target else target["value"],
        }
        for key, value in expected.items():
            if json.loads(json.dumps(value, default=str)) != numbers.get(key):
                problems.append(f"{eid}: plot {key} {numbers.get(key)} != entry {value}")
    return problems
