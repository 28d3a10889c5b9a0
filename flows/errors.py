"""The pipeline's errors: one rooted tree, next to the register's ``RegisterError``.

::

    RadarError              anything the pipeline refuses to run on
    ├── ConfigError         the config file is missing, unreadable or invalid   (ValueError)
    ├── SourceError         a source cannot be read as configured               (ValueError)
    ├── KpiError            a KPI cannot be computed from the data as configured (ValueError)
    └── BacktestError       one night of a backtest failed

Every message is one line that names the file, field, source, KPI or night, so the CLI
prints ``str(error)`` as is. The bad-input errors are also ``ValueError``: retrying them
cannot help, and the flows' retry condition says so.

Examples
--------
>>> issubclass(SourceError, RadarError) and issubclass(SourceError, ValueError)
True
"""

from __future__ import annotations

__all__ = ["BacktestError", "ConfigError", "KpiError", "RadarError", "SourceError"]


class RadarError(Exception):
    """Root of the pipeline's errors; the message is one line naming what was wrong."""


class ConfigError(RadarError, ValueError):
    """A config file is missing, unreadable or invalid; the message names the file and field."""


class SourceError(RadarError, ValueError):
    """A source cannot be read as configured; the message names the file and column."""


class KpiError(RadarError, ValueError):
    """A KPI cannot be computed from the data as configured; the message names the KPI."""


class BacktestError(RadarError):
    """A night of the backtest failed; the message names the night and the cause."""
