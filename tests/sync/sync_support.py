"""Helpers the sync tests share (a module of its own: test files cannot import a conftest)."""

from __future__ import annotations

from register_client import Candidate, Register

__all__ = ["file_entries"]


def file_entries(register: Register, n: int) -> list[str]:
    """File `n` distinct entries (one per priority slice) and return their ids."""
    report = register.file(
        [
            Candidate.example(dimensions={"assignment_group": f"Group {i}"}, title=f"Spike {i}")
            for i in range(n)
        ]
    )
    return [o.entry_id for o in report.created if o.entry_id]
