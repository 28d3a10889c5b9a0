"""Export tuned detector parameters into a config file that scans then use.

An analyst tunes in a notebook, then writes the chosen values into a *copy* of the config
(``detector.params``, and optionally ``min_score`` and ``lookback_days``). The copy is a
reviewed, versioned file like any other config: ``radar scan --config`` or
``radar backtest --config`` run it as is. Source paths relative to the original config,
and its labels file, are rewritten so that they still point at the same files from the
copy's folder.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from detectors import parse_config
from flows.config.model import ConfigError, ScanConfig, load_config

__all__ = ["export_params"]


def export_params(
    config_path: str | Path,
    params: dict[str, Any],
    out: str | Path,
    *,
    min_score: float | None = None,
    lookback_days: int | None = None,
    note: str | None = None,
) -> ScanConfig:
    """Write ``config_path`` with tuned detector settings to ``out``; return it, loaded back.

    Parameters
    ----------
    config_path : str or Path
        The config the parameters were tuned for.
    params : dict
        Detector hyperparameters (keys of :class:`detectors.DetectorConfig`); they replace
        ``detector.params``. Unknown names or values out of range raise ``ValueError``.
    out : str or Path
        The config file to write (its folder is created); never the input file.
    min_score, lookback_days : optional
        New ``detector.min_score`` / ``detector.lookback_days``; unchanged when omitted.
    note : str, optional
        A line for the header comment, e.g. what the values were tuned on.

    Returns
    -------
    ScanConfig
        The written file, loaded with :func:`flows.config.load_config`.

    Examples
    --------
    >>> import tempfile
    >>> out = Path(tempfile.mkdtemp()) / "tuned.yaml"
    >>> config = export_params("examples/demo.yaml", {"threshold": 0.7}, out)
    >>> config.detector.params
    {'threshold': 0.7}
    """
    source, target = Path(config_path).resolve(), Path(out).resolve()
    if source == target:
        raise ValueError(f"out must be a new file, not the config itself: {out}")
    params = _plain(params)
    parse_config(params)  # reject bad names and values before writing anything
    load_config(source)  # the input must be valid too
    raw: dict[str, Any] = yaml.safe_load(source.read_text(encoding="utf-8"))
    detector = dict(raw.get("detector") or {})
    detector["params"] = params
    if min_score is not None:
        detector["min_score"] = float(min_score)
    if lookback_days is not None:
        detector["lookback_days"] = int(lookback_days)
    raw["detector"] = detector
    for spec in raw.get("sources", []):
        spec["path"] = _rebase(spec["path"], source.parent, target.parent)
    if raw.get("labels"):
        raw["labels"] = _rebase(raw["labels"], source.parent, target.parent)
    shown = source if Path(os.path.commonpath([source, target])) == Path("/") else source.name
    if shown == source.name and source.parent != target.parent:
        shown = Path(os.path.relpath(source, target.parent))
    header = [
        f"# Tuned from {shown} on {datetime.now(UTC):%Y-%m-%d}.",
        *([f"# {note}"] if note else []),
        "",
    ]
    target.parent.mkdir(parents=True, exist_ok=True)
    text = "\n".join(header) + yaml.safe_dump(raw, sort_keys=False, allow_unicode=True)
    target.write_text(text, encoding="utf-8")
    try:
        return load_config(target)
    except ConfigError:
        target.unlink()
        raise


def _rebase(path: str, old_dir: Path, new_dir: Path) -> str:
    """Keep a source path pointing at the same file when the config moves."""
    if "${" in path or Path(path).is_absolute():
        return path
    return os.path.relpath(old_dir / path, new_dir)


def _plain(value: Any) -> Any:
    """Turn numpy scalars and tuples into plain YAML types."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if hasattr(value, "item") and callable(value.item):
        return value.item()
    return value
