"""What a scan hands the register: a :class:`Candidate` and its :func:`fingerprint`."""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from functools import cached_property
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ._errors import FilingError
from ._kinds import Kind
from ._parts import Baseline, Current, Evidence, Kpi, Source, Target, Window

__all__ = ["Candidate", "fingerprint", "slice_key", "validate_candidates"]

Direction = Literal["up", "down"]
_UP_KINDS = frozenset({"spike"})
_DOWN_KINDS = frozenset({"dip"})


def _canonical(payload: Mapping[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def _dims(dimensions: Mapping[str, Any]) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in dimensions.items()}


def slice_key(dataset: str, kpi: str, dimensions: Mapping[str, Any]) -> str:
    """Identify a KPI slice: the dataset, the KPI and the dimension values.

    Feedback (mutes after a ``noise`` rejection) applies to a slice, whatever
    the kind or direction of the finding.

    Examples
    --------
    >>> slice_key("itsm", "mttr_hours", {"priority": "P1"})
    '214c08bab1da8d7c'
    """
    text = _canonical({"dataset": dataset, "kpi": kpi, "dimensions": _dims(dimensions)})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def fingerprint(
    dataset: str, kpi: str, dimensions: Mapping[str, Any], kind: str, direction: str
) -> str:
    """Identify a finding across scans: dataset, KPI, slice, kind and direction.

    Values and dates never enter the fingerprint, so the same problem detected
    on another night, with another value, has the same fingerprint. Dimension
    order does not matter and values are compared as strings.

    Parameters
    ----------
    dataset : str
        The source's name.
    kpi : str
        The KPI's name.
    dimensions : mapping of str to object
        The slice, e.g. ``{"assignment_group": "Group 24"}``; empty for the total.
    kind : str
        ``spike``, ``dip``, ``level_shift``, ``degradation``, ...
    direction : {"up", "down"}
        Which way the KPI moved.

    Returns
    -------
    str
        16 hexadecimal characters.

    Examples
    --------
    >>> a = fingerprint("itsm", "mttr_hours", {"a": 1, "b": "x"}, "spike", "up")
    >>> a == fingerprint("itsm", "mttr_hours", {"b": "x", "a": "1"}, "spike", "up")
    True
    >>> a == fingerprint("itsm", "mttr_hours", {"a": 1, "b": "x"}, "spike", "down")
    False
    """
    text = _canonical(
        {
            "dataset": dataset,
            "kpi": kpi,
            "dimensions": _dims(dimensions),
            "kind": kind,
            "direction": direction,
        }
    )
    return hashlib.sha256(text.encode()).hexdigest()[:16]


class Candidate(BaseModel):
    """A finding ready to be filed: what, where, how much, from where.

    ``direction`` defaults from ``kind`` (spike: up, dip: down), else from the
    current value against the baseline median.

    ``evidence_png`` is the frozen evidence plot; filing stores it in the register with
    the new entry. In ``evidence_plot`` (a path relative to the project dir, or a URL)
    the text ``{id}`` becomes the entry's id, so plots are named by entry id.

    Examples
    --------
    >>> from datetime import datetime
    >>> c = Candidate.example()
    >>> c.direction, len(c.fingerprint)
    ('up', 16)
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    title: str = Field(min_length=1)
    description: str = ""
    kind: Kind
    direction: Direction | None = None
    kpi: Kpi
    dimensions: dict[str, Any] = Field(default_factory=dict)
    window: Window
    baseline: Baseline
    current: Current
    target: Target | None = None
    priority: int = Field(default=3, ge=1, le=5)
    priority_reason: str = ""
    owner: str | None = None
    source: Source
    evidence: Evidence
    score: float = Field(ge=0.0, le=1.0)
    magnitude: float = 0.0
    csf: str | None = None
    objective: str | None = None
    benefit: dict[str, Any] | None = None
    evidence_plot: str | None = None
    evidence_png: bytes | None = Field(default=None, exclude=True, repr=False)

    _clean_magnitude = field_validator("magnitude", mode="before")(
        lambda v: 0.0 if v is None or (isinstance(v, float) and not math.isfinite(v)) else v
    )

    @field_validator("target", mode="before")
    @classmethod
    def _drop_undefined_target(cls, value: Any) -> Any:
        # A scan with no baseline suggests a NaN target: that is no target at all.
        raw = value.get("value") if isinstance(value, Mapping) else getattr(value, "value", 0.0)
        if raw is None or (isinstance(raw, float) and not math.isfinite(raw)):
            return None
        return value

    @model_validator(mode="after")
    def _default_direction(self) -> Candidate:
        if self.direction is None:
            if self.kind in _UP_KINDS:
                direction: Direction = "up"
            elif self.kind in _DOWN_KINDS:
                direction = "down"
            else:
                cur, med = self.current.value, self.baseline.median
                direction = "up" if cur is None or med is None or cur >= med else "down"
            object.__setattr__(self, "direction", direction)
        return self

    @cached_property
    def fingerprint(self) -> str:
        """The candidate's :func:`fingerprint`."""
        return fingerprint(
            self.source.dataset,
            self.kpi.name,
            self.dimensions,
            self.kind,
            self.direction or "up",
        )

    @cached_property
    def slice_key(self) -> str:
        """The candidate's :func:`slice_key`."""
        return slice_key(self.source.dataset, self.kpi.name, self.dimensions)

    @classmethod
    def example(cls, **changes: Any) -> Candidate:
        """Build a small valid candidate, for docs and tests.

        Parameters
        ----------
        **changes
            Fields to override.
        """
        base: dict[str, Any] = {
            "title": "MTTR spike for P1 incidents",
            "kind": "spike",
            "kpi": {"name": "mttr_hours", "unit": "h", "better": "lower"},
            "dimensions": {"priority": "P1"},
            "window": {"start": "2024-03-01", "end": "2024-03-07"},
            "baseline": {
                "start": "2024-01-01",
                "end": "2024-02-28",
                "n": 59,
                "median": 8.0,
                "mean": 8.4,
                "p10": 6.0,
                "p90": 11.0,
            },
            "current": {"value": 14.0},
            "target": {"value": 8.0, "by": "2024-06-30"},
            "source": {
                "dataset": "demo",
                "data_hash": "abc123",
                "flow_run_id": None,
                "gate": {"validation_id": "v1", "success": True},
                "detector": {"name": "RobustZDetector", "params": {"window": 28}, "version": "1"},
            },
            "evidence": {"at": "2024-03-07", "value": 14.0, "score": 0.97},
            "score": 0.97,
            "magnitude": 6.0,
        }
        base.update(changes)
        return cls.model_validate(base)


def validate_candidates(candidates: Iterable[Candidate | Mapping[str, Any]]) -> list[Candidate]:
    """Return the candidates, validating mappings; :class:`FilingError` names the first bad one."""
    valid = []
    for i, c in enumerate(candidates):
        if isinstance(c, Candidate):
            valid.append(c)
            continue
        try:
            valid.append(Candidate.model_validate(c))
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"]) or "candidate"
            title = c.get("title") if isinstance(c, Mapping) else None
            raise FilingError(f"#{i} ({title!r})", f"{where}: {first['msg']}") from None
    return valid
