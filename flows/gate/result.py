"""The gate's hand-off: one :class:`GateResult` per source, made of :class:`Failure` items.

A result says whether the source may feed detection (``blocked``), which partitions may
not (``blocked_partitions``), and which caveats every finding from it must carry. Its
JSON (:meth:`GateResult.to_json`) is what entries link as ``source.gate`` and what
``radar quality check --format json`` prints.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.config.gate_spec import SEVERITIES, Severity

__all__ = ["Failure", "GateResult", "highest_severity"]


@dataclass(frozen=True)
class Failure:
    """One failed expectation.

    Examples
    --------
    >>> f = Failure("records", "expect_column_values_to_be_unique", "id", "ids", "critical", 2, "")
    >>> f.key
    'ids:expect_column_values_to_be_unique:id'
    """

    stage: str
    expectation: str
    column: str | None
    check: str
    severity: Severity
    unexpected_count: int | None
    detail: str
    partitions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """Identify the check across runs: check family, expectation type and column."""
        return f"{self.check}:{self.expectation}:{self.column}"

    def to_json(self) -> dict[str, Any]:
        """Return the failure as a JSON-ready dict."""
        return {
            "key": self.key,
            "stage": self.stage,
            "expectation": self.expectation,
            "column": self.column,
            "check": self.check,
            "severity": self.severity,
            "unexpected_count": self.unexpected_count,
            "detail": self.detail,
            "partitions": self.partitions,
        }


def highest_severity(failures: list[Failure]) -> Severity | None:
    """Return the most severe level among ``failures``, or None when there are none."""
    present = {f.severity for f in failures}
    return next((s for s in SEVERITIES if s in present), None)


@dataclass(frozen=True)
class GateResult:
    """The gate's verdict on one source for one scan date.

    ``success`` is true when nothing at ``critical`` or ``warning`` failed; ``info``
    failures are recorded and shown in Data Docs only. ``blocked`` is true when a
    critical failure is not confined to a few partitions; confined ones are listed in
    ``blocked_partitions`` (partition name -> values) instead.
    """

    source: str
    as_of: date
    success: bool
    highest_failed_severity: Severity | None
    failures: list[Failure]
    validation_id: str
    suite_name: str
    suite_version: str
    docs_path: str | None
    evaluated_at: datetime
    blocked: bool
    blocked_partitions: dict[str, list[str]]
    rows_checked: int = 0
    rows_after_as_of: int = 0

    def caveats(self) -> list[str]:
        """Return the caveats every finding from this source must carry."""
        out = [
            f"{self.source}: {f.check} check failed on {f.column or 'the batch'} "
            f"({f.expectation}, {f.unexpected_count if f.unexpected_count is not None else '?'} "
            f"unexpected; warning; validation {self.validation_id})"
            for f in self.failures
            if f.severity == "warning"
        ]
        out += [
            f"{self.source}: {name} {', '.join(values)} blocked by a critical failure "
            f"(validation {self.validation_id})"
            for name, values in self.blocked_partitions.items()
        ]
        return out

    def to_json(self) -> dict[str, Any]:
        """Return the result as a JSON-ready dict (entry provenance ``source.gate``)."""
        return {
            "source": self.source,
            "as_of": self.as_of.isoformat(),
            "validation_id": self.validation_id,
            "success": self.success,
            "highest_failed_severity": self.highest_failed_severity,
            "blocked": self.blocked,
            "blocked_partitions": self.blocked_partitions,
            "failures": [f.to_json() for f in self.failures],
            "suite_name": self.suite_name,
            "suite_version": self.suite_version,
            "docs_path": self.docs_path,
            "evaluated_at": self.evaluated_at.isoformat(),
            "rows_checked": self.rows_checked,
            "rows_after_as_of": self.rows_after_as_of,
            "caveats": self.caveats(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> GateResult:
        """Rebuild a result from :meth:`to_json` output."""
        failures = [
            Failure(
                stage=f["stage"],
                expectation=f["expectation"],
                column=f["column"],
                check=f["check"],
                severity=f["severity"],
                unexpected_count=f["unexpected_count"],
                detail=f["detail"],
                partitions=f.get("partitions", {}),
            )
            for f in data["failures"]
        ]
        return cls(
            source=data["source"],
            as_of=date.fromisoformat(data["as_of"]),
            success=data["success"],
            highest_failed_severity=data["highest_failed_severity"],
            failures=failures,
            validation_id=data["validation_id"],
            suite_name=data["suite_name"],
            suite_version=data["suite_version"],
            docs_path=data["docs_path"],
            evaluated_at=datetime.fromisoformat(data["evaluated_at"]),
            blocked=data["blocked"],
            blocked_partitions=data["blocked_partitions"],
            rows_checked=data.get("rows_checked", 0),
            rows_after_as_of=data.get("rows_after_as_of", 0),
        )
