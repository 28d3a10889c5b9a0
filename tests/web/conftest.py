"""Fixtures for the web app: a register filed through the register API, users, clients."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from register_client import Candidate, Register, connect
from tests.web.webtools import OWNER_GROUP, PASSWORD, SCRIPT, make_client


def _plot(path: Path, values: list[float]) -> str:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    path.parent.mkdir(parents=True, exist_ok=True)
    fig, ax = plt.subplots(figsize=(4, 2.5))
    ax.plot(values, marker="o")
    ax.set_title("evidence")
    fig.savefig(path)
    plt.close(fig)
    return str(path)


def candidates(evidence_dir: Path) -> list[Candidate]:
    """Three entries: a routed duration spike, a share with a domain, a hostile slice value."""
    hours = {"name": "mttr_hours", "unit": "h", "better": "lower", "domain": (0.0, None)}
    share = {
        "name": "reassignment_rate",
        "unit": "share",
        "better": "lower",
        "measure": "rate",
        "domain": (0, 1),
    }
    return [
        Candidate.example(
            owner=OWNER_GROUP,
            kpi=hours,
            priority=1,
            evidence_plot=_plot(evidence_dir / "a.png", [8, 8, 9, 14]),
        ),
        Candidate.example(
            title="Reassignment rate up for Group 64",
            kind="level_shift",
            kpi=share,
            dimensions={"assignment_group": "Group 64"},
            baseline={"n": 30, "median": 0.05, "mean": 0.05, "p10": 0.02, "p90": 0.08},
            current={"value": 0.92},
            target={"value": 0.05},
            owner=OWNER_GROUP,
            priority=2,
            evidence_plot=_plot(evidence_dir / "b.png", [0.05, 0.04, 0.9]),
        ),
        Candidate.example(
            title="Backlog for a hostile slice",
            kind="level_shift",
            kpi={"name": "backlog_open", "unit": "incidents", "better": "lower"},
            dimensions={"assignment_group": SCRIPT},
            owner="service-desk-lead",
            priority=3,
        ),
    ]


@pytest.fixture(scope="session")
def template_register(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build once: three new entries with plots, one user of each role (argon2 is slow)."""
    home = tmp_path_factory.mktemp("web-register")
    reg = connect(f"sqlite:///{home / 'register.db'}")
    for candidate in candidates(home / "evidence"):  # one by one: ids in this order
        reg.file([candidate])
    reg.add_user("olga", role="owner", password=PASSWORD, groups=[OWNER_GROUP])
    reg.add_user("vic", role="viewer", password=PASSWORD)
    reg.add_user("ada", role="admin", password=PASSWORD)
    reg.dispose()
    return home / "register.db"


@pytest.fixture
def register(template_register: Path, tmp_path: Path) -> Iterator[Register]:
    """A fresh copy of the template register (SQLite file), for one test."""
    path = tmp_path / "register.db"
    shutil.copyfile(template_register, path)
    reg = connect(f"sqlite:///{path}")
    yield reg
    reg.dispose()


@pytest.fixture
def client(register: Register) -> Any:
    """A browser-like client that has not signed in."""
    return make_client(register)
