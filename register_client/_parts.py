"""The parts of a candidate: KPI, window, baseline, current value, target, provenance, evidence."""

from __future__ import annotations

import math
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from ._types import UtcDatetime

__all__ = [
    "Baseline",
    "Current",
    "DetectorInfo",
    "Evidence",
    "GateInfo",
    "Kpi",
    "Source",
    "Target",
    "Window",
    "nan_to_none",
    "value_text",
]


def nan_to_none(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


class _Open(BaseModel):
    """A sub-record that keeps extra keys the scan adds."""

    model_config = ConfigDict(extra="allow", frozen=True)


class Kpi(BaseModel):
    """The KPI a finding is about: its name, unit, good direction, measure and domain.

    ``domain`` is ``[low, high]`` (``high`` None for no upper bound): a rate's is
    ``[0, 1]``, a count's ``[0, None]``. Targets outside it are refused.

    Examples
    --------
    >>> Kpi(name="mttr_hours", unit="h", better="lower").better
    'lower'
    >>> Kpi(name="reopen_rate", unit="share", better="lower", measure="rate",
    ...     domain=[0, 1]).is_share
    True
    """

    model_config = ConfigDict(frozen=True)
    name: str = Field(min_length=1)
    unit: str = ""
    better: Literal["lower", "higher"]
    measure: str | None = None
    domain: tuple[float | None, float | None] | None = None

    @property
    def is_share(self) -> bool:
        """Whether values are shares of records in [0, 1], shown as percentages."""
        return self.measure in ("rate", "linked")

    def show(self, value: Any) -> str:
        """Say a value of this KPI for people, as every face does (see :func:`value_text`)."""
        return value_text(value, share=self.is_share)


def value_text(value: Any, *, share: bool = False) -> str:
    """Say a KPI value for people: 4 significant digits, a share as a percentage, ``-`` if none.

    The JSON keeps shares in [0, 1]; the command line and the web page read them the same.

    Examples
    --------
    >>> value_text(0.03846, share=True), value_text(154.2857), value_text(None)
    ('3.85 %', '154.3', '-')
    """
    if isinstance(value, bool) or not isinstance(value, int | float):
        return "-" if value is None else str(value)
    return f"{100 * value:.3g} %" if share else f"{value:.4g}"


class Window(BaseModel):
    """A period, start and end inclusive.

    Examples
    --------
    >>> Window(start="2024-03-01", end="2024-03-07").end.isoformat()
    '2024-03-07T00:00:00+00:00'
    """

    model_config = ConfigDict(frozen=True)
    start: UtcDatetime
    end: UtcDatetime


class Baseline(_Open):
    """Where we are now: the KPI's statistics over a window, frozen at detection.

    Extra keys (``records``, ``unit``, ...) are kept; NaN statistics become ``None``.

    Examples
    --------
    >>> Baseline(n=0, median=float("nan"), mean=None).median is None
    True
    """

    start: UtcDatetime | None = None
    end: UtcDatetime | None = None
    n: int = Field(default=0, ge=0)
    median: float | None = None
    mean: float | None = None
    p10: float | None = None
    p90: float | None = None

    _clean = field_validator("median", "mean", "p10", "p90", mode="before")(nan_to_none)


class Current(_Open):
    """The value observed in the detected window, and the periods it spans; extra keys are kept.

    Its dates are UTC like every other date of an entry.

    Examples
    --------
    >>> Current(value=14.0, expected=8.0).model_dump(exclude_none=True)
    {'value': 14.0, 'expected': 8.0}
    >>> Current(value=14.0, start="2024-03-01").model_dump(mode="json")["start"]
    '2024-03-01T00:00:00+00:00'
    """

    value: float | None
    start: UtcDatetime | None = None
    end: UtcDatetime | None = None

    _clean = field_validator("value", mode="before")(nan_to_none)


class Target(BaseModel):
    """Where we want to be: a target value and the date to reach it by.

    Examples
    --------
    >>> Target(value=8.0, by="2024-06-30").by.date().isoformat()
    '2024-06-30'
    """

    model_config = ConfigDict(frozen=True, allow_inf_nan=False)
    value: float
    by: UtcDatetime | None = None
    basis: str | None = None


class GateInfo(_Open):
    """The data-quality gate result the finding passed through; extra keys are kept.

    Examples
    --------
    >>> GateInfo(validation_id="v1", success=True, suite_name="incidents").suite_name
    'incidents'
    """

    validation_id: str | None = None
    success: bool


class DetectorInfo(BaseModel):
    """The detector that produced the finding.

    Examples
    --------
    >>> DetectorInfo(name="SeasonalDetector", params={"window": 28}, version=2).version
    '2'
    >>> DetectorInfo(name="quality_gate", params=None, version=None).version
    ''
    """

    model_config = ConfigDict(frozen=True, coerce_numbers_to_str=True)
    name: str
    params: dict[str, Any] = Field(default_factory=dict)
    version: str = ""

    @field_validator("version", mode="before")
    @classmethod
    def _unknown_version(cls, value: Any) -> Any:
        return "" if value is None else value

    @field_validator("params", mode="before")
    @classmethod
    def _no_params(cls, value: Any) -> Any:
        return {} if value is None else value


class Source(BaseModel):
    """Provenance: dataset, data hash, flow run, gate and detector.

    Examples
    --------
    >>> Source(dataset="demo", gate={"success": True}, detector={"name": "d"}).dataset
    'demo'
    """

    model_config = ConfigDict(frozen=True, coerce_numbers_to_str=True)
    dataset: str = Field(min_length=1)
    data_hash: str | None = None
    flow_run_id: str | None = None
    gate: GateInfo
    detector: DetectorInfo


class Evidence(_Open):
    """One detection: when, what value, how anomalous; extra keys are kept.

    ``at`` is the idempotency key with the fingerprint: the same detection filed
    twice is recorded once.

    Examples
    --------
    >>> Evidence(at="2024-03-07", value=14.0, score=0.9).at.isoformat()
    '2024-03-07T00:00:00+00:00'
    """

    at: UtcDatetime
    value: float | None
    score: float | None = None

    _clean = field_validator("value", "score", mode="before")(nan_to_none)
