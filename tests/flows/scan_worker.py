"""A scan as a separate process, for tests that run scans side by side or kill them.

``python -m tests.flows.scan_worker CONFIG REGISTER_URL`` runs :func:`flows.runs.run_scan`,
the code the ``radar scan`` flow runs, with the plain stages: the same lock, outbox,
register and files, without paying for a Prefect server in every process.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flows.runs import run_scan


def main() -> None:
    """Scan the config named on the command line into the register named there."""
    config, url = sys.argv[1], sys.argv[2]
    nights = run_scan(Path(config), url, None, None)
    created = [e for night in nights for e in night.to_json()["created"]]
    sys.stdout.write(f"created {len(created)}\n")


if __name__ == "__main__":
    main()
