"""Run one sync of the register into a configured target (Jira or ServiceNow)."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

__all__ = ["Target", "existing_register", "make_mirror", "run_sync"]

Target = Literal["jira", "servicenow"]


def existing_register(url: str) -> Any:
    """Open a register that must already exist (a sync never creates one), then migrate it."""
    from sqlalchemy import inspect
    from sqlalchemy.engine import make_url

    from register_client import connect

    parsed = make_url(url)
    if parsed.drivername.startswith("sqlite"):
        database = parsed.database or ""
        if database in ("", ":memory:") or not Path(database).expanduser().is_file():
            resolved = Path(database).expanduser().resolve() if database else ":memory:"
            raise FileNotFoundError(f"no register at {resolved}; run `radar scan` first")
    register = connect(url, migrate=False)
    with register.engine.connect() as conn:
        exists = inspect(conn).has_table("entries")
    if not exists:
        register.dispose()
        raise FileNotFoundError(f"no register at {register.url}; run `radar scan` first")
    register.migrate()  # adds the outbox tables to a register filed before they existed
    return register


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
    register = existing_register(register_url)
    base_url = config.web.base_url if config.web is not None else None
    try:
        return sync_register(register, mirror, base_url=base_url)
    finally:
        mirror.close()
        register.dispose()
