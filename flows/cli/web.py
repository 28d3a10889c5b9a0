"""``radar web``, ``radar users add`` and ``radar report``.

The app's libraries (FastAPI, uvicorn, argon2) are imported inside the commands, so
``radar --help`` stays quick. ``web`` and ``report`` read: they never create a
register, and a missing one is one error line naming where it was looked for.
"""

from __future__ import annotations

import ipaddress
import os
import secrets
import sys
from datetime import date
from pathlib import Path
from typing import Annotated, Literal

import typer

from flows.cli.support import fail, one_line_errors
from flows.config.settings import DEFAULT_REGISTER_URL, RadarSettings

__all__ = ["report", "users_app", "web"]

users_app = typer.Typer(help="Manage the web app's local users.", no_args_is_help=True)

RegisterUrl = Annotated[
    str,
    typer.Option("--register", envvar="RADAR_REGISTER_URL", help="Register database URL."),
]


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _secret(home: Path) -> str:
    """Return the session-signing key: $RADAR_WEB_SECRET, else one kept in RADAR_HOME (0600)."""
    given = os.environ.get("RADAR_WEB_SECRET", "").strip()
    if given:
        return given
    path = home / "web-secret"
    if path.is_file():
        return path.read_text(encoding="utf-8").strip()
    home.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(key)
    return key


def web(
    register: RegisterUrl = DEFAULT_REGISTER_URL,
    host: Annotated[str, typer.Option("--host", help="Address to bind.")] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", min=1, max=65535)] = 8765,
    secure_cookies: Annotated[
        bool, typer.Option("--secure-cookies", help="Send the session cookie over HTTPS only.")
    ] = False,
) -> None:
    """Serve the triage web app (sign in with a user from 'radar users add')."""
    settings = RadarSettings()
    with one_line_errors():
        from flows.web.deps import open_existing

        reg = open_existing(register)
        if not reg.list_users():
            typer.echo(
                "warning: the register has no users yet; add one with "
                "'radar users add NAME --role owner --password-stdin'",
                err=True,
            )
        from flows.web.app import create_app

        app = create_app(
            reg,
            secret=_secret(settings.home),
            docs_dir=settings.docs_dir,
            https_only=secure_cookies,
        )
    if not _loopback(host):
        typer.echo(
            f"warning: binding to {host} serves sign-in and session cookies over plain HTTP; "
            "put a TLS-terminating proxy in front and pass --secure-cookies",
            err=True,
        )
    import uvicorn

    typer.echo(f"Improvement Radar on http://{host}:{port}/ (register {reg.url})", err=True)
    uvicorn.run(app, host=host, port=port, log_level="warning")


@users_app.command("add")
def add_user(
    name: Annotated[str, typer.Argument(help="The user's sign-in name.")],
    role: Annotated[Literal["viewer", "owner", "admin"], typer.Option("--role")],
    password_stdin: Annotated[
        bool, typer.Option("--password-stdin", help="Read the password from stdin.")
    ] = False,
    group: Annotated[
        list[str] | None,
        typer.Option("--group", help="A routing owner this user answers for (repeatable)."),
    ] = None,
    register: RegisterUrl = DEFAULT_REGISTER_URL,
) -> None:
    """Add a local user; owners act on entries routed to them or to one of their groups."""
    if not password_stdin:
        fail("pass the password on stdin with --password-stdin (never as an argument)")
    password = sys.stdin.readline().rstrip("\r\n")
    with one_line_errors():
        from register_client import connect

        user = connect(register).add_user(name, role=role, password=password, groups=group or [])
    groups = ", ".join(user.groups) or "none"
    typer.echo(f"added {user.name} ({user.role}; groups: {groups})")
    if user.role == "owner" and not user.groups:
        typer.echo(
            f"note: {user.name} acts on entries routed to {user.name!r} or unrouted; "
            "add --group OWNER for entries the routing rules give to OWNER",
            err=True,
        )


@users_app.command("list")
def list_users(register: RegisterUrl = DEFAULT_REGISTER_URL) -> None:
    """List the local users, their roles and groups."""
    with one_line_errors():
        from flows.web.deps import open_existing

        found = open_existing(register).list_users()
    for user in found:
        typer.echo(f"{user.name:<20} {user.role:<7} {', '.join(user.groups) or '-'}")


def report(
    out: Annotated[Path, typer.Option("--out", help="The HTML file to write.")],
    register: RegisterUrl = DEFAULT_REGISTER_URL,
    since: Annotated[
        date | None,
        typer.Option("--since", formats=["%Y-%m-%d"], help="Only entries first seen since."),
    ] = None,
    status: Annotated[str, typer.Option("--status", help="Only this status.")] = "all",
    base_url: Annotated[
        str | None,
        typer.Option(
            "--base-url",
            help="The web app's address (web.base_url): link each entry and its Data Docs there.",
        ),
    ] = None,
) -> None:
    """Write the register as one self-contained HTML file, plots inline."""
    if base_url is not None and not base_url.startswith(("http://", "https://")):
        fail(f"--base-url must start with http:// or https://, got {base_url!r}")
    with one_line_errors():
        from flows.web.deps import open_existing
        from flows.web.report import render_report, write_report

        reg = open_existing(register)
        html = render_report(
            reg,
            project_dir=Path.cwd(),
            since=since,
            status=status,
            base_url=base_url,
            docs_dir=RadarSettings().docs_dir,
        )
        write_report(html, out)
    typer.echo(f"wrote {out} ({len(html) // 1024} KiB)")
