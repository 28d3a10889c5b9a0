"""The Prefect skin: nightly flows that wrap each pipeline stage as one task.

The logic lives in :mod:`flows.pipeline`; this package only adds names, retries,
artifacts and deployments (``prefect.yaml``). It is the one place that imports Prefect.
"""

from flows.orchestrate.flows import replay_flow, scan_flow

__all__ = ["replay_flow", "scan_flow"]
