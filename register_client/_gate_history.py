"""The quality gate's history in the register, so workers sharing a register share it.

The pipeline persists each source's gate result here (as the JSON of its ``GateResult``)
and reads a source's recent results back to count data-quality streaks. The register only
stores and returns the documents; what a streak is stays the pipeline's business.
"""

from __future__ import annotations

import builtins
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, func, select

from ._errors import RegisterError
from ._plumbing import Plumbing
from ._schema import gate_results, upsert

__all__ = ["GateHistoryMixin"]

_REQUIRED = ("validation_id", "source", "as_of", "evaluated_at")


class GateHistoryMixin(Plumbing):
    """Store gate results by validation id and read a source's latest ones back."""

    def record_gate_result(self, result: Mapping[str, Any]) -> None:
        """Keep one gate result document; recording the same validation id twice is a no-op.

        Examples
        --------
        >>> from register_client import connect
        >>> reg = connect("sqlite://")
        >>> doc = {"validation_id": "v1", "source": "s", "as_of": "2016-05-01",
        ...        "evaluated_at": "2016-05-02T01:00:00+00:00", "failures": []}
        >>> reg.record_gate_result(doc); reg.record_gate_result(doc)
        >>> [r["validation_id"] for r in reg.gate_results("s")]
        ['v1']
        """
        missing = [key for key in _REQUIRED if not result.get(key)]
        if missing:
            raise RegisterError(f"gate result without {missing[0]!r}: {dict(result)!r:.80}")
        row = {
            "validation_id": str(result["validation_id"]),
            "source": str(result["source"]),
            "as_of": str(result["as_of"]),
            "evaluated_at": datetime.fromisoformat(str(result["evaluated_at"])),
            "document": dict(result),
        }

        def work(conn: Connection) -> None:
            insert = upsert(conn, gate_results).values(**row)
            conn.execute(insert.on_conflict_do_nothing(index_elements=["validation_id"]))

        self._run(work)

    def gate_results(self, source: str, *, limit: int = 400) -> builtins.list[dict[str, Any]]:
        """Return the source's latest ``limit`` gate results, oldest first."""
        query = (
            select(gate_results.c.document)
            .where(gate_results.c.source == source)
            .order_by(gate_results.c.evaluated_at.desc(), gate_results.c.validation_id.desc())
            .limit(limit)
        )
        rows: builtins.list[dict[str, Any]] = self._run(
            lambda conn: list(conn.execute(query).scalars())
        )
        return [dict(doc) for doc in reversed(rows)]

    def last_scanned(self) -> date | None:
        """Return the latest night any source was validated for: the last scan's data day.

        Examples
        --------
        >>> from register_client import connect
        >>> reg = connect("sqlite://")
        >>> reg.last_scanned() is None
        True
        >>> reg.record_gate_result({"validation_id": "v1", "source": "s", "as_of": "2016-05-31",
        ...                         "evaluated_at": "2026-01-01T01:00:00+00:00"})
        >>> reg.last_scanned()
        datetime.date(2016, 5, 31)
        """
        latest = self._run(
            lambda conn: conn.execute(select(func.max(gate_results.c.as_of))).scalar()
        )
        return None if latest is None else date.fromisoformat(str(latest)[:10])
