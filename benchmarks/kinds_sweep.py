"""List what a replay would file, all kinds included, without the gate or the register.

Usage: python benchmarks/kinds_sweep.py CONFIG FROM TO

Runs the plain stages night by night (KPIs, detection, selection, anomaly candidates, the
kinds beyond anomalies, the one cap) and treats every fingerprint filed so far as an open
entry, as in a replay nobody triages. Prints each new entry as it is filed, the total and
the seconds taken. The quality gate's own entries are not included.
"""

from __future__ import annotations

import sys
import time

import pandas as pd

from flows.candidates import Provenance
from flows.candidates.ranking import rank_and_cap
from flows.candidates.standing import opportunity_candidate
from flows.config import load_config
from flows.pipeline import build_candidates, compute_kpi_series, detect, load_sources
from flows.select import select_findings
from flows.select.kinds import find_opportunities
from register_client import Candidate


def main(path: str, first: str, last: str) -> None:
    config = load_config(path)
    frames = load_sources(config)
    provenance = {
        name: Provenance(name, frame.data_hash, None, {"validation_id": None, "success": True})
        for name, frame in frames.items()
    }
    filed: dict[str, Candidate] = {}
    t0 = time.perf_counter()
    for night in pd.date_range(first, last, freq="D").date:
        kpis = compute_kpi_series(frames, config, night)
        chosen = select_findings(detect(kpis, config, night), kpis, config, night)
        candidates = build_candidates(chosen, kpis, config, provenance, night)
        candidates += [
            opportunity_candidate(o, config, provenance[o.dataset], night)
            for o in find_opportunities(frames, kpis, config, night)
        ]
        for c in rank_and_cap(candidates, set(filed), config):
            if c.fingerprint not in filed:
                filed[c.fingerprint] = c
                hours = (c.benefit or {}).get("hours_per_week")
                sys.stdout.write(f"{night} {c.kind:<14} {c.title} | {hours} h/week\n")
    seconds = time.perf_counter() - t0
    sys.stdout.write(f"{len(filed)} entries in {seconds:.0f} s\n")


if __name__ == "__main__":
    main(*sys.argv[1:4])
