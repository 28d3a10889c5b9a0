"""Webhook notifications against a real HTTP receiver on 127.0.0.1."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import pytest

from flows.config.model import ConfigError, load_config
from flows.config.web_spec import NotifySpec
from flows.web.notify import notify_filed, post_webhook
from register_client import Register
from tests.conftest import DEMO_CONFIG
from tests.web.webtools import Receiver


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    found = Receiver()
    yield found
    found.close()


def test_new_entries_are_posted_with_links(
    receiver: Receiver, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_WEBHOOK_URL", receiver.url)
    spec = NotifySpec(format="generic")
    posted = notify_filed(spec, "https://radar.example.org/", register, ["CIR-0001"], "2016-05-31")
    assert posted is True
    body = receiver.bodies[0]
    assert body["scan"] == "2016-05-31"
    assert body["entries"][0]["id"] == "CIR-0001"
    assert body["entries"][0]["link"] == "https://radar.example.org/entries/CIR-0001"


@pytest.mark.parametrize("fmt", ["slack", "teams"])
def test_slack_and_teams_bodies(
    fmt: str, receiver: Receiver, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RADAR_WEBHOOK_URL", receiver.url)
    ids = ["CIR-0001", "CIR-0003"]
    assert notify_filed(NotifySpec(format=fmt), "http://h:8765", register, ids, "d") is True
    body = receiver.bodies[0]
    if fmt == "slack":
        sections = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
        assert sections[0].startswith("<http://h:8765/entries/CIR-0001|CIR-0001 P1 spike")
        assert sections[1].endswith("owner: service-desk-lead")
    else:
        card = body["attachments"][0]["content"]
        assert card["type"] == "AdaptiveCard"
        assert [a["url"] for a in card["actions"]] == [
            "http://h:8765/entries/CIR-0001",
            "http://h:8765/entries/CIR-0003",
        ]


def test_a_failing_receiver_is_retried_then_succeeds(receiver: Receiver) -> None:
    receiver.statuses = [503, 500]
    delays: list[float] = []
    assert post_webhook(receiver.url, {"x": 1}, retries=3, backoff=0.5, sleep=delays.append)
    assert len(receiver.bodies) == 3 and delays == [0.5, 1.0]


def test_a_rejected_post_is_not_retried_and_never_raises(
    receiver: Receiver, caplog: pytest.LogCaptureFixture
) -> None:
    receiver.statuses = [400]
    with caplog.at_level(logging.WARNING, logger="radar.notify"):
        assert post_webhook(receiver.url, {"x": 1}, sleep=lambda _: None) is False
    assert len(receiver.bodies) == 1
    assert "HTTP 400" in caplog.text and "s3cret" not in caplog.text


def test_an_unreachable_receiver_is_logged_not_raised(
    register: Register, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    closed = Receiver()
    closed.close()  # nothing listens on its port any more
    monkeypatch.setenv("RADAR_WEBHOOK_URL", closed.url)
    spec = NotifySpec(retries=2, backoff=0.01, timeout=2)
    with caplog.at_level(logging.WARNING, logger="radar.notify"):
        assert notify_filed(spec, "http://h", register, ["CIR-0001"], "d") is False
    assert "webhook post failed after 3 attempt(s)" in caplog.text
    assert "s3cret" not in caplog.text


def test_nothing_is_posted_without_a_url_or_entries(
    receiver: Receiver, register: Register, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("RADAR_WEBHOOK_URL", raising=False)
    assert notify_filed(NotifySpec(), "http://h", register, ["CIR-0001"], "d") is None
    monkeypatch.setenv("RADAR_WEBHOOK_URL", receiver.url)
    assert notify_filed(NotifySpec(), "http://h", register, [], "d") is None
    assert notify_filed(None, "http://h", register, ["CIR-0001"], "d") is None
    assert receiver.bodies == []


def test_the_config_takes_web_and_notify_but_never_a_url(tmp_path: Any) -> None:
    text = DEMO_CONFIG.read_text(encoding="utf-8")
    good = tmp_path / "good.yaml"
    good.write_text(
        text + "\nweb: {base_url: 'https://radar.example.org/'}\nnotify: {format: slack}\n"
    )
    config = load_config(good)
    assert config.web.base_url == "https://radar.example.org"
    assert config.notify is not None and config.notify.format == "slack"
    clear = tmp_path / "clear.yaml"
    clear.write_text(text + "\nnotify: {url: 'https://hooks.example/x'}\n")
    with pytest.raises(ConfigError, match=r"notify\.url: unknown key"):
        load_config(clear)


def test_the_url_can_come_from_a_prefect_secret_block(
    prefect_harness: None, receiver: Receiver, monkeypatch: pytest.MonkeyPatch
) -> None:
    from prefect.blocks.system import Secret

    from flows.orchestrate.notify import webhook_url

    Secret(value=receiver.url).save("radar-webhook-test", overwrite=True)
    monkeypatch.delenv("RADAR_WEBHOOK_URL", raising=False)
    assert webhook_url(NotifySpec(secret_block="radar-webhook-test")) == receiver.url
