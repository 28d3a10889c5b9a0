"""``radar register init``: the one explicit way, besides ``radar scan``, to create a register.

Every other command that reads or triages opens the register with ``create=False``, so a
mistyped URL or another working directory is an error naming the resolved path.
"""

from __future__ import annotations

from typing import Annotated

import typer

from flows.cli.support import one_line_errors
from flows.config.settings import DEFAULT_REGISTER_URL

__all__ = ["register_app"]

register_app = typer.Typer(help="Create or check a Continual Improvement Register.")


@register_app.command("init")
def init_register(
    register: Annotated[
        str,
        typer.Option("--register", envvar="RADAR_REGISTER_URL", help="Register database URL."),
    ] = DEFAULT_REGISTER_URL,
) -> None:
    """Create the register (or bring an existing one up to date) and say where it is."""
    from register_client import connect

    with one_line_errors():
        reg = connect(register, create=True)
        try:
            count = len(reg.list())
        finally:
            reg.dispose()
    typer.echo(f"register ready at {reg.url} ({count} entries)")
