"""The outbox: a night's candidates on disk until the register has filed them.

A night writes its candidates to ``<run folder>/outbox/<as_of>.json`` (atomically) before
filing, and deletes the file once the register has them. If the register stays down past
the retry window the file stays, and the next scan of the same config into the same
register files it first, without recomputing that night. Filing is idempotent by
fingerprint and evidence time, so a file filed twice (a kill between filing and delete)
creates nothing twice.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from datetime import date
from pathlib import Path

from flows.pipeline import file_entries
from flows.runs.retry import with_register_retry
from register_client import Candidate, FileReport, Register, RegisterUnavailable

__all__ = ["Outbox", "file_via_outbox", "flush_outbox"]


class Outbox:
    """Candidates per night, kept in one folder until filed."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path(self, as_of: date) -> Path:
        """Return the file that holds the night's candidates."""
        return self.folder / f"{as_of.isoformat()}.json"

    def put(self, as_of: date, candidates: list[Candidate]) -> Path:
        """Write the night's candidates, replacing what an earlier run kept for it."""
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {
            "as_of": as_of.isoformat(),
            "candidates": [c.model_dump(mode="json") for c in candidates],
            # The frozen plots travel too, so entries filed after an outage keep theirs.
            "plots": [
                base64.b64encode(c.evidence_png).decode() if c.evidence_png else None
                for c in candidates
            ],
        }
        handle, temp = tempfile.mkstemp(dir=self.folder, prefix=".put-", suffix=".json")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            json.dump(data, out)
            out.flush()
            os.fsync(out.fileno())
        path = self.path(as_of)
        os.replace(temp, path)
        return path

    def pending(self) -> list[tuple[date, list[Candidate]]]:
        """Return the nights still waiting to be filed, oldest first."""
        out = []
        for path in sorted(self.folder.glob("*.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            plots = data.get("plots") or [None] * len(data["candidates"])
            candidates = [
                Candidate.model_validate(c).model_copy(
                    update={"evidence_png": base64.b64decode(png) if png else None}
                )
                for c, png in zip(data["candidates"], plots, strict=True)
            ]
            out.append((date.fromisoformat(data["as_of"]), candidates))
        return out

    def done(self, as_of: date) -> None:
        """Forget the night: the register has its candidates."""
        self.path(as_of).unlink(missing_ok=True)


def file_via_outbox(
    register: Register,
    candidates: list[Candidate],
    as_of: date,
    outbox: Outbox,
    retry_seconds: float,
) -> FileReport:
    """Keep the candidates in the outbox, file them (retrying an outage), then drop them.

    Raises
    ------
    RegisterUnavailable
        If the register stays unreachable for ``retry_seconds``; its message says where
        the candidates are kept.
    """
    kept = outbox.put(as_of, candidates)
    try:
        report = with_register_retry(
            lambda: file_entries(register, candidates, as_of),
            seconds=retry_seconds,
            what=f"filing {len(candidates)} candidate(s) of {as_of}",
        )
    except RegisterUnavailable as exc:
        raise RegisterUnavailable(
            exc.url,
            exc.host,
            f"{exc.reason}; {len(candidates)} candidate(s) of {as_of} kept in {kept}, "
            "the next scan files them",
        ) from exc
    outbox.done(as_of)
    return report


def flush_outbox(register: Register, outbox: Outbox, retry_seconds: float) -> list[FileReport]:
    """File what earlier runs left in the outbox, oldest night first."""
    reports = []
    for as_of, candidates in outbox.pending():
        reports.append(
            with_register_retry(
                lambda: file_entries(register, candidates, as_of),  # noqa: B023 (called at once)
                seconds=retry_seconds,
                what=f"filing {len(candidates)} kept candidate(s) of {as_of}",
            )
        )
        outbox.done(as_of)
    return reports
