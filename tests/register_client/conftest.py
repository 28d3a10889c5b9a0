"""Fixtures for the register: fresh SQLite files and throwaway PostgreSQL databases."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from register_client import Register, connect

BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture
def register_sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite register file."""
    return f"sqlite:///{tmp_path / 'reg' / 'register.db'}"


@pytest.fixture(params=BACKENDS)
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A fresh register URL on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'register.db'}"
    url: str = request.getfixturevalue("pg_url")
    return url


class Clock:
    """A settable clock, so snoozes and audit times are deterministic."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2024, 6, 1, 9, 0, tzinfo=UTC))


@pytest.fixture
def reg(backend_url: str, clock: Clock) -> Iterator[Register]:
    """A register on each backend, with a fixed clock."""
    register = connect(backend_url, clock=clock)
    try:
        yield register
    finally:
        register.dispose()
