"""The Jinja2 templates, autoescaped, shared by the app's pages and ``radar report``."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from register_client import benefit_text, value_text

__all__ = ["environment", "render_page"]

_TEMPLATES = Path(__file__).with_name("templates")


@functools.cache
def environment() -> Environment:
    """Return the template environment; every ``{{ }}`` is HTML-escaped."""
    env = Environment(
        loader=FileSystemLoader(_TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )
    env.filters["num"] = value_text
    env.filters["benefit"] = benefit_text
    env.filters["day"] = lambda v: "-" if v is None else str(v)[:10]
    return env


def render_page(name: str, **context: Any) -> str:
    """Render template `name` with `context`."""
    return environment().get_template(name).render(**context)
