"""A PostgreSQL outage in the middle of a night loses nothing: a real proxy is cut mid-scan.

The register is reached through :class:`TcpProxy`; a stage of the night stops the proxy
once the night's plots are drawn, just before filing, as a server crash would.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flows.config import RadarSettings
from flows.runs import Outbox, plain_patient_stages, run_key, run_scan
from register_client import RegisterUnavailable, connect
from tests.flows.demo_variants import write_variant
from tests.flows.tcp_proxy import TcpProxy

pytestmark = [pytest.mark.slow, pytest.mark.postgres]


@pytest.fixture
def proxy() -> Iterator[TcpProxy]:
    relay = TcpProxy(("127.0.0.1", 5432))
    relay.start()
    try:
        yield relay
    finally:
        relay.stop()


def _through(proxy: TcpProxy, pg_url: str) -> str:
    return pg_url.replace("127.0.0.1:5432", f"127.0.0.1:{proxy.port}")


def _cut_before_filing(proxy: TcpProxy, back_after: float | None) -> Any:
    """Stages that cut the register off once the plots are drawn (and restore it later)."""

    def stages_for(outbox: Outbox, patience: float) -> Any:
        plain = plain_patient_stages(outbox, patience)

        def plot_evidence(*args: Any) -> Any:
            plotted = plain.plot_evidence(*args)
            proxy.stop()
            if back_after is not None:
                threading.Timer(back_after, proxy.start).start()
            return plotted

        return dataclasses.replace(plain, plot_evidence=plot_evidence)

    return stages_for


def test_an_outage_shorter_than_the_window_is_waited_out(
    proxy: TcpProxy, pg_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    config = write_variant(tmp_path)
    url = _through(proxy, pg_url)
    settings = RadarSettings(home=tmp_path / ".radar", register_retry_seconds=120)
    nights = run_scan(
        config, url, None, None, settings=settings, stages_for=_cut_before_filing(proxy, 3.0)
    )
    created = nights[0].filed.created
    assert created and len(created) == len(nights[0].candidates)
    assert len(connect(pg_url).list()) == len(created)
    assert any("retrying in" in r.getMessage() for r in caplog.records)
    outbox = tmp_path / ".radar" / "runs" / run_key(config, url) / "outbox"
    assert not list(outbox.glob("*.json"))


def test_a_longer_outage_keeps_the_night_for_the_next_scan(
    proxy: TcpProxy, pg_url: str, tmp_path: Path
) -> None:
    config = write_variant(tmp_path)
    url = _through(proxy, pg_url)
    home = tmp_path / ".radar"
    short = RadarSettings(home=home, register_retry_seconds=2)
    with pytest.raises(RegisterUnavailable, match="kept in") as caught:
        run_scan(
            config,
            url,
            None,
            None,
            settings=short,
            stages_for=_cut_before_filing(proxy, None),
            run_id="night-run",
        )
    assert "2016-05-31" in str(caught.value)
    kept = Outbox(home / "runs" / run_key(config, url) / "outbox").pending()
    assert len(kept) == 1 and kept[0][1]
    proxy.start()
    seen_before_detection: list[int] = []

    def stages_for(outbox: Outbox, patience: float) -> Any:
        plain = plain_patient_stages(outbox, patience)

        def detect(*args: Any) -> Any:
            seen_before_detection.append(len(connect(pg_url).list()))
            return plain.detect(*args)

        return dataclasses.replace(plain, detect=detect)

    nights = run_scan(
        config, url, None, None, settings=short, stages_for=stages_for, run_id="rerun"
    )
    entries = connect(pg_url).list()
    # the kept night was filed before anything was recomputed, with its own provenance
    assert seen_before_detection == [len(kept[0][1])]
    assert {e.to_json()["source"]["flow_run_id"] for e in entries} == {"night-run"}
    assert len({e.fingerprint for e in entries}) == len(entries) == len(kept[0][1])
    assert nights[0].filed.created == []  # the rerun's own night adds no duplicate
