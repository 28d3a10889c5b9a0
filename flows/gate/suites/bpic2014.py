"""Reviewed gate defaults for BPI Challenge 2014 (Rabobank ITIL data).

The change log has one row per (change, affected CI), so a record is identified by both;
the raw file repeats 151 such pairs, which is reported as a warning rather than blocking
the source that incidents are linked to. Changes are placed in days by when they were
opened: ``actual_end`` is empty for about a tenth of them.
"""

from __future__ import annotations

from flows.config.gate_spec import GateSpec

__all__ = ["CHANGES", "INCIDENTS", "INTERACTIONS"]

INCIDENTS = GateSpec(event_date="opened_at", date_order=[("opened_at", "closed_at")])
CHANGES = GateSpec(
    event_date="opened_at",
    unique_key=["id", "ci"],
    max_duplicate_share=0.01,
    date_order=[("opened_at", "closed_at")],
)
INTERACTIONS = GateSpec(event_date="opened_at", date_order=[("opened_at", "closed_at")])
