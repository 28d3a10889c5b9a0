"""Post a scan's new and regressed entries to a webhook: generic JSON, Slack or Teams.

The URL is a secret: it comes from an environment variable or a Prefect Secret
block, never from the YAML. A post that fails is retried with exponential backoff
and logged; nothing here ever raises into the scan.
"""

from __future__ import annotations

import logging
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import httpx

from flows.config.web_spec import NotifySpec

__all__ = ["build_payload", "entry_link", "env_webhook_url", "notify_filed", "post_webhook"]

log = logging.getLogger("radar.notify")


def entry_link(base_url: str, entry_id: str) -> str:
    """Return the entry page's address under ``web.base_url``.

    Examples
    --------
    >>> entry_link("https://radar.example.org/", "CIR-0007")
    'https://radar.example.org/entries/CIR-0007'
    """
    return f"{base_url.rstrip('/')}/entries/{entry_id}"


def _headline(entry: dict[str, Any]) -> str:
    link = entry.get("link_kind")
    why = f" ({link.replace('_', ' ')} {entry.get('linked_to')})" if link else ""
    return f"{entry['id']} P{entry['priority']} {entry['kind']}{why}: {entry['title']}"


def _slack_text(text: str) -> str:
    # Slack's mrkdwn reads &, < and > as markup; escape them in data.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def build_payload(
    entries: Sequence[dict[str, Any]], fmt: str, base_url: str, scan: str
) -> dict[str, Any]:
    """Build the webhook body for `entries` (entry JSON objects) in format `fmt`.

    Parameters
    ----------
    entries : sequence of dict
        The new and regressed entries, as ``Entry.to_json()`` returns them.
    fmt : {"generic", "slack", "teams"}
        Plain JSON, Slack Block Kit, or a Teams message with an Adaptive Card.
    base_url : str
        ``web.base_url``; each entry links to its page under it.
    scan : str
        Which scan filed them (its date), for the summary line.

    Examples
    --------
    >>> e = {"id": "CIR-0001", "priority": 2, "kind": "spike", "title": "t", "owner": None,
    ...      "status": "new", "link_kind": None, "linked_to": None}
    >>> build_payload([e], "generic", "http://h", "2016-05-31")["entries"][0]["link"]
    'http://h/entries/CIR-0001'
    """
    summary = f"Improvement Radar: {len(entries)} new or regressed entries (scan {scan})"
    links = [entry_link(base_url, e["id"]) for e in entries]
    if fmt == "slack":
        blocks: list[dict[str, Any]] = [
            {"type": "header", "text": {"type": "plain_text", "text": summary[:150]}}
        ]
        for entry, link in zip(entries, links, strict=True):
            owner = _slack_text(entry.get("owner") or "unassigned")
            text = f"<{link}|{_slack_text(_headline(entry))}>\nowner: {owner}"
            blocks.append({"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}})
        return {"text": summary, "blocks": blocks}
    if fmt == "teams":
        body: list[dict[str, Any]] = [
            {"type": "TextBlock", "text": summary, "weight": "Bolder", "wrap": True}
        ]
        for entry, link in zip(entries, links, strict=True):
            body.append({"type": "TextBlock", "text": _headline(entry), "wrap": True})
            body.append({"type": "TextBlock", "text": link, "isSubtle": True, "wrap": True})
        card = {
            "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
            "type": "AdaptiveCard",
            "version": "1.4",
            "body": body,
            "actions": [
                {"type": "Action.OpenUrl", "title": e["id"], "url": link}
                for e, link in zip(entries[:5], links, strict=False)
            ],
        }
        return {
            "type": "message",
            "attachments": [
                {"contentType": "application/vnd.microsoft.card.adaptive", "content": card}
            ],
        }
    keys = ("id", "title", "status", "kind", "priority", "owner", "link_kind", "linked_to")
    return {
        "text": summary,
        "scan": scan,
        "entries": [
            {**{k: e.get(k) for k in keys}, "link": link}
            for e, link in zip(entries, links, strict=True)
        ],
    }


def post_webhook(
    url: str,
    payload: dict[str, Any],
    *,
    retries: int = 3,
    timeout: float = 10.0,
    backoff: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> bool:
    """POST `payload` as JSON; retry network errors, 429 and 5xx with backoff.

    Returns whether the receiver accepted it (2xx). Never raises: failures are logged,
    without the URL, which is a secret.
    """
    delay = backoff
    for attempt in range(retries + 1):
        try:
            response = httpx.post(url, json=payload, timeout=timeout)
            if response.is_success:
                return True
            problem = f"HTTP {response.status_code}"
            again = response.status_code == 429 or response.status_code >= 500
        except httpx.HTTPError as exc:
            problem, again = f"{type(exc).__name__}: {exc}", True
        if not again or attempt == retries:
            log.warning("webhook post failed after %d attempt(s): %s", attempt + 1, problem)
            return False
        log.info("webhook post failed (%s); retrying in %.1f s", problem, delay)
        sleep(delay)
        delay *= 2
    return False  # pragma: no cover - the loop always returns


def env_webhook_url(spec: NotifySpec) -> str | None:
    """Return the webhook URL from the environment variable the config names, if set."""
    return os.environ.get(spec.url_env, "").strip() or None


def notify_filed(
    spec: NotifySpec | None,
    base_url: str,
    register: Any,
    entry_ids: Sequence[str],
    scan: str,
    resolve_url: Callable[[NotifySpec], str | None] = env_webhook_url,
) -> bool | None:
    """Post the entries a scan created (new and regressed) to the configured webhook.

    Returns ``None`` when there was nothing to post or no URL, else whether the post
    succeeded. Never raises: a notification must not fail the scan.
    """
    if spec is None or not entry_ids:
        return None
    try:
        url = resolve_url(spec)
        if url is None:
            log.info("notify: no webhook URL in $%s; nothing posted", spec.url_env)
            return None
        entries = [register.get(entry_id).to_json() for entry_id in entry_ids]
        payload = build_payload(entries, spec.format, base_url, scan)
    except Exception as exc:  # a notification never fails the scan
        log.warning("notify: could not prepare the webhook post: %s", exc)
        return False
    return post_webhook(
        url, payload, retries=spec.retries, timeout=spec.timeout, backoff=spec.backoff
    )
