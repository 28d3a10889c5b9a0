"""A run's own space: the scan lock, the outbox, register retries and per-run Data Docs."""

from __future__ import annotations

import itertools
import logging
import threading
import time
from datetime import date
from pathlib import Path

import pytest

from flows.gate.docs import finish_site, new_site
from flows.runs import (
    Outbox,
    file_via_outbox,
    flush_outbox,
    run_key,
    scan_lock,
    with_register_retry,
)
from register_client import Candidate, EntryNotFound, RegisterUnavailable, connect


def test_same_config_and_register_wait_with_a_message(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config, url = tmp_path / "demo.yaml", "sqlite:///r.db"
    order: list[str] = []
    held = threading.Event()

    def first() -> None:
        with scan_lock(tmp_path, config, url):
            held.set()
            time.sleep(0.5)
            order.append("first done")

    thread = threading.Thread(target=first)
    thread.start()
    held.wait(5)
    with (
        caplog.at_level(logging.WARNING, logger="radar.runs"),
        scan_lock(tmp_path, config, url) as run_dir,
    ):
        order.append("second in")
    thread.join()
    assert order == ["first done", "second in"]
    assert run_dir == tmp_path / "runs" / run_key(config, url)
    waiting = [r.getMessage() for r in caplog.records if "waiting for" in r.getMessage()]
    assert len(waiting) == 1 and "demo.yaml" in waiting[0] and "pid" in waiting[0]


def test_other_registers_do_not_wait(tmp_path: Path) -> None:
    config = tmp_path / "demo.yaml"
    with scan_lock(tmp_path, config, "sqlite:///a.db"):
        started = time.monotonic()
        with scan_lock(tmp_path, config, "sqlite:///b.db"):
            assert time.monotonic() - started < 1


def test_run_key_ignores_the_password() -> None:
    a = run_key(Path("c.yaml"), "postgresql://u:one@h:5432/db")
    assert a == run_key(Path("c.yaml"), "postgresql://u:two@h:5432/db")
    assert a != run_key(Path("c.yaml"), "postgresql://u:one@h:5432/other")


def test_outbox_keeps_candidates_until_filed_and_refiling_is_idempotent(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'register.db'}"
    register = connect(url)
    outbox = Outbox(tmp_path / "outbox")
    night = date(2016, 5, 31)
    outbox.put(night, [Candidate.example()])
    assert [(d, len(c)) for d, c in outbox.pending()] == [(night, 1)]
    reports = flush_outbox(register, outbox, retry_seconds=0)
    assert [len(r.created) for r in reports] == [1] and outbox.pending() == []
    # a kill between filing and forgetting leaves the file: filing it again adds nothing
    report = file_via_outbox(register, [Candidate.example()], night, outbox, retry_seconds=0)
    assert report.created == [] and len(register.list()) == 1
    assert not list((tmp_path / "outbox").iterdir())


def test_filing_into_a_dead_register_keeps_the_outbox(tmp_path: Path) -> None:
    register = connect("postgresql://postgres@127.0.0.1:9/radar", migrate=False, connect_timeout=1)
    outbox = Outbox(tmp_path / "outbox")
    with pytest.raises(RegisterUnavailable, match=r"kept in .*2016-05-31\.json"):
        file_via_outbox(register, [Candidate.example()], date(2016, 5, 31), outbox, 1.5)
    assert len(outbox.pending()[0][1]) == 1


def test_retry_backs_off_only_on_retryable_errors(
    caplog: pytest.LogCaptureFixture,
) -> None:
    calls: list[float] = []

    def flaky() -> str:
        calls.append(time.monotonic())
        if len(calls) < 3:
            raise RegisterUnavailable("sqlite:///x", "x", "down")
        return "ok"

    with caplog.at_level(logging.WARNING, logger="radar.runs"):
        assert with_register_retry(flaky, seconds=10, what="test", first_delay=0.1) == "ok"
    gaps = [b - a for a, b in itertools.pairwise(calls)]
    assert len(gaps) == 2 and gaps[1] > gaps[0] * 1.5  # exponential
    assert sum("retrying in" in r.getMessage() for r in caplog.records) == 2

    def broken() -> None:
        calls.append(time.monotonic())
        raise EntryNotFound("CIR-0001")

    calls.clear()
    with pytest.raises(EntryNotFound):
        with_register_retry(broken, seconds=10, what="test")
    assert len(calls) == 1


def test_docs_sites_prune_only_complete_ones(tmp_path: Path) -> None:
    docs = tmp_path / "data_docs"
    running = new_site(docs)  # another scan, still writing
    done = [new_site(docs) for _ in range(3)]
    for site in done:
        finish_site(docs, site, keep=2)
    assert running.exists() and not done[0].exists() and done[1].exists() and done[2].exists()
    index = (docs / "index.html").read_text()
    assert done[2].name in index and running.name not in index
