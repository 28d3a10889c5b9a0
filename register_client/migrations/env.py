"""Alembic environment: run on the connection that :func:`register_client.connect` passes."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import Connection

from register_client._schema import metadata


def run_migrations(config: Any) -> None:
    """Run the pending migrations on the connection in ``config.attributes``."""
    connection = config.attributes.get("connection")
    if not isinstance(connection, Connection):
        raise RuntimeError("run register migrations through register_client.connect(url)")
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


_config: Any
try:
    _config = context.config
except AttributeError:  # imported outside Alembic, e.g. by pytest --doctest-modules
    _config = None
if _config is not None:
    run_migrations(_config)
