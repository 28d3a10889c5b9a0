"""Runtime settings (env prefix ``RADAR_``) and quiet, self-contained Prefect defaults.

Detector hyperparameters never live here: they belong in versioned config files.
"""

from __future__ import annotations

import os
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_REGISTER_URL", "RadarSettings", "quiet_prefect_defaults"]

DEFAULT_REGISTER_URL = "sqlite:///.radar/register.db"

# Measured on this stack (see the stack notes): without these, the ephemeral API tries to
# post telemetry, logs shutdown tracebacks, and can time out on a cold start.
_PREFECT_DEFAULTS = {
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    "DO_NOT_TRACK": "1",
    "PREFECT_LOGGING_LEVEL": "WARNING",
    "PREFECT_SERVER_LOGGING_LEVEL": "CRITICAL",
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "90",
    "DASK_LOGGING__DISTRIBUTED": "warning",
}


class RadarSettings(BaseSettings):
    """Settings read from the environment.

    ``RADAR_REGISTER_URL``, ``RADAR_HOME``, and ``RADAR_REGISTER_RETRY_SECONDS``: how long
    a scan keeps retrying an unreachable register (with exponential backoff) before it
    fails, keeping its candidates in the outbox for the next scan.
    """

    model_config = SettingsConfigDict(env_prefix="RADAR_", extra="ignore")

    register_url: str = DEFAULT_REGISTER_URL
    home: Path = Path(".radar")
    register_retry_seconds: float = Field(default=300.0, ge=0)
    #: Shard replays over Dask: a scheduler address (``tcp://host:8786``), or ``local`` for a
    #: LocalCluster of ``dask_workers`` processes on this machine; unset runs in-process.
    dask_address: str | None = None
    dask_workers: int = Field(2, ge=1, le=256)

    @property
    def docs_dir(self) -> Path:
        """Where Data Docs are built."""
        return self.home / "data_docs"

    @property
    def evidence_dir(self) -> Path:
        """Where evidence plots are saved."""
        return self.home / "evidence"


def quiet_prefect_defaults() -> None:
    """Set quiet, offline Prefect defaults unless set; call before importing prefect."""
    for key, value in _PREFECT_DEFAULTS.items():
        os.environ.setdefault(key, value)
