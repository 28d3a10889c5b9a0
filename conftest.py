"""Hermetic test environment, set before anything imports Prefect.

A temporary PREFECT_HOME, analytics off, quiet logs; tests never touch ~/.prefect,
the network, or the project's own .radar/.
"""

import os
import tempfile

_home = tempfile.mkdtemp(prefix="radar-test-prefect-")
os.environ["PREFECT_HOME"] = _home
os.environ.pop("PREFECT_API_URL", None)
for key, value in {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "MPLBACKEND": "Agg",
}.items():
    os.environ[key] = value
os.environ.pop("RADAR_REGISTER_URL", None)
