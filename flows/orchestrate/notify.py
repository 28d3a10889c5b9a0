"""Post a night's new entries to the configured webhook, as a task that never fails the scan.

The URL is a secret: it comes from the environment variable the config names or, failing
that, from a Prefect Secret block, never from the YAML.
"""

from __future__ import annotations

from prefect import task
from prefect.blocks.system import Secret
from prefect.cache_policies import NO_CACHE

from flows.config import ScanConfig
from flows.config.web_spec import NotifySpec
from flows.web.notify import env_webhook_url, notify_filed
from register_client import Register

__all__ = ["notify_webhook", "webhook_url"]


def webhook_url(spec: NotifySpec) -> str | None:
    """Return the webhook URL from the environment or the Prefect Secret block, if any."""
    url = env_webhook_url(spec)
    if url or spec.secret_block is None:
        return url
    value = Secret.load(spec.secret_block).get()  # type: ignore[union-attr]
    return str(value).strip() or None


@task(cache_policy=NO_CACHE, name="notify-webhook", task_run_name="notify-webhook-{scan}")
def notify_webhook(
    config: ScanConfig, register: Register, created: list[str], scan: str
) -> bool | None:
    """Post the night's new and regressed entries to the webhook; never fails the scan."""
    return notify_filed(config.notify, config.web.base_url, register, created, scan, webhook_url)
