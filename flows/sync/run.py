"""Run one sync of the register into a configured target (Jira or ServiceNow)."""

from __future__ import annotations

from typing import Any, Literal

from register_client import connect

__all__ = ["Target", "make_mirror", "run_sync"]

Target = Literal["jira", "servicenow"]


def make_mirror(config: Any, target: Target) -> Any:
    """Build the configured mirror for `target`, with credentials from the environment."""
    from flows.sync.http import credentials

    spec = getattr(config.sync, target, None) if config.sync is not None else None
    if spec is None:
        raise ValueError(
            f"{config.config_path}: sync.{target} is not configured "
            f"(add sync: {{{target}: {{url: ..., "
            f"{'project: KEY' if target == 'jira' else 'table: sn_cim_register'}}}}})"
        )
    creds = credentials(target)
    if target == "jira":
        from flows.sync.jira import JiraMirror

        return JiraMirror(spec, creds)
    from flows.sync.servicenow import ServiceNowMirror

    return ServiceNowMirror(spec, creds)


def run_sync(config: Any, register_url: str, target: Target) -> Any:
    """Run one sync of `target` for the register at `register_url`; return its report."""
    from flows.sync.engine import sync_register

    mirror = make_mirror(config, target)
    # A sync never creates a register; migrating adds the outbox to an older one.
    register = connect(register_url, create=False)
    base_url = config.web.base_url if config.web is not None else None
    try:
        return sync_register(register, mirror, base_url=base_url)
    finally:
        mirror.close()
        register.dispose()
